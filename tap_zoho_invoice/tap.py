"""`tap-zoho-invoice`: Zoho Invoice contacts as a Singer stream, incremental per organization."""

from __future__ import annotations

import itertools
import logging
import sys
import typing as t
from functools import cached_property

import requests
from singer_sdk import Tap
from singer_sdk import typing as th
from singer_sdk.exceptions import ConfigValidationError, FatalAPIError, RetriableAPIError

from tap_zoho_invoice import filters, hosts
from tap_zoho_invoice.auth import ZohoAuthenticator
from tap_zoho_invoice.client import ZohoInvoiceStream
from tap_zoho_invoice.errors import ZohoUserError
from tap_zoho_invoice.pacing import Pacer
from tap_zoho_invoice.quota import BudgetedSession, DailyBudget
from tap_zoho_invoice.streams import ContactsStream, OrganizationsStream

CONFIG_SCHEMA = th.PropertiesList(
    th.Property(
        "client_id",
        th.StringType,
        required=True,
        description="Client ID of the Zoho API console self-client (api-console.zoho.com).",
    ),
    th.Property(
        "client_secret",
        th.StringType,
        required=True,
        secret=True,
        description="Client secret of the same self-client.",
    ),
    th.Property(
        "refresh_token",
        th.StringType,
        required=True,
        secret=True,
        description=(
            "OAuth refresh token generated for the self-client with the scopes "
            "ZohoInvoice.contacts.READ,ZohoInvoice.settings.READ. Renew it when Zoho revokes it."
        ),
    ),
    th.Property(
        "data_center",
        th.StringType,
        default=hosts.AUTO,
        allowed_values=list(hosts.DATA_CENTER_CHOICES),
        description=(
            "Zoho data center of the account. auto: try Zoho's accounts servers in a fixed "
            "order (com, eu, in, com.au, jp, ca, com.cn, sa; one token request each, once per "
            "run) and use the API host the accepting one names (api_domain). A named data "
            "center uses its API host (www.zohoapis.<dc>) and accounts server "
            "(accounts.zoho.<dc>; Canada: accounts.zohocloud.ca) only, so the credentials "
            "never leave that region."
        ),
    ),
    th.Property(
        "api_url",
        th.StringType,
        description=(
            "Override of the Invoice API base URL, e.g. http://127.0.0.1:8080/invoice/v3 for the "
            "local sandbox or a proxy. Takes precedence over data_center. Must be https:// "
            "(plain http:// only for loopback hosts: the access token travels with every call)."
        ),
    ),
    th.Property(
        "accounts_url",
        th.StringType,
        description=(
            "Override of the OAuth accounts server base URL (the token is requested at "
            "<accounts_url>/oauth/v2/token). Takes precedence over data_center. Must be "
            "https:// (plain http:// only for loopback hosts: the client secret and refresh "
            "token are sent there)."
        ),
    ),
    th.Property(
        "organization_ids",
        th.ArrayType(th.StringType),
        description=(
            "Organization ids to sync. Empty or absent: every organization the token can see."
        ),
    ),
    th.Property(
        "start_date",
        th.DateTimeType,
        description=(
            "Only contacts modified at or after this instant (RFC 3339; UTC when no offset). "
            "Absent: all contacts."
        ),
    ),
    th.Property(
        "page_size",
        th.IntegerType(minimum=1, maximum=200),
        default=200,
        description="Contacts per page, 1 to 200 (Zoho's maximum and default).",
    ),
    th.Property(
        "max_requests_per_minute",
        th.IntegerType(minimum=0),
        default=90,
        description=(
            "Client-side pacing per organization (Zoho allows 100 per minute). 0 turns pacing off."
        ),
    ),
    th.Property(
        "detect_deletions",
        th.BooleanType,
        default=False,
        description=(
            "After the incremental pass, scan every contact id of each organization and emit "
            "contacts that were synced before and are gone now as records with _sdc_deleted_at. "
            "Costs one request per page of contacts per run."
        ),
    ),
    th.Property(
        "contact_filters",
        th.ObjectType(additional_properties=th.StringType),
        description=(
            f"Zoho's list-search parameters, sent with every incremental list request so that "
            f"only candidates are read (and have their details fetched), e.g. "
            f"{{address_contains: India}}. Keys: {', '.join(filters.SEARCH_FIELDS)} (each also "
            f"with _startswith or _contains), search_text, zcrm_contact_id, zcrm_account_id, "
            f"filter_by ({', '.join(filters.FILTER_BY_VALUES)}; default Status.All). The mapper "
            f"still applies the exact criteria; the deletion scan ignores these filters. "
            f"Widening them later re-reads each organization from start_date. An empty value "
            f"leaves a key out (how an inherited extractor clears its parent's filters)."
        ),
    ),
    th.Property(
        "daily_request_budget",
        th.IntegerType(minimum=1),
        description=(
            "Requests per organization per day the tap may see used, out of the daily quota "
            "Zoho reports (x-rate-limit-limit; shared by every integration of the "
            "organization). The tap stops an organization, cleanly and resumable, before "
            "x-rate-limit-remaining would fall below limit minus this budget. Absent: half "
            "the reported limit."
        ),
    ),
    th.Property(
        "fetch_contact_details",
        th.BooleanType,
        default=False,
        description=(
            "Fetch each changed contact's detail to add billing_address and shipping_address "
            "(Zoho's list rows lack them). Costs one request per changed contact."
        ),
    ),
).to_dict()


