"""``map-marketing-leads``: the Singer inline mapper that turns contacts into marketing leads.

This module only wires the SDK's ``InlineMapper`` to the pure parts: ``settings`` (config
checks), ``criteria`` (which records), ``lead`` (what a lead looks like), ``metrics`` and
``reader`` (input lines).

Bad input (each case replayed in ``tests/fuzz``): a line that is not a Singer message (not JSON,
not an object, a missing or unknown type, a message without its required keys, a RECORD whose
``record`` is not an object, a SCHEMA whose ``schema`` is not an object, an unreadable
``time_extracted``, a BATCH message) stops the mapper with one error line naming the input line,
exit code 1. What was already written downstream stays valid Singer: STATE passes in order, so a
target commits nothing past the last STATE it received. Odd *values* inside a record (huge,
NUL, right-to-left marks, SQL text, wrong JSON types) are data: the criteria never raise on them
and the lead carries them to the target, which decides what to store.
"""

from __future__ import annotations

import sys
import typing as t
from datetime import datetime

from singer_sdk import singerlib as singer
from singer_sdk.helpers.capabilities import PluginCapabilities
from singer_sdk.mapper_base import InlineMapper
from singer_sdk.singerlib.exceptions import InvalidInputLine

from leads_contract import DELETED_AT, KEY_PROPERTIES, LEADS_STREAM
from singer_input.instants import parse_instant
from singer_input.reader import LineNumberingReader
from singer_input.text import excerpt
from transforms.errors import MapperConfigError
from transforms.lead import LeadBuilder, derive_leads_schema
from transforms.metrics import RecordTally
from transforms.settings import CONFIG_SCHEMA, MapperSettings

if t.TYPE_CHECKING:
    from pathlib import PurePath


