"""Drive a sandbox that runs in another process (the CLI), e.g. from end-to-end or soak tests."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

from sandbox.config import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_REFRESH_TOKEN
from sandbox.control import SandboxControls


class SandboxControlError(RuntimeError):
    """The sandbox refused a control operation (bad argument, unknown id...)."""


class RemoteSandbox(SandboxControls):
    """Control a sandbox over HTTP (POST /_sandbox/<operation>)."""

    def __init__(
        self,
        base_url: str,
        *,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        refresh_token: str = DEFAULT_REFRESH_TOKEN,
        timeout: float = 30.0,
    ) -> None:
        super().__init__(
            base_url, client_id=client_id, client_secret=client_secret, refresh_token=refresh_token
        )
        self._session = requests.Session()
        self._timeout = timeout

    def _call(self, operation: str, **kwargs: Any) -> Any:
        response = self._session.post(
            f"{self.base_url}/_sandbox/{operation}", json=kwargs, timeout=self._timeout
        )
        body = response.json()
        if response.status_code != 200:
            raise SandboxControlError(f"{operation}: {body.get('error', response.text)}")
        return body["result"]

    def wait_until_ready(self, timeout: float = 30.0) -> None:
        """Poll /_sandbox/health until the server answers."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                if self._session.get(f"{self.base_url}/_sandbox/health", timeout=2).ok:
                    return
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"sandbox at {self.base_url} not ready after {timeout}s")
            time.sleep(0.05)


@contextmanager
def sandbox_process(args: Sequence[str] = (), timeout: float = 30.0) -> Iterator[RemoteSandbox]:
    """Start `zoho-invoice-sandbox --port 0 ARGS...` as a child process; stop it with SIGTERM."""
    with tempfile.TemporaryDirectory() as directory:
        port_file = Path(directory) / "port"
        command = [sys.executable, "-m", "sandbox.server", "--port", "0"]
        command += ["--port-file", str(port_file), *args]
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=os.environ.copy()
        )
        try:
            deadline = time.monotonic() + timeout
            while not port_file.exists():
                if process.poll() is not None:
                    _, stderr = process.communicate()
                    raise RuntimeError(f"sandbox exited early: {stderr.decode().strip()}")
                if time.monotonic() > deadline:
                    raise TimeoutError("sandbox did not write its port file")
                time.sleep(0.05)
            port = int(port_file.read_text().strip())
            remote = RemoteSandbox(f"http://127.0.0.1:{port}")
            remote.wait_until_ready(timeout)
            yield remote
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            for stream in (process.stdout, process.stderr):
                if stream is not None:
                    stream.close()
