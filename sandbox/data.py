"""Deterministic generation of the sandbox's organizations and contacts.

The same seed always gives the same organizations, ids, names and emails, so tests can rely on
them. The data is deliberately awkward in the ways real Zoho data is: mixed-case, Unicode and
malformed emails, role addresses, duplicates within and across organizations, vendors, inactive
contacts, free-text countries and timestamps that share a second (bookmark boundaries).
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

DAY = 86_400
T = TypeVar("T")
HISTORY_DAYS = 730


@dataclass(frozen=True)
class Organization:
    """One Zoho Invoice organization; `contact_id_prefix` keeps contact ids unique across orgs."""

    organization_id: str
    name: str
    time_zone: str
    currency_code: str
    currency_symbol: str
    country_code: str
    country_name: str
    contact_name: str
    email: str
    contact_id_prefix: str
    # Relative weights of billing countries (keys index COUNTRIES); India is in every org.
    country_weights: dict[str, int]


@dataclass(frozen=True)
class Country:
    """A billing country as Zoho stores it: free-text name (with variants), ISO code, places."""

    names: tuple[str, ...]
    code: str
    places: tuple[tuple[str, str, str], ...]  # (city, state, zip)
    phone_prefix: str


COUNTRIES: dict[str, Country] = {
    "IN": Country(
        ("India",),
        "IN",
        (
            ("Chennai", "Tamil Nadu", "600001"),
            ("Mumbai", "Maharashtra", "400001"),
            ("Bengaluru", "Karnataka", "560001"),
        ),
        "+91",
    ),
    "US": Country(
        ("U.S.A", "U.S.A", "USA", "United States"),
        "US",
        (("New York", "New York", "10001"), ("Austin", "Texas", "73301")),
        "+1",
    ),
    "DE": Country(
        ("Germany", "Germany", "Deutschland"),
        "DE",
        (("Berlin", "Berlin", "10115"), ("München", "Bayern", "80331")),
        "+49",
    ),
    "GB": Country(("U.K", "United Kingdom"), "GB", (("London", "England", "EC1A 1BB"),), "+44"),
    "AU": Country(("Australia",), "AU", (("Sydney", "New South Wales", "2000"),), "+61"),
    "SG": Country(("Singapore",), "SG", (("Singapore", "", "018956"),), "+65"),
}

ORGANIZATIONS: tuple[Organization, ...] = (
    Organization(
        "60012345678",
        "Zylker India",
        "Asia/Kolkata",
        "INR",
        "₹",
        "IN",
        "India",
        "Anand Krishnan",
        "anand@zylker-india.example",
        "2108150000",
        {"IN": 70, "US": 10, "GB": 8, "SG": 7, "AU": 5},
    ),
    Organization(
        "60023456789",
        "Zylker Inc",
        "America/New_York",
        "USD",
        "$",
        "US",
        "U.S.A",
        "Emily Carter",
        "emily@zylker-inc.example",
        "2608150000",
        {"US": 45, "IN": 30, "GB": 10, "AU": 10, "DE": 5},
    ),
    Organization(
        "60034567890",
        "Zylker GmbH",
        "Europe/Berlin",
        "EUR",
        "€",
        "DE",
        "Germany",
        "Lena Schmidt",
        "lena@zylker-gmbh.example",
        "3108150000",
        {"DE": 40, "IN": 30, "GB": 15, "US": 15},
    ),
)

FIRST_NAMES = (
    "Anita", "Rahul", "Priya", "Vikram", "Lakshmi", "Arjun", "Emily", "James", "Olivia", "Noah",
    "Lena", "Jonas", "Mia", "Felix", "Zoë", "José", "Chloé", "Søren", "Wei", "Aiko",
)  # fmt: skip
LAST_NAMES = (
    "Sharma", "Iyer", "Nair", "Reddy", "Patel", "Gupta", "Carter", "Smith", "Johnson", "Brown",
    "Schmidt", "Müller", "Fischer", "Weber", "Núñez", "O'Brien", "Dubois", "Kim", "Tanaka", "Wang",
)  # fmt: skip
COMPANY_WORDS = (
    "Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Tyrell", "Soylent",
    "Vandelay", "Sterling", "Bluth", "Wonka", "Cyberdyne", "Gringotts", "Nakatomi",
)  # fmt: skip
COMPANY_SUFFIXES = ("Traders", "Pvt Ltd", "LLC", "GmbH", "Industries", "& Co", "Solutions", "Labs")
LEAD_SOURCES = ("Web", "Referral", "Trade Show", "Partner", "Cold Call", "")
INDUSTRIES = ("Manufacturing", "Retail", "Software", "Healthcare", "Éducation", "")
PAYMENT_TERMS = ((0, "Due on Receipt"), (15, "Net 15"), (30, "Net 30"), (45, "Net 45"))

SHARED_EMAIL = "shared.buyer@globex.example"  # the same person buys from every organization
DUPLICATE_EMAIL = "repeat.customer@initech.example"  # twice within each organization


@dataclass(slots=True)
class Contact:
    """The compact, mutable state of one contact; `render` turns it into Zoho JSON."""

    contact_id: str
    organization_id: str
    contact_name: str
    company_name: str
    first_name: str
    last_name: str
    email: str
    phone: str
    mobile: str
    website: str
    contact_type: str
    status: str
    customer_sub_type: str
    payment_terms: int
    payment_terms_label: str
    outstanding_receivable_amount: float
    unused_credits_receivable_amount: float
    country: str
    country_code: str
    city: str
    state: str
    zip: str
    street: str
    lead_source: str
    industry: str
    extra_persons: int
    created_ts: int
    modified_ts: int

    @property
    def sort_key(self) -> tuple[int, str]:
        """Position in the `last_modified_time` order; the id breaks same-second ties."""
        return (self.modified_ts, self.contact_id)


@lru_cache(maxsize=4096)
def _slug(text: str) -> str:
    """ASCII letters and digits only ("Zoë Müller" -> "zoemuller"), as people type addresses."""
    plain = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in plain if ch.isascii() and ch.isalnum()) or "contact"


def _ascii_local(first: str, last: str) -> str:
    return f"{_slug(first)}.{_slug(last)}"


# Awkward emails; each receives (first, last, company_domain) and returns the stored value.
EmailMaker = Callable[[str, str, str], str]
TRICKY_EMAILS: tuple[tuple[str, EmailMaker], ...] = (
    ("mixed_case", lambda f, la, d: f"{_slug(f).title()}.{_slug(la).upper()}@{d.title()}"),
    ("unicode_idn", lambda f, la, d: "José.Núñez@exämple.com"),
    ("cjk_idn", lambda f, la, d: "用户@例子.广告"),
    ("double_dot", lambda f, la, d: "john..doe@x.com"),
    ("no_tld", lambda f, la, d: "a@b"),
    ("trailing_dot", lambda f, la, d: f"{_ascii_local(f, la)}@example.com."),
    ("role_plus_tag", lambda f, la, d: f"info+newsletter@{d}"),
    ("role_capitalised", lambda f, la, d: f"Support@{d}"),
    ("empty", lambda f, la, d: ""),
    ("surrounding_spaces", lambda f, la, d: f"  {_ascii_local(f, la)}@{d}  "),
    ("shared_across_orgs", lambda f, la, d: SHARED_EMAIL),
    ("duplicate_in_org", lambda f, la, d: DUPLICATE_EMAIL),
    ("duplicate_in_org_again", lambda f, la, d: DUPLICATE_EMAIL),
    ("role_admin", lambda f, la, d: f"admin@{d}"),
)
# Later contacts draw from these at random (never the shared/duplicate ones, kept exact in count).
RANDOM_TRICKY = tuple(
    maker for name, maker in TRICKY_EMAILS if "dup" not in name and "shared" not in name
)


def generate_contacts(
    org: Organization,
    count: int,
    seed: int,
    anchor_ts: int,
    country_weights: dict[str, int] | None = None,
) -> list[Contact]:
    """`count` contacts of `org`, all modified before `anchor_ts`, deterministic for `seed`.

    The first contacts of each organization carry one of each awkward email (in a seeded order),
    so even a small organization shows every case. `country_weights` replaces the
    organization's billing-country mix (relative weights by code of `COUNTRIES`).
    """
    rng = random.Random(f"{seed}:{org.organization_id}")
    rnd = rng.random  # one bound method: 100k contacts must generate in about a second

    def pick(options: Sequence[T]) -> T:
        return options[int(rnd() * len(options))]

    def between(low: int, high: int) -> int:
        return low + int(rnd() * (high - low + 1))

    mix = country_weights or org.country_weights
    weighted = [COUNTRIES[code] for code, weight in mix.items() for _ in range(weight)]
    tricky = list(TRICKY_EMAILS)
    rng.shuffle(tricky)
    contacts: list[Contact] = []
    for index in range(count):
        first = pick(FIRST_NAMES)
        last = pick(LAST_NAMES)
        company = f"{pick(COMPANY_WORDS)} {pick(COMPANY_SUFFIXES)}"
        domain = f"{_slug(company)}.example"
        if index < len(tricky):
            email = tricky[index][1](first, last, domain)
        elif rnd() < 0.08:
            email = pick(RANDOM_TRICKY)(first, last, domain)
        else:
            email = f"{_ascii_local(first, last)}{index}@{domain}"
            if rnd() < 0.1:
                email = email.capitalize()
        country = pick(weighted)
        city, state, zip_code = pick(country.places)
        business = rnd() < 0.7
        terms, terms_label = pick(PAYMENT_TERMS)
        created = anchor_ts - between(DAY, HISTORY_DAYS * DAY)
        modified = created + int((anchor_ts - 1 - created) * rnd() ** 2)
        contacts.append(
            Contact(
                contact_id=f"{org.contact_id_prefix}{index + 1:08d}",
                organization_id=org.organization_id,
                contact_name=company if business else f"{first} {last}",
                company_name=company if business else "",
                first_name=first,
                last_name=last,
                email=email,
                phone=f"{country.phone_prefix} {between(200, 999)} {between(1000, 9999)}",
                mobile=(
                    f"{country.phone_prefix} 9{between(100000000, 999999999)}"
                    if rnd() < 0.6
                    else ""
                ),
                website=f"https://www.{domain}" if business and rnd() < 0.5 else "",
                contact_type="vendor" if rnd() < 0.07 else "customer",
                status="inactive" if rnd() < 0.08 else "active",
                customer_sub_type="business" if business else "individual",
                payment_terms=terms,
                payment_terms_label=terms_label,
                outstanding_receivable_amount=round(rnd() * 5000, 2) if rnd() < 0.3 else 0,
                unused_credits_receivable_amount=0,
                country=pick(country.names),
                country_code=country.code,
                city=city,
                state=state,
                zip=zip_code,
                street=f"{between(1, 250)} {pick(LAST_NAMES)} Street",
                lead_source=pick(LEAD_SOURCES),
                industry=pick(INDUSTRIES),
                extra_persons=pick((0, 0, 0, 1, 2)),
                created_ts=created,
                modified_ts=modified,
            )
        )
    _share_some_seconds(contacts, rng)
    return contacts


def _share_some_seconds(contacts: list[Contact], rng: random.Random) -> None:
    """Give ~5% of contacts the exact `last_modified_time` of another one (same-second ties)."""
    if len(contacts) < 2:
        return
    for _ in range(max(1, len(contacts) // 20)):
        source, target = rng.sample(contacts, 2)
        target.modified_ts = source.modified_ts
        target.created_ts = min(target.created_ts, target.modified_ts)
