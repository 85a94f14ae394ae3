"""Client-side pacing keeps each organization under its per-minute budget."""

from __future__ import annotations

from tap_zoho_invoice.pacing import Pacer


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_requests_of_one_organization_are_spaced_evenly():
    clock = FakeClock()
    pacer = Pacer(60, clock=clock, sleep=clock.sleep)
    for _ in range(5):
        pacer.wait("org-a")
    assert clock.now == 4.0  # 60/min = one per second; the first goes at once


def test_organizations_are_paced_independently():
    clock = FakeClock()
    pacer = Pacer(30, clock=clock, sleep=clock.sleep)
    assert pacer.wait("org-a") == 0.0
    assert pacer.wait("org-b") == 0.0
    assert pacer.wait("org-a") == 2.0


def test_zero_turns_pacing_off():
    clock = FakeClock()
    pacer = Pacer(0, clock=clock, sleep=clock.sleep)
    for _ in range(100):
        pacer.wait("org-a")
    assert clock.now == 0.0
