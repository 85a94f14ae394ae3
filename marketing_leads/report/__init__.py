"""``marketing-leads report``: the import history as one self-contained HTML page."""

from marketing_leads.report.data import Report, UnknownSync, build_report
from marketing_leads.report.html import render_report, write_report

__all__ = ["Report", "UnknownSync", "build_report", "render_report", "write_report"]
