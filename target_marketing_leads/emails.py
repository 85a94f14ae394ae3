"""The store's key for an email: email-validator's normalised form, lower-cased.

The target classifies with it and ``marketing-leads suppress`` keys suppressions with it, so both
agree on what "the same email" means. Surrounding whitespace is stripped first (a trailing space
is a data-entry slip, not a different address); everything else is email-validator's decision.
Deliverability (DNS) checks run only when asked for, through one caching resolver.
"""

from __future__ import annotations

import typing as t

from email_validator import EmailNotValidError, caching_resolver, validate_email

from lead_store.vocabulary import Reason


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
    """Validates and normalises emails with email-validator (the reference rule)."""

    def __init__(self, *, check_deliverability: bool = False) -> None:
        self.check_deliverability = check_deliverability
        self._resolver = caching_resolver() if check_deliverability else None

    def normalise(self, raw: str | None) -> EmailCheck:
        """Return the comparison key of ``raw``, or why it has none."""
        text = (raw or "").strip()
        if not text:
            return EmailCheck(None, Reason.EMPTY_EMAIL)
        return self.validate(text)

    def validate(self, text: str) -> EmailCheck:
        """``validate_email``'s verdict on stripped, non-empty ``text``."""
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
