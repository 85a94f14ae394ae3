"""Shared helpers for the mapper tests: fixture files, a base config, running the mapper."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from transforms.mapper import MarketingLeadsMapper

FIXTURES = Path(__file__).parent / "fixtures"

INDIA_CONFIG: dict[str, Any] = {
    "sync_name": "india-customers",
    "mailing_list": "India customers",
    "criteria": {
        "match": "all",
        "conditions": [{"field": "billing_address.country", "operator": "is", "value": "India"}],
    },
    "field_map": {
        "company": "company_name",
        "industry": "cf_industry",
        "city": "billing_address.city",
    },
}


def parse_lines(text: str) -> list[dict[str, Any]]:
    """Singer messages from JSONL text."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def fixture_messages(name: str) -> list[dict[str, Any]]:
    """The messages of a fixture file."""
    return parse_lines((FIXTURES / name).read_text())


@pytest.fixture
def run_mapper(capsys: pytest.CaptureFixture[str]):
    """Run the real mapper in-process on a fixture file (or JSONL text); return its messages."""

    def run(config: dict[str, Any], fixture: str | None = None, *, text: str | None = None):
        source = (FIXTURES / fixture).read_text() if fixture else text or ""
        mapper = MarketingLeadsMapper(config=dict(config))
        capsys.readouterr()
        mapper.listen(io.StringIO(source))
        return parse_lines(capsys.readouterr().out)

    return run
