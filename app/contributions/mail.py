"""The messages a citizen who left an e-mail receives (plain text, in the language they
wrote in, signed by the organisation, with the privacy line): the acknowledgement with the
private follow link, then the approval, the rejection with its reason, the council's
answer and each change of state (with the competent office for "non di competenza").

Each `*_letter` returns a `Compose` for the store, which calls it inside the transaction of
the change with the contribution as the change left it; the texts are catalogue keys
(app/i18n_catalogue.py). Only when mail is on (SMTP_URL): otherwise nothing is queued.
"""

from __future__ import annotations

from app.i18n import translate
from app.organisation import organisation
from app.settings import SettingsError
from app.stores.contributions import Contribution
from app.stores.mail import Compose, Letter

QUOTED = 300  # characters of the citizen's text recalled in a message


def mail_on(settings: dict) -> bool:
    return bool(settings["SMTP_URL"])


def sender(settings: dict) -> str:
    """MAIL_FROM, or the organisation's e-mail; SettingsError when mail is on without one."""
    found = settings["MAIL_FROM"] or organisation().email
    if not found:
        raise SettingsError(
            "GEOPORTALE_SMTP_URL is set but nobody signs the mail: set GEOPORTALE_MAIL_FROM "
            "or the organisation's email (organisation.yaml)"
        )
    return found


def _t(text: str, lang: str, **slots) -> str:
    return translate(text, lang).format(**slots)


def _letter(settings: dict, lang: str, subject: str, lines: list[str], c: Contribution) -> Letter:
    org = organisation()
    quoted = " ".join(c.text.split())
    if len(quoted) > QUOTED:
        quoted = quoted[: QUOTED - 1] + "…"
    contact = org.email or org.website
    body = [
        translate("Buongiorno,", lang),
        "",
        *lines,
        "",
        translate("Il tuo contributo:", lang),
        f"«{quoted}»",
        "",
        "-- ",
        org.name.get(lang),
        org.website,
        "",
        _t(
            "Usiamo questo indirizzo e-mail solo per scriverti di questo contributo. Per "
            "farlo cancellare scrivi a {contact}: lo cancelliamo ovunque compaia. Altrimenti "
            "è cancellato dopo {days} giorni.",
            lang,
            contact=contact,
            days=settings["CONTRIBUTION_RETENTION_DAYS"],
        ),
    ]
    return Letter(subject=subject, body="\n".join(body) + "\n")


def received_letter(settings: dict, follow_url: str) -> Compose | None:
    """The acknowledgement, with the private follow link (it exists only now: the store
    keeps its digest)."""
    if not mail_on(settings):
        return None

    def compose(c: Contribution, lang: str) -> Letter:
        lines = [
            translate(
                "grazie: abbiamo ricevuto il tuo contributo. Un moderatore lo esaminerà: sarà "
                "pubblico solo dopo la sua approvazione.",
                lang,
            ),
            "",
            translate(
                "Segui lo stato del tuo contributo e la risposta del Comune a questo link "
                "privato (chi ha il link può vederlo: non inoltrarlo):",
                lang,
            ),
            follow_url,
        ]
        subject = translate("Abbiamo ricevuto il tuo contributo", lang)
        return _letter(settings, lang, subject, lines, c)

    return compose


def moderated_letter(settings: dict, action: str) -> Compose | None:
    """The message of a moderation step (approve, reject, answer, state); None: none."""
    if not mail_on(settings) or action not in _STEPS:
        return None
    step = _STEPS[action]

    def compose(c: Contribution, lang: str) -> Letter | None:
        made = step(c, lang)
        if made is None:
            return None
        subject, lines = made
        lines = [
            *lines,
            "",
            translate(
                "Lo stato e la risposta sono anche sul link privato del primo messaggio.", lang
            ),
        ]
        return _letter(settings, lang, subject, lines, c)

    return compose


def _approved(c: Contribution, lang: str):
    return translate("Il tuo contributo è pubblicato", lang), [
        translate("il tuo contributo è stato approvato ed è ora pubblico.", lang)
    ]


def _rejected(c: Contribution, lang: str):
    return translate("Il tuo contributo non è stato pubblicato", lang), [
        translate("il tuo contributo non è stato pubblicato, per questo motivo:", lang),
        c.reason or "",
    ]


def _answered(c: Contribution, lang: str):
    org = organisation().name.get(lang)
    return _t("{org} ha risposto al tuo contributo", lang, org=org), [
        _t("{org} ha risposto al tuo contributo:", lang, org=org),
        "",
        c.answer or "",
    ]


def _state(c: Contribution, lang: str):
    spec = organisation().participation
    state = spec.state(c.state) if spec else None
    label = state.label.get(lang) if state else c.state
    lines = [_t("lo stato del tuo contributo è ora «{state}».", lang, state=label)]
    office = spec.office(c.office) if spec and c.office else None
    if office is not None and state is not None and state.names_office:
        lines.append(_t("Ufficio o ente competente: {office}", lang, office=office.name.get(lang)))
    return _t("Il tuo contributo è ora: {state}", lang, state=label), lines


_STEPS = {"approve": _approved, "reject": _rejected, "answer": _answered, "state": _state}
