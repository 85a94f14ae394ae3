"""Run `tap-zoho-invoice | map-marketing-leads | target-marketing-leads` as Meltano runs it.

Three real subprocesses; this process relays the lines between them the way Meltano's
`meltano run` does (it reads each plugin's stdout and writes it to the next one's stdin), keeps
the state like Meltano (the target's last STATE line is the new state, passed as `--state` to
the next tap run), and ends a pipeline the way Meltano ends one
(`meltano.core.block.extract_load.ELBExecutionManager`):

- the tap ends (even killed): the mapper's stdin is closed, then the target's, and both finish
  on their own; the target may commit what it received and emit the tap's last STATE;
- the mapper dies while the tap still runs: every other process is stopped (SIGKILL);
- the target dies first: the tap and the mapper are stopped (SIGKILL).

Kills are SIGKILL at a point drawn from a seeded `random.Random` (the seed is printed, so a
failure reproduces with the same parameter): after N lines passed the victim's input or
output, or after a delay.
"""

from __future__ import annotations

import contextlib
import json
import random
import signal
import subprocess
import sys
import threading
import time
import typing as t
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from lead_store import schema
from sandbox.server import SandboxHandle, running_sandbox

BIN = Path(sys.executable).parent
ORGS = ("60012345678", "60023456789", "60034567890")
CONTACTS_PER_ORG = 1000
ANCHOR_TS = 1_780_000_000
"""Fixed end of the generated history, so that every sandbox of a session serves the same data."""
SYNC = "customers-newsletter"
LIST = "newsletter"
PIPELINE_TIMEOUT = 90.0

Victim = t.Literal["tap", "mapper", "target"]
VICTIMS: tuple[Victim, ...] = ("tap", "mapper", "target")


CUSTOMERS = {
    "match": "all",
    "conditions": [{"field": "contact_type", "operator": "is", "value": "customer"}],
}


def mapper_config(
    sync_name: str = SYNC, mailing_list: str = LIST, criteria: dict[str, t.Any] | None = CUSTOMERS
) -> dict[str, t.Any]:
    """Customers only by default; custom fields mapped into the attributes."""
    return {
        "sync_name": sync_name,
        "mailing_list": mailing_list,
        "criteria": criteria,
        "field_map": {
            "email": "email",
            "first_name": "first_name",
            "last_name": "last_name",
            "company": "company_name",
            "lead_source": "cf_lead_source",
            "industry": "cf_industry",
        },
    }


