"""The tap's streams: ``organizations`` (full table) and ``contacts`` (incremental per org)."""

from __future__ import annotations

import datetime as dt
import typing as t
from collections.abc import Iterable

import requests
from singer_sdk.exceptions import RetriableAPIError
from singer_sdk.helpers.conform import TypeConformanceLevel

from tap_zoho_invoice import filters, schemas
from tap_zoho_invoice.client import ZohoInvoiceStream, organization_headers, response_json
from tap_zoho_invoice.errors import DailyQuotaExhausted
from tap_zoho_invoice.id_set import decode_ids, encode_ids
from tap_zoho_invoice.list_size import count_rows
from tap_zoho_invoice.progress import COMPLETE, RUNNING, STATE_KEY, STOPPED, SyncProgress
from tap_zoho_invoice.recent_ids import RecentIds
from tap_zoho_invoice.timestamps import parse_instant, to_bookmark, to_zoho_param

#: Partition-state key under which the ids synced so far are kept (compactly encoded).
SYNCED_IDS_KEY = "synced_contact_ids"
#: Partition-state key of the `contact_filters` the bookmark was earned under.
FILTERS_KEY = "contact_filters"
#: Partition-state key of the ids already emitted at the bookmark's instant.
AT_BOOKMARK_KEY = "ids_at_bookmark"
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
        if wanted and row["organization_id"] not in wanted:
            return None
        return super().post_process(row, context)


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
        self._filters = filters.fingerprint(self.config.get("contact_filters"))
        self._rereading: set[str] = set()
        self._first_page: tuple[int, bool] | None = None
        self._at_bookmark: tuple[str | None, set[str]] = (None, set())

    @property
    def partitions(self) -> list[dict]:
        return [{"organization_id": org} for org in self._tap.organization_ids]  # type: ignore[attr-defined]

    def get_url_params(self, context: t.Any, next_page_token: t.Any) -> dict[str, t.Any]:
        params = super().get_url_params(context, next_page_token)
        params["per_page"] = self.config.get("page_size", 200)
        if self._scanning:  # Every contact: a contact outside the filters is not deleted.
            params["filter_by"] = filters.DEFAULT_FILTER_BY
            params["sort_column"] = "created_time"
            params["sort_order"] = "A"
            return params
        params.update(filters.list_params(self.config.get("contact_filters")))
        params["sort_column"] = "last_modified_time"
        params["sort_order"] = "A"
        if start := self.get_starting_timestamp(context):
            params["last_modified_time"] = to_zoho_param(start)
        return params

    def get_starting_timestamp(self, context: t.Any) -> dt.datetime | None:
        """The bookmark, unless widened ``contact_filters`` make the organization read again."""
        if context and context.get("organization_id") in self._rereading:
            start = self.config.get("start_date")
            return parse_instant(start) if start else None
        return super().get_starting_timestamp(context)

    def get_records(self, context: t.Any) -> Iterable[dict]:
        """Rows of one organization, filtered and completed here rather than in post_process.

        Detail requests happen in this generator too, so that any failure while reading an
        organization (quota, budget, revoked token, retries exhausted) meets the handling
        below: the bookmark of what was already emitted is written before the run stops.
        """
        org = context["organization_id"]
        # Every id emitted is kept only for deletion detection (it becomes state); dropping
        # repeats needs only the last few pages.
        self._emitted = set()
        self._recent = RecentIds(size=4 * int(self.config.get("page_size", 200)))
        state = self.get_context_state(context)
        self._check_filters(org, state)
        bookmark = None if org in self._rereading else state.get("replication_key_value")
        self._at_bookmark = (bookmark, set(state.get(AT_BOOKMARK_KEY) or ()))
        self._start = self.get_starting_timestamp(context)
        # A record at the bookmark's instant was counted by the run that set the bookmark.
        counts_after = to_bookmark(self._start) if self._start else ""
        self._first_page = None
        progress = SyncProgress.resumed(
            state,
            org=org,
            budget=self._tap.daily_budget,  # type: ignore[attr-defined]
            page_size=int(self.config.get("page_size", 200)),
            details=bool(self.config.get("fetch_contact_details")),
        )
        try:
            counted = progress.estimate is not None
            for row in self.request_records(context):
                if not counted:
                    counted = True
                    if (in_list := self._count_list(context)) is not None:
                        progress.estimate = progress.synced + in_list
                record = self._contact_record(row, context)
                if record is not None:
                    state[FILTERS_KEY] = self._filters  # the bookmark now follows these
                    if (record.get("last_modified_time") or "") > counts_after:
                        progress.add()
                    yield record
                    self._remember_at_bookmark(record, state)
                if progress.due():
                    self._report(progress, RUNNING, state)
        except DailyQuotaExhausted as exc:
            self.logger.warning(
                "%s Stopping organization %s here; the next run resumes from its bookmark.",
                exc,
                org,
            )
            self._tap.quota_exhausted.add(org)  # type: ignore[attr-defined]
            self._remember_emitted(state)
            self._report(progress, STOPPED, state)
            return
        except Exception:
            # Leave a resumable bookmark of what was emitted before the failure.
            self._remember_emitted(state)
            self._write_state_message()
            raise
        state[FILTERS_KEY] = self._filters
        state.pop(STATE_KEY, None)
        if self.config.get("detect_deletions"):
            yield from self._tombstones(context)
        self._report(progress, COMPLETE, state)

    def parse_response(self, response: requests.Response) -> Iterable[dict]:
        if self._first_page is None and not self._scanning:
            body = response_json(response)
            more = bool(body.get("page_context", {}).get("has_more_page"))
            self._first_page = (len(body.get(self.records_key) or []), more)
        yield from super().parse_response(response)

    def _remember_at_bookmark(self, record: dict, state: dict) -> None:
        """Keep the ids emitted at the bookmark's instant, so the next run skips them.

        The next run asks for ``last_modified_time >=`` the bookmark (several contacts can
        share its second, and only some may have been read), and drops these ids when they come
        unchanged: every contact arrives once. The SDK has moved the bookmark by now.
        """
        bookmark = state.get("replication_key_value")
        if record.get("last_modified_time") != bookmark:
            return  # a record whose bookmark is held back (see _increment_stream_state)
        if self._at_bookmark[0] != bookmark:
            self._at_bookmark = (bookmark, set())
        self._at_bookmark[1].add(record["contact_id"])
        state[AT_BOOKMARK_KEY] = sorted(self._at_bookmark[1])

    def _check_filters(self, org: str, state: dict) -> None:
        """Read the organization again when the filters widened since its bookmark was earned."""
        self._rereading.discard(org)
        previous = state.get(FILTERS_KEY)
        if filters.widened(previous, self._filters) and state.get("replication_key_value"):
            self.logger.warning(
                "contact_filters of organization %s changed (was %s): contacts the old filters "
                "left out may be older than the bookmark, so this organization is read again "
                "from %s.",
                org,
                previous,
                self.config.get("start_date") or "the beginning",
            )
            self._rereading.add(org)
            state.pop(STATE_KEY, None)
            state.pop(AT_BOOKMARK_KEY, None)

    def _report(self, progress: SyncProgress, status: str, state: dict) -> None:
        """Log progress, and keep an unfinished catch-up's count in the state."""
        if status != COMPLETE:
            state[STATE_KEY] = progress.to_state()
        progress.report(self.logger, self.metrics_logger, status)

    def _count_list(self, context: t.Any) -> int | None:
        """Rows the list holds now (the first page is read already; a few requests more).

        None when the quota or the budget ran out meanwhile: the rows already read are still
        emitted (their own requests, if any, stop the organization the usual way).
        """

        def read_page(page: int) -> tuple[int, bool]:
            params = self.get_url_params(context, page)
            body = self._get_json(self.get_url(context), params, context)
            more = bool(body.get("page_context", {}).get("has_more_page"))
            return len(body.get(self.records_key) or []), more

        first_page = self._first_page or (0, False)
        try:
            return count_rows(int(self.config.get("page_size", 200)), read_page, first_page)
        except DailyQuotaExhausted:
            return None

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
        if modified == self._at_bookmark[0] and contact_id in self._at_bookmark[1]:
            return None  # emitted by an earlier run, unchanged since
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
        if (latest_record.get("last_modified_time") or "") > self._run_started_at:
            return
        super()._increment_stream_state(latest_record, context=context)

    # Contact details -----------------------------------------------------------------------

    def _details(self, contact_id: str, context: t.Any) -> dict:
        """Addresses live only on the detail endpoint: one request per changed contact."""
        url = f"{self.url_base}/contacts/{contact_id}"
        body = self._get_json(url, {"organization_id": context["organization_id"]}, context)
        contact = body.get("contact", {})
        return {field: contact.get(field) for field in _DETAIL_FIELDS if field in contact}

    def _get_json(self, url: str, params: dict, context: t.Any) -> dict:
        """One GET beside the paginated listing, with the same auth, pacing, budget, retries."""
        request = self.build_prepared_request(
            method="GET",
            url=url,
            params=params,
            headers={**self.http_headers, **organization_headers(context)},
        )
        return response_json(self.request_decorator(self._request)(request, context))

    # Deletion detection ----------------------------------------------------------------------

    def _remember_emitted(self, state: dict) -> None:
        """Keep the ids a run cut short emitted, for the next complete deletion scan.

        Without this, contacts synced on the days a budgeted catch-up stops early would never
        be known, and so never leave as tombstones when deleted later.
        """
        if self._tracks_ids and self._emitted:
            known = decode_ids(state.get(SYNCED_IDS_KEY)) | self._emitted
            state[SYNCED_IDS_KEY] = encode_ids(known)

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
            # post_process adds every other property of the schema, as null.
            yield {"contact_id": contact_id, "organization_id": org, "_sdc_deleted_at": deleted_at}
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
