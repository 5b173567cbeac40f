"""A public contribution's text as HTML: escaped, with its web addresses made links.

The issue's rule: text only, rendered escaped, and links not clickable until a moderator has
approved the contribution. Only approved contributions (and the council's answers) are
rendered through `linked`; the moderators' queue and the citizen's private page show the
text as sent. Only http(s) addresses become links, marked as user content
(rel="nofollow ugc"), opened without a referrer; punctuation that ends a sentence stays out.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

ADDRESS = re.compile(r"\bhttps?://[^\s<>\"']+", re.IGNORECASE)
TRAILING = ".,;:!?)]}»\u2019\u201d"
REL = "nofollow ugc noopener noreferrer"


def linked(text: str | None) -> Markup:
    if not text:
        return Markup("")
    out, start = [], 0
    for match in ADDRESS.finditer(text):
        address = match.group(0)
        kept = address.rstrip(TRAILING)
        if kept.count("(") > kept.count(")") and address[len(kept) :].startswith(")"):
            kept += ")"  # a Wikipedia-style address that ends with its own parenthesis
        out.append(escape(text[start : match.start()]))
        out.append(Markup('<a href="{0}" rel="{1}">{0}</a>').format(kept, REL))
        start = match.start() + len(kept)
    out.append(escape(text[start:]))
    return Markup("").join(out)
