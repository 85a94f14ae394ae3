"""The project's Airflow DAGs, loaded by a real Airflow: each schedule at its local time all year.

Airflow is installed in its own virtualenv on first use (see airflow_harness) and loads the DAG
folder in a subprocess, without a scheduler. The expected instants are computed here with
zoneinfo, independently of marketing_leads.schedules; where the rules of docs/schedules.md
differ from zoneinfo's default (``fold=0``), the expected instant is written out.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.marketing_leads.schedules.airflow_harness import MELTANO, ROOT, example_project, probe
from tests.marketing_leads.schedules.expected import (
    EARLIEST,
    LATEST,
    day_30_or_last,
    every_day,
    last_day_of_month,
    mondays,
    wall_clock_runs,
)

pytestmark = pytest.mark.airflow

JOB = "trade-fair-events"


def choice(name: str, every: str, at: str, tz: str, *extra: str) -> list[str]:
    return ["--job", JOB, "--every", every, "--at", at, "--tz", tz, "--name", name, *extra]


CHOICES = [
    choice("ny-daily", "daily", "09:00", "America/New_York"),
    choice("berlin-daily", "daily", "09:00", "Europe/Berlin"),
    choice("sydney-daily", "daily", "09:00", "Australia/Sydney"),
    choice("kolkata-daily", "daily", "09:00", "Asia/Kolkata"),
    choice("ny-weekly", "weekly", "09:00", "America/New_York", "--on", "mon"),
    choice("sydney-monthly-31", "monthly", "09:00", "Australia/Sydney", "--on", "31"),
    choice("berlin-monthly-30", "monthly", "09:00", "Europe/Berlin", "--on", "30"),
    choice("ny-0130", "daily", "01:30", "America/New_York"),
    choice("ny-0230", "daily", "02:30", "America/New_York"),
    choice("berlin-0230", "daily", "02:30", "Europe/Berlin"),
    choice("berlin-once", "once", "09:00", "Europe/Berlin", "--date", "2026-12-24"),
]
# Written while New York is on summer time: the UTC intervals in meltano.yml are then wrong for
# winter, which the DAGs must not care about.
WRITTEN_AT = ["--now", "2026-09-20T12:00:00Z"]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example project plus CHOICES: two written by `--write`, the rest as it writes them."""
    with_time = [[*argv, *WRITTEN_AT] for argv in CHOICES]
    return example_project(
        tmp_path_factory.mktemp("example-project"),
        written=[argv for argv in with_time if "weekly" in argv or "31" in argv],
        recorded=[argv for argv in with_time if "weekly" not in argv and "31" not in argv],
        hand_written={"utc-hand": (JOB, "0 6 * * *")},
    )


