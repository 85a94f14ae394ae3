"""Turn the sandbox's compact records into the JSON Zoho Invoice actually sends.

Shapes follow recorded live responses (reference §2, §3.4, §4.1): ids as strings, "" for empty
text, timestamps as `%Y-%m-%dT%H:%M:%S%z` in the organization's time zone, no addresses in list
rows, custom fields both as `custom_fields`/`custom_field_hash` and as top-level `cf_*` keys.
"""

from __future__ import annotations

import random
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.data import Contact, Organization

ZOHO_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
CUSTOM_FIELDS = (
    # (index, label, api_name, Contact attribute, customfield_id)
    (1, "Lead Source", "cf_lead_source", "lead_source", "460000000051001"),
    (2, "Industry", "cf_industry", "industry", "460000000051003"),
)


@lru_cache(maxsize=32)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=1 << 18)  # pages are re-read often; formatting dominates rendering
def format_time(ts: int, time_zone: str) -> str:
    """Epoch seconds as Zoho writes them: local time of the org, offset without a colon."""
    return datetime.fromtimestamp(ts, _zone(time_zone)).strftime(ZOHO_TIME_FORMAT)


def parse_time(text: str) -> int:
    """Parse a `last_modified_time` query value (`%Y-%m-%dT%H:%M:%S%z`) into epoch seconds."""
    return int(datetime.strptime(text.strip(), ZOHO_TIME_FORMAT).timestamp())


@lru_cache(maxsize=1 << 18)
def _display_date(ts: int, time_zone: str) -> str:
    return datetime.fromtimestamp(ts, _zone(time_zone)).strftime("%d %b %Y")


def organization_json(org: Organization) -> dict[str, Any]:
    """One entry of `GET /organizations`, shaped like the live Books/Invoice response."""
    return {
        "organization_id": org.organization_id,
        "name": org.name,
        "contact_name": org.contact_name,
        "email": org.email,
        "is_default_org": org.organization_id.endswith("678"),
        "language_code": "en",
        "fiscal_year_start_month": "1",
        "account_created_date": "2024-01-15",
        "time_zone": org.time_zone,
        "is_dst_active": False,
        "date_format": "dd MMM yyyy",
        "field_separator": " ",
        "industry_type": "Technology",
        "industry_size": "1-10",
        "currency_id": f"{org.contact_id_prefix[:6]}000000000097",
        "currency_code": org.currency_code,
        "currency_symbol": org.currency_symbol,
        "currency_format": "###,##0.00",
        "price_precision": 2,
        "plan_type": 0,
        "plan_name": "Free",
        "country_code": org.country_code,
        "country_name": org.country_name,
        "portal_name": org.name.lower().replace(" ", ""),
        "org_settings": {"is_org_active": True},
    }


def _custom_fields(contact: Contact) -> tuple[list[dict[str, Any]], dict[str, str], dict[str, str]]:
    items: list[dict[str, Any]] = []
    hash_: dict[str, str] = {}
    top_level: dict[str, str] = {}
    for index, label, api_name, attribute, field_id in CUSTOM_FIELDS:
        value = str(getattr(contact, attribute))
        top_level[api_name] = value
        top_level[f"{api_name}_formatted"] = value
        top_level[f"{api_name}_unformatted"] = value
        if not value:
            continue
        items.append(
            {
                "customfield_id": field_id,
                "show_in_store": False,
                "show_in_portal": False,
                "is_active": True,
                "index": index,
                "label": label,
                "show_on_pdf": False,
                "edit_on_portal": False,
                "edit_on_store": False,
                "api_name": api_name,
                "show_in_all_pdf": False,
                "value_formatted": value,
                "search_entity": "contact",
                "data_type": "string",
                "placeholder": api_name,
                "value": value,
                "is_dependent_field": False,
            }
        )
        hash_[api_name] = value
        hash_[f"{api_name}_unformatted"] = value
    return items, hash_, top_level


