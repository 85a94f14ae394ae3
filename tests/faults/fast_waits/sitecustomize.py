"""Imported by Python at start-up when this folder is on PYTHONPATH (fault tests only).

Scales the tap's retry waits down so that bursts of faults cost milliseconds, not minutes. The
executable, its sockets and its retry logic stay real: only two class attributes change.
"""

from tap_zoho_invoice.client import ZohoInvoiceStream

ZohoInvoiceStream.retry_base_seconds = 0.02
ZohoInvoiceStream.rate_limit_wait_seconds = 0.2
