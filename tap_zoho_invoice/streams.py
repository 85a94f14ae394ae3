"""The tap's streams: ``organizations`` (full table) and ``contacts`` (incremental per org)."""

from __future__ import annotations

import datetime as dt
import typing as t
from collections.abc import Iterable

import requests
from singer_sdk.exceptions import RetriableAPIError
from singer_sdk.helpers.conform import TypeConformanceLevel

from tap_zoho_invoice import schemas
from tap_zoho_invoice.client import ZohoInvoiceStream, organization_headers, response_json
from tap_zoho_invoice.errors import DailyQuotaExhausted
from tap_zoho_invoice.id_set import decode_ids, encode_ids
from tap_zoho_invoice.recent_ids import RecentIds
from tap_zoho_invoice.timestamps import parse_instant, to_bookmark, to_zoho_param

#: Partition-state key under which the ids synced so far are kept (compactly encoded).
SYNCED_IDS_KEY = "synced_contact_ids"
_TIMESTAMP_FIELDS = ("created_time", "last_modified_time")
_DETAIL_FIELDS = ("billing_address", "shipping_address")


class OrganizationsStream(ZohoInvoiceStream):
    """Every organization the token sees (or those listed in ``organization_ids``)."""

    name = "organizations"
    path = "/organizations"
    primary_keys = ("organization_id",)
    replication_key = None
    records_key = "organizations"
    schema = schemas.ORGANIZATIONS

    def post_process(self, row: dict, context: t.Any = None) -> dict | None:
        row["organization_id"] = str(row["organization_id"])
        wanted = self.config.get("organization_ids")
        return row if not wanted or row["organization_id"] in wanted else None