@dataclass
class KillPlan:
    """SIGKILL `victim` after `lines` lines passed it, or after `delay` seconds."""

    victim: Victim
    seed: int
    lines: int | None = None
    delay: float | None = None

    @classmethod
    def draw(cls, victim: Victim, seed: int, reference: PipelineRun) -> KillPlan:
        """A kill point drawn from `seed` inside the victim's lifetime in a `reference` run.

        Two seeds in three count lines (out of the tap for the tap, into the target for the
        others); the rest wait a delay between the first line out of the tap and the victim's
        end (the first half of that span, so that a faster run cannot end before the kill).
        """
        rng = random.Random(seed)
        relay = "tap" if victim == "tap" else "mapper"
        if rng.random() < 2 / 3:
            total = reference.lines_relayed[relay]
            plan = cls(victim, seed, lines=rng.randint(total // 20, total * 19 // 20))
        else:
            # Tap and mapper end together. Only the first half of the reference lifetime is
            # drawn from: a killed run can be much faster than the reference (a CI run at 0.9
            # finished before the kill), and kills during the commit are covered by
            # tests/target/test_crash_rerun.py.
            end = reference.ended_at["target" if victim == "target" else "tap"] * 0.5
            plan = cls(victim, seed, delay=round(rng.uniform(reference.first_line_at, end), 2))
        print(f"kill plan (seed={seed}): {plan}")  # shown by pytest when the test fails
        return plan


@dataclass
class PipelineRun:
    """How one pipeline run ended."""

    returncodes: dict[str, int | None]
    states: list[dict[str, t.Any]]
    stderr: dict[str, str]
    lines_relayed: dict[str, int]
    seconds: float
    ended_at: dict[str, float]
    """Seconds from the start to each process's end."""
    first_line_at: float
    """Seconds from the start to the tap's first line (0 if it wrote none)."""
    killed: Victim | None = None

    @property
    def ok(self) -> bool:
        return all(code == 0 for code in self.returncodes.values())

    def describe(self) -> str:
        tails = {name: err[-1500:] for name, err in self.stderr.items()}
        return f"exit codes {self.returncodes}, killed {self.killed}, stderr tails {tails}"


class _Relay(threading.Thread):
    """Copy lines from one process's stdout to the next one's stdin, counting them."""

    def __init__(self, name: str, source: t.IO[bytes], sink: t.IO[bytes]) -> None:
        super().__init__(name=f"relay-{name}", daemon=True)
        self.source = source
        self.sink = sink
        self.lines = 0
        self.first_line_at = 0.0
        self.on_line: t.Callable[[int], None] | None = None

    def run(self) -> None:
        try:
            for line in iter(self.source.readline, b""):
                self.sink.write(line)
                self.lines += 1
                if self.lines == 1:
                    self.first_line_at = time.monotonic()
                if self.on_line is not None:
                    self.on_line(self.lines)
        except (BrokenPipeError, ValueError, OSError):
            pass  # the next process is gone; the supervisor stops the rest
        finally:
            with contextlib.suppress(BrokenPipeError, OSError):
                self.sink.close()  # EOF downstream: the next process finishes on its own


class Pipeline:
    """One sync (tap config, mapper config, store) run again and again, with Meltano's state."""

    def __init__(
        self,
        sandbox: SandboxHandle,
        workdir: Path,
        database_url: str,
        *,
        sync_name: str = SYNC,
        mailing_list: str = LIST,
        criteria: dict[str, t.Any] | None = CUSTOMERS,
        target_config: dict[str, t.Any] | None = None,
    ) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        self.workdir = workdir
        self.database_url = database_url
        self.state_file = workdir / "state.json"
        self.tap_config = workdir / "tap.json"
        self.mapper_config = workdir / "mapper.json"
        self.target_config = workdir / "target.json"
        config = sandbox.tap_config(max_requests_per_minute=0, page_size=50, detect_deletions=True)
        self.tap_config.write_text(json.dumps(config))
        self.mapper_config.write_text(json.dumps(mapper_config(sync_name, mailing_list, criteria)))
        self.target_config.write_text(
            json.dumps({"database_url": database_url, **(target_config or {})})
        )
        self.runs = 0

    @property
    def state(self) -> dict[str, t.Any]:
        """The state Meltano would pass to the next run ({} before the first STATE)."""
        return json.loads(self.state_file.read_text()) if self.state_file.exists() else {}

    def start(self) -> RunningPipeline:
        """Start the three processes and the relays between them."""
        self.runs += 1
        tap_cmd = [str(BIN / "tap-zoho-invoice"), "--config", str(self.tap_config)]
        if self.state_file.exists():
            tap_cmd += ["--state", str(self.state_file)]
        commands = {
            "tap": tap_cmd,
            "mapper": [str(BIN / "map-marketing-leads"), "--config", str(self.mapper_config)],
            "target": [str(BIN / "target-marketing-leads"), "--config", str(self.target_config)],
        }
        logs = {name: self.workdir / f"run{self.runs}-{name}.err" for name in commands}
        procs = {
            name: subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL if name == "tap" else subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=logs[name].open("wb"),
            )
            for name, command in commands.items()
        }
        return RunningPipeline(self, procs, logs)

    def run(self, kill: KillPlan | None = None) -> PipelineRun:
        """One run to its end (or its kill); the target's last STATE becomes the state."""
        running = self.start()
        if kill is not None:
            running.arm(kill)
        return running.wait()


class RunningPipeline:
    """Three live processes, supervised as Meltano supervises a `meltano run` block set."""

    def __init__(
        self, pipeline: Pipeline, procs: dict[str, subprocess.Popen[bytes]], logs: dict[str, Path]
    ) -> None:
        self.pipeline = pipeline
        self.procs = procs
        self.logs = logs
        self.started = time.monotonic()
        self.killed: Victim | None = None
        self.ended_at: dict[str, float] = {}
        self.relays = {
            "tap": _Relay("tap", _stdout(procs["tap"]), _stdin(procs["mapper"])),
            "mapper": _Relay("mapper", _stdout(procs["mapper"]), _stdin(procs["target"])),
        }
        self.target_lines: list[bytes] = []
        self.reader = threading.Thread(target=self._read_target, daemon=True)
        for thread in (*self.relays.values(), self.reader):
            thread.start()

    def _read_target(self) -> None:
        for line in iter(_stdout(self.procs["target"]).readline, b""):
            self.target_lines.append(line)

    def kill(self, victim: Victim) -> None:
        """SIGKILL one process (if it still runs)."""
        if self.procs[victim].poll() is None:
            self.procs[victim].send_signal(signal.SIGKILL)
            self.killed = victim

    def arm(self, plan: KillPlan) -> None:
        """Kill `plan.victim` at the planned point."""
        if plan.lines is not None:
            # Lines out of the tap, or into the target (out of the mapper).
            relay = self.relays["tap" if plan.victim == "tap" else "mapper"]
            limit = plan.lines

            def on_line(count: int) -> None:
                if count == limit:
                    self.kill(plan.victim)

            relay.on_line = on_line
        else:
            assert plan.delay is not None
            timer = threading.Timer(plan.delay, self.kill, args=(plan.victim,))
            timer.daemon = True
            timer.start()

    def _supervise(self) -> None:
        tap, mapper, target = (self.procs[n] for n in VICTIMS)
        deadline = self.started + PIPELINE_TIMEOUT
        while target.poll() is None or tap.poll() is None or mapper.poll() is None:
            for name, proc in self.procs.items():
                if proc.poll() is not None and name not in self.ended_at:
                    self.ended_at[name] = time.monotonic() - self.started
            if time.monotonic() > deadline:
                self._stop(*VICTIMS)
                pytest.fail(f"pipeline still running after {PIPELINE_TIMEOUT} s")
            if target.poll() is not None:
                self._stop("tap", "mapper")  # no destination left for their output
            elif mapper.poll() not in (None, 0) and tap.poll() is None:
                self._stop("tap", "target")  # an intermediate block failed
            time.sleep(0.01)
        for name in self.procs:
            self.ended_at.setdefault(name, time.monotonic() - self.started)

    def _stop(self, *names: str) -> None:
        for name in names:
            if self.procs[name].poll() is None:
                self.procs[name].kill()

    def wait(self) -> PipelineRun:
        """Wait for the end; record the target's last STATE as the new state."""
        self._supervise()
        for relay in self.relays.values():
            relay.join(timeout=10)
        self.reader.join(timeout=10)
        for proc in self.procs.values():
            proc.wait(timeout=10)
        # A Singer target writes each state as one JSON line; Meltano stores the last one.
        states = [json.loads(line) for line in self.target_lines if line.strip()]
        if states:
            self.pipeline.state_file.write_text(json.dumps(states[-1]))
        return PipelineRun(
            returncodes={name: proc.returncode for name, proc in self.procs.items()},
            states=states,
            stderr={name: path.read_text(errors="replace") for name, path in self.logs.items()},
            lines_relayed={name: relay.lines for name, relay in self.relays.items()},
            seconds=time.monotonic() - self.started,
            ended_at=self.ended_at,
            first_line_at=max(0.0, self.relays["tap"].first_line_at - self.started),
            killed=self.killed,
        )


def _stdout(proc: subprocess.Popen[bytes]) -> t.IO[bytes]:
    assert proc.stdout is not None
    return proc.stdout


def _stdin(proc: subprocess.Popen[bytes]) -> t.IO[bytes]:
    assert proc.stdin is not None
    return proc.stdin


def store_content(url: str) -> dict[str, list[tuple[t.Any, ...]]]:
    """What must match a clean run row by row: leads, list memberships, the completed runs.

    Ids, timestamps and the counts of each run are left out: a run cut short and run again
    splits the same work over a different number of runs. Runs are a set of (sync, list,
    status): which syncs completed into which lists.
    """
    engine = sa.create_engine(url)
    ls, m, ml, r = schema.leads, schema.list_members, schema.mailing_lists, schema.runs
    try:
        with engine.connect() as conn:
            leads = conn.execute(
                sa.select(
                    ls.c.email, ls.c.status, ls.c.first_name, ls.c.last_name, ls.c.attributes,
                    ls.c.source_system, ls.c.source_org_id, ls.c.source_id,
                    ls.c.source_modified_at,
                ).order_by(ls.c.email)
            )  # fmt: skip
            members = conn.execute(
                sa.select(ml.c.name, ls.c.email)
                .join(m, m.c.list_id == ml.c.id)
                .join(ls, ls.c.id == m.c.lead_id)
                .order_by(ml.c.name, ls.c.email)
            )
            runs = conn.execute(
                sa.select(r.c.sync_name, ml.c.name, r.c.status)
                .join(ml, ml.c.id == r.c.list_id)
                .distinct()
                .order_by(r.c.sync_name, ml.c.name)
            )
            return {
                "leads": [tuple(row) for row in leads],
                "members": [tuple(row) for row in members],
                "runs": [tuple(row) for row in runs],
            }
    finally:
        engine.dispose()


def run_history(url: str) -> list[tuple[t.Any, ...]]:
    """(sync, list, status, total) of every committed run, in order."""
    engine = sa.create_engine(url)
    r, ml = schema.runs, schema.mailing_lists
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.select(r.c.sync_name, ml.c.name, r.c.status, r.c.total)
                .join(ml, ml.c.id == r.c.list_id)
                .order_by(r.c.id)
            )
            return [tuple(row) for row in rows]
    finally:
        engine.dispose()


