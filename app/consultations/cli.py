"""`flask consultations create|list|close|export` (docs/cli.md)."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from app.consultations import export, service
from app.errors import GeoportaleError
from app.services import services

CLI_USER = "cli"


@click.group("consultations")
def consultations_cli():
    """Consultations on a draft layer or a map: open, list, close, export the results."""


def _run(fn, *args):
    try:
        return fn(services(), *args)
    except GeoportaleError as exc:
        raise click.ClickException(exc.detail) from None


@consultations_cli.command("create")
@click.argument("cid")
@click.option("--title", "title_it", required=True, help="Title (Italian).")
@click.option("--title-en", "title_en", default=None)
@click.option("--description", "description_it", required=True, help="Description (Italian).")
@click.option("--description-en", "description_en", default=None)
@click.option("--layer", default=None, help="The layer whose draft version is consulted.")
@click.option("--version", default=None, type=int, help="The draft (unpublished) version.")
@click.option("--map", "map_", default=None, help="Or a map (its slug).")
@click.option("--opens", default=None, help="Opening date or time (default: now).")
@click.option("--ends", required=True, help="End date (included) or time, ISO 8601.")
@with_appcontext
def create(
    cid, title_it, title_en, description_it, description_en, layer, version, map_, opens, ends
):  # noqa: E501
    """Open a consultation."""
    fields = {
        "id": cid, "title_it": title_it, "title_en": title_en,
        "description_it": description_it, "description_en": description_en,
        "layer": layer, "version": version, "map": map_, "opens": opens, "ends": ends,
    }  # fmt: skip
    c = _run(service.create, CLI_USER, fields)
    click.echo(f"{c.id}\t{c.opens_at[:16]}\t{c.ends_at[:16]}")


@consultations_cli.command("list")
@with_appcontext
def list_():
    """Every consultation: id, open or closed, what is consulted, window, title."""
    for c in services().store.consultations():
        what = f"{c.layer_id} v{c.version}" if c.layer_id else f"mappa {c.map_id}"
        state = "aperta" if service.is_open(c) else "chiusa"
        click.echo(f"{c.id}\t{state}\t{what}\t{c.opens_at[:16]}\t{c.ends_at[:16]}\t{c.title_it}")


@consultations_cli.command("close")
@click.argument("cid")
@with_appcontext
def close(cid: str):
    """Close a consultation now (comments are refused from now on)."""
    c = _run(service.close, cid, CLI_USER)
    click.echo(f"{c.id} chiusa {c.closed_at[:16]}")


@consultations_cli.command("export")
@click.argument("cid")
@click.option("--format", "fmt", type=click.Choice(("csv", "json")), default="csv")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None)
@with_appcontext
def export_(cid: str, fmt: str, output: str | None):
    """The results for the council: counts and approved comments, no personal data."""
    data = _run(export.results, cid)
    text = export.as_csv(data) if fmt == "csv" else json.dumps(data, ensure_ascii=False, indent=1)
    if output:
        with open(output, "w", encoding="utf-8", newline="") as out:
            out.write(text)
    else:
        click.echo(text, nl=False)
