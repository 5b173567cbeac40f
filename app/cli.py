"""Command-line tools: `flask layers validate`, `flask geodata build`."""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from app.errors import GeoportaleError
from app.registry import load_registry
from app.stores.build import build_store, fingerprint, store_is_current

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
@click.option("--force", is_flag=True, help="Rebuild even if no source changed.")
def build(force: bool):
    """Build the GeoPackage store from the sources (only if they changed, unless --force)."""
    settings = _settings()
    try:
        registry = _registry(settings)
        root, layers_dir = Path(settings["DATA_ROOT"]), Path(settings["LAYERS_DIR"])
        target = Path(settings["STORE"])
        fp = fingerprint(registry, root, layers_dir)
        if not force and store_is_current(target, fp):
            click.echo(f"{target.name} is up to date (use --force to rebuild)")
            return
        started = time.perf_counter()
        counts = build_store(registry, root, target, fp)
    except GeoportaleError as exc:
        click.echo(f"error: {exc.detail}", err=True)
        raise SystemExit(1) from None
    for layer_id, n in counts.items():
        click.echo(f"{layer_id:<16} {n:>7} features")
    click.echo(f"built {target} in {time.perf_counter() - started:.1f} s")


def register(app: Flask) -> None:
    app.cli.add_command(layers_cli)
    app.cli.add_command(geodata_cli)
