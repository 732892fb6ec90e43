"""Which template makes a document: the shipped set, or the one a county installed in its place.

Templates a county pushes down are accepted only when `templates lint` finds nothing wrong
(services/documents.install_templates); they are kept in the store (setting `template:<id>`) and
take the place of the shipped ones.
"""

from __future__ import annotations

import base64
import binascii
import json
from functools import lru_cache

from sqlalchemy import String, cast
from sqlmodel import Session, select

from app.documents.manifest import TemplateEntry, parse_entry
from app.documents.registry import Registry, shipped_dir
from app.models import Setting
from app.services import ruleset
from app.storage.store import Store

TEMPLATE_KEY_PREFIX = "template:"


def installed_templates(s: Session) -> dict[str, tuple[TemplateEntry, bytes]]:
    # the stored JSON texts, decoded (base64 and manifest entry) once per distinct text: every
    # render and every load of the case view reads the installed templates
    raw = cast(Setting.value, String)
    rows = s.exec(select(Setting.key, raw).where(ruleset.prefix_range(Setting.key, TEMPLATE_KEY_PREFIX))
                  .order_by(Setting.key)).all()
    found = {}
    for key, text in rows:
        template = installed_template(key, text)
        if template is not None:
            found[template[0].id] = template
    return found


@lru_cache(maxsize=128)  # a county installs the whole set, about 50 templates of 20-40 KB
def installed_template(key: str, text: str) -> tuple[TemplateEntry, bytes] | None:
    """One stored template row (key and stored JSON text); None when damaged."""
    problems: list[str] = []
    stored = json.loads(text)
    value = stored if isinstance(stored, dict) else {}
    entry = parse_entry(value.get("entry") or {}, f"已安装模板“{key}”", problems)
    try:
        data = base64.b64decode(str(value.get("docx", "")), validate=True)
    except (binascii.Error, ValueError):
        data = b""
    if entry is None or problems or not data:
        return None  # a damaged row falls back to the shipped template rather than failing every render
    return entry, data


def registry(store: Store) -> Registry:
    with store.read() as s:
        return registry_in(s)


def registry_in(s: Session) -> Registry:
    return Registry(shipped_dir(), installed_templates(s))
