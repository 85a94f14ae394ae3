"""Runs inside the Airflow virtualenv: the DAGs of a folder and the runs Airflow would create.

    python airflow_probe.py DAGS_FOLDER EARLIEST LATEST   (instants in ISO 8601)

Loads the folder with Airflow's ``DagBag`` (what the DAG processor does), serializes and
deserializes each DAG (the scheduler works on the serialized form) and prints JSON: import
errors, and per DAG its timetable, catch-up, active-run limit, task commands and runs. Runs come
from ``SerializedDAG.iter_dagrun_infos_between(EARLIEST, LATEST)``, Airflow's own walk of the
timetable; a one-time DAG's run comes from ``next_dagrun_info``, which reads its start date. No
scheduler, no metadata database.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime

from airflow.dag_processing.dagbag import DagBag
from airflow.serialization.serialized_objects import DagSerialization
from airflow.timetables.simple import OnceTimetable


def describe(dag, earliest: datetime, latest: datetime) -> dict:
    serialized = DagSerialization.from_dict(DagSerialization.to_dict(dag))
    timetable = serialized.timetable
    if isinstance(timetable, OnceTimetable):
        info = serialized.next_dagrun_info(last_automated_run_info=None, restricted=True)
        runs = [info.run_after.isoformat()] if info else []
    else:
        infos = serialized.iter_dagrun_infos_between(earliest, latest)
        runs = [info.run_after.isoformat() for info in infos]
    return {
        "timetable": type(timetable).__name__,
        "serialized": timetable.serialize(),
        "description": serialized.description,
        "catchup": serialized.catchup,
        "max_active_runs": serialized.max_active_runs,
        "tasks": [
            {"task_id": task.task_id, "bash_command": task.bash_command, "cwd": task.cwd}
            for task in dag.tasks
        ],
        "runs": runs,
    }


def main(folder: str, earliest: str, latest: str) -> None:
    bag = DagBag(folder)
    start, end = datetime.fromisoformat(earliest), datetime.fromisoformat(latest)
    print(
        json.dumps(
            {
                "import_errors": bag.import_errors,
                "dags": {dag_id: describe(dag, start, end) for dag_id, dag in bag.dags.items()},
            }
        )
    )


if __name__ == "__main__":
    main(*sys.argv[1:])
