"""OAuth state of the fake Zoho Accounts server: refresh tokens, access tokens and scopes.

Zoho refresh tokens are permanent until revoked; access tokens live `access_token_ttl` seconds.
Tokens are random and never logged.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

FULL_ACCESS = "ZohoInvoice.fullaccess.all"
DEFAULT_SCOPES = (FULL_ACCESS,)


def new_token() -> str:
    """A token shaped like Zoho's: `1000.<hex>.<hex>`."""
    return f"1000.{secrets.token_hex(16)}.{secrets.token_hex(16)}"


def has_scope(granted: Iterable[str], required: str) -> bool:
    """Whether `granted` covers `required` (e.g. `ZohoInvoice.contacts.READ`).

    `ZohoInvoice.fullaccess.all` covers everything and `ZohoInvoice.<module>.ALL` covers the module.
    """
    module = required.rsplit(".", 1)[0]
    wanted = {required.lower(), f"{module}.all".lower(), FULL_ACCESS.lower()}
    return any(scope.lower() in wanted for scope in granted)


@dataclass(frozen=True)
class AccessToken:
    """An issued access token: when it dies and what it may do."""

    expires_at: float
    scopes: tuple[str, ...]


class TooManyGrants(Exception):
    """More access tokens asked of one refresh token than Zoho Accounts allows in its window."""


class TokenBook:
    """Thread-safe register of refresh and access tokens."""

    def __init__(self, refresh_token: str) -> None:
        self._lock = threading.Lock()
        self._refresh: dict[str, tuple[str, ...]] = {refresh_token: DEFAULT_SCOPES}
        self._access: dict[str, AccessToken] = {}
        self._grant_times: dict[str, deque[float]] = {}
        self._history: list[str] = []
        self.issued = 0

    def grant(
        self,
        refresh_token: str,
        ttl: int,
        max_grants: int | None = None,
        window_seconds: float = 600.0,
    ) -> str | None:
        """A new access token for a live refresh token, or None if it is unknown or revoked.

        With `max_grants`, raises TooManyGrants when the refresh token already produced that
        many access tokens within `window_seconds` (Zoho allows 10 per 10 minutes).
        """
        now = time.time()
        with self._lock:
            scopes = self._refresh.get(refresh_token)
            if scopes is None:
                return None
            if max_grants:
                recent = self._grant_times.setdefault(refresh_token, deque())
                while recent and recent[0] <= now - window_seconds:
                    recent.popleft()
                if len(recent) >= max_grants:
                    raise TooManyGrants
                recent.append(now)
            token = new_token()
            self._access[token] = AccessToken(now + ttl, scopes)
            self._history.append(token)
            self.issued += 1
            return token

    def issued_tokens(self) -> list[str]:
        """Every access token granted, in order, including expired ones."""
        with self._lock:
            return list(self._history)

    def scopes_of(self, access_token: str) -> tuple[str, ...] | None:
        """Scopes of a live access token, or None if it is unknown or expired."""
        with self._lock:
            entry = self._access.get(access_token)
        if entry is None or entry.expires_at <= time.time():
            return None
        return entry.scopes

    def issue_refresh_token(self, scopes: Iterable[str] | None = None) -> str:
        """Register a new refresh token (full access unless `scopes` narrows it)."""
        token = new_token()
        with self._lock:
            self._refresh[token] = tuple(scopes) if scopes is not None else DEFAULT_SCOPES
        return token

    def revoke_refresh_token(self, refresh_token: str) -> bool:
        """Revoke a refresh token; its access tokens stay valid until they expire, as in Zoho."""
        with self._lock:
            return self._refresh.pop(refresh_token, None) is not None

    def expire_access_tokens(self) -> int:
        """Make every access token expired now; returns how many there were."""
        with self._lock:
            count = len(self._access)
            self._access.clear()
            return count
