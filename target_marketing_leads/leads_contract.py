"""The ``leads`` stream this target reads: the SCHEMA message any tap or mapper can send.

``map-marketing-leads`` derives a richer schema from its source (attribute types carried
over); this is the minimal form the target accepts, used by its tests and benchmark and
useful to anyone feeding the target from another pipeline.
"""

from __future__ import annotations

import typing as t

LEADS_SCHEMA_MESSAGE: dict[str, t.Any] = {
    "type": "SCHEMA",
    "stream": "leads",
    "key_properties": ["source_org_id", "source_id"],
    "schema": {
        "type": "object",
        "properties": {
            "email": {"type": ["string", "null"]},
            "first_name": {"type": ["string", "null"]},
            "last_name": {"type": ["string", "null"]},
            "attributes": {"type": ["object", "null"]},
            "mailing_list": {"type": "string"},
            "sync_name": {"type": "string"},
            "source_system": {"type": "string"},
            "source_org_id": {"type": "string"},
            "source_id": {"type": "string"},
            "source_modified_at": {"type": ["string", "null"], "format": "date-time"},
            "_sdc_deleted_at": {"type": ["string", "null"], "format": "date-time"},
        },
    },
}
