"""Zoho data centers: which API host and which accounts (OAuth) host serve a given region.

Canada is the odd one out: its accounts server is ``accounts.zohocloud.ca``, not
``accounts.zoho.ca`` (which does not resolve), so the mapping is explicit rather than derived.

``data_center: auto`` (the default) tries the accounts servers below in this fixed order until
one accepts the refresh token, and takes the API host from the token response's
``api_domain``; a named data center uses its two hosts and nothing else.

Trust rule (docs/security.md): the data-center hosts are always HTTPS. An explicit ``api_url``
or ``accounts_url`` must be HTTPS too, except on a loopback host (the local sandbox, a proxy on
the same machine), because the access token, the client secret and the refresh token travel in
those requests. An ``api_domain`` is used only when it is a Zoho API host over HTTPS (or, from a
loopback accounts server, a loopback host): a token answer cannot send the access token
anywhere else.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

AUTO = "auto"
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
DATA_CENTER_CHOICES = (AUTO, *DATA_CENTERS)

TOKEN_PATH = "/oauth/v2/token"
API_PATH = "/invoice/v3"
#: Zoho's API hosts (``www.zohoapis.<dc>``): the only ``api_domain`` trusted from Zoho.
ZOHO_API_HOSTS = frozenset(urlsplit(api).hostname for api, _ in DATA_CENTERS.values())


@dataclass(frozen=True)
class AccountsServer:
    """An OAuth accounts server; ``data_center`` is None for an explicit ``accounts_url``."""

    data_center: str | None
    base_url: str

    @property
    def token_url(self) -> str:
        return self.base_url + TOKEN_PATH

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).netloc


def accounts_servers(config: dict) -> list[AccountsServer]:
    """Where the refresh token may be sent, in the order to try them.

    The explicit ``accounts_url`` override, else the named data center's server, else (auto)
    every known data center's server.
    """
    if config.get("accounts_url"):
        return [AccountsServer(None, str(config["accounts_url"]).rstrip("/"))]
    data_center = config.get("data_center") or AUTO
    if data_center == AUTO:
        return [AccountsServer(name, hosts[1]) for name, hosts in DATA_CENTERS.items()]
    return [AccountsServer(data_center, DATA_CENTERS[data_center][1])]


def configured_api_base(config: dict) -> str | None:
    """The API base the config names (``api_url``, else a named data center's host).

    None for ``data_center: auto``: the token response's ``api_domain`` says.
    """
    if config.get("api_url"):
        return str(config["api_url"]).rstrip("/")
    data_center = config.get("data_center") or AUTO
    return None if data_center == AUTO else DATA_CENTERS[data_center][0]


def api_base_from_token(api_domain: object, server: AccountsServer) -> str:
    """The API base for the ``api_domain`` that ``server`` answered with.

    Raises ValueError (one line naming the settings to use instead) for a host that is not
    trusted; without an ``api_domain``, a known data center's own API host is used.
    """
    if not api_domain:
        if server.data_center:
            return DATA_CENTERS[server.data_center][0]
        msg = (
            f"The accounts server {server.host} named no API host (api_domain): set `api_url` "
            "or `data_center`."
        )
        raise ValueError(msg)
    parts = urlsplit(str(api_domain))
    host = parts.hostname or ""
    zoho = parts.scheme == "https" and host in ZOHO_API_HOSTS
    local = is_loopback(urlsplit(server.base_url).hostname or "") and not untrusted_url_problem(
        "api_domain", api_domain
    )
    if not (zoho or local):
        msg = (
            f"The accounts server {server.host} named an unexpected API host "
            f"({parts.scheme}://{host}); the tap sends the access token only to Zoho's API "
            "hosts: set `data_center` (or `api_url`)."
        )
        raise ValueError(msg)
    return f"{parts.scheme}://{parts.netloc}{API_PATH}"


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
