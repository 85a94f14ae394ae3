"""Headless Chromium for the report tests: screenshots and the DOM after scripts ran.

Debian's ``chromium`` package; CI installs it. ``read_charts`` reads what Plotly drew (the
SVG it put in the page), not the figure JSON in the HTML source.
"""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)  # fmt: skip
TIMEOUT = 120


def chromium() -> str:
    """The chromium executable, or skip the test saying how to get it."""
    found = shutil.which("chromium")
    if found is None:
        pytest.skip("chromium not installed (apt-get install -y chromium); CI installs it")
    return found


def _run(page: Path, profile: Path, *extra: str, fragment: str = "") -> str:
    url = page.resolve().as_uri() + (f"#{fragment}" if fragment else "")
    done = subprocess.run(
        [chromium(), *FLAGS, f"--user-data-dir={profile}", *extra, url],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def screenshot(page: Path, png: Path, profile: Path, size: str = "1400,2200") -> Path:
    """A PNG of the page as a 1400x2200 window shows it."""
    _run(page, profile, f"--screenshot={png}", f"--window-size={size}")
    assert png.is_file(), f"chromium wrote no screenshot at {png}"
    return png


def rendered_dom(page: Path, profile: Path, fragment: str = "") -> str:
    """The page's DOM after its scripts ran (charts drawn, filters applied)."""
    return _run(page, profile, "--dump-dom", "--virtual-time-budget=5000", fragment=fragment)


class ChartReader(HTMLParser):
    """What the charts show: per chart div id, per series, the number drawn at each point.

    A bar without a number drawn is 0 (Plotly draws no text on an empty bar). Also collects
    the legend entries, each sync's section id, and the lead tables and rows as they stand.
    """

    def __init__(self) -> None:
        super().__init__()
        self.charts: dict[str, list[list[int]]] = {}
        self.legends: dict[str, list[str]] = {}
        self.rows: list[dict[str, str | None]] = []
        self.tables: list[dict[str, str | None]] = []
        self.sections: dict[str, str] = {}
        self._chart: str | None = None
        self._text: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        classes = (found.get("class") or "").split()
        if tag == "div" and found.get("id", "") and "plotly-graph-div" in classes:
            self._chart = found["id"]
            self.charts[self._chart] = []
            self.legends[self._chart] = []
        elif self._chart and tag == "g" and "trace" in classes and "legend" not in classes:
            if "bars" in classes or "scatter" in classes:
                self.charts[self._chart].append([])
        elif self._chart and tag == "g" and ("point" in classes or "textpoint" in classes):
            if "point" in classes and self.charts[self._chart]:
                self.charts[self._chart][-1].append(0)
            if "textpoint" in classes:
                self._text = "textpoint"
        elif self._chart and tag == "text" and "bartext" in classes:
            self._text = "bartext"
        elif self._chart and tag == "text" and "legendtext" in classes:
            self._text = "legend"
        elif tag == "section" and found.get("data-sync"):
            self.sections[str(found["data-sync"])] = str(found.get("id"))
        elif tag == "table" and "lead-table" in classes:
            self.tables.append(found)
        elif tag == "tr" and "lead" in classes:
            self.rows.append(found)

    def handle_endtag(self, tag: str) -> None:
        closes = "g" if self._text == "textpoint" else "text"
        if tag == closes:
            self._text = None

    def handle_data(self, data: str) -> None:
        if self._chart is None or self._text is None or not data.strip():
            return
        if self._text == "legend":
            self.legends[self._chart].append(data.strip())
        elif self._text == "bartext":
            self.charts[self._chart][-1][-1] = int(data)
        elif self._text == "textpoint":
            self.charts[self._chart][-1].append(int(data))


def read_charts(dom: str) -> ChartReader:
    """Parse a dumped DOM."""
    reader = ChartReader()
    reader.feed(dom)
    return reader
