"""The control surface shared by the in-process handle and the HTTP client.

Every method forwards to `SandboxStore.<same name>` through `_call`: directly for a sandbox in
this process (`server.SandboxHandle`), over POST /_sandbox/<name> for one in another process
(`testing.RemoteSandbox`). One signature per operation, declared once here.
"""

from __future__ import annotations

from typing import Any

from sandbox.data import ORGANIZATIONS


class SandboxControls:
    """URLs and credentials of a sandbox, plus operations that change what it serves."""

    def __init__(
        self, base_url: str, *, client_id: str, client_secret: str, refresh_token: str
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_url = f"{self.base_url}/invoice/v3"
        self.accounts_url = self.base_url
        self.token_url = f"{self.base_url}/oauth/v2/token"
        self.client_id = client_id
        self.client_secret = client_secret
        self.refresh_token = refresh_token
        self.organization_ids = [org.organization_id for org in ORGANIZATIONS]

    def tap_config(self, **overrides: Any) -> dict[str, Any]:
        """A ready `tap-zoho-invoice` config pointing at this sandbox."""
        config: dict[str, Any] = {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "refresh_token": self.refresh_token,
            "api_url": self.api_url,
            "accounts_url": self.accounts_url,
        }
        config.update(overrides)
        return config

    def _call(self, operation: str, **kwargs: Any) -> Any:
        raise NotImplementedError

    def touch_contacts(
        self, org_id: str, n: int | None = None, ids: list[str] | None = None, **fields: Any
    ) -> list[str]:
        """Modify `n` seeded-random contacts (or `ids`) now, optionally setting `fields`."""
        return self._call("touch_contacts", org_id=org_id, n=n, ids=ids, **fields)

    def add_contact(self, org_id: str, **fields: Any) -> str:
        """Create a contact; returns its id."""
        return self._call("add_contact", org_id=org_id, **fields)

    def delete_contacts(
        self, org_id: str, ids: list[str] | None = None, n: int | None = None
    ) -> list[str]:
        """Hard-delete `ids` (or `n` seeded-random contacts); returns the deleted ids."""
        return self._call("delete_contacts", org_id=org_id, ids=ids, n=n)

    def contacts(self, org_id: str) -> list[dict[str, Any]]:
        """Every contact of an organization (vendors, inactive too) as API list rows."""
        return self._call("contacts", org_id=org_id)

    def contact_ids(self, org_id: str) -> list[str]:
        """Ids of every contact of an organization."""
        return self._call("contact_ids", org_id=org_id)

    def issue_refresh_token(self, scopes: list[str] | None = None) -> str:
        """A new refresh token; narrow `scopes` to test a missing-scope 401 code 57."""
        return self._call("issue_refresh_token", scopes=scopes)

    def revoke_refresh_token(self, token: str | None = None) -> bool:
        """Revoke a refresh token (default: this handle's); grants then answer invalid_code."""
        return self._call("revoke_refresh_token", token=token or self.refresh_token)

    def issued_access_tokens(self) -> list[str]:
        """Every access token granted so far, expired ones too (tests grep outputs for them)."""
        return self._call("issued_access_tokens")

    def expire_access_tokens(self) -> int:
        """Expire every access token now."""
        return self._call("expire_access_tokens")

    def set_config(self, **changes: Any) -> dict[str, Any]:
        """Change runtime settings, e.g. `rate_limit_per_minute=5`, `retry_after=False`."""
        return self._call("set_config", **changes)

    def new_day(self) -> int:
        """Start a simulated new day: the daily quota of every organization is whole again."""
        return self._call("new_day")

    def spend_quota(self, org_id: str, count: int) -> dict[str, str]:
        """Spend `count` of an organization's daily quota, as its other integrations would."""
        return self._call("spend_quota", org_id=org_id, count=count)

    def inject_faults(
        self,
        path_substring: str,
        status: int | str,
        count: int = 1,
        code: int | None = None,
        message: str | None = None,
        headers: dict[str, str] | None = None,
        after: int = 0,
    ) -> int:
        """Fail `count` requests whose path has `path_substring`, after `after` of them pass.

        `status` is an HTTP status or a mode: "drop" (no answer), "truncate" (half a body),
        "repeat" (a contacts page starting with the previous page's last row).
        """
        return self._call(
            "inject_faults",
            path_substring=path_substring,
            status=status,
            count=count,
            code=code,
            message=message,
            headers=headers,
            after=after,
        )

    def clear_faults(self) -> None:
        """Forget pending faults."""
        self._call("clear_faults")

    def stats(self) -> dict[str, Any]:
        """Request counts by endpoint and organization, 429s by code, tokens issued, faults."""
        return self._call("stats")

    def reset_counters(self) -> None:
        """Zero statistics and rate-limit counters."""
        self._call("reset_counters")
