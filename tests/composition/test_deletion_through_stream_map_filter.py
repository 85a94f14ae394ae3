"""A deletion passes an SDK stream-map ``__filter__`` on the tap, run after run.

A filter reads the record's properties by name; a tombstone used to carry only its keys, so
``contact_type == 'customer'`` raised ``MapExpressionError`` (``contact_type`` undefined) the
first time a contact was deleted, and since that run saved no STATE, every later run crashed
the same way. Tombstones now carry every property (null), so the filter evaluates.
"""

from __future__ import annotations

import pytest

from tap_zoho_invoice.id_set import decode_ids
from tests.composition.conftest import schema_of, tombstones
from tests.record_keys import key_mismatches

pytestmark = pytest.mark.e2e

CUSTOMERS = "contact_type == 'customer'"
#: How the README tells a person to keep deletions: a tombstone's contact_type is null.
CUSTOMERS_AND_DELETIONS = "_sdc_deleted_at is not None or contact_type == 'customer'"


def synced_ids(state: dict) -> set[str]:
    partitions = state["bookmarks"]["contacts"]["partitions"]
    return set().union(*(decode_ids(p.get("synced_contact_ids")) for p in partitions))


@pytest.mark.parametrize("expression", [CUSTOMERS, CUSTOMERS_AND_DELETIONS])
def test_a_deletion_passes_the_filter_and_the_state_moves_on(expression, sandbox, run_tap_cli):
    config = sandbox.tap_config(
        max_requests_per_minute=0,
        detect_deletions=True,
        stream_maps={"contacts": {"__filter__": expression}},
    )
    first = run_tap_cli(config)
    assert first.returncode == 0, first.stderr
    customers = first.records()
    assert customers and {r["contact_type"] for r in customers} == {"customer"}
    org = customers[0]["organization_id"]
    deleted = sandbox.delete_contacts(org, ids=[r["contact_id"] for r in customers[:2]])

    second = run_tap_cli(config, state=first.state)
    assert second.returncode == 0, second.stderr
    assert "MapExpressionError" not in second.stderr
    passed = tombstones(second)
    if expression == CUSTOMERS:
        # A tombstone's contact_type is null: this filter drops it, consistently.
        assert passed == []
    else:
        assert sorted(t["contact_id"] for t in passed) == sorted(deleted)
        assert all(key_mismatches(t, schema_of(second)) == [] for t in passed)
    # The deletion reached the state: the next scan no longer looks for these contacts.
    assert set(deleted) <= synced_ids(first.state)
    assert not set(deleted) & synced_ids(second.state)

    third = run_tap_cli(config, state=second.state)
    assert third.returncode == 0, third.stderr
    assert tombstones(third) == []
