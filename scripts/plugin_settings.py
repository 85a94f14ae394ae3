"""Writes every plugin's settings into meltano.yml and the README, from ``--about``.

Each setting is declared once, in the plugin's code (``th.PropertiesList``). Its copies for
people and for Meltano are generated from ``<plugin> --about --format json``, the plugin's own
public description of itself, instead of kept by hand:

- meltano.yml: each plugin's ``capabilities``, ``settings`` (name, kind, default, description,
  ``sensitive`` for secrets, ``options`` for enumerations) and ``settings_group_validation``
  (the required settings; not for the mapper, whose settings live on each mapping);
- README.md: a table of the plugin's own settings between ``<!-- settings:NAME -->`` and
  ``<!-- end settings:NAME -->``, and the names of the SDK's built-in ones.

    python scripts/plugin_settings.py           # check: exit 1 and a diff when a copy drifted
    python scripts/plugin_settings.py --write   # rewrite both files (``make settings``)

``tests/test_plugin_settings.py`` runs the check, so a setting changed in code and not here
fails the test suite.
"""

from __future__ import annotations

import argparse
import difflib
import io
import json
import subprocess
import sys
import typing as t
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PLUGINS = (
    ("extractors", "tap-zoho-invoice", "tap_zoho_invoice.tap", "TapZohoInvoice"),
    ("mappers", "map-marketing-leads", "transforms.mapper", "MarketingLeadsMapper"),
    ("loaders", "target-marketing-leads", "target_marketing_leads.target", "TargetMarketingLeads"),
)
KINDS = {"integer": "integer", "number": "decimal", "boolean": "boolean", "array": "array",
         "object": "object"}  # fmt: skip
"""JSON Schema type -> Meltano setting kind (text is Meltano's default kind, ``string``)."""


def about(executable: str) -> dict[str, t.Any]:
    """``--about --format json`` of an installed plugin."""
    done = subprocess.run(
        [str(BIN / executable), "--about", "--format", "json"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(done.stdout)


def own_settings(module: str, cls: str) -> list[str]:
    """The settings the plugin declares itself (``--about`` adds the SDK's built-in ones)."""
    plugin = getattr(__import__(module, fromlist=[cls]), cls)
    return list(plugin.config_jsonschema["properties"])


def kind(schema: dict[str, t.Any]) -> str:
    """The Meltano kind of a setting's JSON schema."""
    if "enum" in schema:
        return "options"
    types = schema.get("type") or [
        branch.get("type") for branch in schema.get("anyOf", []) if isinstance(branch, dict)
    ]
    types = [types] if isinstance(types, str) else [x for x in types if x and x != "null"]
    first = types[0] if types else "object"
    if first == "string" and schema.get("format") == "date-time":
        return "date_iso8601"
    return KINDS.get(first, "string")


def meltano_setting(name: str, schema: dict[str, t.Any]) -> dict[str, t.Any]:
    """One entry of a plugin's ``settings`` in meltano.yml."""
    entry: dict[str, t.Any] = {"name": name}
    setting_kind = kind(schema)
    if setting_kind != "string":
        entry["kind"] = setting_kind
    if schema.get("default") is not None:
        entry["value"] = schema["default"]
    if schema.get("description"):
        entry["description"] = schema["description"]
    if schema.get("secret"):
        entry["sensitive"] = True
    if setting_kind == "options":
        entry["options"] = [inline({"label": value, "value": value}) for value in schema["enum"]]
    return entry


def inline(value: t.Any) -> t.Any:
    """A short list or mapping written on one line (``[a, b]``, ``{label: x, value: x}``)."""
    node = CommentedMap(value) if isinstance(value, dict) else CommentedSeq(value)
    node.fa.set_flow_style()
    return node


def markdown_text(text: str) -> str:
    """Plain text as a table cell: ``<dc>`` is no HTML tag, ``|`` no column break."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")


def readme_table(executable: str, info: dict[str, t.Any], own: list[str]) -> str:
    """The README block of one plugin: its own settings, then the SDK's built-in names."""
    settings = info["settings"]
    required = set(settings.get("required", []))
    rows = ["| Setting | Kind | Required | Default | Secret | Description |",
            "|:--|:--|:--:|:--|:--:|:--|"]  # fmt: skip
    for name in own:
        schema = settings["properties"][name]
        default = schema.get("default")
        shown = "" if default is None else f"`{json.dumps(default)}`"
        setting_kind = kind(schema)
        if setting_kind == "options":
            setting_kind = "one of " + ", ".join(f"`{value}`" for value in schema["enum"])
        description = markdown_text(schema.get("description", ""))
        rows.append(
            f"| `{name}` | {setting_kind} | {'yes' if name in required else ''} | {shown} | "
            f"{'yes' if schema.get('secret') else ''} | {description} |"
        )
    builtin = [f"`{name}`" for name in settings["properties"] if name not in own]
    rows += ["", f"Also the SDK's built-in settings: {', '.join(builtin)}."] if builtin else []
    rows += ["", f"Capabilities: {', '.join(f'`{c}`' for c in info['capabilities'])}."]
    return "\n".join(rows)


def render_readme(text: str, blocks: dict[str, str]) -> str:
    """README text with each plugin's block replaced."""
    for executable, block in blocks.items():
        start, end = f"<!-- settings:{executable} -->", f"<!-- end settings:{executable} -->"
        if start not in text or end not in text:
            msg = f"README.md lacks the markers {start} ... {end}"
            raise SystemExit(msg)
        head, rest = text.split(start, 1)
        _, tail = rest.split(end, 1)
        text = f"{head}{start}\n{block}\n{end}{tail}"
    return text


def render_meltano(text: str, infos: dict[str, tuple[dict[str, t.Any], list[str]]]) -> str:
    """meltano.yml text with each plugin's capabilities and settings replaced."""
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 100
    data = yaml.load(text)
    for plugin_type, executable, _, _ in PLUGINS:
        entry = next(p for p in data["plugins"][plugin_type] if p["name"] == executable)
        info, _own = infos[executable]
        properties = info["settings"]["properties"]
        entry["capabilities"] = inline(info["capabilities"])
        # A mapper's settings live on each of its mappings, where Meltano does not check groups.
        required = list(info["settings"].get("required", [])) if plugin_type != "mappers" else []
        if required:
            entry["settings_group_validation"] = [inline(required)]
        else:
            entry.pop("settings_group_validation", None)
        entry["settings"] = [meltano_setting(name, s) for name, s in properties.items()]
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Check (default) or write the generated copies."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite README.md and meltano.yml")
    args = parser.parse_args(argv)
    infos = {exe: (about(exe), own_settings(mod, cls)) for _, exe, mod, cls in PLUGINS}
    blocks = {exe: readme_table(exe, info, own) for exe, (info, own) in infos.items()}
    files = {
        ROOT / "README.md": lambda text: render_readme(text, blocks),
        ROOT / "meltano.yml": lambda text: render_meltano(text, infos),
    }
    drifted = 0
    for path, render in files.items():
        current = path.read_text(encoding="utf-8")
        wanted = render(current)
        if wanted == current:
            continue
        if args.write:
            path.write_text(wanted, encoding="utf-8")
            print(f"wrote {path.name}")
            continue
        drifted += 1
        diff = difflib.unified_diff(
            current.splitlines(), wanted.splitlines(), f"{path.name} (now)",
            f"{path.name} (from --about)", lineterm="",
        )  # fmt: skip
        print("\n".join(diff))
    if drifted:
        print("Settings drifted from the code: run `make settings` and commit.", file=sys.stderr)
    return 1 if drifted else 0


if __name__ == "__main__":
    sys.exit(main())