@pytest.fixture(scope="module")
def dags(airflow: Path, project: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    found = probe(
        airflow,
        tmp_path_factory.mktemp("airflow-work"),
        EARLIEST.isoformat(),
        LATEST.isoformat(),
        project=project,
    )
    assert found["import_errors"] == {}
    return found["dags"]


def test_one_dag_per_schedule_running_meltano_run_job_in_the_project(
    dags: dict, project: Path
) -> None:
    names = [argv[argv.index("--name") + 1] for argv in CHOICES] + ["utc-hand"]
    names += ["india-customers-newsletter-weekly", "trade-fair-events-daily"]  # shipped
    assert sorted(dags) == sorted(f"meltano_{name}" for name in names)
    for dag_id, dag in dags.items():
        job = "india-customers-newsletter" if "india" in dag_id else JOB
        assert dag["catchup"] is False
        assert dag["max_active_runs"] == 1
        assert dag["tasks"] == [
            {"task_id": "meltano_run", "bash_command": f"{MELTANO} run {job}", "cwd": str(project)}
        ]


@pytest.mark.parametrize(
    ("dag_id", "zone"),
    [
        ("meltano_ny-daily", "America/New_York"),
        ("meltano_berlin-daily", "Europe/Berlin"),
        ("meltano_sydney-daily", "Australia/Sydney"),
        ("meltano_kolkata-daily", "Asia/Kolkata"),
    ],
)
def test_daily_0900_is_at_0900_local_across_both_dst_changes(
    dags: dict, dag_id: str, zone: str
) -> None:
    dag = dags[dag_id]

    assert dag["timetable"] == "CronTriggerTimetable"
    assert dag["serialized"]["timezone"] == zone
    assert dag["runs"] == wall_clock_runs(zone, "09:00", every_day)
    assert len(dag["runs"]) == 196


def test_the_utc_offsets_really_change_in_the_window(dags: dict) -> None:
    """The daily 09:00 runs use two UTC hours in each DST zone, one in Kolkata."""
    hours = {
        dag_id: {run[11:16] for run in dags[dag_id]["runs"]}
        for dag_id in ("meltano_ny-daily", "meltano_berlin-daily", "meltano_sydney-daily")
    }
    assert hours == {
        "meltano_ny-daily": {"13:00", "14:00"},
        "meltano_berlin-daily": {"07:00", "08:00"},
        "meltano_sydney-daily": {"22:00", "23:00"},
    }
    assert {run[11:16] for run in dags["meltano_kolkata-daily"]["runs"]} == {"03:30"}


def test_weekly_monday_0900_new_york(dags: dict) -> None:
    runs = dags["meltano_ny-weekly"]["runs"]

    assert runs == wall_clock_runs("America/New_York", "09:00", mondays)
    assert "2026-10-26T13:00:00+00:00" in runs  # EDT, before the fall-back
    assert "2026-11-02T14:00:00+00:00" in runs  # EST, after it
    assert "2027-03-15T13:00:00+00:00" in runs  # EDT again


def test_monthly_31_runs_on_the_last_day_of_shorter_months(dags: dict) -> None:
    dag = dags["meltano_sydney-monthly-31"]

    assert dag["runs"] == wall_clock_runs("Australia/Sydney", "09:00", last_day_of_month)
    assert [run[:10] for run in dag["runs"]] == [
        "2026-10-30",  # Oct 31 09:00 AEDT
        "2026-11-29",  # Nov 30
        "2026-12-30",
        "2027-01-30",
        "2027-02-27",  # Feb 28
        "2027-03-30",
    ]


def test_monthly_30_takes_two_crons_in_one_timetable(dags: dict) -> None:
    dag = dags["meltano_berlin-monthly-30"]

    assert dag["timetable"] == "MultipleCronTriggerTimetable"
    assert dag["runs"] == wall_clock_runs("Europe/Berlin", "09:00", day_30_or_last)
    assert "2027-02-28T08:00:00+00:00" in dag["runs"]


def test_ambiguous_time_runs_once_at_the_second_occurrence(dags: dict) -> None:
    """01:30 happens twice in New York on 2026-11-01; the rule: the second (EST, 06:30 UTC)."""
    runs = dags["meltano_ny-0130"]["runs"]
    expected = wall_clock_runs("America/New_York", "01:30", every_day)
    expected[expected.index("2026-11-01T05:30:00+00:00")] = "2026-11-01T06:30:00+00:00"

    assert runs == expected
    assert [run for run in runs if run.startswith("2026-11-01")] == ["2026-11-01T06:30:00+00:00"]


def test_nonexistent_time_runs_shifted_forward_by_the_gap(dags: dict) -> None:
    """02:30 does not exist in New York on 2027-03-14; the rule: 03:30 EDT (07:30 UTC)."""
    runs = dags["meltano_ny-0230"]["runs"]

    assert runs == wall_clock_runs("America/New_York", "02:30", every_day)
    assert [run for run in runs if run.startswith("2027-03-14")] == ["2027-03-14T07:30:00+00:00"]


def test_berlin_0230_both_edges(dags: dict) -> None:
    runs = dags["meltano_berlin-0230"]["runs"]

    # 2026-10-25: 02:30 CEST (00:30 UTC) and 02:30 CET (01:30 UTC): the second.
    assert [run for run in runs if run.startswith("2026-10-25")] == ["2026-10-25T01:30:00+00:00"]
    # 2027-03-28: 02:30 does not exist: 03:30 CEST (01:30 UTC).
    assert [run for run in runs if run.startswith("2027-03-28")] == ["2027-03-28T01:30:00+00:00"]
    ordinary = [run for run in runs if run[:10] not in ("2026-10-25", "2027-03-28")]
    assert ordinary == [
        run
        for run in wall_clock_runs("Europe/Berlin", "02:30", every_day)
        if run[:10] not in ("2026-10-25", "2027-03-28")
    ]


def test_once_is_a_single_run_at_the_local_instant(dags: dict) -> None:
    dag = dags["meltano_berlin-once"]

    assert dag["timetable"] == "OnceTimetable"
    assert dag["runs"] == ["2026-12-24T08:00:00+00:00"]  # 09:00 CET


def test_a_hand_written_cron_keeps_its_utc_meaning(dags: dict) -> None:
    dag = dags["meltano_utc-hand"]

    assert dag["serialized"]["timezone"] == "UTC"
    assert dag["serialized"]["expression"] == "0 6 * * *"
    assert dag["runs"] == wall_clock_runs("UTC", "06:00", every_day)


def test_the_example_project_as_it_ships(airflow: Path, tmp_path: Path) -> None:
    """The repository's own meltano.yml, the DAG module finding the project by itself."""
    found = probe(airflow, tmp_path, EARLIEST.isoformat(), LATEST.isoformat())

    assert found["import_errors"] == {}
    dags = found["dags"]
    assert sorted(dags) == [
        "meltano_india-customers-newsletter-weekly",
        "meltano_trade-fair-events-daily",
    ]
    india = dags["meltano_india-customers-newsletter-weekly"]
    assert india["runs"] == wall_clock_runs("Asia/Kolkata", "08:30", mondays)
    assert india["tasks"][0]["cwd"] == str(ROOT)
    assert india["tasks"][0]["bash_command"] == f"{MELTANO} run india-customers-newsletter"
    berlin = dags["meltano_trade-fair-events-daily"]
    assert berlin["runs"] == wall_clock_runs("Europe/Berlin", "07:00", every_day)


def test_an_unreadable_recorded_choice_is_one_import_error_naming_it(
    airflow: Path, tmp_path: Path
) -> None:
    bad = [*choice("bad", "daily", "09:00", "UTC"), *WRITTEN_AT]
    project = example_project(tmp_path / "project", written=[], recorded=[bad])
    meltano_yml = project / "meltano.yml"
    meltano_yml.write_text(meltano_yml.read_text().replace("daily 09:00 UTC", "daily 9am UTC"))

    found = probe(airflow, tmp_path, EARLIEST.isoformat(), LATEST.isoformat(), project=project)

    assert found["dags"] == {}  # the whole file fails, visibly, as Meltano's generator does
    [error] = found["import_errors"].values()
    assert "schedule 'bad': --at must be a 24-hour time HH:MM" in error
