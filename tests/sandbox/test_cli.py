"""The `zoho-invoice-sandbox` command: port file, banner, options, clean exit on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from sandbox.server import config_from_args
from sandbox.testing import sandbox_process
from tests.sandbox.helpers import GMBH, INC, INDIA


def test_options_map_onto_the_config(tmp_path: Path) -> None:
    config, port_file = config_from_args(
        [
            "--port",
            "0",
            "--port-file",
            str(tmp_path / "port"),
            "--contacts",
            f"{INDIA}=5",
            "--contacts",
            f"{INC}=7",
            "--seed",
            "3",
            "--rate-limit-per-minute",
            "0",
            "--rate-window-seconds",
            "2",
            "--daily-quota",
            "50",
            "--ignore-last-modified-filter",
            "--access-token-ttl",
            "5",
            "--no-retry-after",
            "--latency-seconds",
            "0.25",
            "--country-weights",
            f"{INDIA}=in:10,US:90",
        ]
    )
    assert port_file == tmp_path / "port"
    assert config.contact_count(INDIA) == 5
    assert config.contact_count(INC) == 7
    assert config.contact_count(GMBH) == 0
    assert (config.seed, config.rate_limit_per_minute, config.rate_window_seconds) == (3, None, 2)
    assert (config.daily_quota, config.access_token_ttl) == (50, 5)
    assert config.honour_last_modified_filter is False
    assert (config.retry_after, config.latency_seconds) == (False, 0.25)
    assert config.country_weights == {INDIA: {"IN": 10, "US": 90}}


@pytest.mark.parametrize(
    "option",
    [
        ["--contacts", "not-a-pair"],
        ["--country-weights", f"{INDIA}=IN"],
        ["--country-weights", "IN:1"],
    ],
)
def test_bad_per_organization_options_exit_with_usage_error(option: list[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        config_from_args(option)
    assert raised.value.code == 2


@pytest.mark.e2e
def test_process_serves_and_is_driven_over_http() -> None:
    with sandbox_process(["--contacts", f"{GMBH}=12"]) as remote:
        assert remote.stats()["contacts_by_org"] == {INDIA: 0, INC: 0, GMBH: 12}
        token = requests.post(
            remote.token_url,
            data={
                "grant_type": "refresh_token",
                "client_id": remote.client_id,
                "client_secret": remote.client_secret,
                "refresh_token": remote.refresh_token,
            },
            timeout=10,
        ).json()["access_token"]
        response = requests.get(
            f"{remote.api_url}/contacts",
            params={"organization_id": GMBH, "filter_by": "Status.All"},
            headers={"Authorization": f"Zoho-oauthtoken {token}"},
            timeout=10,
        )
        assert len(response.json()["contacts"]) == 12


@pytest.mark.e2e
@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_banner_and_clean_exit_on_signal(tmp_path: Path, stop_signal: signal.Signals) -> None:
    port_file = tmp_path / "port"
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox.server", "--port", "0", "--port-file", str(port_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline().strip()
        port = int(port_file.read_text())
        assert banner == f"sandbox listening on http://127.0.0.1:{port}"
        health = requests.get(f"http://127.0.0.1:{port}/_sandbox/health", timeout=10)
        assert health.json() == {"status": "ok"}
        process.send_signal(stop_signal)
        assert process.wait(timeout=10) == 0
        assert "Traceback" not in (process.stderr.read() if process.stderr else "")
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()


@pytest.mark.e2e
def test_unknown_org_in_contacts_option_is_one_clear_error() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sandbox.server", "--port", "0", "--contacts", "123=4"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().startswith("zoho-invoice-sandbox: error: unknown organization")
    assert "Traceback" not in result.stderr
