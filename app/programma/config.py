"""The programme file named by the organisation file (`programme.path`): the chapters of the
mandate programme, located by the lines of its document, and the funding categories with the
words that recognise them in an intervention's `finanziamento`.

Validated like a layer file (unknown keys are an error; errors name the file and the field).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import Field, ValidationError, model_validator

from app.errors import GeoportaleError
from app.registry.spec import BiText, Strict

_KEY = r"^[a-z][a-z0-9_]{0,30}$"


class ProgrammeFileError(GeoportaleError):
    """The programme file is missing or invalid; the message names the file and the field."""

    code = "invalid-programme-file"
    title = "Invalid programme file"


class Chapter(Strict):
    """A chapter of the mandate programme: the lines of its document it spans."""

    key: str = Field(pattern=_KEY)
    title: BiText
    document: str = Field(min_length=1, description="the document's file name, as in `fonte`")
    lines: tuple[int, int]

    @model_validator(mode="after")
    def _ordered(self):
        if not 1 <= self.lines[0] <= self.lines[1]:
            raise ValueError("lines: write [first, last] with 1 <= first <= last")
        return self

    def holds(self, document: str, line: int) -> bool:
        return document == self.document and self.lines[0] <= line <= self.lines[1]


class Funding(Strict):
    """A kind of funding and the words (case-insensitive) that name it in `finanziamento`."""

    key: str = Field(pattern=_KEY)
    label: BiText
    match: tuple[str, ...] = Field(default=(), description="empty: the category of the rest")

    def matches(self, text: str) -> bool:
        low = text.lower()
        return any(re.search(rf"(?<!\w){re.escape(w.lower())}(?!\w)", low) for w in self.match)


class Programme(Strict):
    chapters: tuple[Chapter, ...] = ()
    funding: tuple[Funding, ...] = ()

    @model_validator(mode="after")
    def _unique_and_one_rest(self):
        for name, items in (("chapters", self.chapters), ("funding", self.funding)):
            keys = [i.key for i in items]
            if len(keys) != len(set(keys)):
                raise ValueError(f"{name}: every key must be unique")
        if self.funding and sum(1 for f in self.funding if not f.match) != 1:
            raise ValueError("funding: exactly one category has no `match` (the rest)")
        return self

    def chapter_of(self, document: str, line: int) -> Chapter | None:
        return next((c for c in self.chapters if c.holds(document, line)), None)

    def funding_of(self, text: str | None) -> tuple[str, ...]:
        """The categories of a `finanziamento` text (several when co-funded); () if none."""
        if not text:
            return ()
        found = tuple(f.key for f in self.funding if f.match and f.matches(text))
        rest = next((f.key for f in self.funding if not f.match), None)
        return found or ((rest,) if rest else ())


def _where(loc: tuple) -> str:
    return ".".join(str(p) for p in loc) or "(file)"


@lru_cache(maxsize=8)
def load_programme(path: str) -> Programme:
    """Read and validate a programme file; ProgrammeFileError naming file and field."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProgrammeFileError(f"{path}: programme file not found") from None
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ProgrammeFileError(f"{path}: not a readable YAML file: {exc}") from None
    try:
        return Programme.model_validate(raw or {})
    except ValidationError as exc:
        problems = "; ".join(f"{_where(e['loc'])}: {e['msg']}" for e in exc.errors())
        raise ProgrammeFileError(f"{path}: {problems}") from None
