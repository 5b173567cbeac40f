"""Load and validate `layers/*.yaml` into a `Registry`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from app.errors import RegistryError
from app.registry.spec import LayerSpec


def _where(loc: tuple) -> str:
    return ".".join(str(p) for p in loc) or "(file)"


def load_layer_file(path: Path) -> LayerSpec:
    """Parse one layer file; raise RegistryError naming the file and the field."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise RegistryError(f"{path.name}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise RegistryError(f"{path.name}: expected a mapping of keys at the top level")
    try:
        spec = LayerSpec.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(f"{_where(e['loc'])}: {e['msg']}" for e in exc.errors())
        raise RegistryError(f"{path.name}: {problems}") from None
    if spec.id != path.stem:
        raise RegistryError(f"{path.name}: id: '{spec.id}' must match the file name '{path.stem}'")
    return spec


@dataclass(frozen=True)
class Registry:
    """The closed set of layers, in display order."""

    layers: tuple[LayerSpec, ...]

    def get(self, layer_id: str) -> LayerSpec | None:
        for spec in self.layers:
            if spec.id == layer_id:
                return spec
        return None

    @property
    def published(self) -> tuple[LayerSpec, ...]:
        return tuple(s for s in self.layers if s.published)


def load_registry(directory: Path, root: Path | None = None) -> Registry:
    """Load every `*.yaml` in `directory`; all files are checked before failing.

    `root` (the project root) is used to check that each source file exists.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise RegistryError(f"layers directory not found: {directory}")
    specs, problems = [], []
    for path in sorted(directory.glob("*.yaml")):
        try:
            spec = load_layer_file(path)
        except RegistryError as exc:
            problems.append(exc.detail)
            continue
        if root is not None and not (Path(root) / spec.source.path).is_file():
            problems.append(f"{path.name}: source.path: file not found: {spec.source.path}")
            continue
        specs.append(spec)
    if problems:
        raise RegistryError("\n".join(problems))
    specs.sort(key=lambda s: (s.order, s.id))
    return Registry(tuple(specs))
