"""Airflow DAGs for this Meltano project's schedules, each in its person's time zone.

Why this file and not Meltano's ``files-airflow`` DAG generator: that generator reads every cron
as UTC, so "Monday 09:00 in New York" runs an hour off after each daylight-saving change.
Here each schedule written by ``marketing-leads schedule`` becomes one DAG whose timetable is
Airflow's own time-zone-aware cron timetable (``CronTriggerTimetable``, or
``MultipleCronTriggerTimetable`` when a monthly day needs two crons) in the IANA zone recorded
in the schedule's env: right all year, with Airflow's rules for local times that do not exist
(shifted forward) or happen twice (the second), which are the project's (docs/schedules.md).
A one-time run is one run at its instant. A schedule written by hand keeps its UTC meaning.

Each DAG runs ``meltano run JOB`` in the project, with catch-up off and one active run. The DAG
ids are the generator's (``meltano_<schedule>``): load this file instead of it, not beside it.

Settings (environment of the Airflow DAG processor and workers):
``MELTANO_PROJECT_ROOT`` the project (default: three folders up from this file);
``MELTANO_BIN`` its ``meltano`` (default: on PATH, else the project's ``.venv/bin/meltano``).
The schedules are read with ``meltano schedule list --format=json`` and turned into zoned
schedules by the project's own code (``marketing_leads.schedules``; the project folder is put
on ``sys.path``), so the Airflow environment needs Airflow only.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

PROJECT_ROOT = Path(os.environ.get("MELTANO_PROJECT_ROOT") or Path(__file__).parents[3]).resolve()
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from airflow.providers.standard.operators.bash import BashOperator  # noqa: E402
from airflow.sdk import DAG, CronTriggerTimetable, MultipleCronTriggerTimetable  # noqa: E402

from marketing_leads.schedules.meltano_project import (  # noqa: E402
    MeltanoProject,
    meltano_executable,
)
from marketing_leads.schedules.zoned import ZonedSchedule, zoned_schedules  # noqa: E402


def timetable(schedule: ZonedSchedule) -> object:
    """Airflow's cron timetable in the schedule's zone, or ``@once`` for a one-time run."""
    if schedule.once_at is not None:
        return "@once"
    if len(schedule.crons) == 1:
        return CronTriggerTimetable(schedule.crons[0], timezone=schedule.timezone)
    return MultipleCronTriggerTimetable(*schedule.crons, timezone=schedule.timezone)


def build_dags() -> list[DAG]:
    """One DAG per schedule of the project."""
    meltano = meltano_executable(PROJECT_ROOT)
    dags = []
    for schedule in zoned_schedules(MeltanoProject(PROJECT_ROOT).schedules()):
        with DAG(
            dag_id=f"meltano_{schedule.name}",
            description=f"meltano run {schedule.job}: {schedule.description}",
            schedule=timetable(schedule),
            start_date=schedule.once_at,
            catchup=False,
            max_active_runs=1,
            tags=["meltano", "marketing-leads"],
        ) as dag:
            BashOperator(
                task_id="meltano_run",
                bash_command=f"{shlex.quote(meltano)} run {shlex.quote(schedule.job)}",
                cwd=str(PROJECT_ROOT),
            )
        dags.append(dag)
    return dags


DAGS = build_dags()
