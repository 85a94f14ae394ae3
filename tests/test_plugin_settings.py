"""Every setting is declared once, in code: meltano.yml and the README are generated from it."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_meltano_yml_and_the_readme_equal_what_the_plugins_say_about_themselves() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "plugin_settings.py")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-1000:]


def test_a_copy_edited_by_hand_is_reported(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    import importlib.util
    import shutil

    spec = importlib.util.spec_from_file_location(
        "plugin_settings", ROOT / "scripts" / "plugin_settings.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name in ("README.md", "meltano.yml"):
        shutil.copy(ROOT / name, tmp_path / name)
    meltano = tmp_path / "meltano.yml"
    meltano.write_text(meltano.read_text().replace("value: 600", "value: 60", 1))
    monkeypatch.setattr(module, "ROOT", tmp_path)
    assert module.main([]) == 1
    assert "+      value: 600" in capsys.readouterr().out
    assert module.main(["--write"]) == 0
    assert module.main([]) == 0
    assert meltano.read_text() == (ROOT / "meltano.yml").read_text()
