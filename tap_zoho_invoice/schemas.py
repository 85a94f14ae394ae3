"""JSON schemas of the tap's streams, declared once with ``singer_sdk.typing``.

Zoho sends ``""`` for empty values and occasionally mixes types between organizations
(numbers as strings), so properties are nullable. Every object that declares properties is
closed (``additionalProperties: false``): the tap shapes each record to its schema
(``record_shape``), so the schema says exactly which keys a record carries, which SDK
flattening and column-based targets rely on. ``custom_field_hash`` is the one open object:
its ``cf_*`` keys differ per organization, so it declares none and flattening writes it as
one JSON text column.
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
            "latitude",
            "longitude",
            "phone",
            "fax",
        )
    ),
    additional_properties=False,
)

_CUSTOM_FIELD_FLAGS = (
    "is_active",
    "is_dependent_field",
    "show_in_store",
    "show_in_portal",
    "show_on_pdf",
    "show_in_all_pdf",
    "edit_on_portal",
    "edit_on_store",
)
CUSTOM_FIELD = th.ObjectType(
    th.Property("index", th.IntegerType),
    th.Property("customfield_id", th.StringType),
    th.Property("api_name", th.StringType),
    th.Property("label", th.StringType),
    th.Property("placeholder", th.StringType),
    th.Property("data_type", th.StringType),
    th.Property("search_entity", th.StringType),
    th.Property("value", th.CustomType({"type": ["string", "number", "boolean", "null"]})),
    th.Property("value_formatted", th.StringType),
    *(th.Property(name, th.BooleanType) for name in _CUSTOM_FIELD_FLAGS),
    additional_properties=False,
)
#: An object without declared properties: kept whole, and one JSON text column when flattened.
OPEN_OBJECT = th.CustomType({"type": ["object", "null"], "additionalProperties": True})

_ORGANIZATION_TEXT_FIELDS = (
    "name",
    "contact_name",
    "email",
    "language_code",
    "country_code",
    "country_name",
    "time_zone",
    "date_format",
    "field_separator",
    "industry_type",
    "industry_size",
    "company_id_label",
    "company_id_value",
    "tax_id_label",
    "tax_id_value",
    "currency_id",
    "currency_code",
    "currency_symbol",
    "currency_format",
    "account_created_date",
    "plan_name",
    "plan_period",
    "portal_name",
)
_INTEGER_OR_TEXT = th.CustomType({"type": ["integer", "string", "null"]})
ORGANIZATIONS = th.PropertiesList(
    th.Property("organization_id", th.StringType, required=True),
    *(th.Property(name, th.StringType) for name in _ORGANIZATION_TEXT_FIELDS),
    th.Property("is_default_org", th.BooleanType),
    th.Property("is_dst_active", th.BooleanType),
    th.Property("is_org_active", th.BooleanType),  # top-level in Zoho's docs
    th.Property(
        "org_settings",
        th.ObjectType(th.Property("is_org_active", th.BooleanType), additional_properties=False),
    ),
    th.Property("fiscal_year_start_month", _INTEGER_OR_TEXT),  # "1" live, 0 in the docs
    th.Property("price_precision", _INTEGER_OR_TEXT),
    th.Property("plan_type", _INTEGER_OR_TEXT),
).to_dict()
ORGANIZATIONS["additionalProperties"] = False

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
        th.Property("payment_terms", _INTEGER_OR_TEXT),
        th.Property("is_linked_with_zohocrm", th.BooleanType),
        th.Property("ach_supported", th.BooleanType),
        th.Property("has_attachment", th.BooleanType),
        th.Property("created_time", th.DateTimeType),
        th.Property("last_modified_time", th.DateTimeType),
        th.Property("custom_fields", th.ArrayType(CUSTOM_FIELD)),
        th.Property("custom_field_hash", OPEN_OBJECT),
        th.Property("contactperson_custom_fields", th.ArrayType(OPEN_OBJECT)),
        th.Property("billing_address", ADDRESS),
        th.Property("shipping_address", ADDRESS),
        *(th.Property(key, th.StringType) for key in sorted(set(custom_field_keys))),
        th.Property(
            "_sdc_deleted_at",
            th.DateTimeType,
            description=(
                "When the tap found the contact deleted in Zoho Invoice (a tombstone); "
                "null on live records."
            ),
        ),
    ]
    schema = th.PropertiesList(*properties).to_dict()
    schema["additionalProperties"] = False
    return schema