def contact_row(contact: Contact, org: Organization) -> dict[str, Any]:
    """One row of `GET /contacts` (no addresses, no contact persons: those are detail-only)."""
    tz = org.time_zone
    items, hash_, top_level = _custom_fields(contact)
    row: dict[str, Any] = {
        "contact_id": contact.contact_id,
        "contact_name": contact.contact_name,
        "customer_name": contact.contact_name,
        "vendor_name": contact.contact_name,
        "company_name": contact.company_name,
        "website": contact.website,
        "language_code": "",
        "language_code_formatted": "",
        "contact_type": contact.contact_type,
        "contact_type_formatted": contact.contact_type.title(),
        "status": contact.status,
        "customer_sub_type": contact.customer_sub_type,
        "source": "user",
        "is_linked_with_zohocrm": False,
        "payment_terms": contact.payment_terms,
        "payment_terms_id": f"{org.contact_id_prefix[:6]}0000000930{contact.payment_terms:02d}",
        "payment_terms_label": contact.payment_terms_label,
        "currency_id": f"{org.contact_id_prefix[:6]}000000000097",
        "twitter": "",
        "facebook": "",
        "currency_code": org.currency_code,
        "outstanding_receivable_amount": contact.outstanding_receivable_amount,
        "outstanding_receivable_amount_bcy": contact.outstanding_receivable_amount,
        "unused_credits_receivable_amount": contact.unused_credits_receivable_amount,
        "unused_credits_receivable_amount_bcy": contact.unused_credits_receivable_amount,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "email": contact.email,
        "phone": contact.phone,
        "mobile": contact.mobile,
        "portal_status": "disabled",
        "portal_status_formatted": "Disabled",
        "created_time": format_time(contact.created_ts, tz),
        "created_time_formatted": _display_date(contact.created_ts, tz),
        "last_modified_time": format_time(contact.modified_ts, tz),
        "last_modified_time_formatted": _display_date(contact.modified_ts, tz),
        "custom_fields": items,
        "custom_field_hash": hash_,
        "contactperson_custom_fields": [],
        "ach_supported": False,
        "has_attachment": False,
    }
    row.update(top_level)
    return row


def _address(contact: Contact, suffix: str, attention: str) -> dict[str, str]:
    return {
        "address_id": f"{contact.contact_id}{suffix}",
        "attention": attention,
        "address": contact.street,
        "street2": "",
        "city": contact.city,
        "state_code": "",
        "state": contact.state,
        "zip": contact.zip,
        "country": contact.country,
        "county": "",
        "latitude": "",
        "longitude": "",
        "country_code": contact.country_code,
        "phone": contact.phone,
        "fax": "",
    }


def _person(contact: Contact, number: int, first: str, last: str, email: str) -> dict[str, Any]:
    return {
        "contact_person_id": f"{contact.contact_id}{number:02d}",
        "salutation": "",
        "first_name": first,
        "last_name": last,
        "email": email,
        "phone": contact.phone if number == 0 else "",
        "mobile": contact.mobile if number == 0 else "",
        "department": "",
        "designation": "",
        "skype": "",
        "fax": "",
        "zcrm_contact_id": "",
        "is_added_in_portal": False,
        "can_invite": True,
        "is_primary_contact": number == 0,
        "contactperson_custom_fields": [],
        "communication_preference": {"is_email_enabled": True},
    }


def contact_persons(contact: Contact) -> list[dict[str, Any]]:
    """The primary person (the row's name/email) plus 0-2 colleagues, stable per contact id."""
    persons = [_person(contact, 0, contact.first_name, contact.last_name, contact.email)]
    rng = random.Random(contact.contact_id)
    for number in range(1, contact.extra_persons + 1):
        first = rng.choice(("Ravi", "Sara", "Tom", "Ines", "Kenji"))
        last = rng.choice(("Menon", "Lopez", "Becker", "Ito", "Hall"))
        email = f"{first.lower()}.{last.lower()}@{contact.contact_id[-4:]}.example"
        persons.append(_person(contact, number, first, last, email))
    return persons


def contact_detail(contact: Contact, org: Organization) -> dict[str, Any]:
    """`GET /contacts/{id}`: the list row plus addresses, contact persons and detail-only keys."""
    detail = contact_row(contact, org)
    detail.update(
        {
            "primary_contact_id": f"{contact.contact_id}00",
            "notes": "",
            "billing_address": _address(contact, "01", contact.contact_name),
            "shipping_address": _address(contact, "02", ""),
            "contact_persons": contact_persons(contact),
            "addresses": [],
            "created_date": _display_date(contact.created_ts, org.time_zone),
            "currency_symbol": org.currency_symbol,
        }
    )
    return detail
