"""A real Airflow for the DAG tests: its own virtualenv, an example project, the DAG probe.

Why its own virtualenv (``.cache/airflow/``, git-ignored, reused while
``orchestrate/airflow/constraints.txt`` and the Python version stay the same): that is how
Airflow meets this project in production, as a separate installation that reaches Meltano only
through ``MELTANO_BIN``, so the tests prove the DAG module needs nothing from the project's
environment; and Airflow's ~70 extra packages stay out of requirements.lock, ``pip-audit`` and
``make install``. (pip resolves Airflow 3.3.2 inside the project's pins too: no clash forces it.)
The first build takes a minute or two (pip, from PyPI); a failed build fails the tests, it
never skips them.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from ruamel.yaml import YAML

from marketing_leads.cli import main as marketing_leads
from marketing_leads.schedules.command import add_schedule_parser
from marketing_leads.schedules.rules import make_choice, plan, schedule_specs

ROOT = Path(__file__).resolve().parents[3]
DAGS_FOLDER = ROOT / "orchestrate" / "airflow" / "dags"
CONSTRAINTS = ROOT / "orchestrate" / "airflow" / "constraints.txt"
CACHE = ROOT / ".cache" / "airflow"
PROBE = Path(__file__).with_name("airflow_probe.py")
MELTANO = Path(sys.executable).parent / "meltano"
INSTALL_TIMEOUT = 1800


def airflow_python() -> Path:
    """The Python of the Airflow virtualenv, built on first use."""
    digest = hashlib.sha256(CONSTRAINTS.read_bytes() + sys.version.encode()).hexdigest()[:12]
    venv = CACHE / f"venv-{digest}"
    python = venv / "bin" / "python"
    CACHE.mkdir(parents=True, exist_ok=True)
    with (CACHE / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two test sessions of one checkout build it once
        if (venv / "installed").exists():
            return python
        for old in CACHE.glob("venv-*"):
            shutil.rmtree(old)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(python), "-m", "pip", "install", "--quiet"]
        done = subprocess.run(
            [*pip, "-c", str(CONSTRAINTS), "apache-airflow"],
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"installing Airflow failed:\n{done.stderr[-3000:]}")
        (venv / "installed").write_text(CONSTRAINTS.read_text())
    return python


def meltano_env(sys_dir: Path) -> dict[str, str]:
    """Environment for `meltano` on a copy of the project: offline, state under ``sys_dir``."""
    return {
        **os.environ,
        "MELTANO_SYS_DIR_ROOT": str(sys_dir),
        "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
        "MELTANO_CLI_DISABLE_VERSION_CHECK": "true",
    }


def example_project(
    dest: Path,
    written: list[list[str]],
    recorded: list[list[str]] | None = None,
    hand_written: dict[str, tuple[str, str]] | None = None,
) -> Path:
    """A copy of the example project (meltano.yml) with more schedules.

    ``written``: `marketing-leads schedule` arguments, run with ``--write`` (the real path,
    through the Meltano CLI: about 5 s each). ``recorded``: the same arguments, whose schedules
    (the same specs ``--write`` makes) are appended to meltano.yml directly, which is faster.
    ``hand_written`` maps a schedule name to (job, cron) added by `meltano schedule add`, as a
    person would.
    """
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "meltano.yml", dest / "meltano.yml")
    os.environ.setdefault("MELTANO_SEND_ANONYMOUS_USAGE_STATS", "false")
    os.environ.setdefault("MELTANO_CLI_DISABLE_VERSION_CHECK", "true")
    for argv in written:
        code = marketing_leads(["schedule", *argv, "--write", "--project-dir", str(dest)])
        assert code == 0, argv
    _append_schedules(dest / "meltano.yml", recorded or [])
    for name, (job, cron) in (hand_written or {}).items():
        subprocess.run(
            [str(MELTANO), "schedule", "add", name, "--job", job, "--interval", cron],
            cwd=dest,
            env=meltano_env(dest / ".meltano"),
            capture_output=True,
            check=True,
        )
    return dest


def _append_schedules(meltano_yml: Path, recorded: list[list[str]]) -> None:
    parser = argparse.ArgumentParser()
    add_schedule_parser(parser.add_subparsers(dest="command"))
    yaml = YAML()
    data = yaml.load(meltano_yml)
    for argv in recorded:
        args = parser.parse_args(["schedule", *argv])
        choice = make_choice(args.every, tz=args.tz, at=args.at, on=args.on, on_date=args.date)
        crons = plan(choice, datetime.fromisoformat(args.now)).crons
        specs = schedule_specs(choice, crons, args.name, args.job)
        data["schedules"].extend(spec.as_dict() for spec in specs)
    yaml.dump(data, meltano_yml)


def probe(
    python: Path,
    work: Path,
    earliest: str,
    latest: str,
    project: Path | None = None,
) -> dict:
    """Load the DAG folder with Airflow in its venv; the DAGs and their runs as JSON.

    ``project`` None: the DAG module finds the project itself (the repository, three folders
    up); else ``MELTANO_PROJECT_ROOT`` points at it and the project's code comes from
    ``PYTHONPATH``. The project's ``.venv/bin`` is taken off PATH: Meltano is reached through
    ``MELTANO_BIN`` only, as from a separate Airflow installation.
    """
    path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if Path(p) != MELTANO.parent]
    env = {
        **meltano_env(work / "meltano-sys"),
        "PATH": os.pathsep.join(path),
        "AIRFLOW_HOME": str(work / "airflow-home"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "MELTANO_BIN": str(MELTANO),
    }
    env.pop("MELTANO_PROJECT_ROOT", None)
    env.pop("PYTHONPATH", None)
    if project is not None:
        env["MELTANO_PROJECT_ROOT"] = str(project)
        env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [str(python), str(PROBE), str(DAGS_FOLDER), earliest, latest],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])  # Airflow logs to stdout before it
