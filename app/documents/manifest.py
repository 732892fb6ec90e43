"""`manifest.toml` beside the .docx templates: what each template is, how its documents are numbered.

Format (docs/DOCUMENTS.md):

    [[templates]]
    id = "filing_decision"            # the id workflow.toml names in [[steps.<id>.documents]]
    title = "立案决定书"
    file = "filing_decision.docx"
    version = "2026.1"                # recorded on every document made with it
    stage = "filing"
    archive_order = 310               # place in the dossier (procedures.md §3 order)
    archive_group = "立案报告"
    number = "{office_abbr}纪立〔{year}〕{seq}号"   # only for numbered documents
    counter = "filing_decision"       # sequence shared by templates naming the same counter
    author = "commission"             # optional: 责任者 in the 卷内目录 (AUTHORS); unset: the shipped template's, else the 纪委
    variables = ["person.name", ...]  # every variable the template uses
    required = ["person.name"]        # variables the template must use

Pure: parsing takes the TOML text already read.
"""

from __future__ import annotations

import re
import string
import tomllib
from dataclasses import dataclass

from app.domain.errors import DomainError, toml_problem

ID = re.compile(r"[a-z][a-z0-9_]*")
NUMBER_FIELDS = {"office_abbr", "office_code", "year", "seq"}
PRACTICE_PATTERN = "练习〔{year}〕{seq}号"
CASE_NUMBER = "{case_number}"  # the document carries the case's 立案 number (立案决定书): no counter of its own
KEYS = {"id", "title", "file", "version", "stage", "archive_order", "archive_group", "number", "counter",
        "variables", "required", "author"}
# Who a document comes from (责任者 in the 卷内目录), resolved to names from the office at the dossier:
# the township 纪委, its 监察办公室 (政务处分), the 党支部 (支部决议, 会议记录), the county (its replies)
# and the township 党委.
AUTHORS = {"commission": "纪委", "supervision": "监察办公室", "branch": "党支部", "county": "县纪委监委",
           "party_committee": "党委"}


@dataclass(frozen=True)
class TemplateEntry:
    id: str
    title: str
    file: str
    version: str
    stage: str
    archive_order: int
    archive_group: str = ""
    number: str = ""
    counter: str = ""
    variables: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    author: str = ""  # a key of AUTHORS; "" when the manifest does not say

    @property
    def counter_kind(self) -> str:
        """The Counter.kind of this template's numbers (document numbers never share clue or case counters)."""
        return f"doc:{self.counter or self.id}"


def number_pattern_problem(pattern: str) -> str | None:
    """None when the pattern is usable: only known {fields}, with {year} and {seq}; or exactly {case_number}."""
    if pattern == CASE_NUMBER:
        return None
    try:
        parsed = [(name, spec, conv) for _, name, spec, conv in string.Formatter().parse(pattern) if name is not None]
    except ValueError as exc:
        return f"编号格式“{pattern}”有误：{exc}"
    unknown = sorted({name or "{}" for name, spec, conv in parsed if name not in NUMBER_FIELDS or spec or conv})
    if unknown:
        return (f"编号格式“{pattern}”中有无法识别的占位符：{'、'.join(unknown)}"
                f"（可用：{'、'.join('{' + n + '}' for n in sorted(NUMBER_FIELDS))}）")
    names = {name for name, _, _ in parsed}
    if not {"year", "seq"} <= names:
        return f"编号格式“{pattern}”须包含 {{year}} 和 {{seq}}"
    return None


def format_number(pattern: str, *, office_abbr: str, office_code: str, year: int, seq: int) -> str:
    return pattern.format(office_abbr=office_abbr, office_code=office_code, year=year, seq=seq)


def _strings(value, where: str, key: str, problems: list[str]) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        problems.append(f"{where}的 {key} 应为文字列表")
        return ()
    return tuple(value)