class MarketingLeadsMapper(InlineMapper):
    """Turns a tap's contacts stream into the leads stream of a mailing list.

    Source records that meet the criteria become leads shaped by the field map; with
    ``when_no_longer_matching: remove`` the others pass as leaving leads
    (``meets_criteria: false``); deleted records pass as tombstone leads; STATE and other
    streams pass through unchanged and in order. Logs mapper_records METRIC lines (in,
    met_criteria, filtered_out, leaving, tombstone).
    """

    name = "map-marketing-leads"
    package_name = "zoho-invoice-marketing-leads"
    # Not the SDK's stream-maps/flattening: this mapper implements neither, so it does not
    # advertise their settings.
    capabilities: t.ClassVar = [PluginCapabilities.ABOUT, PluginCapabilities.STRUCTURED_LOGGING]
    config_jsonschema = CONFIG_SCHEMA
    message_reader_class = LineNumberingReader

    def __init__(
        self,
        *,
        config: dict | PurePath | str | list[PurePath | str] | None = None,
        parse_env_config: bool = False,
        validate_config: bool = True,
    ) -> None:
        """Validate the config (JSON Schema, then cross-setting checks) before any message."""
        super().__init__(
            config=config, parse_env_config=parse_env_config, validate_config=validate_config
        )
        self.settings = MapperSettings.from_config(self.config)
        self.tally = RecordTally()
        self._source_stream = self.settings.source_stream
        self._matches = self.settings.criteria.matches
        self._remove_no_longer_matching = self.settings.remove_no_longer_matching
        self._build_lead = LeadBuilder(self.settings)
        self._source_schema_seen = False

    def map_schema_message(self, message_dict: dict) -> t.Iterable[singer.Message]:
        """Replace the source stream's SCHEMA by the leads SCHEMA; pass the others on."""
        self._assert_line_requires(message_dict, requires={"stream", "schema"})
        stream = message_dict["stream"]
        if stream != self._source_stream:
            return (
                singer.SchemaMessage(
                    stream=stream,
                    schema=message_dict["schema"],
                    key_properties=message_dict.get("key_properties"),
                    bookmark_properties=message_dict.get("bookmark_properties"),
                ),
            )
        schema = derive_leads_schema(self.settings, message_dict["schema"])
        self._source_schema_seen = True
        bookmarks = message_dict.get("bookmark_properties") or []
        modified_at = self.settings.source_modified_at.path
        return (
            singer.SchemaMessage(
                stream=LEADS_STREAM,
                schema=schema,
                key_properties=list(KEY_PROPERTIES),
                bookmark_properties=["source_modified_at"] if modified_at in bookmarks else None,
            ),
        )

    def map_record_message(self, message_dict: dict) -> t.Iterable[singer.Message]:
        """Turn a source record into a lead (or nothing); pass other streams' records on."""
        self._assert_line_requires(message_dict, requires={"stream", "record"})
        if message_dict["stream"] != self._source_stream:
            return (
                singer.RecordMessage(
                    stream=message_dict["stream"],
                    record=message_dict["record"],
                    version=message_dict.get("version"),
                    time_extracted=_time_extracted(message_dict),
                ),
            )
        if not self._source_schema_seen:
            msg = f"a RECORD of stream '{self._source_stream}' came before its SCHEMA message"
            raise InvalidInputLine(msg)
        record = message_dict["record"]  # an object: the reader checks each message's shape
        meets_criteria: bool | None = None
        if record.get(DELETED_AT):
            self.tally.tombstone += 1
        elif self._matches(record):
            self.tally.met_criteria += 1
            meets_criteria = True
        elif self._remove_no_longer_matching:
            self.tally.leaving += 1
            meets_criteria = False
        else:
            self.tally.filtered_out += 1
            return ()
        return (
            singer.RecordMessage(
                stream=LEADS_STREAM,
                record=self._build_lead(record, meets_criteria=meets_criteria),
                version=message_dict.get("version"),
                time_extracted=_time_extracted(message_dict),
            ),
        )

    def map_state_message(self, message_dict: dict) -> t.Iterable[singer.Message]:
        """STATE passes through unchanged, in order."""
        self._assert_line_requires(message_dict, requires={"value"})
        return (singer.StateMessage(value=message_dict["value"]),)

    def map_activate_version_message(self, message_dict: dict) -> t.Iterable[singer.Message]:
        """ACTIVATE_VERSION follows the stream it belongs to (the source stream became leads)."""
        self._assert_line_requires(message_dict, requires={"stream", "version"})
        stream = message_dict["stream"]
        return (
            singer.ActivateVersionMessage(
                stream=LEADS_STREAM if stream == self._source_stream else stream,
                version=message_dict["version"],
            ),
        )

    def map_batch_message(self, message_dict: dict) -> t.Iterable[singer.Message]:
        """BATCH messages are refused with one line (the mapper reads records inline only)."""
        msg = "BATCH messages are not supported: run the tap without batch mode"
        raise InvalidInputLine(msg)

    def process_endofpipe(self) -> None:
        """At the end of input, log the record counts as METRIC lines."""
        super().process_endofpipe()
        self.tally.log(sync_name=self.settings.sync_name, stream=self._source_stream)

    @classmethod
    def invoke(cls, *args: t.Any, **kwargs: t.Any) -> None:  # type: ignore[override]
        """Run the mapper; report a bad setting or input line as one error line and exit 1."""
        try:
            super().invoke(*args, **kwargs)
        except MapperConfigError as exc:
            cls.logger.error("%s", exc)
            sys.exit(1)
        except InvalidInputLine as exc:
            cls.logger.error("map-marketing-leads stopped on bad input: %s", exc)
            sys.exit(1)


def _time_extracted(message_dict: dict) -> datetime | None:
    """The RECORD's ``time_extracted`` as a datetime; an unreadable one is an input error."""
    value = message_dict.get("time_extracted")
    if not value:
        return None
    try:
        return parse_instant(value)
    except (AttributeError, TypeError, ValueError) as exc:
        msg = f"time_extracted is not an ISO 8601 date-time: {excerpt(value)}"
        raise InvalidInputLine(msg) from exc
