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
import typing as t
from collections.abc import Collection
from dataclasses import dataclass

import email_validator
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


class EmailCheck(t.NamedTuple):
    """The result of normalising one raw email value (a named tuple: one is made per record).

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

    Plain addresses (ASCII, an unquoted dot-atom local part) take :class:`PlainAsciiPath`,
    which runs only the steps of ``validate_email`` that such an address reaches and gives
    exactly its verdict and normalised form; anything else, and any address that path would
    reject, goes through ``validate_email`` itself (so every error message is the library's).
    """

    def __init__(self, *, check_deliverability: bool = False) -> None:
        self.check_deliverability = check_deliverability
        self._resolver = caching_resolver() if check_deliverability else None
        memoise_domain_syntax()
        self._plain = None if check_deliverability else PlainAsciiPath.build()

    def normalise(self, raw: str | None) -> EmailCheck:
        """Return the comparison key of ``raw``, or why it has none."""
        text = (raw or "").strip()
        if not text:
            return EmailCheck(None, Reason.EMPTY_EMAIL)
        if self._plain is not None:
            normalised = self._plain.normalise(text)
            if normalised is not None:
                return EmailCheck(normalised.lower())
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


class PlainAsciiPath:
    """``validate_email(text, check_deliverability=False).normalized`` for plain addresses.

    Why: ``validate_email`` walks the address character by character to find the ``@`` outside
    quotes and display names (``split_email``), which cost more than the rest of the target's
    per-lead work. For an ASCII address whose part before the first ``@`` is an unquoted
    dot-atom, that walk ends at that ``@`` with nothing to unquote; the local part is kept as
    is (the library's own ``DOT_ATOM_TEXT`` rule; Unicode normalisation changes no ASCII text;
    RFC 2142 mailbox names such as ``postmaster`` are lower-cased); the domain goes through the
    library's own domain check (remembered per domain, as ``memoise_domain_syntax`` does); the
    three length checks of ``validate_email_length`` are all that is left. This class runs
    exactly those steps, with the library's functions and constants and its module defaults
    (``TEST_ENVIRONMENT``, ``GLOBALLY_DELIVERABLE``). It returns None whenever the address is
    not plain or any step would reject it: the caller then asks ``validate_email`` itself, so
    every verdict on a bad address, and its message, is the library's. Equivalence is tested
    with hypothesis and a corpus of tricky addresses (``tests/target/test_email_fast_path.py``).
    """

    def __init__(self, module: t.Any, syntax: t.Any, constants: t.Any) -> None:
        self._module = module
        self._dot_atom = constants.DOT_ATOM_TEXT.match
        self._case_insensitive = frozenset(constants.CASE_INSENSITIVE_MAILBOX_NAMES)
        self._domains: dict[str, tuple[str, int] | None] = {}
        self._options: tuple[bool, bool] | None = None
        self._max_length = int(constants.EMAIL_MAX_LENGTH)
        self._syntax_error = syntax.EmailSyntaxError

    @classmethod
    def build(cls) -> PlainAsciiPath | None:
        """The fast path, or None if this email-validator lacks the pieces it reuses."""
        try:
            module = importlib.import_module("email_validator.validate_email")
            syntax = importlib.import_module("email_validator.syntax")
            constants = importlib.import_module("email_validator.rfc_constants")
        except ImportError:
            return None
        needed = (
            hasattr(module, "validate_email_domain_name")
            and hasattr(constants, "DOT_ATOM_TEXT")
            and hasattr(constants, "EMAIL_MAX_LENGTH")
            and hasattr(constants, "CASE_INSENSITIVE_MAILBOX_NAMES")
            and hasattr(syntax, "EmailSyntaxError")
        )
        return cls(module, syntax, constants) if needed else None

    def normalise(self, text: str) -> str | None:
        """``validate_email``'s normalised form, or None to defer to ``validate_email``."""
        if not text.isascii():
            return None
        local, at, domain = text.partition("@")
        if not at or not domain or domain[0] == "[" or not self._dot_atom(local):
            return None
        checked = self._domain(domain)
        if checked is None:
            return None
        normalised_domain, ascii_domain_length = checked
        if local.lower() in self._case_insensitive:  # postmaster, abuse, ... (RFC 2142)
            local = local.lower()
        normalised = f"{local}@{normalised_domain}"
        limit = self._max_length
        if (
            len(text) > limit
            or len(local) + 1 + ascii_domain_length > limit
            or len(normalised.encode()) > limit
        ):
            return None
        return normalised

    def _domain(self, domain: str) -> tuple[str, int] | None:
        """The library's verdict on a domain: its normalised form and ASCII length, or None."""
        options = (email_validator.TEST_ENVIRONMENT, email_validator.GLOBALLY_DELIVERABLE)
        if options != self._options or len(self._domains) >= DOMAIN_MEMO_SIZE:
            self._domains.clear()
            self._options = options
        if domain in self._domains:
            return self._domains[domain]
        try:
            # Looked up at each call: the memo (memoise_domain_syntax) wraps it in place.
            info = self._module.validate_email_domain_name(
                domain, test_environment=options[0], globally_deliverable=options[1]
            )
        except self._syntax_error:
            checked = None
        else:
            checked = (info["domain"], len(info["ascii_domain"].encode()))
        self._domains[domain] = checked
        return checked


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
        return _DELETED
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
_ROLE_ADDRESS = Decision(Outcome.IGNORED, Reason.ROLE_ADDRESS)
_FILE_DUPLICATE = Decision(Outcome.IGNORED, Reason.FILE_DUPLICATE)
_NEW = Decision(Outcome.NEW)
_DUPLICATE = Decision(Outcome.DUPLICATE)
_BY_STORE_STATUS = {
    LeadStatus.UNSUBSCRIBED.value: Decision(Outcome.IGNORED, Reason.UNSUBSCRIBED),
    LeadStatus.BOUNCED.value: Decision(Outcome.IGNORED, Reason.BOUNCED),
    LeadStatus.DELETED.value: Decision(Outcome.RE_ADDED),
}
