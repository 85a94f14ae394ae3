"""singer-sdk's standard target tests.

All of the SDK's default target suite applies: its fixtures use arbitrary streams, which this
target ignores with a warning (the mapper passes unmapped streams through), and the cases that
must fail (invalid schema, record before schema, missing key property) fail in the SDK's
message handling before any sink sees them. ``TargetMultipleStateMessages`` is not in the
default suite and does not apply: the target emits STATE once, after its one commit.
The leads-specific behaviour is tested in the other modules of this folder.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from singer_sdk.testing import get_target_test_class

from target_marketing_leads.target import TargetMarketingLeads

_STORE = Path(tempfile.mkdtemp(prefix="marketing-leads-sdk-")) / "store.db"

TestTargetMarketingLeads = get_target_test_class(
    TargetMarketingLeads, config={"database_url": f"sqlite:///{_STORE}"}
)