def empty_content(url: str) -> bool:
    """True when the store holds nothing of any run (or does not exist yet)."""
    try:
        content = store_content(url)
    except sa.exc.OperationalError:
        return True  # no tables: the store was never migrated
    return not any(content.values())


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxHandle]:
    """One read-only sandbox: 3 organizations x 1000 contacts, the same data every session."""
    with running_sandbox(
        contacts_per_org=CONTACTS_PER_ORG, rate_limit_per_minute=None, anchor_ts=ANCHOR_TS
    ) as handle:
        yield handle


@dataclass
class CleanRun:
    """The reference: one uninterrupted run into an empty store."""

    content: dict[str, list[tuple[t.Any, ...]]]
    run: PipelineRun


@pytest.fixture(scope="session")
def clean_run(sandbox: SandboxHandle, tmp_path_factory: pytest.TempPathFactory) -> CleanRun:
    """The store and line counts of one clean run (computed once per session)."""
    workdir = tmp_path_factory.mktemp("clean")
    url = f"sqlite:///{workdir / 'store.db'}"
    run = Pipeline(sandbox, workdir, url).run()
    assert run.ok, run.describe()
    content = store_content(url)
    assert len(content["members"]) > 1000, "the reference run should load thousands of leads"
    print(f"clean run: {run.seconds:.1f} s, ends {run.ended_at}, lines {run.lines_relayed}")
    return CleanRun(content, run)


def mount_tmpfs(where: Path, size: str) -> None:
    """Mount a tmpfs of `size` at `where`; skip the test where mounting is not permitted."""
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(
            f"cannot mount a tmpfs here (needs root / CAP_SYS_ADMIN): {done.stderr.strip()}"
        )


def remount(where: Path, options: str) -> None:
    """Change a mounted tmpfs: `size=64m`, `ro`, `rw`."""
    subprocess.run(["mount", "-o", f"remount,{options}", str(where)], check=True)


def unmount(where: Path) -> None:
    subprocess.run(["umount", "-l", str(where)], check=False)
