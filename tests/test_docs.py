"""The documentation builds, and documents every setting, command and layer-file key.

Like datasette's documentation tests: adding a setting, a `flask` command or a key of
`LayerSpec` without saying what it does fails here, not in a user's hands.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from pydantic import BaseModel

from app.organisation import Organisation
from app.registry.spec import LayerSpec
from app.settings import SETTINGS

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _code_spans(page: str) -> set[str]:
    return set(re.findall(r"`([^`\n]+)`", (DOCS / page).read_text()))


def test_the_site_builds_with_warnings_as_errors(tmp_path):
    if shutil.which("mkdocs") is None and not (Path(sys.executable).parent / "mkdocs").exists():
        pytest.skip("mkdocs is not installed: pip install -r requirements.lock")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert (tmp_path / "index.html").is_file()


def test_every_setting_is_documented():
    documented = {span.strip() for span in _code_spans("settings.md")}
    missing = [f"GEOPORTALE_{s.name}" for s in SETTINGS if f"GEOPORTALE_{s.name}" not in documented]
    assert not missing, f"not in docs/settings.md: {missing}"


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))
        else:
            yield " ".join((*prefix, name))


def test_every_command_is_documented(app):
    spans = _code_spans("cli.md")
    ours = [c for c in _commands(app.cli) if c.split()[0] not in {"routes", "shell", "run"}]
    assert ours, "no commands found: the CLI is not registered"
    missing = [c for c in ours if not any(s.startswith(f"flask --app app {c}") for s in spans)]
    assert not missing, f"not in docs/cli.md: {missing}"


def _keys(model: type[BaseModel], prefix: str = ""):
    for name, field in model.model_fields.items():
        yield prefix + name
        for kind in _model_types(field.annotation):
            yield from _keys(kind, f"{prefix}{name}.")


def _model_types(annotation):
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found = []
    for arg in getattr(annotation, "__args__", ()):
        found += _model_types(arg)
    return found


def _documented_keys(page: str) -> set[str]:
    """The keys of the tables of a page, each prefixed by the `key` its section is titled by."""
    documented = set()
    for section in re.split(r"^#+ ", (DOCS / page).read_text(), flags=re.M):
        title, _, body = section.partition("\n")
        scope = re.findall(r"`([^`]+)`", title)
        prefix = (scope[0].removesuffix("[]") + ".") if scope else ""
        for key in re.findall(r"^\| `([a-z_]+)` \|", body, flags=re.M):
            documented.add(prefix + key)
    return documented


def test_every_layer_file_key_is_documented():
    """Each key, at its place: `style.categories` and its `label` under `style`, and so on."""
    documented = _documented_keys("layer-files.md")
    # Texts ({it, en}) and categories' {value, color, label} are described in prose.
    skip = re.compile(r"\.(it|en)$|^style\.categories\.")
    missing = [k for k in _keys(LayerSpec) if not skip.search(k) and k not in documented]
    assert not missing, f"not in docs/layer-files.md: {missing}"


def test_every_organisation_file_key_is_documented():
    """Each key of the organisation model, at its place (`area.extent` under `area`)."""
    documented = _documented_keys("organisation.md")
    keys = [k for k in _keys(Organisation) if not re.search(r"\.(it|en)$", k)]
    assert {"name", "area.extent", "zones.number_field", "map.zoom"} <= set(keys)
    missing = [k for k in keys if k not in documented]
    assert not missing, f"not in docs/organisation.md: {missing}"
