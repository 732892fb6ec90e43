"""Which templates there are: the shipped set (app/docs_templates) and the ones a county installed.

An installed template (accepted by lint, kept in the store) takes the place of the shipped one
with the same id; the version of whichever is used is recorded on every document it makes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from app.documents.manifest import TemplateEntry, parse_manifest
from app.domain.errors import DomainError
from app.paths import source_root

SHIPPED = "shipped"
INSTALLED = "installed"


def shipped_dir() -> Path:
    return source_root() / "app" / "docs_templates"


@lru_cache(maxsize=2)
def shipped_entries(folder: Path) -> dict[str, TemplateEntry]:
    manifest = folder / "manifest.toml"
    try:
        text = manifest.read_text(encoding="utf-8")
    except OSError as exc:
        raise DomainError("templates_missing", f"找不到文书模板清单“{manifest}”：{exc.strerror}。请重新安装纪案通。") from exc
    return parse_manifest(text, str(manifest))


@lru_cache(maxsize=64)
def _shipped_bytes(path: Path) -> bytes:
    return path.read_bytes()


@dataclass(frozen=True)
class Template:
    entry: TemplateEntry
    origin: str  # shipped | installed
    data: bytes


class Registry:
    """Templates by id: shipped ones, overridden by installed ones (id → (entry, bytes))."""

    def __init__(self, folder: Path, installed: dict[str, tuple[TemplateEntry, bytes]]):
        self.folder = folder
        self.shipped = shipped_entries(folder)
        self.installed = installed

    def ids(self) -> list[str]:
        return sorted(set(self.shipped) | set(self.installed))

    def entry(self, template_id: str) -> TemplateEntry | None:
        if template_id in self.installed:
            return self.installed[template_id][0]
        return self.shipped.get(template_id)

    def entries(self) -> list[TemplateEntry]:
        return sorted((self.entry(i) for i in self.ids()), key=lambda e: (e.archive_order, e.id))

    def get(self, template_id: str) -> Template:
        if template_id in self.installed:
            entry, data = self.installed[template_id]
            return Template(entry, INSTALLED, data)
        entry = self.shipped.get(template_id)
        if entry is None:
            raise DomainError("no_template", f"没有编号为“{template_id}”的文书模板。")
        try:
            data = _shipped_bytes(self.folder / entry.file)
        except OSError as exc:
            raise DomainError("templates_missing", f"找不到文书模板文件“{entry.file}”：{exc.strerror}。请重新安装纪案通。") from exc
        return Template(entry, SHIPPED, data)
