"""The report's charts as Plotly figures (one job: numbers in, figures out; no HTML page).

Each run is one group of bars on a categorical axis labelled by run id and finish time, so
that runs a minute apart and runs a month apart stay equally readable. Bars are grouped, not
stacked, and each count is written above its bar: 3 deleted next to 137 new stays legible.
"""

from __future__ import annotations

import plotly.graph_objects as go

from marketing_leads.render import run_status, short_time
from marketing_leads.report.data import OUTCOMES, ListSizes, SyncReport

OUTCOME_COLOURS = {
    "new": "#2e7d32",
    "re_added": "#00897b",
    "duplicate": "#78909c",
    "ignored": "#f9a825",
    "deleted": "#c62828",
    "removed": "#8e24aa",
}
REASON_COLOURS = (
    "#ef6c00",
    "#6a1b9a",
    "#ad1457",
    "#283593",
    "#00838f",
    "#4e342e",
    "#9e9d24",
    "#5d4037",
)

_LAYOUT = {
    "barmode": "group",
    "uniformtext": {"minsize": 11},
    "height": 340,
    "margin": {"l": 50, "r": 20, "t": 75, "b": 60},
    "title": {"y": 0.97, "yanchor": "top", "x": 0.01},
    "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0, "traceorder": "normal"},
    "template": "plotly_white",
    "font": {"size": 13},
}


def run_label(run: dict[str, object]) -> str:
    """The x-axis label of one run; a run not applied (planned, blocked) says so."""
    label = f"#{run['run_id']}<br>{short_time(str(run['finished_at'] or run['started_at']))}"
    status = run_status(run)
    return label if status == "completed" else f"{label}<br>{status}"


def runs_chart(report: SyncReport) -> go.Figure:
    """Outcomes per run, stacked: one series per outcome."""
    labels = [run_label(run) for run in report.runs]
    figure = go.Figure(
        [
            go.Bar(
                name=outcome,
                x=labels,
                y=[run[outcome] for run in report.runs],
                marker_color=OUTCOME_COLOURS[outcome],
                texttemplate="%{y:d}",
                textposition="outside",
                cliponaxis=False,
                hovertemplate=f"{outcome}: %{{y}}<extra></extra>",
            )
            for outcome in OUTCOMES
        ]
    )
    figure.update_layout(_LAYOUT, title_text="Outcomes per run", yaxis_title="leads")
    return figure


def reasons_chart(report: SyncReport) -> go.Figure:
    """Ignored records per run, stacked by reason."""
    labels = [run_label(run) for run in report.runs]
    figure = go.Figure(
        [
            go.Bar(
                name=reason,
                x=labels,
                y=[run["ignored_reasons"].get(reason, 0) for run in report.runs],
                marker_color=REASON_COLOURS[i % len(REASON_COLOURS)],
                texttemplate="%{y:d}",
                textposition="outside",
                cliponaxis=False,
                hovertemplate=f"{reason}: %{{y}}<extra></extra>",
            )
            for i, reason in enumerate(report.reasons)
        ]
    )
    figure.update_layout(_LAYOUT, title_text="Ignored records per run, by reason")
    figure.update_layout(yaxis_title="ignored")
    return figure


def sizes_chart(lists: list[ListSizes]) -> go.Figure:
    """Members of each list after every change, as steps over time."""
    figure = go.Figure(
        [
            go.Scatter(
                name=sizes.name,
                x=[point.at for point in sizes.points],
                y=[point.members for point in sizes.points],
                mode="lines+markers+text",
                line_shape="hv",
                text=[str(point.members) for point in sizes.points],
                textposition="top center",
                cliponaxis=False,
                hovertemplate=f"{sizes.name}: %{{y}} members<extra></extra>",
            )
            for sizes in lists
        ]
    )
    figure.update_layout(_LAYOUT, title_text="List size over time", yaxis_title="members")
    figure.update_layout(showlegend=True, yaxis_rangemode="tozero")
    return figure
