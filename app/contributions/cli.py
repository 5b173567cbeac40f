"""`flask contributions list|approve|reject|hide|answer|remove-photo|forget|purge|send-mail`
(docs/cli.md)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.contributions import bulk, outbox, service
from app.errors import GeoportaleError
from app.services import services
from app.stores.contributions import STATUSES

CLI_USER = "cli"


@click.group("contributions")
def contributions_cli():
    """Moderate the citizens' contributions and delete personal data."""


def _run(fn, *args):
    try:
        return fn(services(), *args)
    except GeoportaleError as exc:
        raise click.ClickException(exc.detail) from None


@contributions_cli.command("list")
@click.option("--status", default="in_moderazione", show_default=True, type=click.Choice(STATUSES))
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1000))
@with_appcontext
def list_(status: str, limit: int):
    """List contributions in a moderation status: id, kind, target, state, text."""
    page = services().store.contributions(status=status, limit=limit, newest_first=False)
    for c in page.items:
        target = f"{c.target_layer}/{c.target_id}" if c.target_layer else f"quartiere/{c.quartiere}"
        text = " ".join(c.text.split())[:80]
        click.echo(f"{c.id}\t{c.kind}\t{target}\t{c.state}\t{text}")
    click.echo(f"{page.total} {status}", err=True)


@contributions_cli.command("approve")
@click.argument("ids", nargs=-1, required=True)
@with_appcontext
def approve(ids: tuple[str, ...]):
    """Make contributions public (one or more ids)."""
    _many("approve", ids, None)


@contributions_cli.command("reject")
@click.argument("ids", nargs=-1, required=True)
@click.option("--reason", required=True, help="Why (shown to the citizen on the follow link).")
@with_appcontext
def reject(ids: tuple[str, ...], reason: str):
    """Refuse contributions (one or more ids), with one reason for all."""
    _many("reject", ids, reason)


@contributions_cli.command("hide")
@click.argument("ids", nargs=-1, required=True)
@click.option("--reason", required=True, help="Why (kept for the moderators).")
@with_appcontext
def hide(ids: tuple[str, ...], reason: str):
    """Take contributions off the public pages (one or more ids), with one reason."""
    _many("hide", ids, reason)


def _many(action: str, ids, reason) -> None:
    """Each id on its own (its own transaction and audit entry); an id that does not
    exist is named and the exit status is 1, after the others are done."""
    done = _run(bulk.moderate_many, action, ids, CLI_USER, reason)
    status = bulk.STATUS_AFTER[action]
    for cid in done.done:
        click.echo(f"{cid} {status}")
    if done.missing:
        raise click.ClickException(f"no such contribution: {' '.join(done.missing)}")


@contributions_cli.command("answer")
@click.argument("cid")
@click.argument("text")
@click.option("--state", default=None, help="Also set this follow-up state.")
@click.option("--office", default=None, help="The office (competent, for non di competenza).")
@with_appcontext
def answer(cid: str, text: str, state: str | None, office: str | None):
    """Answer publicly as the organisation (optionally setting the state)."""
    c = _run(service.answer, cid, CLI_USER, text)
    if state:
        c = _run(service.set_state, cid, CLI_USER, state, office)
    click.echo(f"{c.id} {c.state}")


@contributions_cli.command("remove-photo")
@click.argument("cid")
@with_appcontext
def remove_photo(cid: str):
    """Delete a contribution's photo; the contribution stays."""
    removed = _run(service.remove_photo, cid, CLI_USER)
    click.echo(f"{cid} {'photo removed' if removed else 'no photo'}")


@contributions_cli.command("forget")
@click.argument("email")
@with_appcontext
def forget(email: str):
    """Delete an e-mail address everywhere, and the photos left with it (a citizen's
    request)."""
    n = _run(service.forget, email, CLI_USER)
    click.echo(f"forgotten: {n} contributions")


@contributions_cli.command("purge")
@with_appcontext
def purge():
    """Delete personal data older than CONTRIBUTION_RETENTION_DAYS, and the photos of the
    contributions of then that are not public."""
    n = _run(service.purge, CLI_USER)
    click.echo(f"purged: {n}")


@contributions_cli.command("send-mail")
@click.option("--retry-now", is_flag=True, help="Also the messages waiting for their next attempt.")
@with_appcontext
def send_mail(retry_now: bool):
    """Send the citizens' e-mails that are due (for a cron: what the web workers could not
    send is retried here); print how many were sent, failed and are still waiting."""
    svc = services()
    if not svc.settings["SMTP_URL"]:
        raise click.ClickException("GEOPORTALE_SMTP_URL is not set: no mail is sent")
    try:
        done = outbox.send_due(svc.store, svc.settings, retry_now=retry_now)
    except GeoportaleError as exc:
        raise click.ClickException(exc.detail) from None
    waiting = svc.store.mail_messages(pending=True, limit=10_000)
    click.echo(f"sent: {done.sent}, failed: {done.failed}, waiting: {len(waiting)}")
    errors = {m.last_error for m in waiting if m.last_error}
    for error in sorted(errors)[:5]:
        click.echo(f"last error: {error}", err=True)
    if done.failed:
        raise SystemExit(1)
