"""Timestamps are `%Y-%m-%dT%H:%M:%S%z` in the organization's zone, with DST-correct offsets."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from sandbox.server import SandboxHandle
from tests.sandbox.helpers import GMBH, INC, INDIA

WINTER = int(datetime(2026, 1, 15, 12, 0, tzinfo=timezone.utc).timestamp())
SUMMER = int(datetime(2026, 7, 15, 12, 0, tzinfo=timezone.utc).timestamp())
ZONE_PATTERN = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}$")


@pytest.mark.parametrize(
    ("org_id", "winter", "summer"),
    [(INDIA, "+0530", "+0530"), (INC, "-0500", "-0400"), (GMBH, "+0100", "+0200")],
)
def test_offsets_follow_the_org_zone_and_dst(
    sandbox: SandboxHandle, org_id: str, winter: str, summer: str
) -> None:
    winter_id = sandbox.add_contact(org_id, created_ts=WINTER, modified_ts=WINTER)
    summer_id = sandbox.add_contact(org_id, created_ts=SUMMER, modified_ts=SUMMER)
    rows = {row["contact_id"]: row for row in sandbox.contacts(org_id)}
    assert rows[winter_id]["last_modified_time"].endswith(winter)
    assert rows[summer_id]["created_time"].endswith(summer)
    parsed = datetime.strptime(rows[summer_id]["last_modified_time"], "%Y-%m-%dT%H:%M:%S%z")
    assert int(parsed.timestamp()) == SUMMER


@pytest.mark.parametrize(
    ("org_id", "zone"),
    [(INDIA, "Asia/Kolkata"), (INC, "America/New_York"), (GMBH, "Europe/Berlin")],
)
def test_every_generated_timestamp_is_local_to_the_org(
    sandbox: SandboxHandle, org_id: str, zone: str
) -> None:
    offsets = set()
    for row in sandbox.contacts(org_id):
        for key in ("created_time", "last_modified_time"):
            assert ZONE_PATTERN.match(row[key]), row[key]
            parsed = datetime.strptime(row[key], "%Y-%m-%dT%H:%M:%S%z")
            local = parsed.astimezone(ZoneInfo(zone))
            assert parsed.utcoffset() == local.utcoffset()
            offsets.add(row[key][-5:])
    if zone != "Asia/Kolkata":  # two years of data cross DST changes
        assert len(offsets) == 2
