"""Run the sandbox: the `zoho-invoice-sandbox` CLI and the `running_sandbox` context manager."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from http.server import ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import Any

from sandbox.config import SandboxConfig
from sandbox.control import SandboxControls
from sandbox.handlers import make_handler
from sandbox.store import SandboxStore


class SandboxServer(ThreadingHTTPServer):
    """Threaded server whose handler threads never block shutdown."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, config: SandboxConfig) -> None:
        self.store = SandboxStore(config)
        super().__init__((config.host, config.port), make_handler(self.store))
        config.port = self.server_address[1]


class SandboxHandle(SandboxControls):
    """A sandbox running in this process: URLs, credentials and direct control of its store."""

    def __init__(self, server: SandboxServer) -> None:
        config = server.store.config
        super().__init__(
            f"http://{config.host}:{config.port}",
            client_id=config.client_id,
            client_secret=config.client_secret,
            refresh_token=config.refresh_token,
        )
        self.server = server
        self.store = server.store
        self.config = config

    def _call(self, operation: str, **kwargs: Any) -> Any:
        return getattr(self.store, operation)(**kwargs)


@contextmanager
def running_sandbox(**settings: Any) -> Iterator[SandboxHandle]:
    """Serve a sandbox on an ephemeral 127.0.0.1 port in a background thread.

    `settings` are `SandboxConfig` fields (seed, contacts_per_org, contacts, country_weights,
    rate_limit_per_minute, daily_quota, honour_last_modified_filter, access_token_ttl, ...).
    """
    config = SandboxConfig(**settings)
    server = SandboxServer(config)
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name="zoho-sandbox",
        daemon=True,
    )
    thread.start()
    try:
        yield SandboxHandle(server)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _contact_count(text: str) -> tuple[str, int]:
    org_id, sep, count = text.partition("=")
    if not sep or not count.isdigit():
        raise argparse.ArgumentTypeError(f"expected ORG_ID=N, got {text!r}")
    return org_id, int(count)


def _country_weights(text: str) -> tuple[str, dict[str, int]]:
    org_id, sep, spec = text.partition("=")
    try:
        pairs = (part.split(":") for part in spec.split(","))
        weights = {code.strip().upper(): int(weight) for code, weight in pairs}
    except ValueError:
        weights = {}
    if not sep or not weights:
        raise argparse.ArgumentTypeError(f"expected ORG_ID=CODE:WEIGHT,..., got {text!r}")
    return org_id, weights


def _optional_limit(text: str) -> int | None:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be >= 0 (0 switches the limit off)")
    return value or None


def build_parser() -> argparse.ArgumentParser:
    defaults = SandboxConfig()
    parser = argparse.ArgumentParser(
        prog="zoho-invoice-sandbox",
        description="Local fake of the Zoho Invoice REST API v3 and Zoho Accounts OAuth.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port; 0 picks a free one")
    parser.add_argument("--port-file", type=Path, help="write the bound port to this file")
    counts = parser.add_mutually_exclusive_group()
    counts.add_argument(
        "--contacts-per-org",
        type=int,
        default=defaults.contacts_per_org,
        help=f"contacts generated per organization (default {defaults.contacts_per_org})",
    )
    counts.add_argument(
        "--contacts",
        type=_contact_count,
        action="append",
        metavar="ORG_ID=N",
        help="contacts of one organization (others get none); repeatable",
    )
    parser.add_argument(
        "--country-weights",
        type=_country_weights,
        action="append",
        metavar="ORG_ID=CODE:W,...",
        help="billing-country mix of one organization, e.g. 60012345678=IN:10,US:60,GB:30; "
        "repeatable",
    )
    parser.add_argument("--seed", type=int, default=defaults.seed, help="data seed")
    parser.add_argument(
        "--rate-limit-per-minute",
        type=_optional_limit,
        default=defaults.rate_limit_per_minute,
        help="requests per organization per window before 429 code 44; 0 = unlimited",
    )
    parser.add_argument(
        "--rate-window-seconds",
        type=float,
        default=defaults.rate_window_seconds,
        help="length of the rate-limit window (default 60)",
    )
    parser.add_argument(
        "--daily-quota",
        type=_optional_limit,
        default=defaults.daily_quota,
        help="requests per organization per day before 429 code 45; 0 = unlimited",
    )
    parser.add_argument(
        "--max-concurrent-requests",
        type=_optional_limit,
        default=None,
        help="requests in flight per organization before 429 code 1070; default unlimited",
    )
    parser.add_argument(
        "--retry-after",
        action=argparse.BooleanOptionalAction,
        default=defaults.retry_after,
        help="send Retry-After on a per-window 429 (default on)",
    )
    parser.add_argument(
        "--latency-seconds",
        type=float,
        default=defaults.latency_seconds,
        help="hold every API response back this long (default 0)",
    )
    parser.add_argument(
        "--honour-last-modified-filter",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="apply last_modified_time as >= (default) or ignore it",
    )
    parser.add_argument(
        "--ignore-last-modified-filter",
        dest="honour_last_modified_filter",
        action="store_false",
        help="same as --no-honour-last-modified-filter",
    )
    parser.add_argument(
        "--access-token-ttl", type=int, default=defaults.access_token_ttl, help="seconds"
    )
    parser.add_argument("--verbose", action="store_true", help="log one line per request")
    return parser


def config_from_args(argv: Sequence[str] | None = None) -> tuple[SandboxConfig, Path | None]:
    args = build_parser().parse_args(argv)
    config = SandboxConfig(
        host=args.host,
        port=args.port,
        seed=args.seed,
        contacts_per_org=0 if args.contacts else args.contacts_per_org,
        contacts=dict(args.contacts or []),
        country_weights=dict(args.country_weights or []),
        rate_limit_per_minute=args.rate_limit_per_minute,
        rate_window_seconds=args.rate_window_seconds,
        daily_quota=args.daily_quota,
        max_concurrent_requests=args.max_concurrent_requests,
        retry_after=args.retry_after,
        latency_seconds=args.latency_seconds,
        honour_last_modified_filter=args.honour_last_modified_filter,
        access_token_ttl=args.access_token_ttl,
        verbose=args.verbose,
    )
    return config, args.port_file


def _write_port_file(path: Path, port: int) -> None:
    """Write atomically, so a reader polling the file never sees a partial number."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.write_text(f"{port}\n", encoding="utf-8")
    temporary.replace(path)


def main(argv: Sequence[str] | None = None) -> int:
    """Serve until SIGTERM or SIGINT, then exit 0."""
    try:
        config, port_file = config_from_args(argv)
        server = SandboxServer(config)
    except (ValueError, OSError) as error:
        print(f"zoho-invoice-sandbox: error: {error}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")

    def stop(signum: int, _frame: FrameType | None) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if port_file is not None:
        _write_port_file(port_file, config.port)
    print(f"sandbox listening on http://{config.host}:{config.port}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
