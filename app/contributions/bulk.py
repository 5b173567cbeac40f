"""Moderating many contributions at once: the queue's bulk form and the CLI.

Each contribution is moderated by the same service call as one by one (its own transaction
and its own audit entry: app/contributions/service.py), so a bulk action is atomic per
contribution and does what a single one does. Nothing is silently skipped: an id that does
not exist, or whose moderation status is no longer the one the moderator saw on the page
(another moderator acted meanwhile), is reported and left alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.contributions import service
from app.contributions.model import MAX_REASON, bad, plain
from app.errors import ContributionChanged, ContributionNotFound
from app.services import Services

ACTIONS = ("approve", "reject", "hide")
#: The moderation status each action leaves a contribution in.
STATUS_AFTER = {"approve": "approvato", "reject": "rifiutato", "hide": "nascosto"}
#: At most this many ids in one request (two pages of the queue): a bounded cost.
MAX_IDS = 100


@dataclass
class BulkResult:
    action: str
    done: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    #: (id, the status it has now) of those no longer in the status the moderator saw.
    changed: list[tuple[str, str]] = field(default_factory=list)


def moderate_many(
    svc: Services,
    action: str,
    ids,
    user: str,
    reason=None,
    expect_status: str | None = None,
) -> BulkResult:
    """Approve, reject or hide each of `ids` (reject and hide: one reason for all).

    The request is checked whole before anything changes (a 400 naming `action`, `ids` or
    `reason`). `expect_status`: act only on those still in it, report the others."""
    if action not in ACTIONS:
        listed = ", ".join(ACTIONS)
        raise bad("action", f"azione: una di {listed}", f"action: one of {listed}")
    wanted = list(dict.fromkeys(str(i).strip() for i in ids if str(i).strip()))
    if not wanted:
        raise bad("ids", "scegli almeno un contributo", "choose at least one contribution")
    if len(wanted) > MAX_IDS:
        raise bad("ids", f"al massimo {MAX_IDS} alla volta", f"at most {MAX_IDS} at once")
    why = None
    if action != "approve":
        why = plain(reason, "reason", MAX_REASON, required=True)
    result = BulkResult(action)
    for cid in wanted:
        try:  # the status is checked in the transaction of the change, not before it
            if action == "approve":
                service.approve(svc, cid, user, expect_status)
            elif action == "reject":
                service.reject(svc, cid, user, why, expect_status)
            else:
                service.hide(svc, cid, user, why, expect_status)
        except ContributionNotFound:
            result.missing.append(cid)
            continue
        except ContributionChanged as changed:
            result.changed.append((cid, changed.now))
            continue
        result.done.append(cid)
    return result
