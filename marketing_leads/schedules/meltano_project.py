"""Read and write the job schedules of a Meltano project.

Schedules are read, added, updated and removed with the real ``meltano schedule`` CLI (it
validates the cron, follows the project's included files and writes meltano.yml the way Meltano
does). Meltano 4.4's CLI cannot set a schedule's ``env``, which is where the person's choice is
kept for ``--check`` and the zone-aware runners, so that one key is then set with ruamel.yaml in
round-trip mode (comments and layout of meltano.yml are kept).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from marketing_leads.schedules.rules import ENV_GROUP, ScheduleError, ScheduleSpec

MELTANO_FILE = "meltano.yml"
MELTANO_BIN_ENV = "MELTANO_BIN"


def meltano_executable(project_root: Path | None = None) -> str:
    """``$MELTANO_BIN``, else `meltano` on PATH, next to this Python, or in the project's .venv.

    ``MELTANO_BIN`` is the variable Meltano's own Airflow DAG generator reads: an orchestrator in
    its own environment (Airflow) points it at the project's Meltano.
    """
    configured = os.environ.get(MELTANO_BIN_ENV)
    if configured:
        return configured
    found = shutil.which("meltano")
    if found:
        return found
    candidates = [Path(sys.executable).parent / "meltano"]
    if project_root is not None:
        candidates.append(Path(project_root).resolve() / ".venv" / "bin" / "meltano")
    for candidate in candidates:
        if candidate.exists():
            return str(candidate)
    raise ScheduleError(
        f"the `meltano` command was not found: install Meltano, put it on PATH or set "
        f"{MELTANO_BIN_ENV}"
    )


class MeltanoProject:
    """A Meltano project directory (one holding meltano.yml)."""

    def __init__(self, project_dir: str | Path) -> None:
        self.root = Path(project_dir)
        self.file = self.root / MELTANO_FILE
        if not self.file.is_file():
            raise ScheduleError(
                f"no {MELTANO_FILE} in {self.root.resolve()}: run inside a Meltano project or "
                "pass --project-dir"
            )

    def _meltano(self, *args: str) -> str:
        env = dict(os.environ)
        # No network from a local file edit: no telemetry, no version check (user may override).
        env.setdefault("MELTANO_SEND_ANONYMOUS_USAGE_STATS", "false")
        env.setdefault("MELTANO_CLI_DISABLE_VERSION_CHECK", "true")
        done = subprocess.run(
            [meltano_executable(self.root), *args],
            cwd=self.root,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            lines = [line for line in done.stderr.splitlines() if line.strip()]
            reason = next(
                (line for line in reversed(lines) if "Error" in line or "error" in line),
                lines[-1] if lines else f"exit code {done.returncode}",
            )
            raise ScheduleError(f"`meltano {' '.join(args)}` failed: {reason.strip()}")
        return done.stdout

    def jobs(self) -> set[str]:
        """Names of the project's jobs."""
        listing = json.loads(self._meltano("job", "list", "--format=json"))
        return {job["job_name"] for job in listing.get("jobs", [])}

    def schedules(self) -> list[dict[str, Any]]:
        """Job schedules as `meltano schedule list --format=json` gives them (with env)."""
        listing = json.loads(self._meltano("schedule", "list", "--format=json"))
        return list(listing.get("schedules", {}).get("job", []))

    def apply(self, specs: list[ScheduleSpec]) -> list[str]:
        """Add or update the specs' schedules, remove older parts of their group; what was done."""
        group = specs[0].env[ENV_GROUP]
        job = specs[0].job
        if job not in self.jobs():
            raise ScheduleError(f"job {job!r} is not defined in the Meltano project {self.root}")
        existing = {entry["name"]: entry for entry in self.schedules()}
        done: list[str] = []
        for spec in specs:
            current = existing.get(spec.name)
            if current is None:
                self._meltano(
                    "schedule", "add", spec.name, "--job", spec.job, "--interval", spec.interval
                )
                done.append(f"added {spec.name}: {spec.interval}")
            elif current.get("interval") != spec.interval or current["job"]["name"] != spec.job:
                self._meltano(
                    "schedule", "set", spec.name, "--job", spec.job, "--interval", spec.interval
                )
                done.append(f"updated {spec.name}: {spec.interval}")
            else:
                done.append(f"unchanged {spec.name}: {spec.interval}")
        wanted = {spec.name for spec in specs}
        for name, entry in existing.items():
            if name not in wanted and (entry.get("env") or {}).get(ENV_GROUP) == group:
                self._meltano("schedule", "remove", name)
                done.append(f"removed {name}: no longer needed")
        self._set_env(specs)
        return done

    def _set_env(self, specs: list[ScheduleSpec]) -> None:
        # Imported here: the Airflow DAG module reads schedules through this class in Airflow's
        # own environment, which has no ruamel.yaml and never writes.
        from ruamel.yaml import YAML

        yaml = YAML()
        yaml.preserve_quotes = True
        data = yaml.load(self.file)
        entries = {entry.get("name"): entry for entry in (data.get("schedules") or [])}
        for spec in specs:
            entry = entries.get(spec.name)
            if entry is None:
                raise ScheduleError(
                    f"schedule {spec.name!r} is not in {self.file} (an included file?): add its "
                    f"env by hand: {spec.env}"
                )
            env = entry.get("env") or {}
            env.update(spec.env)
            entry["env"] = env
        yaml.dump(data, self.file)
