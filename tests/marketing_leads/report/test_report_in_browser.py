"""The report as a person sees it: opened in headless Chromium, screenshot and drawn DOM.

The numbers the charts draw must be the store's (``marketing-leads history --json`` and
``lists --json``), and a ``#q=`` search must leave only the matching leads visible.
"""

from __future__ import annotations

import typing as t
from pathlib import Path

import pytest
from PIL import Image

from marketing_leads.cli import main
from marketing_leads.report.charts import OUTCOME_COLOURS
from marketing_leads.report.data import OUTCOMES

from .browser import ChartReader, read_charts, rendered_dom, screenshot
from .conftest import NEWSLETTER_SIZES, cli_json, fill_store

pytestmark = pytest.mark.e2e


class Rendered(t.NamedTuple):
    url: str
    page: Path
    png: Path
    shown: ChartReader
    searched: ChartReader


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """The known store's report, rendered three ways by Chromium (once for the module)."""
    work = tmp_path_factory.mktemp("report")
    url = f"sqlite:///{work / 'store.db'}"
    fill_store(url)
    page = work / "report.html"
    assert main(["--database-url", url, "report", "--output", str(page)]) == 0
    png = screenshot(page, work / "report.png", work / "profile-shot")
    shown = read_charts(rendered_dom(page, work / "profile-dom"))
    searched = read_charts(rendered_dom(page, work / "profile-search", fragment="q=BOB@"))
    return Rendered(url, page, png, shown, searched)


def _hex(colour: str) -> tuple[int, int, int]:
    return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))


def test_screenshot_shows_a_drawn_report(rendered: Rendered) -> None:
    with Image.open(rendered.png) as image:
        assert image.size == (1400, 2200)
        colours = image.convert("RGB").getcolors(maxcolors=1400 * 2200) or []
    counts = {colour: n for n, colour in colours}
    backgrounds = {(255, 255, 255), (245, 247, 250)}  # white cards on the page's grey
    inked = sum(n for colour, n in counts.items() if colour not in backgrounds)
    assert inked / (1400 * 2200) > 0.03, "the page looks blank"
    for outcome in ("new", "ignored", "deleted"):  # outcomes the daily runs have
        assert counts.get(_hex(OUTCOME_COLOURS[outcome]), 0) > 500, f"no {outcome} bar painted"


def test_charts_draw_the_store_numbers(rendered: Rendered, capsys) -> None:  # type: ignore[no-untyped-def]
    history = cli_json(capsys, rendered.url, "history")["runs"]
    shown = rendered.shown
    assert set(shown.sections) == {"daily", "weekly"}
    for sync, anchor in shown.sections.items():
        runs = [r for r in reversed(history) if r["sync"] == sync]
        assert shown.legends[f"{anchor}-runs"] == list(OUTCOMES)
        assert shown.charts[f"{anchor}-runs"] == [[r[o] for r in runs] for o in OUTCOMES]
        reasons = shown.legends.get(f"{anchor}-reasons", [])
        drawn = shown.charts.get(f"{anchor}-reasons", [])
        assert drawn == [[r["ignored_reasons"].get(x, 0) for r in runs] for x in reasons]
        assert sorted(reasons) == sorted(
            {x for r in runs for x, n in r["ignored_reasons"].items() if n}
        )


def test_list_size_chart_ends_at_todays_members(rendered: Rendered, capsys) -> None:  # type: ignore[no-untyped-def]
    members = {x["list"]: x["members"] for x in cli_json(capsys, rendered.url, "lists")["lists"]}
    shown = rendered.shown
    daily, weekly = shown.sections["daily"], shown.sections["weekly"]
    assert shown.legends[f"{daily}-sizes"] == ["Newsletter"]
    assert shown.charts[f"{daily}-sizes"] == [NEWSLETTER_SIZES]
    assert NEWSLETTER_SIZES[-1] == members["Newsletter"]
    assert shown.charts[f"{weekly}-sizes"] == [[members["Partners"]]]


def test_last_run_leads_are_all_listed_then_searchable(rendered: Rendered, capsys) -> None:  # type: ignore[no-untyped-def]
    expected = []
    for sync in ("daily", "weekly"):
        last = cli_json(capsys, rendered.url, "history", "--sync", sync)["runs"][0]
        found = cli_json(capsys, rendered.url, "outcomes", str(last["run_id"]))["outcomes"]
        expected += [((o["email"] or "").lower(), o["outcome"]) for o in found]
    everything = rendered.shown
    assert [(r["data-email"], r["data-outcome"]) for r in everything.rows] == expected
    assert not any("hidden" in r for r in everything.rows)

    searched = rendered.searched
    visible = [r["data-email"] for r in searched.rows if "hidden" not in r]
    assert visible == [email for email, _ in expected if "bob@" in email]
    assert visible == ["bob@example.com"]
    assert sum(int(str(table["data-shown"])) for table in searched.tables) == len(visible)
