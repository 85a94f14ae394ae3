"""JSON schemas of the tap's streams, declared once with ``singer_sdk.typing``.

Zoho sends ``""`` for empty values and occasionally mixes types between organizations
(numbers as strings), so properties are nullable and the contact schema stays open
(``additionalProperties``) for fields Zoho adds later and for custom fields discovery missed.
"""

from __future__ import annotations

from singer_sdk import typing as th

ADDRESS = th.ObjectType(
    *(
        th.Property(name, th.StringType)
        for name in (
            "address_id",
            "attention",
            "address",
            "street2",
            "city",
            "state",
            "state_code",
            "zip",
            "country",
            "country_code",
            "county",
            "phone",
            "fax",
        )
    ),
    additional_properties=True,
)

CUSTOM_FIELD = th.ObjectType(
    th.Property("index", th.IntegerType),
    th.Property("customfield_id", th.StringType),
    th.Property("api_name", th.StringType),
    th.Property("label", th.StringType),
    th.Property("data_type", th.StringType),
    th.Property("value", th.CustomType({"type": ["string", "number", "boolean", "null"]})),
    th.Property("value_formatted", th.StringType),
    additional_properties=True,
)

ORGANIZATIONS = th.PropertiesList(
    th.Property("organization_id", th.StringType, required=True),
    th.Property("name", th.StringType),
    th.Property("contact_name", th.StringType),
    th.Property("email", th.StringType),
    th.Property("is_default_org", th.BooleanType),
    th.Property("language_code", th.StringType),
    th.Property("country_code", th.StringType),
    th.Property("time_zone", th.StringType),
    th.Property("currency_code", th.StringType),
    th.Property("account_created_date", th.StringType),
    th.Property("plan_name", th.StringType),
    th.Property("portal_name", th.StringType),
).to_dict()

_TEXT_FIELDS = (
    "contact_name",
    "customer_name",
    "vendor_name",
    "company_name",
    "website",
    "language_code",
    "contact_type",
    "contact_type_formatted",
    "status",
    "customer_sub_type",
    "source",
    "payment_terms_label",
    "payment_terms_id",
    "currency_id",
    "currency_code",
    "first_name",
    "last_name",
    "email",
    "phone",
    "mobile",
    "portal_status",
    "twitter",
    "facebook",
    "pan_no",
    "language_code_formatted",
    "portal_status_formatted",
    "created_time_formatted",
    "last_modified_time_formatted",
)
_AMOUNT_FIELDS = (
    "outstanding_receivable_amount",
    "outstanding_receivable_amount_bcy",
    "unused_credits_receivable_amount",
    "unused_credits_receivable_amount_bcy",
)


def contacts_schema(custom_field_keys: list[str] | tuple[str, ...] = ()) -> dict:
    """The contacts schema, with one string property per discovered ``cf_*`` key."""
    properties = [
        th.Property("contact_id", th.StringType, required=True),
        th.Property("organization_id", th.StringType, required=True),
        *(th.Property(name, th.StringType) for name in _TEXT_FIELDS),
        *(
            th.Property(name, th.CustomType({"type": ["number", "string", "null"]}))
            for name in _AMOUNT_FIELDS
        ),
        th.Property("payment_terms", th.CustomType({"type": ["integer", "string", "null"]})),
        th.Property("is_linked_with_zohocrm", th.BooleanType),
        th.Property("ach_supported", th.BooleanType),
        th.Property("has_attachment", th.BooleanType),
        th.Property("created_time", th.DateTimeType),
        th.Property("last_modified_time", th.DateTimeType),
        th.Property("custom_fields", th.ArrayType(CUSTOM_FIELD)),
        th.Property("custom_field_hash", th.ObjectType(additional_properties=True)),
        th.Property(
            "contactperson_custom_fields", th.ArrayType(th.ObjectType(additional_properties=True))
        ),
        th.Property("billing_address", ADDRESS),
        th.Property("shipping_address", ADDRESS),
        *(th.Property(key, th.StringType) for key in sorted(set(custom_field_keys))),
        th.Property(
            "_sdc_deleted_at",
            th.DateTimeType,
            description="Set on a tombstone: the contact was deleted in Zoho Invoice.",
        ),
    ]
    schema = th.PropertiesList(*properties).to_dict()
    schema["additionalProperties"] = True
    return schema
