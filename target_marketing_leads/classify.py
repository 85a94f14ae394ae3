"""Pure classification rules: every lead record of a run gets exactly one outcome.

Nothing here touches the store or the network (deliverability checks aside, which are opt-in):
the batch planner feeds each record's facts in and gets an :class:`Decision` back.

The order of the checks is the contract of ``design.md``, with two additions of the target:

1. ``ignored / invalid_record``: the record breaks the leads contract (a field of the wrong
   JSON type, an unparseable timestamp); checked first because no other field can be trusted.
2. ``deleted``: a tombstone (``_sdc_deleted_at`` set). Tombstones usually carry no email, so they
   come before the email checks: a deleted contact counts as ``deleted``, never ``empty_email``.
3. ``ignored`` for ``empty_email``, ``invalid_pattern``, ``role_address``, ``file_duplicate``,
   ``unsubscribed``, ``bounced``, in that order.
4. ``new`` (email not in the store), ``re_added`` (lead was deleted), ``duplicate`` (lead exists).
"""

from __future__ import annotations

import enum
import functools
import importlib
from collections.abc import Collection
from dataclasses import dataclass

from email_validator import EmailNotValidError, caching_resolver, validate_email

DOMAIN_MEMO_SIZE = 20_000
"""Distinct domains whose syntax check is remembered (bounded: memory does not grow with N)."""


class Outcome(str, enum.Enum):
    """What a run did with one lead record."""

    NEW = "new"
    RE_ADDED = "re_added"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"
    DELETED = "deleted"


class Reason(str, enum.Enum):
    """Why a record was ignored, in the order the checks run."""

    INVALID_RECORD = "invalid_record"
    EMPTY_EMAIL = "empty_email"
    INVALID_PATTERN = "invalid_pattern"
    ROLE_ADDRESS = "role_address"
    FILE_DUPLICATE = "file_duplicate"
    UNSUBSCRIBED = "unsubscribed"
    BOUNCED = "bounced"


class LeadStatus(str, enum.Enum):
    """A lead's status in the store."""

    ACTIVE = "active"
    UNSUBSCRIBED = "unsubscribed"
    BOUNCED = "bounced"
    DELETED = "deleted"


SUPPRESSED_STATUSES = frozenset({LeadStatus.UNSUBSCRIBED.value, LeadStatus.BOUNCED.value})
"""Statuses a sync never changes: these leads are never re-subscribed nor marked deleted."""

JOINING_OUTCOMES = frozenset({Outcome.NEW, Outcome.RE_ADDED, Outcome.DUPLICATE})
"""Outcomes after which the lead is active and on the list."""

SEEN_REASONS = frozenset({Reason.UNSUBSCRIBED, Reason.BOUNCED})
"""Ignored reasons that still count the email as "already came in this run"."""


@dataclass(frozen=True)
class Decision:
    """One record's outcome and, for ``ignored``, its reason."""

    outcome: Outcome
    reason: Reason | None = None


@dataclass(frozen=True)
class EmailCheck:
    """The result of normalising one raw email value.

    ``email`` is the comparison key (email-validator's normalised form, lower-cased) when the
    address is valid; otherwise ``reason`` says why not and ``detail`` carries the validator's
    message.
    """

    email: str | None
    reason: Reason | None = None
    detail: str | None = None


class EmailNormaliser:
    """Validates and normalises emails with email-validator.

    Surrounding whitespace is stripped first (a trailing space is a data-entry slip, not a
    different address); everything else is email-validator's decision. Deliverability (DNS)
    checks run only when asked for, through one caching resolver.
    """

    def __init__(self, *, check_deliverability: bool = False) -> None:
        self.check_deliverability = check_deliverability
        self._resolver = caching_resolver() if check_deliverability else None
        memoise_domain_syntax()

    def normalise(self, raw: str | None) -> EmailCheck:
        """Return the comparison key of ``raw``, or why it has none."""
        text = (raw or "").strip()
        if not text:
            return EmailCheck(None, Reason.EMPTY_EMAIL)
        try:
            if self._resolver is None:
                result = validate_email(text, check_deliverability=False)
            else:
                result = validate_email(
                    text, check_deliverability=True, dns_resolver=self._resolver
                )
        except EmailNotValidError as exc:
            return EmailCheck(None, Reason.INVALID_PATTERN, str(exc))
        return EmailCheck(result.normalized.lower())


def memoise_domain_syntax() -> bool:
    """Remember email-validator's domain-syntax verdicts; return whether the memo is in place.

    Two thirds of ``validate_email``'s time goes to checking the domain (IDNA / UTS-46 rules,
    character by character), and lead lists repeat a small set of domains. The domain check is a
    pure function of its arguments whose result ``validate_email`` only reads, so it is wrapped
    in a bounded LRU cache; invalid domains raise and are never cached. Results are identical
    (``tests/target/test_classify.py`` compares with and without the memo). If a future
    email-validator moves the function, nothing is patched and validation is only slower.
    """
    module = importlib.import_module("email_validator.validate_email")
    check = getattr(module, "validate_email_domain_name", None)
    if check is None:
        return False
    if not hasattr(check, "cache_info"):
        setattr(  # noqa: B010 (the attribute is looked up at run time: not typed)
            module, "validate_email_domain_name", functools.lru_cache(DOMAIN_MEMO_SIZE)(check)
        )
    return True


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
) -> Decision:
    """Classify one valid-shaped record (``invalid_record`` is decided before this).

    Args:
        tombstone: the record carries ``_sdc_deleted_at``.
        email: the record's normalised email.
        roles: role local parts (lower case).
        seen_earlier: the same normalised email already came earlier in this run.
        store_status: the lead's status in the store (as of this point of the run), or None.
    """
    if tombstone:
        return Decision(Outcome.DELETED)
    if email.email is None:
        return Decision(Outcome.IGNORED, email.reason or Reason.INVALID_PATTERN)
    if is_role_address(email.email, roles):
        return Decision(Outcome.IGNORED, Reason.ROLE_ADDRESS)
    if seen_earlier:
        return Decision(Outcome.IGNORED, Reason.FILE_DUPLICATE)
    if store_status == LeadStatus.UNSUBSCRIBED.value:
        return Decision(Outcome.IGNORED, Reason.UNSUBSCRIBED)
    if store_status == LeadStatus.BOUNCED.value:
        return Decision(Outcome.IGNORED, Reason.BOUNCED)
    if store_status is None:
        return Decision(Outcome.NEW)
    if store_status == LeadStatus.DELETED.value:
        return Decision(Outcome.RE_ADDED)
    return Decision(Outcome.DUPLICATE)
