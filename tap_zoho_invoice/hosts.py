"""Zoho data centers: which API host and which accounts (OAuth) host serve a given region.

Canada is the odd one out: its accounts server is ``accounts.zohocloud.ca``, not
``accounts.zoho.ca`` (which does not resolve), so the mapping is explicit rather than derived.
"""

from __future__ import annotations

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
