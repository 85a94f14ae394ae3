"""singer-sdk's standard tap test suite, run against the local sandbox API."""

from __future__ import annotations

import atexit
from contextlib import ExitStack

from singer_sdk.testing import SuiteConfig, get_tap_test_class

from sandbox.server import running_sandbox
from tap_zoho_invoice.tap import TapZohoInvoice

# The suite builds its classes at import time from a config, so the sandbox must be up by then.
_stack = ExitStack()
_sandbox = _stack.enter_context(running_sandbox(contacts_per_org=40, rate_limit_per_minute=None))
atexit.register(_stack.close)

TestTapZohoInvoice = get_tap_test_class(
    TapZohoInvoice,
    config=_sandbox.tap_config(max_requests_per_minute=0, page_size=25),
    suite_config=SuiteConfig(max_records_limit=60),
)
