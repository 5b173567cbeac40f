"""Command-line tools: `flask layers validate`, `flask geodata build`."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from app.errors import EditConflict, GeoportaleError
from app.registry import load_registry
from app.stores import is_postgres
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
    store = settings["STORE"]
    target = store if is_postgres(store) else Path(store)  # a URL must stay a URL
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


@geodata_cli.command("report")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--markdown", is_flag=True, help="Print the documentation's data table.")
@click.option(
    "--write-docs",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    multiple=True,
    help="Regenerate the data tables between the markers of this Markdown file (repeatable).",
)
def report(as_json: bool, markdown: bool, write_docs: tuple[Path, ...]):
    """Per shipped layer: features, with/without geometry, per precisione, per stato, per
    quartiere, and one count per problem class an audit looks for."""
    import json

    from app import geodata_docs
    from app.geodata_report import main
    from app.geodata_report import report as build_report

    root = Path(_settings()["DATA_ROOT"])
    if write_docs:
        found = build_report(root)
        for path in write_docs:
            changed = geodata_docs.write(path, found)
            click.echo(f"{path}: {'updated' if changed else 'already current'}")
    elif markdown:
        click.echo(geodata_docs.markdown(build_report(root)), nl=False)
    elif as_json:
        click.echo(json.dumps(build_report(root), ensure_ascii=False, indent=2))
    else:
        main(root, click.echo)


def _user(user: str | None) -> str:
    return user or os.environ.get("USER") or "cli"


def _store():
    from app.services import services

    return services().store


@layers_cli.command("import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--id", "layer_id", required=True, help="Layer id (new, or one to replace).")
@click.option("--layer", help="Layer (GeoPackage, KML) or file (zip) inside the input.")
@click.option("--crs", help="CRS of the coordinates, e.g. EPSG:3003, if the file has none.")
@click.option("--title", help="Title (Italian) of a new layer.")
@click.option("--id-field", help="Field with a unique id per feature.")
@click.option("--rename", multiple=True, help="SOURCE=FIELD: map a file field to a layer field.")
@click.option("--licence", help="Licence of the data, e.g. CC-BY-4.0.")
@click.option("--publish", is_flag=True, help="Publish at once if the report has no errors.")
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the JSON report to this file.",
)
@click.option("--user", help="Who is importing (for the audit log).")
def import_(
    path, layer_id, layer, crs, title, id_field, rename, licence, publish, report_path, user
):
    """Import a file as a new version of a layer, print its validation report (JSON)."""
    from app.publishing.importer import ImportOptions, import_file, parse_renames, report_json

    try:
        opts = ImportOptions(
            layer_id,
            layer=layer,
            crs=crs,
            title=title,
            id_field=id_field,
            renames=parse_renames(list(rename)),
            licence=licence,
            publish=publish,
        )
        result = import_file(
            _store(),
            path,
            opts,
            _user(user),
            progress=lambda step: click.echo(f"... {step}", err=True),
        )
    except GeoportaleError as exc:
        click.echo(f"error: {exc.detail}", err=True)
        raise SystemExit(1) from None
    text = report_json(result.report)
    click.echo(text)
    if report_path:
        report_path.write_text(text, encoding="utf-8")
    r = result.report
    if r.blocking:
        click.echo(f"NOT imported: {len(r.errors)} blocking errors", err=True)
        raise SystemExit(2)
    state = (
        "published"
        if r.published
        else "staged as a draft (publish with: flask layers "
        f"publish {layer_id} --version {r.version})"
    )
    click.echo(
        f"{layer_id} v{r.version}: {r.features} features, {len(r.warnings)} warnings, {state}",
        err=True,
    )


@layers_cli.command("place")
@click.argument("layer_id")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--crs", help="CRS of the coordinates, e.g. EPSG:3003, if the file has none.")
@click.option("--layer", help="Layer (GeoPackage, KML) or file (zip) inside the input.")
@click.option("--dry-run", is_flag=True, help="Only check the file and print the report.")
@click.option("--user", help="Who is placing (for the edits and the audit log).")
def place(layer_id, path, crs, layer, dry_run, user):
    """Place or update many features from a file keyed on the layer's id field: print the
    report (JSON), then write the rows as pending edits of the draft (all or none)."""
    from app.publishing.importer import report_json
    from app.publishing.placement import PlacementOptions, apply_placement, plan_placement

    store = _store()
    try:
        plan = plan_placement(store, path, PlacementOptions(layer_id, crs=crs, layer=layer))
        click.echo(report_json(plan.report))
        if plan.report.blocking:
            click.echo(f"NOT written: {len(plan.report.errors)} blocking errors", err=True)
            raise SystemExit(2)
        if dry_run or not plan.rows:
            click.echo(f"{len(plan.rows)} rows checked, nothing written", err=True)
            return
        written = apply_placement(store, plan, _user(user))
    except GeoportaleError as exc:
        click.echo(f"error: {exc.detail}", err=True)
        raise SystemExit(1) from None
    click.echo(
        f"{layer_id}: {len(written)} pending edits in the draft (review, then publish them)",
        err=True,
    )


@layers_cli.command("versions")
@click.argument("layer_id")
def versions(layer_id):
    """List the versions of a layer: who, when, counts, source, status."""
    try:
        rows = _store().versions(layer_id)
    except GeoportaleError as exc:
        click.echo(f"error: {exc.detail}", err=True)
        raise SystemExit(1) from None
    for v in rows:
        errs = len([i for i in (v.report or {}).get("issues", []) if i["level"] == "warning"])
        click.echo(
            f"v{v.version:<4} {v.status:<10} {v.origin:<8} {v.created_at}  {v.user:<10} "
            f"{v.feature_count:>7} features  {v.source}"
            + (f"  ({errs} warnings)" if v.report else "")
        )


def _move(action, layer_id, user, **kw):
    store = _store()
    try:
        if action == "publish":
            version = kw["version"] or next(
                v.version for v in store.versions(layer_id) if v.status == "draft"
            )
            info = store.publish(layer_id, version, _user(user))
        elif action == "rollback":
            info = store.rollback(layer_id, _user(user))
        else:
            store.unpublish(layer_id, _user(user))
            click.echo(f"{layer_id} unpublished")
            return
    except StopIteration:
        click.echo(f"error: {layer_id} has no draft version to publish", err=True)
        raise SystemExit(1) from None
    except GeoportaleError as exc:
        click.echo(f"error: {exc.detail}", err=True)
        raise SystemExit(1) from None
    click.echo(f"{layer_id}: version {info.version} served ({info.feature_count} features)")


@layers_cli.command("publish")
@click.argument("layer_id")
@click.option("--version", type=int, help="Version to serve (default: the newest draft).")
@click.option("--user", help="Who is publishing (for the audit log).")
def publish(layer_id, version, user):
    """Serve a staged version of a layer."""
    _move("publish", layer_id, user, version=version)


@layers_cli.command("rollback")
@click.argument("layer_id")
@click.option("--user", help="Who is rolling back (for the audit log).")
def rollback(layer_id, user):
    """Serve the previously published version again."""
    _move("rollback", layer_id, user)


@layers_cli.command("unpublish")
@click.argument("layer_id")
@click.option("--user", help="Who is unpublishing (for the audit log).")
def unpublish(layer_id, user):
    """Stop serving a layer (its versions are kept)."""
    _move("unpublish", layer_id, user)


@layers_cli.command("rewrite")
@click.argument("layer_id")
@click.option("--user", help="Who is rewriting (for the audit log).")
def rewrite(layer_id, user):
    """Write the served version again as a new version, and serve it.

    The same features and metadata, stored as this release stores a version: what an
    older release wrote gains the indexes on its fields and, for points, the tile
    generalisation (docs/api.md, "Vector tiles"). A rollback serves the old version again.
    """
    from app.stores.base import Query

    store, who = _store(), _user(user)
    try:
        served = store.describe(layer_id)
        old = next(v for v in store.versions(layer_id) if v.version == served.version)
        data = store.frame(old.spec, Query(), version=old.version)
        staged = store.stage(
            old.spec,
            data,
            origin=old.origin,
            source=f"rewrite of v{old.version}",
            user=who,
            fingerprint=old.fingerprint,
        )
        info = store.publish(layer_id, staged.version, who)
    except GeoportaleError as exc:
        click.echo(f"error: {exc.detail}", err=True)
        raise SystemExit(1) from None
    click.echo(
        f"{layer_id}: v{old.version} written again as v{info.version}, served "
        f"({info.feature_count} features)"
    )


@layers_cli.command("audit")
@click.argument("layer_id", required=False)
@click.option("--limit", default=50, show_default=True)
def audit(layer_id, limit):
    """The audit log: every stage, publish, rollback, unpublish and edit."""
    for e in _store().audit_log(layer_id, limit):
        click.echo(
            f"{e['at']}  {e['user']:<10} {e['action']:<9} {e['layer_id']} "
            f"v{e['version']}  {e['detail'] or ''}"
        )


def _edit_line(r) -> str:
    where = f"  -> v{r.version}" if r.version else ""
    return f"#{r.seq:<6} {r.at}  {r.user:<10} {r.op:<8} {r.feature_id:<16} {r.status}{where}"


@layers_cli.command("edits")
@click.argument("layer_id")
@click.option("--all", "every", is_flag=True, help="Also published and discarded edits.")
def edits(layer_id, every):
    """List the pending feature edits of a layer (all edits with --all), oldest first."""
    from app.stores.edits import changes

    records = _store().edits(layer_id, status=None if every else "pending")
    for r in records:
        click.echo(_edit_line(r))
    pending = [r for r in records if r.status == "pending"]
    kinds = [c.kind for c in changes(pending)]
    click.echo(
        f"{len(records)} edits; pending: {len(pending)} ({kinds.count('added')} added, "
        f"{kinds.count('changed')} changed, {kinds.count('removed')} removed)"
    )


@layers_cli.command("publish-edits")
@click.argument("layer_id")
@click.option("--user", help="Who is publishing (for the audit log).")
def publish_edits(layer_id, user):
    """Publish the pending edits of a layer as a new version, and serve it."""
    store = _store()
    try:
        spec = next(v.spec for v in store.versions(layer_id) if v.status == "published")
        info = store.publish_edits(spec, _user(user))
    except StopIteration:
        click.echo(f"error: {layer_id} is not published", err=True)
        raise SystemExit(1) from None
    except EditConflict as exc:
        click.echo(f"error: {exc.detail}", err=True)
        click.echo(f"conflicting features: {', '.join(exc.features)}", err=True)
        raise SystemExit(1) from None
    except GeoportaleError as exc:
        click.echo(f"error: {exc.detail}", err=True)
        raise SystemExit(1) from None
    click.echo(f"{layer_id}: version {info.version} served ({info.feature_count} features)")


@layers_cli.command("discard-edits")
@click.argument("layer_id")
@click.option("--feature", "features", multiple=True, help="Only this feature's edits (repeat).")
@click.option("--user", help="Who is discarding (for the audit log).")
def discard_edits(layer_id, features, user):
    """Discard the pending edits of a layer (of the features named, or all)."""
    try:
        n = _store().discard_edits(layer_id, _user(user), list(features) or None)
    except GeoportaleError as exc:
        click.echo(f"error: {exc.detail}", err=True)
        raise SystemExit(1) from None
    click.echo(f"{layer_id}: {n} pending edits discarded")


def register(app: Flask) -> None:
    app.cli.add_command(layers_cli)
    app.cli.add_command(geodata_cli)
