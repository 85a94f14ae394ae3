"""Fixtures of the schedule tests: a real Airflow in its own virtualenv (see airflow_harness)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.marketing_leads.schedules.airflow_harness import airflow_python


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "airflow: loads the project's DAGs with a real Airflow (installed on first use)"
    )


@pytest.fixture(scope="session")
def airflow() -> Path:
    """Python of the Airflow virtualenv under .cache/airflow (built once, then reused)."""
    return airflow_python()
