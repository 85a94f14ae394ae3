"""Settings of the sandbox: one dataclass shared by the CLI, `running_sandbox` and the control API.

Runtime-tunable settings (rate limits, the `last_modified_time` switch, token lifetime...) live here
too, so that `set_config` over HTTP and in process change the same object.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field

DEFAULT_CLIENT_ID = "sandbox-client-id"
DEFAULT_CLIENT_SECRET = "sandbox-client-secret"  # a fake credential for a local fake
DEFAULT_REFRESH_TOKEN = "1000.sandbox-refresh-token"
DEFAULT_CONTACTS_PER_ORG = 60
# Read once when the sandbox starts (data generation, socket, initial refresh token).
START_ONLY = frozenset(
    {
        "host",
        "port",
        "seed",
        "contacts_per_org",
        "contacts",
        "country_weights",
        "anchor_ts",
        "refresh_token",
    }
)


@dataclass
class SandboxConfig:
    """Everything that shapes the fake API; defaults mimic one free Zoho Invoice account."""

    host: str = "127.0.0.1"
    port: int = 0
    seed: int = 42
    contacts_per_org: int = DEFAULT_CONTACTS_PER_ORG
    # Per-organization override of contacts_per_org: {organization_id: count}.
    contacts: dict[str, int] = field(default_factory=dict)
    # Per-organization override of the billing-country mix: {organization_id: {"IN": 10, ...}}
    # (relative weights; codes of `data.COUNTRIES`), e.g. 10% India for the quota benchmark.
    country_weights: dict[str, dict[str, int]] = field(default_factory=dict)
    # Generated contacts are modified before this instant (epoch seconds); None: start of today
    # (UTC), so the data is stable for a day and every later change is newer than all of it.
    anchor_ts: int | None = None
    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = DEFAULT_CLIENT_SECRET
    refresh_token: str = DEFAULT_REFRESH_TOKEN
    access_token_ttl: int = 3600
    # Zoho Accounts refuses an 11th access token from one refresh token within 10 minutes;
    # None switches that off (the default, so tests may refresh freely).
    token_grants_per_window: int | None = None
    token_window_seconds: float = 600.0
    # Zoho's published 100 requests per minute per organization; None or 0 switches it off.
    rate_limit_per_minute: int | None = 100
    rate_window_seconds: float = 60.0
    # Calls per organization per day (reported in x-rate-limit-* on every response, as Zoho does;
    # "day" is the UTC day, or a simulated one: see `RateLimiter.new_day`); None or 0: off.
    daily_quota: int | None = 1_000_000
    # In-flight requests per organization before 429 code 1070; None switches it off.
    max_concurrent_requests: int | None = None
    # Seconds every API response is held back (makes the concurrency limit and timeouts testable).
    latency_seconds: float = 0.0
    # Send Retry-After on a per-minute 429 (Zoho is not known to; clients must cope either way).
    retry_after: bool = True
    # Whether GET /contacts narrows by `last_modified_time` (>=) or ignores the parameter.
    honour_last_modified_filter: bool = True
    # Log one line per request (method, path without query string, status); quiet by default.
    verbose: bool = False

    def contact_count(self, organization_id: str) -> int:
        """How many contacts to generate for one organization."""
        return self.contacts.get(organization_id, self.contacts_per_org)

    def anchor(self) -> int:
        """The instant generated history ends at."""
        if self.anchor_ts is not None:
            return self.anchor_ts
        return int(time.time()) // 86_400 * 86_400

    def update(self, **changes: object) -> None:
        """Apply runtime changes, rejecting unknown or start-only names with one clear error."""
        known = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise ValueError(f"unknown sandbox setting(s): {', '.join(unknown)}")
        fixed = sorted(set(changes) & START_ONLY)
        if fixed:
            raise ValueError(f"setting(s) only apply at start: {', '.join(fixed)}")
        for name, value in changes.items():
            setattr(self, name, value)

    def public(self) -> dict[str, object]:
        """Settings without the credentials, for `stats()` and logs."""
        data = dataclasses.asdict(self)
        for secret in ("client_secret", "refresh_token"):
            data.pop(secret)
        return data
