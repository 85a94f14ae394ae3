"""Regenerate ``docs/report.png``: three demo runs against the sandbox, then the report.

    .venv/bin/python -m tests.marketing_leads.report.demo_screenshot docs/report.png

Starts the local Zoho Invoice sandbox, pipes ``tap-zoho-invoice | map-marketing-leads |
target-marketing-leads`` into a temporary SQLite store three times (changing, adding and
deleting contacts in between, and suppressing two emails), writes ``marketing-leads report``
and screenshots it in headless Chromium.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from marketing_leads.cli import main as marketing_leads
from sandbox.server import running_sandbox
from tests.marketing_leads.report.browser import screenshot

BIN = Path(sys.executable).parent
MAPPER = {"sync_name": "all-customers-newsletter", "mailing_list": "newsletter"}


def _config(work: Path, name: str, config: dict) -> str:
    path = work / f"{name}.json"
    path.write_text(json.dumps(config))
    return str(path)


def _run(work: Path, tap: dict, url: str, state: str | None) -> str | None:
    """One pipeline run; return the last state the target emitted (after its commit)."""
    tap_args = [str(BIN / "tap-zoho-invoice"), "--config", _config(work, "tap", tap)]
    if state:
        tap_args += ["--state", _config(work, "state", json.loads(state))]
    with subprocess.Popen(tap_args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as t:
        mapper = subprocess.Popen(
            [str(BIN / "map-marketing-leads"), "--config", _config(work, "map", MAPPER)],
            stdin=t.stdout,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        target = subprocess.run(
            [str(BIN / "target-marketing-leads"), "--config",
             _config(work, "target", {"database_url": url})],
            stdin=mapper.stdout, capture_output=True, text=True, check=True,
        )  # fmt: skip
        mapper.wait()
    states = [line for line in target.stdout.splitlines() if line.strip()]
    return states[-1] if states else state  # a target writes each committed state value


def make_screenshot(png: Path) -> Path:
    """Run the demo and write the screenshot to ``png``."""
    with tempfile.TemporaryDirectory() as tmp, running_sandbox(rate_limit_per_minute=6000) as box:
        work = Path(tmp)
        url = f"sqlite:///{work / 'store.db'}"
        tap = box.tap_config(max_requests_per_minute=0, detect_deletions=True)
        org = box.organization_ids[0]
        state = _run(work, tap, url, None)
        box.touch_contacts(org, n=12)
        box.add_contact(org, contact_name="Front desk", email="info@demo-leads.example")
        box.add_contact(org, contact_name="No mail", email="")
        box.delete_contacts(org, n=4)
        state = _run(work, tap, url, state)
        emails = [c["email"] for c in box.contacts(org) if c.get("email")][:2]
        marketing_leads(["--database-url", url, "suppress", "--status", "unsubscribed", *emails])
        box.touch_contacts(org, n=20)
        box.add_contact(org, contact_name="Typo", email="jane.doe@@demo-leads.example")
        _run(work, tap, url, state)
        page = work / "report.html"
        marketing_leads(["--database-url", url, "report", "--output", str(page)])
        png.parent.mkdir(parents=True, exist_ok=True)
        return screenshot(page, png.resolve(), work / "profile", size="1400,1750")


if __name__ == "__main__":
    print(make_screenshot(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/report.png")))
