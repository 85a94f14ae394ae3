"""A store with a known history: two syncs, four runs, a suppression between runs.

``daily`` -> Newsletter:
  run 1: ann new, info@ role_address, bob new, bob again file_duplicate, not-an-email
         invalid_pattern                                          (Newsletter: ann, bob)
  run 2: ann duplicate, bob's contact deleted, carl new           (ann, carl)
  then ``suppress --status bounced carl``                         (ann)
  run 4: carl bounced, bob re_added, eve new                      (ann, bob, eve)
``weekly`` -> Partners:
  run 3: dan new                                                  (dan)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from marketing_leads.cli import main
from tests.target.conftest import lead, run_in_process, singer_lines, tombstone

NEWSLETTER_SIZES = [2, 2, 1, 3]
"""Newsletter's members after run 1, run 2, the suppression and run 4 (see above)."""


def fill_store(url: str) -> None:
    """Write the history above into the store at ``url``."""
    run_in_process(
        url,
        singer_lines(
            [
                lead("1", "Ann@Example.com"),
                lead("2", "info@example.com"),
                lead("3", "bob@example.com"),
                lead("3", "BOB@example.com"),  # the same contact again
                lead("5", "not-an-email"),
            ]
        ),
    )
    run_in_process(
        url,
        singer_lines([lead("1", "ann@example.com"), tombstone("3"), lead("6", "carl@x.org")]),
        max_removal_fraction=1,  # the guard is not what this history is about
    )
    partners = {"sync_name": "weekly", "mailing_list": "Partners"}
    run_in_process(url, singer_lines([lead("7", "dan@example.com", **partners)]))
    assert main(["--database-url", url, "suppress", "--status", "bounced", "carl@x.org"]) == 0
    run_in_process(
        url,
        singer_lines(
            [lead("6", "carl@x.org"), lead("3", "bob@example.com"), lead("8", "eve@example.com")]
        ),
    )


@pytest.fixture
def filled_store(sqlite_url: str) -> str:
    """A SQLite store holding the history above."""
    fill_store(sqlite_url)
    return sqlite_url


def cli_json(capsys: pytest.CaptureFixture[str], url: str, *argv: str) -> dict:
    """Run ``marketing-leads --database-url URL ARGV... --json`` and parse its output."""
    capsys.readouterr()
    assert main(["--database-url", url, *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """An empty SQLite store URL."""
    return f"sqlite:///{tmp_path / 'store.db'}"
