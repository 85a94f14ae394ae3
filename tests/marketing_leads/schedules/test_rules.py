"""Pure schedule rules: crons per DST period, next runs, warnings, monthly day 29-31."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from marketing_leads.schedules.rules import (
    UTC,
    Choice,
    ScheduleError,
    cron_fires,
    crons_for_run,
    dst_edges,
    intended_runs,
    local_crons,
    make_choice,
    monthly_day_fields,
    next_cron_change,
    parse_label,
    plan,
    resolve,
)


def at_utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def local(run_time: datetime) -> str:
    return run_time.strftime("%Y-%m-%d %H:%M %Z")


NY_WEEKLY = make_choice("weekly", on="mon", at="09:00", tz="America/New_York")


def test_weekly_new_york_before_fall_back_warns_and_names_the_winter_cron() -> None:
    result = plan(NY_WEEKLY, at_utc("2026-10-20T12:00:00"), fix_hint="marketing-leads schedule X")

    assert result.crons == ["0 13 * * 1"]
    assert [local(r.fires) for r in result.runs] == [
        "2026-10-26 09:00 EDT",
        "2026-11-02 08:00 EST",
        "2026-11-09 08:00 EST",
        "2026-11-16 08:00 EST",
        "2026-11-23 08:00 EST",
    ]
    assert [r.fires.astimezone(UTC).hour for r in result.runs] == [13] * 5
    assert [r.on_time for r in result.runs] == [True, False, False, False, False]
    assert all(r.intended and r.intended.hour == 9 for r in result.runs)
    [warning] = result.warnings
    assert "2026-11-01" in warning
    assert "08:00 EST" in warning
    assert "`0 14 * * 1`" in warning
    assert "marketing-leads schedule X" in warning
    assert "--check" in warning


def test_weekly_new_york_after_fall_back_is_exact_and_notes_the_spring_change() -> None:
    result = plan(NY_WEEKLY, at_utc("2026-11-03T12:00:00"))

    assert result.crons == ["0 14 * * 1"]
    assert all(r.on_time for r in result.runs)
    assert result.warnings == []
    [note] = result.notes
    assert "2027-03-14" in note
    assert "0 13 * * 1" in note


def test_weekly_new_york_across_spring_forward() -> None:
    result = plan(NY_WEEKLY, at_utc("2027-02-20T12:00:00"))

    assert result.crons == ["0 14 * * 1"]
    assert [local(r.fires) for r in result.runs][2:] == [
        "2027-03-08 09:00 EST",
        "2027-03-15 10:00 EDT",
        "2027-03-22 10:00 EDT",
    ]
    [warning] = result.warnings
    assert "2027-03-14" in warning
    assert "10:00 EDT" in warning
    assert "`0 13 * * 1`" in warning
    assert plan(NY_WEEKLY, at_utc("2027-03-15T00:00:00")).crons == ["0 13 * * 1"]


def test_daily_berlin_across_spring_forward() -> None:
    choice = make_choice("daily", at="09:00", tz="Europe/Berlin")
    result = plan(choice, at_utc("2027-03-25T12:00:00"))

    assert result.crons == ["0 8 * * *"]
    assert [local(r.fires) for r in result.runs] == [
        "2027-03-26 09:00 CET",
        "2027-03-27 09:00 CET",
        "2027-03-28 10:00 CEST",
        "2027-03-29 10:00 CEST",
        "2027-03-30 10:00 CEST",
    ]
    [warning] = result.warnings
    assert "2027-03-28" in warning
    assert "`0 7 * * *`" in warning


@pytest.mark.parametrize("tz", ["Asia/Kolkata", "UTC"])
def test_zones_without_dst_get_no_warning_nor_note(tz: str) -> None:
    choice = make_choice("weekly", on="mon", at="09:00", tz=tz)
    result = plan(choice, at_utc("2026-10-20T12:00:00"))

    assert result.crons == (["30 3 * * 1"] if tz == "Asia/Kolkata" else ["0 9 * * 1"])
    assert all(r.on_time for r in result.runs)
    assert result.warnings == []
    assert result.notes == []


def test_sydney_southern_hemisphere_dst_moves_the_utc_weekday() -> None:
    choice = make_choice("weekly", on="mon", at="09:00", tz="Australia/Sydney")
    result = plan(choice, at_utc("2026-09-20T00:00:00"))

    # 09:00 AEST (UTC+10) on Monday is 23:00 UTC on Sunday.
    assert result.crons == ["0 23 * * 0"]
    assert [local(r.fires) for r in result.runs][:4] == [
        "2026-09-21 09:00 AEST",
        "2026-09-28 09:00 AEST",
        "2026-10-05 10:00 AEDT",
        "2026-10-12 10:00 AEDT",
    ]
    [warning] = result.warnings
    assert "2026-10-04" in warning
    assert "`0 22 * * 0`" in warning
    autumn = plan(choice, at_utc("2027-03-20T00:00:00"))
    assert autumn.crons == ["0 22 * * 0"]
    assert "2027-04-04" in autumn.warnings[0]
    assert "08:00 AEST" in autumn.warnings[0]


def test_monthly_31_runs_on_the_last_day_of_short_months() -> None:
    choice = make_choice("monthly", on="31", at="09:00", tz="UTC")

    common = plan(choice, at_utc("2027-01-01T00:00:00"))
    leap = plan(choice, at_utc("2028-01-01T00:00:00"))

    assert common.crons == ["0 9 L * *"]
    assert [r.fires.date().isoformat() for r in common.runs] == [
        "2027-01-31",
        "2027-02-28",
        "2027-03-31",
        "2027-04-30",
        "2027-05-31",
    ]
    assert [r.fires.date().isoformat() for r in leap.runs][:2] == ["2028-01-31", "2028-02-29"]
    assert all(r.on_time for r in common.runs + leap.runs)


def test_monthly_30_needs_a_second_cron_for_february() -> None:
    choice = make_choice("monthly", on="30", at="09:00", tz="UTC")
    result = plan(choice, at_utc("2027-01-01T00:00:00"))

    assert result.crons == ["0 9 30 * *", "0 9 L 2 *"]
    assert [r.fires.date().isoformat() for r in result.runs] == [
        "2027-01-30",
        "2027-02-28",
        "2027-03-30",
        "2027-04-30",
        "2027-05-30",
    ]
    assert result.notes == []


def test_monthly_29_in_leap_and_common_february() -> None:
    fields, notes = monthly_day_fields(29, 0)
    assert fields == [("29", "1,3-12"), ("L", "2")]
    assert notes == []
    choice = make_choice("monthly", on="29", at="09:00", tz="UTC")
    leap = [
        r.date().isoformat()
        for r in cron_fires(
            plan(choice, at_utc("2028-02-01T00:00:00")).crons, at_utc("2028-02-01T00:00:00"), 2
        )
    ]
    common = [
        r.date().isoformat()
        for r in cron_fires(
            plan(choice, at_utc("2027-02-01T00:00:00")).crons, at_utc("2027-02-01T00:00:00"), 2
        )
    ]
    assert leap == ["2028-02-29", "2028-03-29"]
    assert common == ["2027-02-28", "2027-03-29"]


@pytest.mark.parametrize(
    ("tz", "at"),
    [("UTC", "09:00"), ("Etc/GMT-10", "08:00"), ("Etc/GMT+5", "21:00"), ("Asia/Kolkata", "02:00")],
)
@pytest.mark.parametrize("day", [1, 2, 15, 27, 28, 29, 30, 31])
def test_monthly_crons_fire_on_every_intended_run_over_two_years(
    tz: str, at: str, day: int
) -> None:
    """Fixed-offset zones (no DST): crons fire exactly the intended runs, or the noted extras."""
    choice = make_choice("monthly", on=str(day), at=at, tz=tz)
    start = at_utc("2026-12-15T00:00:00")
    crons, notes = crons_for_run(choice, intended_runs(choice, start, 1)[0])
    intended = set(intended_runs(choice, start, 24))
    horizon = max(intended)
    fired = {f for f in cron_fires(crons, start, 40) if f <= horizon}

    assert intended <= fired
    extras = fired - intended
    assert bool(extras) == bool(notes)
    assert all(abs(min(abs(e - i) for i in intended)) <= timedelta(days=1) for e in extras)


def test_nonexistent_local_time_shifts_forward_by_the_gap() -> None:
    choice = make_choice("daily", at="02:30", tz="America/New_York")
    assert local(resolve(datetime(2027, 3, 14, 2, 30), choice.zone)) == "2027-03-14 03:30 EDT"

    result = plan(choice, at_utc("2027-03-13T12:00:00"))

    assert result.crons == ["30 7 * * *"]
    assert local(result.runs[0].fires) == "2027-03-14 03:30 EDT"
    assert result.runs[0].on_time
    assert local(result.runs[1].fires) == "2027-03-15 03:30 EDT"
    assert not result.runs[1].on_time
    assert "`30 6 * * *`" in result.warnings[0]


def test_ambiguous_local_time_takes_the_second_occurrence() -> None:
    """01:30 on 2026-11-01 happens at 05:30 UTC (EDT) and again at 06:30 UTC (EST)."""
    choice = make_choice("daily", at="01:30", tz="America/New_York")
    assert resolve(datetime(2026, 11, 1, 1, 30), choice.zone).astimezone(UTC) == at_utc(
        "2026-11-01T06:30:00"
    )

    result = plan(choice, at_utc("2026-10-31T12:00:00"))

    assert result.crons == ["30 6 * * *"]
    first = result.runs[0]
    assert first.on_time
    assert first.fires.astimezone(UTC) == at_utc("2026-11-01T06:30:00")
    assert local(first.fires) == "2026-11-01 01:30 EST"
    assert result.warnings == []


def test_the_summer_cron_fires_at_the_first_occurrence_and_is_flagged() -> None:
    choice = make_choice("daily", at="01:30", tz="America/New_York")
    result = plan(choice, at_utc("2026-10-30T12:00:00"))

    assert result.crons == ["30 5 * * *"]
    fall_back = result.runs[1]
    assert fall_back.fires.astimezone(UTC) == at_utc("2026-11-01T05:30:00")
    assert local(fall_back.fires) == "2026-11-01 01:30 EDT"
    assert not fall_back.on_time
    assert "`30 6 * * *`" in result.warnings[0]


def test_dst_edges_name_the_nonexistent_and_ambiguous_runs() -> None:
    choice = make_choice("daily", at="02:30", tz="Europe/Berlin")

    edges = dst_edges(choice, at_utc("2026-10-20T00:00:00"), days=200)

    assert [(local(run), edge) for run, edge in edges] == [
        ("2026-10-25 02:30 CET", "ambiguous"),
        ("2027-03-28 03:30 CEST", "nonexistent"),
    ]
    assert (
        dst_edges(
            make_choice("daily", at="09:00", tz="Europe/Berlin"), at_utc("2026-10-20T00:00:00")
        )
        == []
    )


def test_local_crons_are_wall_clock_and_exact_for_monthly_days() -> None:
    assert local_crons(make_choice("daily", at="07:05", tz="Europe/Berlin")) == ["5 7 * * *"]
    assert local_crons(make_choice("weekly", on="sun", at="23:30", tz="Australia/Sydney")) == [
        "30 23 * * 0"
    ]
    monthly = make_choice("monthly", on="31", at="09:00", tz="Australia/Sydney")
    assert local_crons(monthly) == ["0 9 L * *"]
    assert local_crons(make_choice("monthly", on="30", at="09:00", tz="Asia/Kolkata")) == [
        "0 9 30 * *",
        "0 9 L 2 *",
    ]
    assert local_crons(make_choice("once", on_date="2026-12-24", at="09:00", tz="UTC")) == []


def test_next_cron_change_names_the_next_dst_change_and_the_cron_after_it() -> None:
    change, after = next_cron_change(NY_WEEKLY, at_utc("2026-11-03T12:00:00")) or (None, None)

    assert change is not None
    assert change.at == at_utc("2027-03-14T07:00:00")
    assert after == ["0 13 * * 1"]
    kolkata = make_choice("weekly", on="mon", at="09:00", tz="Asia/Kolkata")
    assert next_cron_change(kolkata, at_utc("2026-11-03T12:00:00")) is None


def test_once_gives_a_single_instant_and_the_once_interval() -> None:
    choice = make_choice("once", on_date="2026-12-24", at="09:00", tz="Europe/Berlin")
    result = plan(choice, at_utc("2026-10-20T12:00:00"))

    assert result.crons == ["@once"]
    [run] = result.runs
    assert run.fires.astimezone(UTC) == at_utc("2026-12-24T08:00:00")
    with pytest.raises(ScheduleError, match="in the past"):
        plan(choice, at_utc("2026-12-25T00:00:00"))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"every": "hourly", "tz": "UTC"}, "--every must be one of"),
        ({"every": "daily", "tz": "Mars/Olympus"}, "unknown time zone 'Mars/Olympus'"),
        ({"every": "daily", "tz": "UTC", "at": "25:00"}, "--at must be a 24-hour time"),
        ({"every": "daily", "tz": "UTC", "at": "9am"}, "--at must be a 24-hour time"),
        ({"every": "weekly", "tz": "UTC"}, "--on is required for weekly"),
        ({"every": "weekly", "tz": "UTC", "on": "funday"}, "--on for weekly must be one of"),
        ({"every": "monthly", "tz": "UTC", "on": "32"}, "--on for monthly must be a day"),
        ({"every": "monthly", "tz": "UTC", "on": "mon"}, "--on for monthly must be a day"),
        ({"every": "daily", "tz": "UTC", "on": "mon"}, "--on is only for weekly or monthly"),
        ({"every": "once", "tz": "UTC"}, "--date YYYY-MM-DD is required"),
        ({"every": "once", "tz": "UTC", "on_date": "24/12/2026"}, "--date must be YYYY-MM-DD"),
        ({"every": "daily", "tz": "UTC", "on_date": "2026-12-24"}, "--date is only for"),
        (
            {"every": "once", "tz": "America/New_York", "on_date": "2027-03-14", "at": "02:30"},
            "does not exist in America/New_York",
        ),
    ],
)
def test_bad_choices_raise_one_clear_error(kwargs: dict[str, str], message: str) -> None:
    every = kwargs.pop("every")
    with pytest.raises(ScheduleError, match=message):
        make_choice(every, **kwargs)


@pytest.mark.parametrize(
    "choice",
    [
        make_choice("daily", at="07:05", tz="Europe/Berlin"),
        make_choice("weekly", on="sunday", at="23:30", tz="Australia/Sydney"),
        make_choice("monthly", on="31", at="09:00", tz="America/New_York"),
        make_choice("once", on_date="2026-12-24", at="09:00", tz="UTC"),
    ],
)
def test_label_round_trips(choice: Choice) -> None:
    assert parse_label(choice.label) == choice
