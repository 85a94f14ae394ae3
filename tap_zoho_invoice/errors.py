"""Failures a user can cause and fix, each carrying the one line that says what to change.

The tap's CLI prints ``str(error)`` as a single line and exits non-zero; no traceback is needed
to understand them. Messages never include secrets: only setting *names* are named.
"""

from __future__ import annotations

from singer_sdk.exceptions import FatalAPIError


class ZohoUserError(FatalAPIError):
    """A failure the user fixes by changing a setting or a grant in Zoho."""


class RefreshTokenRejected(ZohoUserError):
    """Zoho's accounts server refused the refresh token (revoked, regenerated or wrong DC)."""


class TokenRequestsThrottled(ZohoUserError):
    """Zoho limits token grants per refresh token ("Access Denied": too many requests)."""


class ClientRejected(ZohoUserError):
    """Zoho's accounts server refused the client id / client secret pair."""


class NotAuthorized(ZohoUserError):
    """The token works but may not read what the tap needs (scope, or organization access)."""


class UnknownOrganization(ZohoUserError):
    """An organization id in ``organization_ids`` is not visible to this token."""


class DailyQuotaExhausted(FatalAPIError):
    """Zoho's per-organization daily API quota is spent (HTTP 429, code 45).

    Not a user error: the run stops that organization cleanly and resumes tomorrow.
    """