class ContactsStream(ZohoInvoiceStream):
    """Contacts of each organization, incremental on ``last_modified_time``.

    The server is asked for ascending ``last_modified_time`` from the bookmark, but neither the
    filter nor the order is trusted: rows older than the bookmark and ids already emitted in
    this run are dropped here, so the result is right whether Zoho honours the parameters or
    not. The stream is sorted, so the bookmark advances with every record and an interrupted
    run resumes where it stopped. ``check_sorted`` is off: should the server ever return a
    row out of order, the bookmark moves back (re-reading a little) instead of failing the run.
    """

    name = "contacts"
    path = "/contacts"
    primary_keys = ("contact_id",)
    replication_key = "last_modified_time"
    is_sorted = True
    check_sorted = False
    records_key = "contacts"
    # Zoho sends JSON-native values; conforming nested custom-field arrays recursively took
    # almost half of the tap's CPU (cProfile, 10k contacts) for no change in the output.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.ROOT_ONLY

    def __init__(self, tap: t.Any, custom_field_keys: Iterable[str] = ()) -> None:
        super().__init__(tap, schema=schemas.contacts_schema(tuple(custom_field_keys)))
        self._scanning = False
        self._emitted: set[str] = set()
        self._recent = RecentIds(size=800)
        self._tracks_ids = bool(self.config.get("detect_deletions"))
        self._run_started_at = to_bookmark(dt.datetime.now(dt.timezone.utc))

    @property
    def partitions(self) -> list[dict]:
        return [{"organization_id": org} for org in self._tap.organization_ids]  # type: ignore[attr-defined]

    def get_url_params(self, context: t.Any, next_page_token: t.Any) -> dict[str, t.Any]:
        params = super().get_url_params(context, next_page_token)
        params["per_page"] = self.config.get("page_size", 200)
        params["filter_by"] = "Status.All"  # Invoice's default filter hides vendors.
        if self._scanning:
            params["sort_column"] = "created_time"
            params["sort_order"] = "A"
            return params
        params["sort_column"] = "last_modified_time"
        params["sort_order"] = "A"
        if start := self.get_starting_timestamp(context):
            params["last_modified_time"] = to_zoho_param(start)
        return params

    def get_records(self, context: t.Any) -> Iterable[dict]:
        """Rows of one organization, filtered and completed here rather than in post_process.

        Detail requests happen in this generator too, so that any failure while reading an
        organization (quota, revoked token, retries exhausted) meets the handling below: the
        bookmark of what was already emitted is written before the run stops.
        """
        org = context["organization_id"]
        # Every id emitted is kept only for deletion detection (it becomes state); dropping
        # repeats needs only the last few pages.
        self._emitted = set()
        self._recent = RecentIds(size=4 * int(self.config.get("page_size", 200)))
        self._start = self.get_starting_timestamp(context)
        try:
            for row in self.request_records(context):
                record = self._contact_record(row, context)
                if record is not None:
                    yield record
        except DailyQuotaExhausted as exc:
            self.logger.warning(
                "%s Stopping organization %s here; the next run resumes from its bookmark.",
                exc,
                org,
            )
            self._tap.quota_exhausted.add(org)  # type: ignore[attr-defined]
            return
        except Exception:
            # Leave a resumable bookmark of what was emitted before the failure.
            self._write_state_message()
            raise
        if self.config.get("detect_deletions"):
            yield from self._tombstones(context)

    def _contact_record(self, row: dict, context: t.Any) -> dict | None:
        """The record for one list row, or None for a repeat or a row older than the bookmark."""
        contact_id = str(row["contact_id"])
        if contact_id in self._recent:
            return None  # A repeat across pages (offset paging over a changing list).
        for field in _TIMESTAMP_FIELDS:
            if row.get(field):
                row[field] = to_bookmark(row[field])
        modified = row.get("last_modified_time")
        if self._start and modified and parse_instant(modified) < self._start:
            return None
        row["contact_id"] = contact_id
        row["organization_id"] = str(context["organization_id"]) if context else None
        if self.config.get("fetch_contact_details"):
            row.update(self._details(contact_id, context))
        self._recent.add(contact_id)
        if self._tracks_ids:
            self._emitted.add(contact_id)
        return row

    def _increment_stream_state(self, latest_record: dict, *, context: t.Any = None) -> None:
        """Hold the bookmark for tombstones and for contacts changed during this run.

        Private SDK hook, kept: the SDK's public signpost caps only unsorted streams, and this
        one is sorted (so that an interrupted run resumes).
        """
        # A tombstone is stamped when it is found, not when it happened: it must not move the
        # bookmark past contacts modified meanwhile. Nor may a contact modified during this run:
        # it moved to the end of Zoho's list, shifting later rows one place back under the pages
        # already read, so one of them may have been skipped. Holding the bookmark at the run's
        # start makes the next run read those again (the signpost idea of the SDK).
        if latest_record.get("_sdc_deleted_at"):
            return
        if latest_record.get("last_modified_time", "") > self._run_started_at:
            return
        super()._increment_stream_state(latest_record, context=context)

    # Contact details -----------------------------------------------------------------------

    def _details(self, contact_id: str, context: t.Any) -> dict:
        """Addresses live only on the detail endpoint: one request per changed contact."""
        request = self.build_prepared_request(
            method="GET",
            url=f"{self.url_base}/contacts/{contact_id}",
            params={"organization_id": context["organization_id"]},
            headers={**self.http_headers, **organization_headers(context)},
        )
        response = self.request_decorator(self._request)(request, context)
        contact = response_json(response).get("contact", {})
        return {field: contact.get(field) for field in _DETAIL_FIELDS if field in contact}

    # Deletion detection ----------------------------------------------------------------------

    def _tombstones(self, context: t.Any) -> Iterable[dict]:
        """Compare a complete scan of ids with the ids synced before; emit the missing ones.

        A scan cut short (quota, retries exhausted) proves nothing, so it deletes nothing; the
        ids synced in this run are still remembered for the next complete scan.
        """
        org = context["organization_id"]
        state = self.get_context_state(context)
        known = decode_ids(state.get(SYNCED_IDS_KEY)) | self._emitted
        try:
            present = self._scan_ids(context)
        except (DailyQuotaExhausted, RetriableAPIError, requests.RequestException) as exc:
            self.logger.warning(
                "Deletion scan of organization %s did not complete (%s); no deletions emitted.",
                org,
                exc,
            )
            state[SYNCED_IDS_KEY] = encode_ids(known)
            return
        deleted_at = to_bookmark(dt.datetime.now(dt.timezone.utc))
        gone = sorted(known - present)
        for contact_id in gone:
            yield {
                "contact_id": contact_id,
                "organization_id": org,
                "last_modified_time": None,
                "_sdc_deleted_at": deleted_at,
            }
        state[SYNCED_IDS_KEY] = encode_ids(known & present)
        self.logger.info(
            "Deletion scan of organization %s: %d contacts present, %d deleted.",
            org,
            len(present),
            len(gone),
        )

    def _scan_ids(self, context: t.Any) -> set[str]:
        self._scanning = True
        try:
            return {str(row["contact_id"]) for row in self.request_records(context)}
        finally:
            self._scanning = False
