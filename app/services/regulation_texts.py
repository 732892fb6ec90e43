"""The regulation texts shipped with the app (resources/regulations/cited.toml): the article a
citation names, shown on demand in the case view, the practice feedback and the 定性 picker."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache

from app.domain import citations
from app.paths import resources_dir

CITED_FILE = ("regulations", "cited.toml")


@dataclass(frozen=True)
class Shown:
    """One cited article as the user reads it: its citation, where the text comes from, the text
    (empty, with `note`, when the app holds no text of it)."""

    label: str
    source: str
    text: str
    note: str = ""


@lru_cache(maxsize=1)
def shipped() -> citations.CitedTexts:
    path = resources_dir().joinpath(*CITED_FILE)
    return citations.parse_cited(tomllib.loads(path.read_text(encoding="utf-8")))


def articles_of(citation: str) -> list[Shown]:
    """Every article `citation` names, in order, each once; a chapter gives its heading."""
    texts = shipped()
    shown: list[Shown] = []
    seen = set()
    for ref in citations.find(citation):
        key = (texts.aliases.get(ref.title, ref.title), ref.unit, ref.number)
        if key in seen:
            continue
        seen.add(key)
        found = texts.get(ref)
        if found is not None:
            shown.append(Shown(ref.label, found.source, found.text))
        elif ref.title in texts.unavailable:
            shown.append(Shown(ref.label, "", "", f"本软件未收录该文本：{texts.unavailable[ref.title]}。"))
        else:
            shown.append(Shown(ref.label, "", "", "所附条文中没有这一条，请核对引用。"))
    return shown
