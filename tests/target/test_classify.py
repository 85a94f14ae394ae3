"""The pure rules: email normalisation, role addresses, and the order of the outcome checks."""

from __future__ import annotations

import pytest
from email_validator import EmailNotValidError, validate_email

from lead_store.vocabulary import Outcome, Reason
from target_marketing_leads.classify import Decision, decide, is_role_address, normalise_roles
from target_marketing_leads.emails import EmailCheck, EmailNormaliser
from target_marketing_leads.roles import DEFAULT_ROLE_LOCAL_PARTS

NORMALISER = EmailNormaliser()
ROLES = DEFAULT_ROLE_LOCAL_PARTS


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("John.Doe@Example.COM", "john.doe@example.com"),
        ("  ann@example.com\t", "ann@example.com"),
        ("JOSÉ@example.com", "josé@example.com"),
        ("用户@例子.广告", "用户@例子.广告"),
        ("ann@BÜCHER.de", "ann@bücher.de"),
        ("ann@xn--bcher-kva.de", "ann@bücher.de"),
        ("ann+promo@example.com", "ann+promo@example.com"),
    ],
)
def test_valid_emails_normalise_to_one_case_insensitive_key(raw: str, expected: str) -> None:
    assert NORMALISER.normalise(raw) == EmailCheck(expected)


@pytest.mark.parametrize(
    "raw",
    [
        "john..doe@x.com",
        "a@b",
        "ann@example.com.",
        "ann.@example.com",
        ".ann@example.com",
        "ann@@example.com",
        "ann example@example.com",
        "ann@exa_mple.com",
        "ann@localhost",
        "Ann Lee <ann@example.com>",
        "not an email",
    ],
)
def test_invalid_emails_carry_the_validators_reason(raw: str) -> None:
    check = NORMALISER.normalise(raw)
    assert check.email is None
    assert check.reason is Reason.INVALID_PATTERN
    with pytest.raises(EmailNotValidError) as expected:
        validate_email(raw.strip(), check_deliverability=False)
    assert check.detail == str(expected.value)


@pytest.mark.parametrize("raw", [None, "", "   ", "\t\n"])
def test_missing_or_blank_email_is_empty(raw: str | None) -> None:
    assert NORMALISER.normalise(raw) == EmailCheck(None, Reason.EMPTY_EMAIL)


@pytest.mark.parametrize(
    ("email", "is_role"),
    [
        ("info@acme.com", True),
        ("info+newsletter@acme.com", True),
        ("support+ticket-42@acme.com", True),
        ("admin@acme.com", True),
        ("administrator@acme.com", True),
        ("careers@acme.com", True),
        ("service@acme.com", True),
        ("information@acme.com", False),
        ("ann.info@acme.com", False),
        ("ann+info@acme.com", False),
    ],
)
def test_role_addresses_are_found_on_the_local_part_without_plus_tag(
    email: str, is_role: bool
) -> None:
    assert is_role_address(email, ROLES) is is_role


def test_role_check_runs_on_the_normalised_email() -> None:
    check = NORMALISER.normalise("Info+News@ACME.com")
    assert check.email is not None
    assert is_role_address(check.email, ROLES)


def test_configured_roles_replace_the_built_in_list() -> None:
    roles = normalise_roles([" Sales ", "HELLO", ""])
    assert roles == frozenset({"sales", "hello"})
    assert is_role_address("hello+x@acme.com", roles)
    assert not is_role_address("info@acme.com", roles)


def _decide(**overrides: object) -> Decision:
    facts: dict[str, object] = {
        "tombstone": False,
        "email": EmailCheck("ann@example.com"),
        "roles": ROLES,
        "seen_earlier": False,
        "store_status": None,
    }
    facts.update(overrides)
    return decide(**facts)  # type: ignore[arg-type]


def test_each_outcome() -> None:
    assert _decide() == Decision(Outcome.NEW)
    assert _decide(store_status="deleted") == Decision(Outcome.RE_ADDED)
    assert _decide(store_status="active") == Decision(Outcome.DUPLICATE)
    assert _decide(tombstone=True) == Decision(Outcome.DELETED)


def test_each_ignored_reason() -> None:
    ignored = Outcome.IGNORED
    assert _decide(email=EmailCheck(None, Reason.EMPTY_EMAIL)) == Decision(
        ignored, Reason.EMPTY_EMAIL
    )
    assert _decide(email=EmailCheck(None, Reason.INVALID_PATTERN, "x")) == Decision(
        ignored, Reason.INVALID_PATTERN
    )
    assert _decide(email=EmailCheck("info@acme.com")) == Decision(ignored, Reason.ROLE_ADDRESS)
    assert _decide(seen_earlier=True) == Decision(ignored, Reason.FILE_DUPLICATE)
    assert _decide(store_status="unsubscribed") == Decision(ignored, Reason.UNSUBSCRIBED)
    assert _decide(store_status="bounced") == Decision(ignored, Reason.BOUNCED)


def test_checks_run_in_the_designed_order() -> None:
    # Each line sets every later condition too: the earliest one must win.
    assert (
        _decide(tombstone=True, email=EmailCheck(None, Reason.EMPTY_EMAIL)).outcome
        is Outcome.DELETED
    )
    assert (
        _decide(email=EmailCheck("info@acme.com"), seen_earlier=True, store_status="bounced")
        .reason is Reason.ROLE_ADDRESS
    )  # fmt: skip
    assert _decide(seen_earlier=True, store_status="unsubscribed").reason is Reason.FILE_DUPLICATE
    assert _decide(store_status="unsubscribed").reason is Reason.UNSUBSCRIBED
