"""The email rule's speed path: plain ASCII addresses without ``validate_email``'s walk.

Equivalence: ``tests/target/fast_paths/test_plain_email.py`` (hypothesis and a corpus of tricky
addresses against ``validate_email`` itself).
"""

from __future__ import annotations

import importlib
import typing as t

import email_validator

from target_marketing_leads.emails import EmailCheck, EmailNormaliser

DOMAIN_MEMO_SIZE = 20_000
"""Distinct domains whose verdict is remembered (bounded: memory does not grow with N)."""


class PlainAsciiPath:
    """``validate_email(text, check_deliverability=False).normalized`` for plain addresses.

    Why: ``validate_email`` walks the address character by character to find the ``@`` outside
    quotes and display names (``split_email``), which cost more than the rest of the target's
    per-lead work. For an ASCII address whose part before the first ``@`` is an unquoted
    dot-atom, that walk ends at that ``@`` with nothing to unquote; the local part is kept as
    is (the library's own ``DOT_ATOM_TEXT`` rule; Unicode normalisation changes no ASCII text;
    RFC 2142 mailbox names such as ``postmaster`` are lower-cased); the domain goes through the
    library's own domain check (remembered per domain, in this object only); the
    three length checks of ``validate_email_length`` are all that is left. This class runs
    exactly those steps, with the library's functions and constants and its module defaults
    (``TEST_ENVIRONMENT``, ``GLOBALLY_DELIVERABLE``). It returns None whenever the address is
    not plain or any step would reject it: the caller then asks ``validate_email`` itself, so
    every verdict on a bad address, and its message, is the library's. Equivalence is tested
    with hypothesis and a corpus of tricky addresses (``tests/target/fast_paths/``).
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
            info = self._module.validate_email_domain_name(
                domain, test_environment=options[0], globally_deliverable=options[1]
            )
        except self._syntax_error:
            checked = None
        else:
            checked = (info["domain"], len(info["ascii_domain"].encode()))
        self._domains[domain] = checked
        return checked


class FastEmailNormaliser(EmailNormaliser):
    """:class:`EmailNormaliser` that answers plain addresses through :class:`PlainAsciiPath`.

    Anything the fast path does not answer (not plain, or a step would reject it) goes to
    ``validate_email``, so every verdict on a bad address, and its message, is the library's.
    With deliverability checks on, every address goes to the library (DNS is the cost then).
    """

    def __init__(self, *, check_deliverability: bool = False) -> None:
        super().__init__(check_deliverability=check_deliverability)
        self._plain = None if check_deliverability else PlainAsciiPath.build()

    def validate(self, text: str) -> EmailCheck:
        """The fast path's answer when it has one, else the reference rule's."""
        if self._plain is not None:
            normalised = self._plain.normalise(text)
            if normalised is not None:
                return EmailCheck(normalised.lower())
        return super().validate(text)