def _drop_generic_sync_error(record: logging.LogRecord) -> bool:
    """The SDK's "An unhandled error occurred" line adds nothing to the tap's own one line."""
    return not str(record.msg).startswith("An unhandled error occurred while syncing")


class TapZohoInvoice(Tap):
    """Singer tap for Zoho Invoice contacts."""

    name = "tap-zoho-invoice"
    package_name = "zoho-invoice-marketing-leads"
    config_jsonschema = CONFIG_SCHEMA

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        self.quota_exhausted: set[str] = set()
        super().__init__(*args, **kwargs)
        for stream in self.streams.values():
            stream.logger.addFilter(_drop_generic_sync_error)

    def _validate_config(self, *, raise_errors: bool = True) -> list[str]:
        """Add the checks JSON Schema cannot make: plain http only to loopback hosts, and
        ``contact_filters`` keys among Zoho's list-search parameters (one line naming them).

        Private SDK hook, kept: it is the one step between reading the config and discovering
        streams, and discovery may already call the API (custom-field sampling), so a check
        made later would come after the credentials had left over plain http.
        """
        errors = super()._validate_config(raise_errors=raise_errors)
        problems = [
            problem
            for setting in ("api_url", "accounts_url")
            if (problem := hosts.untrusted_url_problem(setting, self.config.get(setting)))
        ]
        if problem := filters.problem(self.config.get("contact_filters")):
            problems.append(problem)
        if problems and raise_errors:
            raise ConfigValidationError(problems[0], errors=problems)
        return [*errors, *problems]

    @cached_property
    def zoho_authenticator(self) -> ZohoAuthenticator:
        """One authenticator per tap run, so one access token serves every stream."""
        return ZohoAuthenticator(
            client_id=self.config.get("client_id"),
            client_secret=self.config.get("client_secret"),
            refresh_token=self.config.get("refresh_token", ""),
            servers=hosts.accounts_servers(dict(self.config)),
            default_expiration=3600,
        )

    @cached_property
    def api_base_url(self) -> str:
        """The Invoice API base: as configured, else (auto) the host Zoho's token answer names."""
        if configured := hosts.configured_api_base(dict(self.config)):
            return configured
        authenticator = self.zoho_authenticator
        authenticator.ensure_token()
        assert authenticator.server is not None  # a token was granted, so a server accepted
        try:
            return hosts.api_base_from_token(authenticator.api_domain, authenticator.server)
        except ValueError as exc:
            raise ZohoUserError(str(exc)) from exc

    @cached_property
    def daily_budget(self) -> DailyBudget:
        return DailyBudget(self.config.get("daily_request_budget"), self.logger)

    @cached_property
    def http_session(self) -> BudgetedSession:
        pacer = Pacer(self.config.get("max_requests_per_minute", 90))
        return BudgetedSession(pacer, self.daily_budget)

    @cached_property
    def organization_ids(self) -> list[str]:
        """The configured organizations, else every organization the token can see."""
        if configured := self.config.get("organization_ids"):
            return [str(org) for org in configured]
        # A stream of its own: this may run during discovery, before `self.streams` exists.
        organizations = OrganizationsStream(self)
        return [str(row["organization_id"]) for row in organizations.request_records(None)]

    def discover_streams(self) -> list:
        return [OrganizationsStream(self), ContactsStream(self, self._sample_custom_field_keys())]

    def _sample_custom_field_keys(self) -> list[str]:
        """Custom fields (``cf_*``) seen on the first page of contacts of the first organization.

        Only in discovery (no catalog given) and only with credentials; any failure leaves the
        schema permissive (``additionalProperties``), and the sync itself reports real errors.
        """
        if self.input_catalog is not None or not self.config.get("refresh_token"):
            return []
        try:
            organizations = self.organization_ids
            if not organizations:
                return []
            probe = ContactsStream(self)
            rows = probe.request_records({"organization_id": organizations[0]})
            sample = list(itertools.islice(rows, int(self.config.get("page_size", 200))))
        except ZohoUserError:
            return []  # The sync reports it as its one clear line.
        except Exception as exc:
            self.logger.warning("Could not sample contacts for custom fields: %s", exc)
            return []
        return sorted({key for row in sample for key in row if key.startswith("cf_")})

    @classmethod
    def invoke(cls, *args: t.Any, **kwargs: t.Any) -> None:  # type: ignore[override]
        """Turn an API failure into one clear line and a non-zero exit, without a traceback.

        The STATE written before the failure (streams write it when a partition fails) holds
        the bookmark of everything emitted, so the next run resumes there.
        """
        try:
            super().invoke(*args, **kwargs)
        except ZohoUserError as exc:
            _stop(str(exc))
        except (RetriableAPIError, requests.RequestException) as exc:
            _stop(
                f"Zoho kept failing after {ZohoInvoiceStream.max_tries} tries ({exc}); {_RESUMES}"
            )
        except FatalAPIError as exc:
            _stop(f"{exc}; {_RESUMES}")


_RESUMES = "the run stopped here and the next run resumes from its bookmark."


def _stop(line: str) -> t.NoReturn:
    sys.stderr.write(f"tap-zoho-invoice: {' '.join(line.split())}\n")
    sys.exit(1)


if __name__ == "__main__":
    TapZohoInvoice.cli()
