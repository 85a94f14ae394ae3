"""Zoho data centers: which API host and which accounts (OAuth) host serve a given region.

Canada is the odd one out: its accounts server is ``accounts.zohocloud.ca``, not
``accounts.zoho.ca`` (which does not resolve), so the mapping is explicit rather than derived.

Trust rule (docs/security.md): the data-center hosts are always HTTPS. An explicit ``api_url``
or ``accounts_url`` must be HTTPS too, except on a loopback host (the local sandbox, a proxy on
the same machine), because the access token, the client secret and the refresh token travel in
those requests.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

DATA_CENTERS: dict[str, tuple[str, str]] = {
    "com": ("https://www.zohoapis.com/invoice/v3", "https://accounts.zoho.com"),
    "eu": ("https://www.zohoapis.eu/invoice/v3", "https://accounts.zoho.eu"),
    "in": ("https://www.zohoapis.in/invoice/v3", "https://accounts.zoho.in"),
    "com.au": ("https://www.zohoapis.com.au/invoice/v3", "https://accounts.zoho.com.au"),
    "jp": ("https://www.zohoapis.jp/invoice/v3", "https://accounts.zoho.jp"),
    "ca": ("https://www.zohoapis.ca/invoice/v3", "https://accounts.zohocloud.ca"),
    "com.cn": ("https://www.zohoapis.com.cn/invoice/v3", "https://accounts.zoho.com.cn"),
    "sa": ("https://www.zohoapis.sa/invoice/v3", "https://accounts.zoho.sa"),
}

TOKEN_PATH = "/oauth/v2/token"


def api_base_url(config: dict) -> str:
    """The Invoice API base: the explicit ``api_url`` override, else the data center's host."""
    if config.get("api_url"):
        return str(config["api_url"]).rstrip("/")
    return DATA_CENTERS[config.get("data_center") or "com"][0]


def token_url(config: dict) -> str:
    """The OAuth token endpoint: the explicit ``accounts_url`` override, else the DC's server."""
    base = config.get("accounts_url") or DATA_CENTERS[config.get("data_center") or "com"][1]
    return str(base).rstrip("/") + TOKEN_PATH


def untrusted_url_problem(setting: str, url: object) -> str | None:
    """Why an explicit ``setting`` URL may not carry credentials, or None when it may."""
    if not url:
        return None
    try:
        parts = urlsplit(str(url))
        host = parts.hostname or ""
    except ValueError:
        return f"`{setting}` is not a valid URL."
    if not host:
        return f"`{setting}` must be an absolute https:// URL with a host name."
    if parts.scheme == "https" or (parts.scheme == "http" and is_loopback(host)):
        return None
    return (
        f"`{setting}` must use https:// (plain http:// is allowed only for loopback hosts such "
        f"as 127.0.0.1, localhost or ::1, because credentials travel there), not {parts.scheme}:// "
        f"on {host}."
    )


def is_loopback(host: str) -> bool:
    """``localhost``, 127.0.0.0/8 or ::1; never a name that merely resolves to one."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
