"""How long the tap waits before retrying each kind of failure (no network: built responses)."""

from __future__ import annotations

import json

import pytest
import requests

from tap_zoho_invoice.client import ZohoInvoiceStream
from tap_zoho_invoice.tap import TapZohoInvoice

# No refresh token: discovery then skips its sampling request (these tests use no network).
CONFIG = {"client_id": "a"}


def response(status: int, code: int, headers: dict[str, str] | None = None) -> requests.Response:
    built = requests.Response()
    built.status_code = status
    built._content = json.dumps({"code": code, "message": "m"}).encode()
    built.headers.update(headers or {})
    built.url = "https://www.zohoapis.com/invoice/v3/contacts"
    return built


class Failure(Exception):
    def __init__(self, response: requests.Response) -> None:
        super().__init__("failure")
        self.response = response


@pytest.fixture
def stream() -> ZohoInvoiceStream:
    tap = TapZohoInvoice(config=CONFIG, validate_config=False)
    return tap.streams["contacts"]  # type: ignore[return-value]


def wait(stream: ZohoInvoiceStream, failure: requests.Response, attempt: int = 1) -> float:
    return stream.seconds_before_retry(Failure(failure), attempt)


def test_retry_after_is_honoured(stream: ZohoInvoiceStream) -> None:
    assert wait(stream, response(429, 44, {"Retry-After": "7"})) == 7.0


def test_per_minute_block_without_retry_after_waits_out_zohos_window(
    stream: ZohoInvoiceStream,
) -> None:
    assert wait(stream, response(429, 44)) == 60.0
    assert wait(stream, response(429, 44), attempt=3) == 60.0


def test_the_daily_reset_header_is_not_a_per_minute_hint(stream: ZohoInvoiceStream) -> None:
    # Zoho's x-rate-limit-reset counts down to the *daily* reset; 30 s before midnight UTC the
    # old code retried a per-minute block after 30 s, and at 5 s after 5 s.
    daily = {"x-rate-limit-reset": "5", "x-rate-limit-remaining": "500"}
    assert wait(stream, response(429, 44, daily)) == 60.0


def test_too_many_in_flight_backs_off_exponentially(stream: ZohoInvoiceStream) -> None:
    waits = [wait(stream, response(429, 1070), attempt) for attempt in (1, 2, 3)]
    assert waits == [1.0, 2.0, 4.0]


def test_server_errors_back_off_exponentially_up_to_a_minute(stream: ZohoInvoiceStream) -> None:
    assert [wait(stream, response(503, 1000), attempt) for attempt in (1, 2, 8)] == [
        1.0,
        2.0,
        60.0,
    ]


def test_an_unusable_retry_after_falls_back(stream: ZohoInvoiceStream) -> None:
    assert wait(stream, response(429, 44, {"Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT"})) == 60
    assert wait(stream, response(429, 44, {"Retry-After": "3600"})) == 60.0
