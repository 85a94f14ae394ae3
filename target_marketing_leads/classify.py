"""Pure classification rules: every lead record of a run gets exactly one outcome.

Nothing here touches the store or the network: the batch planner feeds each record's facts in
(its email already normalised by :mod:`.emails`) and gets a :class:`Decision` back.

The order of the checks is the contract of ``design.md``, with two additions of the target:

1. ``ignored / invalid_record``: the record breaks the leads contract (a field of the wrong
   JSON type, an unparseable timestamp); checked first because no other field can be trusted.
2. ``deleted``: a tombstone (``_sdc_deleted_at`` set). Tombstones usually carry no email, so they
   come before the email checks: a deleted contact counts as ``deleted``, never ``empty_email``.
   ``removed``: a contact that no longer meets the sync's criteria (``meets_criteria: false``);
   a leaving record like a tombstone, so the email checks do not apply to it either. The planner
   turns it into ``ignored / not_matching`` when the contact held no link to end.
3. ``ignored`` for ``empty_email``, ``invalid_pattern``, ``role_address``, ``file_duplicate``,
   ``unsubscribed``, ``bounced``, in that order.
4. ``new`` (email not in the store), ``re_added`` (lead was deleted), ``duplicate`` (lead exists).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from lead_store.vocabulary import LeadStatus, Outcome, Reason
from target_marketing_leads.emails import EmailCheck


@dataclass(frozen=True)
class Decision:
    """One record's outcome and, for ``ignored``, its reason."""

    outcome: Outcome
    reason: Reason | None = None


def role_of(email: str) -> str:
    """The role candidate of a normalised email: its local part without a ``+tag``."""
    local = email.rsplit("@", 1)[0]
    return local.split("+", 1)[0]


def is_role_address(email: str, roles: Collection[str]) -> bool:
    """True when the local part (plus tag removed) names a role, not a person."""
    return role_of(email) in roles


def normalise_roles(roles: Collection[str]) -> frozenset[str]:
    """Lower-case and strip a configured role list so it compares with :func:`role_of`."""
    return frozenset(r.strip().lower() for r in roles if r and r.strip())


def decide(
    *,
    tombstone: bool,
    email: EmailCheck,
    roles: Collection[str],
    seen_earlier: bool,
    store_status: str | None,
    not_matching: bool = False,
) -> Decision:
    """Classify one valid-shaped record (``invalid_record`` is decided before this).

    Args:
        tombstone: the record carries ``_sdc_deleted_at``.
        email: the record's normalised email.
        roles: role local parts (lower case).
        seen_earlier: the same normalised email already came earlier in this run.
        store_status: the lead's status in the store (as of this point of the run), or None.
        not_matching: the record says ``meets_criteria: false``.
    """
    if tombstone:
        return _DELETED
    if not_matching:
        return _REMOVED
    if email.email is None:
        return Decision(Outcome.IGNORED, email.reason or Reason.INVALID_PATTERN)
    if is_role_address(email.email, roles):
        return _ROLE_ADDRESS
    if seen_earlier:
        return _FILE_DUPLICATE
    if store_status is None:
        return _NEW
    return _BY_STORE_STATUS.get(store_status, _DUPLICATE)


# The decisions of ``decide``, made once: a run asks for them once per record.
_DELETED = Decision(Outcome.DELETED)
_REMOVED = Decision(Outcome.REMOVED)
_ROLE_ADDRESS = Decision(Outcome.IGNORED, Reason.ROLE_ADDRESS)
_FILE_DUPLICATE = Decision(Outcome.IGNORED, Reason.FILE_DUPLICATE)
_NEW = Decision(Outcome.NEW)
_DUPLICATE = Decision(Outcome.DUPLICATE)
_BY_STORE_STATUS = {
    LeadStatus.UNSUBSCRIBED.value: Decision(Outcome.IGNORED, Reason.UNSUBSCRIBED),
    LeadStatus.BOUNCED.value: Decision(Outcome.IGNORED, Reason.BOUNCED),
    LeadStatus.DELETED.value: Decision(Outcome.RE_ADDED),
}