def parse_entry(raw: dict, where: str, problems: list[str]) -> TemplateEntry | None:
    unknown = sorted(set(raw) - KEYS)
    if unknown:
        problems.append(f"{where}有无法识别的项：{'、'.join(unknown)}")
    for key in ("id", "title", "file", "version", "stage"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            problems.append(f"{where}缺少 {key}（文字）")
            return None
    if not ID.fullmatch(raw["id"]):
        problems.append(f"{where}的 id“{raw['id']}”须为小写字母开头的字母、数字或下划线")
        return None
    if "/" in raw["file"] or "\\" in raw["file"] or raw["file"].startswith(".") or not raw["file"].endswith(".docx"):
        problems.append(f"{where}的 file“{raw['file']}”须为同一文件夹中的 .docx 文件名")
        return None
    order = raw.get("archive_order", 0)
    if type(order) is not int or order < 0:
        problems.append(f"{where}的 archive_order 应为非负整数")
        order = 0
    number = raw.get("number", "")
    if not isinstance(number, str):
        problems.append(f"{where}的 number 应为文字")
        number = ""
    elif number and (problem := number_pattern_problem(number)):
        problems.append(f"{where}：{problem}")
    counter = raw.get("counter", "")
    if not isinstance(counter, str) or (counter and not ID.fullmatch(counter)):
        problems.append(f"{where}的 counter 须为小写字母开头的字母、数字或下划线")
        counter = ""
    variables = _strings(raw.get("variables", []), where, "variables", problems)
    required = _strings(raw.get("required", []), where, "required", problems)
    author = raw.get("author", "")
    if not isinstance(author, str) or (author and author not in AUTHORS):
        problems.append(f"{where}的 author 须为以下之一：{'、'.join(AUTHORS)}")
        author = ""
    return TemplateEntry(raw["id"], raw["title"].strip(), raw["file"], raw["version"].strip(), raw["stage"].strip(),
                         order, str(raw.get("archive_group", "")), number, counter, variables, required, author)


def parse_manifest(text: str, source: str = "manifest.toml") -> dict[str, TemplateEntry]:
    """Entries by id; DomainError "manifest_invalid" listing every problem."""
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError) as exc:  # RecursionError: arrays nested too deep
        raise DomainError("manifest_invalid", f"模板清单“{source}”格式错误：{toml_problem(exc)}", {"source": source}) from exc
    problems: list[str] = []
    entries: dict[str, TemplateEntry] = {}
    raw_list = data.get("templates")
    if not isinstance(raw_list, list) or not all(isinstance(r, dict) for r in raw_list):
        problems.append("缺少 [[templates]] 表")
        raw_list = []
    files: set[str] = set()
    for index, raw in enumerate(raw_list, 1):
        where = f"第 {index} 个模板（{raw.get('id', '?')}）"
        entry = parse_entry(raw, where, problems)
        if entry is None:
            continue
        if entry.id in entries:
            problems.append(f"模板 id“{entry.id}”重复")
        if entry.file in files:
            problems.append(f"文件“{entry.file}”被多个模板使用")
        files.add(entry.file)
        entries[entry.id] = entry
    if problems:
        raise DomainError("manifest_invalid", f"模板清单“{source}”有 {len(problems)} 处问题：" + "；".join(problems),
                          {"source": source, "problems": problems})
    return entries


def to_toml(entries: list[TemplateEntry], header: str = "") -> str:
    """The manifest text for `entries` (tomllib reads it back to the same entries)."""

    def q(value: str) -> str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = [header.rstrip("\n"), ""] if header else []
    for e in entries:
        lines += ["[[templates]]", f"id = {q(e.id)}", f"title = {q(e.title)}", f"file = {q(e.file)}",
                  f"version = {q(e.version)}", f"stage = {q(e.stage)}", f"archive_order = {e.archive_order}",
                  f"archive_group = {q(e.archive_group)}"]
        if e.number:
            lines.append(f"number = {q(e.number)}")
        if e.counter:
            lines.append(f"counter = {q(e.counter)}")
        if e.author:
            lines.append(f"author = {q(e.author)}")
        lines.append("variables = [" + ", ".join(q(v) for v in e.variables) + "]")
        lines.append("required = [" + ", ".join(q(v) for v in e.required) + "]")
        lines.append("")
    return "\n".join(lines)
