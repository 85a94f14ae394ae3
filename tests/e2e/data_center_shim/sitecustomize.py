"""Imported by Python at start-up when this folder is on PYTHONPATH (the data-center test only).

Points the tap's table of Zoho data centers at local sandboxes, named in the environment
variable ``TEST_ZOHO_DATA_CENTERS`` (JSON ``{"com": "http://127.0.0.1:PORT", ...}``, in the
order to try), so the real executable can be watched choosing among several accounts servers
without leaving 127.0.0.1. The search itself, its order and its trust rules stay the tap's own.
"""

import json
import os

from tap_zoho_invoice import hosts

_servers = json.loads(os.environ["TEST_ZOHO_DATA_CENTERS"])
hosts.DATA_CENTERS.clear()
hosts.DATA_CENTERS.update({name: (f"{url}/invoice/v3", url) for name, url in _servers.items()})
