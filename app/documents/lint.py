"""Lint of .docx templates: what a county (or this repo's generator) must get right before use.

For each template it reports, with the part and paragraph: tags split over paragraphs or
malformed, Jinja syntax errors, sandbox violations, variables the context does not have
(undeclared), and, against the manifest, required variables the template never uses and used
variables the manifest does not list. The same sandbox check runs on exactly what docxtpl will
execute (`executed_sources`), so a tag hidden in a field code or an attribute is caught too;
`guard` is that check alone, run before every rendering.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from docxtpl import DocxTemplate
from jinja2 import TemplateSyntaxError
from lxml import etree

from app.documents import external
from app.documents.manifest import TemplateEntry, parse_manifest
from app.documents.report_context import is_report, schema_for
from app.documents.sandbox import Finding, check_source
from app.domain.errors import DomainError

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_PART = re.compile(r"word/(document|header\d*|footer\d*|footnotes)\.xml")
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_DOCXTPL_PREFIX = re.compile(r"^(\{%-?|\{\{-?|\{#)(?:p|tr|tc|r)\s")
_OPENERS = ("{{", "{%", "{#")
_CLOSERS = ("}}", "%}", "#}")
_SINGLE_BRACE = re.compile(r"(?<![{%#])\{\s*[A-Za-z_][\w.]*\s*\}(?![}%#])")
_CORE_PROPS = ("creator", "description", "identifier", "language", "subject", "title")
PART_LABELS = {"document": "正文", "footnotes": "脚注"}
MAX_TEMPLATE_BYTES = 20 * 1024 * 1024
# what the standard library raises for a damaged archive (zlib: a corrupt deflate stream)
ZIP_DAMAGE = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, KeyError, ValueError, EOFError,
              NotImplementedError, RuntimeError)


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    file: str
    part: str = ""
    paragraph: int = 0  # 1-based within the part; 0 = not tied to one paragraph
    text: str = ""


@dataclass(frozen=True)
class FileReport:
    file: str
    template_id: str
    ok: bool
    problems: tuple[Problem, ...]
    variables: tuple[str, ...]


@dataclass(frozen=True)
class DirReport:
    ok: bool
    files: tuple[FileReport, ...]
    problems: tuple[Problem, ...]  # manifest-level: missing manifest, entries without file, unknown stage
    missing_templates: tuple[str, ...]  # template ids the rules name that the folder does not provide


def part_label(name: str) -> str:
    stem = name.removeprefix("word/").removesuffix(".xml")
    if stem in PART_LABELS:
        return PART_LABELS[stem]
    kind = "页眉" if stem.startswith("header") else "页脚"
    return kind + re.sub(r"\D", "", stem)


def read_parts(data: bytes) -> dict[str, bytes]:
    """The parts docxtpl renders, by zip name; DomainError when the bytes are not a usable .docx."""
    if len(data) > MAX_TEMPLATE_BYTES:
        raise DomainError("template_too_large", "模板文件过大（超过20MB），不是正常的文书模板。")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = z.namelist()
            if "word/document.xml" not in names:
                raise DomainError("not_docx", "不是有效的 .docx 文件：缺少 word/document.xml。")
            total = sum(i.file_size for i in z.infolist())
            if total > 10 * MAX_TEMPLATE_BYTES:
                raise DomainError("template_too_large", "模板文件解压后过大，不是正常的文书模板。")
            # every member, not only the parts checked here: the renderer reads them all, and a damaged
            # one must be refused now rather than fail later in the middle of making a document
            contents = {n: z.read(n) for n in names}
    except ZIP_DAMAGE as exc:
        raise DomainError("not_docx", f"不是有效的 .docx 文件，或文件已损坏（{exc}）。") from exc
    return {n: data for n, data in contents.items() if _PART.fullmatch(n) or n == "docProps/core.xml"}


def paragraphs(xml: bytes) -> list[str]:
    """The text of each w:p in document order (table cells included, nested paragraphs apart)."""
    root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False))
    if not isinstance(root.tag, str) or not root.tag.startswith(W):
        # another namespace: no w:p would be found to check, and Word (and the renderer) cannot read it
        raise DomainError("not_docx", "不是有效的 .docx 文件：正文、页眉或页脚不是 Word 格式（WordprocessingML）。")
    texts = []
    for p in root.iter(W + "p"):
        texts.append("".join(t.text or "" for t in p.iter(W + "t") if next(t.iterancestors(W + "p")) is p))
    return texts


def core_strings(xml: bytes) -> list[str]:
    root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    return [el.text or "" for el in root.iter() if isinstance(el.tag, str) and el.tag.rsplit("}", 1)[-1] in _CORE_PROPS]


_PATCHER = DocxTemplate.__new__(DocxTemplate)  # patch_xml uses no instance state


def executed_sources(parts: dict[str, bytes]) -> list[tuple[str, str]]:
    """(part label, Jinja source) exactly as docxtpl patches and runs them."""
    out = []
    for name, xml in sorted(parts.items()):
        if name == "docProps/core.xml":
            out += [("文档属性", s) for s in core_strings(xml) if s]
        else:
            out.append((part_label(name), DocxTemplate.patch_xml(_PATCHER, xml.decode("utf-8"))))
    return out


def _stray(text: str) -> tuple[bool, bool]:
    """(has an opener, has a closer) left in a paragraph after its complete tags are removed."""
    rest = _TAG.sub("", text)
    return any(o in rest for o in _OPENERS), any(c in rest for c in _CLOSERS)


def tag_problems(file: str, part: str, texts: list[str]) -> list[Problem]:
    problems = []
    continued: set[int] = set()
    for i, text in enumerate(texts):
        opener, closer = _stray(text)
        short = text[:80]
        if opener:
            nxt = next((j for j in range(i + 1, min(i + 6, len(texts))) if texts[j].strip()), None)
            if nxt is not None and _stray(texts[nxt])[1]:
                continued.add(nxt)
                problems.append(Problem("split_tag", f"标签跨越了段落（第{i + 1}段开始，第{nxt + 1}段结束）：标签的开始和结束须在同一段内",
                                        file, part, i + 1, short))
            else:
                problems.append(Problem("malformed_tag", "标签没有闭合：“{{”须以“}}”结束，“{%”须以“%}”结束", file, part, i + 1, short))
        elif closer and i not in continued:
            problems.append(Problem("malformed_tag", "有多余的“}}”或“%}”：对应的开始符号缺失或写错", file, part, i + 1, short))
        rest = _TAG.sub("", text)
        if "｛" in rest or "｝" in rest or "{ {" in rest or "} }" in rest:
            problems.append(Problem("malformed_tag", "标签符号写错：须用半角“{{ }}”“{% %}”，中间不能有空格或全角括号",
                                    file, part, i + 1, short))
        elif _SINGLE_BRACE.search(rest):
            problems.append(Problem("malformed_tag", "变量须写成“{{ 变量 }}”（两层花括号），不是单层“{ }”", file, part, i + 1, short))
    return problems


def synthetic_source(texts: list[str]) -> tuple[str, list[int]]:
    """Every complete tag of the part on its own line (docxtpl's p/tr/tc/r prefixes removed); line → paragraph."""
    lines, where = [], []
    for i, text in enumerate(texts):
        for m in _TAG.finditer(text):
            tag = _DOCXTPL_PREFIX.sub(lambda g: g.group(1) + " ", m.group(0)).replace("\n", " ")
            lines.append(tag)
            where.append(i + 1)
    return "\n".join(lines), where


def _syntax_problem(exc: TemplateSyntaxError, file: str, part: str, paragraph: int, text: str) -> Problem:
    return Problem("syntax_error", f"模板标签有语法错误：{exc.message}", file, part, paragraph, text)


def _finding_problem(f: Finding, file: str, part: str, paragraph: int, text: str) -> Problem:
    return Problem(f.code, f.message, file, part, paragraph, text)


def check_parts(parts: dict[str, bytes], file: str, schema: dict) -> tuple[list[Problem], set[str]]:
    """Located problems (tags, syntax, sandbox, undeclared) and the variables used."""
    problems: list[Problem] = []
    used: set[str] = set()
    located: set[tuple[str, str]] = set()
    for name, xml in sorted(parts.items()):
        if name == "docProps/core.xml":
            continue
        part = part_label(name)
        texts = paragraphs(xml)
        problems += tag_problems(file, part, texts)
        source, where = synthetic_source(texts)
        try:
            findings, names = check_source(source, schema)
        except TemplateSyntaxError as exc:
            at = where[exc.lineno - 1] if 0 < exc.lineno <= len(where) else 0
            problems.append(_syntax_problem(exc, file, part, at, texts[at - 1][:80] if at else ""))
            located.add(("syntax_error", part))
            continue
        used |= names
        for f in findings:
            at = where[f.lineno - 1] if 0 < f.lineno <= len(where) else 0
            problems.append(_finding_problem(f, file, part, at, texts[at - 1][:80] if at else ""))
            located.add((f.code, f.message))
    # What docxtpl really executes: a tag hidden outside the visible text is still checked.
    for part, source in executed_sources(parts):
        try:
            findings, names = check_source(source, schema)
        except TemplateSyntaxError as exc:
            if ("syntax_error", part) not in located and not any(p.code in ("split_tag", "malformed_tag") for p in problems):
                problems.append(_syntax_problem(exc, file, part, 0, ""))
            continue
        used |= names
        for f in findings:
            if (f.code, f.message) not in located:
                located.add((f.code, f.message))
                problems.append(Problem(f.code, f.message + "（标签不在正文文字中，可能藏在域代码、属性或文档属性里）", file, part))
    return problems, used


def lint_docx(data: bytes, file: str, schema: dict, entry: TemplateEntry | None = None) -> FileReport:
    try:
        parts = read_parts(data)
        problems, used = check_parts(parts, file, schema)
        # what Word would fetch on opening (app/documents/external.py): refused in a template
        problems += [Problem("external_reference", message, file) for message in external.problems(data)]
    except (DomainError, etree.XMLSyntaxError, UnicodeDecodeError) as exc:
        message = exc.message if isinstance(exc, DomainError) else f"文件内容不是有效的 Word XML（{exc}）"
        return FileReport(file, entry.id if entry else "", False, (Problem("not_docx", message, file),), ())
    if entry is not None:
        for path in entry.required:
            if path not in used:
                problems.append(Problem("required_variable_missing", f"模板没有使用必需的变量“{path}”", file))
        if entry.variables:
            for path in sorted(used - set(entry.variables)):
                problems.append(Problem("variable_not_in_manifest", f"模板使用了变量“{path}”，但清单 variables 中没有列出", file))
    return FileReport(file, entry.id if entry else "", not problems, tuple(problems), tuple(sorted(used)))


_GUARDED: dict[tuple[str, int], tuple[Problem, ...]] = {}
_GUARD_CACHE_SIZE = 256


def guard(data: bytes, file: str, schema: dict) -> tuple[Problem, ...]:
    """The sandbox check before rendering, cached per template bytes and (cached, long-lived) schema."""
    key = (hashlib.sha256(data).hexdigest(), id(schema))
    if key not in _GUARDED:
        if len(_GUARDED) >= _GUARD_CACHE_SIZE:
            _GUARDED.clear()
        _GUARDED[key] = lint_docx(data, file, schema).problems
    return _GUARDED[key]


def lint_dir(folder: Path, schema: dict, *, stages: Iterable[str] = (), referenced: Iterable[str] = ()) -> DirReport:
    """Every .docx of `folder` against its manifest.toml, the context schema and the rules."""
    problems: list[Problem] = []
    entries: dict[str, TemplateEntry] = {}
    manifest = folder / "manifest.toml"
    if not manifest.is_file():
        problems.append(Problem("manifest_missing", "文件夹中没有模板清单 manifest.toml", "manifest.toml"))
    else:
        try:
            entries = parse_manifest(manifest.read_text(encoding="utf-8"), manifest.name)
        except (DomainError, UnicodeDecodeError) as exc:
            message = exc.message if isinstance(exc, DomainError) else "模板清单不是 UTF-8 文本"
            problems.append(Problem("manifest_invalid", message, "manifest.toml"))
    by_file = {e.file: e for e in entries.values()}
    stage_ids = set(stages)
    for e in entries.values():
        if not (folder / e.file).is_file():
            problems.append(Problem("file_missing", f"清单中的模板“{e.id}”（{e.title}）没有对应的文件", e.file))
        if stage_ids and e.stage not in stage_ids and not is_report(e.stage):
            problems.append(Problem("unknown_stage", f"模板“{e.id}”的阶段“{e.stage}”不是规则文件中的阶段", e.file))
    files = []
    for path in sorted(folder.glob("*.docx")):
        if path.name.startswith("~$"):
            continue  # Word's lock file beside an open document
        entry = by_file.get(path.name)
        # A report template (stage "report") prints a period report, not a case: it has its own schema.
        report = lint_docx(path.read_bytes(), path.name, schema_for(entry.stage, schema) if entry else schema, entry)
        if entry is None and entries:
            extra = Problem("not_in_manifest", "清单 manifest.toml 中没有这个文件", path.name)
            report = FileReport(report.file, "", False, report.problems + (extra,), report.variables)
        files.append(report)
    missing = tuple(sorted(set(referenced) - set(entries)))
    ok = not problems and all(f.ok for f in files)
    return DirReport(ok, tuple(files), tuple(problems), missing)
