"""The removal guard's arithmetic and its message: pure functions, and the settings' checks."""

from __future__ import annotations

import pytest

from target_marketing_leads.removal_guard import (
    RemovalLimits,
    approval_allowance,
    blocked_message,
    judge,
)

from .conftest import run_executable, singer_lines

TEN_PERCENT = RemovalLimits()


@pytest.mark.parametrize(
    ("departures", "members", "blocked"),
    [(0, 1020, False), (102, 1020, False), (103, 1020, True), (1, 9, True), (0, 9, False)],
)
def test_more_than_the_fraction_of_the_members_is_blocked(
    departures: int, members: int, blocked: bool
) -> None:
    verdict = judge(departures, members, TEN_PERCENT)
    assert verdict.blocked is blocked
    assert verdict.uses_approval is False


def test_a_list_with_no_members_at_the_start_is_never_blocked() -> None:
    assert judge(50, 0, RemovalLimits(0.0, 0)).blocked is False


def test_no_run_removes_more_than_the_members_there_were() -> None:
    verdict = judge(3, 2, RemovalLimits(1.0))
    assert (verdict.departures, verdict.blocked) == (2, False)


def test_the_smaller_of_fraction_and_absolute_applies() -> None:
    assert judge(51, 1020, RemovalLimits(0.1, 50)).limit == 50
    assert judge(51, 1020, RemovalLimits(0.1, 50)).blocked
    assert judge(102, 1020, RemovalLimits(0.1, 500)).limit == 102
    assert not judge(102, 1020, RemovalLimits(0.1, 500)).blocked


def test_an_approval_allows_its_removals_plus_a_margin() -> None:
    assert approval_allowance(0) == 5
    assert approval_allowance(40) == 45
    assert approval_allowance(412) == 412 + 42
    # 102 allowed by the fraction, 412 approved + 42 margin: up to 556.
    used = judge(556, 1020, TEN_PERCENT, approved=412)
    assert (used.blocked, used.uses_approval) == (False, True)
    bigger = judge(557, 1020, TEN_PERCENT, approved=412)
    assert (bigger.blocked, bigger.uses_approval) == (True, False)
    unneeded = judge(10, 1020, TEN_PERCENT, approved=412)
    assert (unneeded.blocked, unneeded.uses_approval) == (False, False)


def test_the_blocked_line_says_what_and_how_to_approve() -> None:
    verdict = judge(412, 1020, TEN_PERCENT)
    assert blocked_message(14, "newsletter", verdict, TEN_PERCENT) == (
        "run 14 would remove 412 of 1,020 members of 'newsletter' (40%, limit 10%): review with "
        "'marketing-leads outcomes 14 --outcome deleted', then 'marketing-leads approve 14' "
        "and run the sync again"
    )
    removals = blocked_message(14, "newsletter", verdict, TEN_PERCENT, removed=True, deleted=False)
    assert "review with 'marketing-leads outcomes 14 --outcome removed', then" in removals
    both = blocked_message(14, "newsletter", verdict, TEN_PERCENT, removed=True, deleted=True)
    assert "review with 'marketing-leads outcomes 14', then" in both
    limits = RemovalLimits(0.125, 50)
    verdict = judge(600, 1020, limits, approved=412)
    assert "(59%, limit 50 + 454 approved)" in blocked_message(15, "n", verdict, limits)
    fraction_only = RemovalLimits(0.125)
    verdict = judge(600, 1020, fraction_only)
    assert "(59%, limit 12.5%)" in blocked_message(15, "n", verdict, fraction_only)


def test_the_limits_come_from_the_config_with_their_defaults() -> None:
    assert RemovalLimits.from_config({}) == RemovalLimits(0.1, None)
    assert RemovalLimits.from_config({"max_removal_fraction": 1, "max_removals": 3}) == (
        RemovalLimits(1.0, 3)
    )


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        (
            {"max_removal_fraction": 1.5},
            "is greater than the maximum of 1 in config['max_removal_fraction']",
        ),
        ({"max_removal_fraction": "ten"}, "'ten' is not of type 'number'"),
        ({"max_removals": -1}, "-1 is less than the minimum of 0"),
        ({"dry_run": "yes"}, "'yes' is not of type 'boolean'"),
    ],
)
def test_a_bad_setting_stops_the_target_before_it_reads_input(
    sqlite_url: str, settings: dict, named: str
) -> None:
    done = run_executable(sqlite_url, singer_lines([]), **settings)
    assert done.returncode == 1
    assert named in done.stderr
    assert done.stdout == ""
