"""An in-memory search index: words to documents, with prefix and typo-tolerant matching.

Each query word must match a word of the document exactly, as a prefix (the word being
typed) or within a small edit distance (one typo in words of 4-7 letters, two from 8).
Street types and little words ("via", "di") only help the ranking. A number in the query
picks the house number in an address document ("via Dante 12").
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, field

from app.search.normalize import Tokens, tokenize

EXACT, PREFIX, TYPO1, TYPO2 = 1.0, 0.85, 0.7, 0.55
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class House:
    """One house number of a street."""

    label: str
    lon: float | None
    lat: float | None
    quartiere: dict | None


@dataclass
class Doc:
    """One searchable thing: a feature, a quartiere, or a street with its house numbers."""

    label: str
    kind: str  # address, street, quartiere, intervento, feature
    layer: str
    layer_title: dict
    id: str
    lon: float | None
    lat: float | None
    precisione: str | None
    quartiere: dict | None
    link: str
    text: str = ""
    priority: float = 0.0
    houses: dict[str, House] = field(default_factory=dict)
    words: frozenset = frozenset()
    soft: frozenset = frozenset()
    numbers: frozenset = frozenset()

    def tokenize(self) -> None:
        t = tokenize(self.text or self.label)
        self.words, self.soft, self.numbers = (
            frozenset(t.words),
            frozenset(t.soft),
            frozenset(t.numbers),
        )


def _trigrams(word: str) -> set[str]:
    padded = f"^{word}$"
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a swap counts once), stopping beyond `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2, prev = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if prev2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


class SearchIndex:
    """Built once from documents; answers queries in memory."""

    def __init__(self, docs: list[Doc]):
        self.docs = docs
        self.postings: dict[str, list[int]] = defaultdict(list)
        for n, doc in enumerate(docs):
            doc.tokenize()
            for w in doc.words | doc.numbers:
                self.postings[w].append(n)
        self.vocab = sorted(self.postings)
        self.grams: dict[str, set[str]] = defaultdict(set)
        for w in self.vocab:
            if not w[0].isdigit():
                for g in _trigrams(w):
                    self.grams[g].add(w)

    def __len__(self) -> int:
        return len(self.docs)

    # -- matching one word -------------------------------------------------------------

    def matches(self, word: str, typing: bool) -> dict[str, float]:
        """Index words matching `word`, with their weight. `typing`: may be a prefix."""
        found: dict[str, float] = {}
        if word in self.postings:
            found[word] = EXACT
        if typing and len(word) >= 2:
            i = bisect.bisect_left(self.vocab, word)
            while i < len(self.vocab) and self.vocab[i].startswith(word):
                found.setdefault(self.vocab[i], PREFIX)
                i += 1
        if len(word) >= 4 and not word[0].isdigit():
            limit = 1 if len(word) < 8 else 2
            candidates = set()
            for g in _trigrams(word):
                candidates |= self.grams.get(g, set())
            for cand in candidates:
                if cand in found or abs(len(cand) - len(word)) > limit:
                    continue
                d = edit_distance(word, cand, limit)
                if d <= limit:
                    found[cand] = TYPO1 if d == 1 else TYPO2
        return found

    # -- queries -----------------------------------------------------------------------

    def _scores(self, required: tuple[str, ...], typing_last: bool) -> dict[int, list[float]]:
        """Per document, the best weight of each required word (documents matching all)."""
        per_doc: dict[int, list[float]] = {}
        for k, word in enumerate(required):
            best: dict[int, float] = {}
            typing = typing_last and k == len(required) - 1
            for token, weight in self.matches(word, typing).items():
                for n in self.postings[token]:
                    if best.get(n, 0) < weight:
                        best[n] = weight
            if k == 0:
                per_doc = {n: [w] for n, w in best.items()}
            else:
                per_doc = {n: ws + [best[n]] for n, ws in per_doc.items() if n in best}
            if not per_doc:
                break
        return per_doc

    def search(self, query: str, limit: int = 10) -> list[dict]:
        """The best `limit` results for `query`, best first."""
        t = tokenize(query)
        typing_last = not query.endswith(" ")
        required = t.words or t.numbers
        if not required:
            return []
        per_doc = self._scores(required, typing_last)
        if not per_doc and len(required) >= 3:
            # Let one word go unmatched rather than answer nothing to a long query.
            for skip in range(len(required)):
                rest = required[:skip] + required[skip + 1 :]
                for n, ws in self._scores(rest, typing_last).items():
                    per_doc.setdefault(n, ws + [0.0])
        ranked = []
        for n, weights in per_doc.items():
            doc = self.docs[n]
            score = sum(weights) / len(weights) + doc.priority
            score += 0.1 * len(doc.soft.intersection(t.soft))
            if doc.words:
                score += 0.25 * min(1.0, len(required) / len(doc.words))
            ranked.append((score, n))
        return self._results(ranked, t, limit)

    def _results(self, ranked: list, t: Tokens, limit: int) -> list[dict]:
        out = []
        for score, n in ranked:
            out.append(self._result(self.docs[n], score, t))
        out.sort(key=lambda r: (-r["score"], len(r["label"])))
        return out[:limit]

    @staticmethod
    def _result(doc: Doc, score: float, t: Tokens) -> dict:
        result = {
            "label": doc.label,
            "kind": doc.kind,
            "layer": doc.layer,
            "layer_title": doc.layer_title,
            "id": doc.id,
            "location": None if doc.lon is None else {"lon": doc.lon, "lat": doc.lat},
            "precisione": doc.precisione,
            "quartiere": doc.quartiere,
            "link": doc.link,
            "score": round(score, 3),
        }
        if doc.houses and t.numbers:
            wanted = t.numbers[0]
            house = doc.houses.get(wanted) or doc.houses.get(wanted.rstrip(_LETTERS))
            if house is not None:
                result.update(
                    label=house.label,
                    kind="address",
                    id=f"{doc.id}/{wanted}",
                    location=None if house.lon is None else {"lon": house.lon, "lat": house.lat},
                    precisione="indirizzo",
                    quartiere=house.quartiere,
                    link=_place_link(house, doc.link),
                    score=round(score + 0.5, 3),
                )
        elif t.numbers and doc.numbers.intersection(t.numbers):
            result["score"] = round(score + 0.2, 3)
        return result


def _place_link(house: House, fallback: str) -> str:
    """Where an address leads: its quartiere page with the point, else the point page."""
    if house.lon is None:
        return fallback
    q = house.quartiere or {}
    if q.get("slug"):
        return f"/quartieri/{q['slug']}?lon={house.lon:.6f}&lat={house.lat:.6f}"
    return f"/quartieri/punto?lon={house.lon:.6f}&lat={house.lat:.6f}"
