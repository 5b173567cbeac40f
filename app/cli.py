"""Command-line tools: `flask layers validate`, `flask geodata build`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from app.errors import GeoportaleError
from app.registry import load_registry
from app.stores.build import sync_shipped

layers_cli = AppGroup("layers", help="The layer registry (layers/*.yaml).")
geodata_cli = AppGroup("geodata", help="The embedded GeoPackage store.")


def _settings():
    from flask import current_app

    return current_app.config["GEOPORTALE"]


def _registry(settings):
    return load_registry(Path(settings["LAYERS_DIR"]), Path(settings["DATA_ROOT"]))


@layers_cli.command("validate")
def validate():
    """Check every layer file; exit 1 naming each bad file and field."""
    settings = _settings()
    try:
        registry = _registry(settings)
    except GeoportaleError as exc:
        click.echo(exc.detail, err=True)
        raise SystemExit(1) from None
    for spec in registry.layers:
        click.echo(f"ok  {spec.id:<16} {spec.geometry_type:<16} {spec.source.path}")
    click.echo(f"{len(registry.layers)} layer files valid")


@geodata_cli.command("build")
@click.option("--force", is_flag=True, help="Rebuild every layer even if its files did not change.")
def build(force: bool):
    """Bring the shipped layers into the store: a new version of each layer that changed."""
    settings = _settings()
    target = Path(settings["STORE"])
    try:
        registry = _registry(settings)
        result = sync_shipped(
            registry, Path(settings["DATA_ROOT"]), Path(settings["LAYERS_DIR"]), target, force=force
        )
    except GeoportaleError as exc:
        click.echo(f"error: {exc.detail}", err=True)
        raise SystemExit(1) from None
    for layer_id, n in result.published.items():
        click.echo(f"{layer_id:<16} {n:>7} features  published")
    for layer_id in result.staged_only:
        click.echo(f"{layer_id:<16} staged as a draft (the office's version stays served)")
    if result.unchanged:
        click.echo(f"unchanged: {', '.join(result.unchanged)}")
    click.echo(f"{target} ready in {result.seconds:.1f} s")


def register(app: Flask) -> None:
    app.cli.add_command(layers_cli)
    app.cli.add_command(geodata_cli)
