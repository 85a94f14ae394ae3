"""Which ACTIVATE_VERSION messages close a source's full load: only those may end links.

A full-table source stamps each RECORD with a ``version`` and sends ``ACTIVATE_VERSION(V)``
to say that version V is the table now. Taps send it at different moments: singer-python taps
(pipelinewise's) before the first load and after every complete one; singer-sdk taps
(``emit_activate_version_messages``, e.g. meltanolabs-tap-postgres) only before the records.
A contact missing from a version is gone from the source only when that version is complete,
so the target acts on ``ACTIVATE_VERSION(V)`` only when it closes V:

- records of version V came earlier in this run (the load of V has been read whole), or
- it is the second ``ACTIVATE_VERSION(V)`` of the stream in this run with no record between
  (a complete load of an empty table).

An opening message (before its records) removes nothing, and a pipeline cut short before its
closing message removes nothing.

RECORD versions reach a singer-sdk sink only inside ``_sdc_table_version``, which the SDK adds
only with ``add_record_metadata`` (seven stamped fields per record). The reader sees every
message first, in input order, so it keeps the little this needs: per stream, the versions
its records carried and whether a record came since its last ACTIVATE_VERSION.
"""

from __future__ import annotations

import typing as t

from singer_input.reader import LineNumberingReader


class FullLoads:
    """Per input stream: the versions its records carried, and whether a record came since its
    last ACTIVATE_VERSION; the verdict on the ACTIVATE_VERSION being dispatched."""

    def __init__(self) -> None:
        self._versions: set[tuple[str, t.Any]] = set()
        self._records_since_activate: set[str] = set()
        self._last_activate: dict[str, t.Any] = {}
        self._last_record: tuple[str, t.Any] | None = None
        self._verdict: tuple[t.Any, bool] | None = None

    def saw_record(self, stream: str, version: t.Any) -> None:
        """Note a RECORD of ``stream`` and its version (None when it has none)."""
        key = (stream, version)
        if key == self._last_record:  # the common case: one stream, one version, in a row
            return
        self._last_record = key
        self._versions.add(key)
        self._records_since_activate.add(stream)

    def saw_activate_version(self, stream: str, version: t.Any) -> None:
        """Judge an ACTIVATE_VERSION before the target dispatches it to its sinks."""
        empty_load = (
            stream in self._last_activate
            and self._last_activate[stream] == version
            and stream not in self._records_since_activate
        )
        closes = (stream, version) in self._versions or empty_load
        self._last_activate[stream] = version
        self._records_since_activate.discard(stream)
        self._last_record = None
        self._verdict = (version, closes)

    def closes(self, version: t.Any) -> bool:
        """Whether the ACTIVATE_VERSION being dispatched (of ``version``) closes a full load."""
        return self._verdict == (version, True)


class FullLoadReader(LineNumberingReader):
    """The target's reader: :class:`LineNumberingReader`, keeping :class:`FullLoads` as it reads."""

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self.full_loads = FullLoads()

    def deserialize_json(self, line: str) -> dict:
        """Read the line, then note a RECORD's version or judge an ACTIVATE_VERSION."""
        message = super().deserialize_json(line)
        kind = message.get("type")
        if kind == "RECORD":
            self.full_loads.saw_record(message["stream"], message.get("version"))
        elif kind == "ACTIVATE_VERSION":
            self.full_loads.saw_activate_version(message["stream"], message["version"])
        return message
