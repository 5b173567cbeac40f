"""The citizens' e-mails on both stores, through a real SMTP server (aiosmtpd): the
acknowledgement with the follow link, the moderation's messages, nothing without an
e-mail, a server down (the request succeeds, the message waits with its error, send-mail
delivers it later), two senders at once, forget, and no personal data kept once sent
(app/contributions/mail.py, outbox.py; app/stores/catalog_mail.py)."""

from __future__ import annotations

import email
import email.policy
import re
import socket
import threading
import time

import pytest

from tests.conftest import close_app
from tests.contributions.conftest import settings

aiosmtpd = pytest.importorskip("aiosmtpd.controller", reason="aiosmtpd is a test dependency")

BOTH_STORES = True
SENDER = "partecipa@comune.example.org"
COMMENT = {
    "target": {"layer": "interventi", "id": "e1"},
    "kind": "commento",
    "text": "Quando finiscono i lavori del cantiere?",
    "email": "Mario.Rossi@example.org",
    "consent": True,
}


class Inbox:
    """An aiosmtpd handler keeping what it receives: (envelope recipients, message)."""

    def __init__(self):
        self.received: list[tuple[list[str], email.message.EmailMessage]] = []
        self.changed = threading.Condition()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.SMTP)
        with self.changed:
            self.received.append((list(envelope.rcpt_tos), parsed))
            self.changed.notify_all()
        return "250 OK"

    def wait(self, count: int, timeout: float = 20) -> list[email.message.EmailMessage]:
        with self.changed:
            self.changed.wait_for(lambda: len(self.received) >= count, timeout)
            return [m for _, m in self.received]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A real SMTP server on a port of its own, started when the test says."""

    def __init__(self):
        self.port = free_port()
        self.inbox = Inbox()
        self.controller = None

    def start(self):
        self.controller = aiosmtpd.Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self):
        if self.controller is not None:
            self.controller.stop()


@pytest.fixture
def smtp():
    server = Server()
    yield server
    server.stop()


@pytest.fixture
def app(editing_location, tmp_path, smtp):
    from app import create_app

    made = create_app(
        settings(editing_location, tmp_path)
        | {
            "CONTRIBUTION_MIN_FILL_SECONDS": 0,
            "SMTP_URL": f"smtp://127.0.0.1:{smtp.port}",
            "MAIL_FROM": SENDER,
        }
    )
    yield made
    close_app(made)


def post(client, body, addr="192.0.2.1", **kw):
    return client.post("/api/contributions", json=body, environ_base={"REMOTE_ADDR": addr}, **kw)


def wait_for(check, timeout: float = 20):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError("not in time")


def text_of(msg) -> str:
    return msg.get_content()


def test_the_citizen_is_told_of_each_step(client, moderator, store, smtp):
    smtp.start()
    sent = post(client, COMMENT)
    assert sent.status_code == 202
    cid, follow = sent.get_json()["id"], sent.get_json()["follow"]
    ack = smtp.inbox.wait(1)[0]
    assert smtp.inbox.received[0][0] == ["Mario.Rossi@example.org"]
    assert ack["From"] == SENDER and ack["To"] == "Mario.Rossi@example.org"
    assert ack["Subject"] == "Abbiamo ricevuto il tuo contributo"
    assert ack["Date"] and re.fullmatch(r"<[^@>]+@comune\.example\.org>", ack["Message-ID"])
    assert ack.get_content_type() == "text/plain" and not ack.is_multipart()
    assert ack.get_content_charset() == "utf-8"
    body = text_of(ack)
    assert follow in body and "Comune di Cremona" in body and "<html" not in body.lower()
    assert "cancellare" in body and "Quando finiscono i lavori" in body
    # The link in the message works.
    path = re.search(r"https?://[^/\s]+(/partecipa/segui/\S+)", body)[1]
    assert "Quando finiscono i lavori" in client.get(path).get_data(as_text=True)

    h = moderator.csrf_headers
    moderator.post(f"/admin/contributions/{cid}/approve", headers=h)
    moderator.post(
        f"/admin/contributions/{cid}/answer", data={"answer": "Finiscono a giugno."}, headers=h
    )
    moderator.post(
        f"/admin/contributions/{cid}/state",
        data={"state": "non_di_competenza", "office": "provincia"},
        headers=h,
    )
    messages = smtp.inbox.wait(4)
    assert len(messages) == 4
    approved, answered, state = messages[1:]
    assert approved["Subject"] == "Il tuo contributo è pubblicato"
    assert "Finiscono a giugno." in text_of(answered)
    assert answered["Subject"] == "Comune di Cremona ha risposto al tuo contributo"
    assert "non di competenza" in state["Subject"]
    assert "Provincia di Cremona" in text_of(state)
    assert len({m["Message-ID"] for m in messages}) == 4
    # Once sent, no recipient and no body are kept: only that each was sent.
    kept = wait_for(
        lambda: (rows := store.mail_messages(cid)) and all(r.sent_at for r in rows) and rows
    )
    assert len(kept) == 4
    assert all(r.recipient is None and r.body is None for r in kept)
    assert "example.org" not in repr(kept) and "giugno" not in repr(kept)


def test_a_rejection_tells_its_reason_in_the_citizens_language(client, moderator, smtp):
    smtp.start()
    sent = post(client, COMMENT, headers={"Accept-Language": "en"})
    cid = sent.get_json()["id"]
    ack = smtp.inbox.wait(1)[0]
    assert ack["Subject"] == "We received your contribution"
    assert "private link" in text_of(ack)
    # The moderator works in Italian; the citizen still reads English.
    moderator.post(
        f"/admin/contributions/{cid}/reject",
        data={"reason": "Già segnalato"},
        headers=moderator.csrf_headers,
    )
    rejected = smtp.inbox.wait(2)[1]
    assert rejected["Subject"] == "Your contribution was not published"
    assert "Già segnalato" in text_of(rejected) and "for this reason" in text_of(rejected)


def test_no_email_no_message(client, store, smtp):
    smtp.start()
    cid = post(client, {k: v for k, v in COMMENT.items() if k != "email"}).get_json()["id"]
    assert store.mail_messages(cid) == []
    time.sleep(0.5)
    assert smtp.inbox.received == []


def test_without_smtp_nothing_is_queued(editing_location, tmp_path, client_factory):
    from app.services import KEY

    client = client_factory(settings(editing_location, tmp_path))
    cid = post(client, COMMENT).get_json()["id"]
    assert client.application.extensions[KEY].store.mail_messages(cid) == []


def test_a_server_down_never_fails_the_request(client, store, app, runner_of, smtp):
    sent = post(client, COMMENT)  # the server is not started
    assert sent.status_code == 202
    cid = sent.get_json()["id"]
    waiting = wait_for(lambda: [m for m in store.mail_messages(cid) if m.last_error])
    assert waiting[0].attempts == 1 and waiting[0].sent_at is None
    assert "Connection" in waiting[0].last_error
    assert waiting[0].due_at > waiting[0].created_at  # retried after its back-off
    # A cron's send-mail respects the back-off, then delivers once the server is up.
    run = runner_of(app)
    early = run.invoke(args=["contributions", "send-mail"])
    assert early.exit_code == 0 and "sent: 0" in early.output and "waiting: 1" in early.output
    smtp.start()
    done = run.invoke(args=["contributions", "send-mail", "--retry-now"])
    assert done.exit_code == 0, done.output
    assert "sent: 1, failed: 0, waiting: 0" in done.output
    assert smtp.inbox.wait(1)[0]["To"] == "Mario.Rossi@example.org"
    again = run.invoke(args=["contributions", "send-mail", "--retry-now"])
    assert "sent: 0" in again.output
    assert len(smtp.inbox.received) == 1


def test_two_senders_at_once_send_each_message_once(client, app, store, smtp):
    from app import create_app
    from app.contributions import outbox
    from app.services import KEY

    for i in range(6):
        post(client, COMMENT | {"text": f"Domanda numero {i}"}, addr=f"192.0.2.{10 + i}")
    wait_for(lambda: len([m for m in store.mail_messages() if m.last_error]) == 6)
    smtp.start()
    other = create_app(dict(app.config["GEOPORTALE"]))  # a second worker, its own store
    try:
        stores = [store, other.extensions[KEY].store]
        results = []
        barrier = threading.Barrier(2)

        def send(s):
            barrier.wait()
            results.append(outbox.send_due(s, app.config["GEOPORTALE"], SENDER, retry_now=True))

        threads = [threading.Thread(target=send, args=(s,)) for s in stores]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        close_app(other)
    assert sum(r.sent for r in results) == 6
    messages = smtp.inbox.wait(6)
    time.sleep(0.3)
    assert len(smtp.inbox.received) == 6
    assert sorted(text_of(m).split("Domanda numero ")[1][0] for m in messages) == list("012345")


def test_forget_deletes_the_pending_messages(client, app, store, runner_of, smtp):
    cid = post(client, COMMENT).get_json()["id"]
    wait_for(lambda: [m for m in store.mail_messages(cid) if m.last_error])
    forgot = runner_of(app).invoke(args=["contributions", "forget", "mario.rossi@EXAMPLE.org"])
    assert forgot.exit_code == 0
    assert store.mail_messages(cid) == []


def test_the_purge_deletes_old_pending_messages(client, app, store, smtp):
    import datetime as dt

    from app.contributions import service
    from app.services import KEY

    cid = post(client, COMMENT).get_json()["id"]
    wait_for(lambda: [m for m in store.mail_messages(cid) if m.last_error])
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=400)
    service.purge(app.extensions[KEY], now=later)
    assert store.mail_messages(cid) == []


def test_smtp_url_is_checked_at_start(editing_location, tmp_path):
    from app import create_app
    from app.settings import SettingsError

    base = settings(editing_location, tmp_path)
    with pytest.raises(SettingsError, match="MAIL_FROM"):
        create_app(base | {"SMTP_URL": "smtp://127.0.0.1:25"})


@pytest.mark.parametrize("action", ["received", "approve", "reject", "answer", "state"])
def test_every_message_is_whole_in_english(app, client, store, action):
    from app.contributions.mail import moderated_letter, received_letter

    c = store.contribution(post(client, COMMENT | {"email": None}).get_json()["id"])
    c = type(c)(**{**c.__dict__, "reason": "Doppione", "answer": "Fatto", "state": "ricevuta"})
    with app.app_context():
        conf = app.config["GEOPORTALE"]
        compose = (
            received_letter(conf, "https://x/partecipa/segui/t")
            if action == "received"
            else moderated_letter(conf, action)
        )
        letter = compose(c, "en")
    words = f"{letter.subject}\n{letter.body.split('«')[0]}\n{letter.body.split('»')[-1]}"
    for italian in ("contributo", "stato", "grazie", "Buongiorno", "cancell", "risposto"):
        assert italian not in words, (italian, letter)


def test_a_store_made_before_the_outbox_gains_it(store, request):
    from app.stores.contributions import NewContribution, RateLimits
    from app.stores.gpkg import GpkgStore
    from app.stores.mail import Letter

    if isinstance(store, GpkgStore):
        import sqlite3

        with sqlite3.connect(store.path) as conn:
            conn.execute("DROP TABLE geoportale_contribution_mail")
            conn.execute("ALTER TABLE geoportale_contribution_private DROP COLUMN language")
        reopened = GpkgStore(store.path)
    else:
        import psycopg

        from app.stores.postgis import PostgisStore

        url = request.getfixturevalue("editing_location")
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("DROP TABLE geoportale.contribution_mail")
            conn.execute("ALTER TABLE geoportale.contribution_private DROP COLUMN language")
        reopened = PostgisStore(url, max_size=2)
    try:
        new = NewContribution(
            "c1", "proposta", None, None, 16, "Un'idea", None, None, None,
            "ricevuta", "d" * 64, "a@example.org", "k", "en",
        )  # fmt: skip
        reopened.contribution_add(
            new, RateLimits(5, 5, 600), None, lambda c, lang: Letter(lang, c.text)
        )
        (queued,) = reopened.mail_messages("c1")
        assert (queued.recipient, queued.language, queued.subject) == ("a@example.org", "en", "en")
    finally:
        reopened.close()


def test_a_wrong_smtp_url_stops_the_start_without_showing_the_password():
    from app.settings import SettingsError, load_settings

    for wrong in ("http://u:s3greta@mail.example.org", "smtp://u:s3greta@", "smtp://h:porta"):
        with pytest.raises(SettingsError, match="SMTP_URL") as raised:
            load_settings(environ={"GEOPORTALE_SMTP_URL": wrong})
        assert "s3greta" not in str(raised.value)
    parsed = load_settings(environ={"GEOPORTALE_SMTP_URL": "smtps://u:a%40b@mail.example.org"})
    from app.smtp import smtp_url

    server = smtp_url(parsed["SMTP_URL"])
    assert (server.scheme, server.host, server.port, server.password) == (
        "smtps", "mail.example.org", 465, "a@b",
    )  # fmt: skip


def test_a_consultation_comment_is_acknowledged_like_a_contribution(app, client, store, smtp):
    """A comment on a consultation is a contribution: with an e-mail, the citizen gets the
    same acknowledgement with the follow link, in the language they wrote in."""
    from tests.contributions.test_consultations import comment, open_consultation

    smtp.start()
    open_consultation(app, store)
    sent = comment(client, "confini", email="lucia@example.org")
    assert sent.status_code == 202, sent.get_json()
    ack = smtp.inbox.wait(1)[0]
    assert ack["To"] == "lucia@example.org"
    assert ack["Subject"] == "Abbiamo ricevuto il tuo contributo"
    assert sent.get_json()["follow"] in text_of(ack)
    assert "taglia in due la piazza" in text_of(ack)
    silent = comment(client, "confini", addr="192.0.2.11")  # no e-mail: nothing queued
    assert silent.status_code == 202
    assert store.mail_messages(silent.get_json()["id"]) == []
