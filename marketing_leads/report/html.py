"""The report as one self-contained HTML file: a Jinja2 template, Plotly charts, inline JS.

plotly.js is inlined once in the page's head and each chart is Plotly's own ``to_html`` snippet,
so the file opens offline (no CDN, no network). The last run's leads are rendered as table rows
(autoescaped by Jinja2) and a small inline script filters them by email; it also reads a
``#q=...`` fragment, so a link can open the report already filtered.
"""

from __future__ import annotations

import typing as t
from pathlib import Path

import jinja2
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from marketing_leads.render import run_status, short_time
from marketing_leads.report import charts
from marketing_leads.report.data import OUTCOMES, Report, SyncReport

_TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("marketing_leads.report", "templates"),
    autoescape=jinja2.select_autoescape(default=True),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_TEMPLATES.filters["short_time"] = short_time
_TEMPLATES.filters["run_status"] = run_status


def _chart_html(figure: go.Figure, chart_id: str) -> str:
    return str(
        figure.to_html(
            full_html=False,
            include_plotlyjs=False,
            div_id=chart_id,
            config={"displayModeBar": False, "responsive": True},
        )
    )


def _sync_view(index: int, sync: SyncReport) -> dict[str, t.Any]:
    prefix = f"sync-{index}"
    view: dict[str, t.Any] = {
        "anchor": prefix,
        "report": sync,
        "runs_chart": _chart_html(charts.runs_chart(sync), f"{prefix}-runs"),
        "reasons_chart": _chart_html(charts.reasons_chart(sync), f"{prefix}-reasons")
        if sync.reasons
        else None,
        "sizes_chart": _chart_html(charts.sizes_chart(sync.lists), f"{prefix}-sizes")
        if sync.lists
        else None,
        "leads": sync.last_outcomes,
        "leads_total": max(len(sync.last_outcomes), int(sync.last_run["total"])),
        "reason_totals": {
            reason: sum(run["ignored_reasons"].get(reason, 0) for run in sync.runs)
            for reason in sync.reasons
        },
    }
    return view


def render_report(report: Report, *, database: str) -> str:
    """The report page as HTML text."""
    template = _TEMPLATES.get_template("report.html.j2")
    return template.render(
        report=report,
        database=database,
        outcomes=OUTCOMES,
        syncs=[_sync_view(i, sync) for i, sync in enumerate(report.syncs, start=1)],
        plotly_js=get_plotlyjs(),
    )


def write_report(report: Report, output: Path, *, database: str) -> Path:
    """Write the report page to ``output`` (UTF-8) and return its path."""
    output.write_text(render_report(report, database=database), encoding="utf-8")
    return output
