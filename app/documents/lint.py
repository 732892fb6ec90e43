"""Lint of .docx templates: what a county (or this repo's generator) must get right before use.

For each template it reports, with the part and paragraph: tags split over paragraphs or
malformed, Jinja syntax errors, sandbox violations, variables the context does not have
(undeclared), and, against the manifest, required variables the template never uses and used
variables the manifest does not list. The same sandbox check runs on exactly what docxtpl will
execute (`executed_sources`), so a tag hidden in a field code or an attribute is caught too;
`guard` is that check alone, run before every rendering.

A county edits templates in Word or WPS, so the faults it makes are named in its words, one problem
per fault and at the paragraph of the fault: curly quotes inside a tag (Word's autoformat, a Chinese
input method), an if/for without its end (at the tag that opened it, not at the end of the part
where Jinja notices), an end or else that closes nothing, docxtpl's {%p %}/{%tr %} tags sharing a
paragraph or outside a table, and any other Jinja syntax error translated (`explain`). Messages
quote the start of the paragraph's text and its table cell; `part` and `paragraph` give the rest.
"""

from __future__ import annotations

import ast
import hashlib
import io
import re
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from docxtpl import DocxTemplate
from jinja2 import TemplateSyntaxError
from lxml import etree

from app.documents import external
from app.documents.manifest import TemplateEntry, parse_manifest
from app.documents.report_context import is_report, schema_for
from app.documents.sandbox import Finding, check_source, environment
from app.domain.errors import DomainError

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_PART = re.compile(r"word/(document|header\d*|footer\d*|footnotes)\.xml")
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_DOCXTPL_PREFIX = re.compile(r"^(\{%-?|\{\{-?|\{#)(p|tr|tc|r)\s")
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


def paragraph_places(xml: bytes) -> list[str]:
    """For each w:p of `paragraphs` (same order): where it sits in a table ("表格1第2行第3列"), or ""."""
    root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False))
    # keyed by element (not id()): the dicts keep lxml's proxies alive, so they stay the same objects
    number: dict = {t: n for n, t in enumerate(root.iter(W + "tbl"), 1)}
    counts: dict = {}
    for container, item in (("tbl", "tr"), ("tr", "tc")):
        for el in root.iter(W + item):
            owner = next(el.iterancestors(W + container), None)
            counts[owner] = counts.get(owner, 0) + 1
            number[el] = counts[owner]
    places = []
    for p in root.iter(W + "p"):
        cell = next(p.iterancestors(W + "tc"), None)
        row = next(cell.iterancestors(W + "tr"), None) if cell is not None else None
        table = next(row.iterancestors(W + "tbl"), None) if row is not None else None
        places.append(f"表格{number[table]}第{number[row]}行第{number[cell]}列" if table is not None else "")
    return places


@dataclass(frozen=True)
class _Tag:
    """One complete tag of a part as written (`text`), and as docxtpl hands it to Jinja (`source`)."""

    text: str
    source: str  # p/tr/tc/r prefix removed, Word's curly quotes made straight (docxtpl's clean_tags)
    paragraph: int  # 1-based
    prefix: str  # "p", "tr", "tc", "r" or ""
    keyword: str  # first word of a {% %} statement ("if", "endfor" …), "" otherwise


_CURLY = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})
_KEYWORD = re.compile(r"^\{%[-+]?\s*([A-Za-z_]\w*)")
_ENDS = {"if": "endif", "for": "endfor", "set": "endset", "macro": "endmacro", "call": "endcall", "filter": "endfilter",
         "block": "endblock", "with": "endwith", "autoescape": "endautoescape"}
_BLOCK_KINDS = {"if": "条件块", "for": "循环"}
_QUOTE_CHARS = 24  # how much of a paragraph's text a message quotes


def _tags(texts: list[str]) -> list[_Tag]:
    tags = []
    for i, text in enumerate(texts):
        for m in _TAG.finditer(text):
            raw = m.group(0)
            prefix = _DOCXTPL_PREFIX.match(raw)
            source = _DOCXTPL_PREFIX.sub(lambda g: g.group(1) + " ", raw).replace("\n", " ")
            if not source.startswith("{#"):
                source = source.translate(_CURLY)
            keyword = _KEYWORD.match(source)
            tags.append(_Tag(raw, source, i + 1, prefix.group(2) if prefix else "", keyword.group(1) if keyword else ""))
    return tags


def _block(kind: str, tag: _Tag, body: str = "…") -> str:
    """The docxtpl tag a user writes for `kind` ("endif", "if" …), with the prefix of `tag`."""
    prefix = tag.prefix if tag.prefix in ("p", "tr", "tc") else ""
    return "{%" + prefix + " " + kind + (" " + body if body else "") + " %}"


def _short(tag: str) -> str:
    tag = tag.replace("\n", " ")
    return tag if len(tag) <= 40 else tag[:39] + "…"


class _Where:
    """How a message names a paragraph: its table cell, if any, and the start of its text ("表格1第2行第1列“序号…”").
    Its part and number are the problem's `part` and `paragraph`, which the CLI and the renderer put before the
    message."""

    def __init__(self, texts: list[str], places: list[str]):
        self.texts, self.places = texts, places

    def __call__(self, paragraph: int) -> str:
        text = self.texts[paragraph - 1].strip()
        start = text if len(text) <= _QUOTE_CHARS else text[:_QUOTE_CHARS] + "…"
        return self.places[paragraph - 1] + f"“{start}”"

    def subject(self, tag: _Tag) -> str:
        """How a message names `tag`: "这个标记" when it is all its paragraph holds (the quote shows it already)."""
        return "这个标记" if self.texts[tag.paragraph - 1].strip() == tag.text.strip() else f"标记 {_short(tag.text)} "


def _parse_error(source: str) -> TemplateSyntaxError | None:
    try:
        environment().parse(source)
    except TemplateSyntaxError as exc:
        return exc
    return None


def _alone(tag: _Tag) -> str | None:
    """A source in which `tag` parses on its own (a block opener closed, an else inside an if); None: not checkable."""
    k = tag.keyword
    if tag.source.startswith(("{{", "{#")) or not k:
        return tag.source
    if k == "set":
        return tag.source if "=" in tag.source else tag.source + "{% endset %}"
    if k in _ENDS:
        return tag.source + "{% " + _ENDS[k] + " %}"
    if k in ("elif", "else"):
        return "{% if true %}" + tag.source + "{% endif %}"
    if k == "endif":
        return "{% if true %}" + tag.source
    if k == "endfor":
        return "{% for _ in _ %}" + tag.source
    if k == "raw" or k.startswith("end"):
        return None
    return tag.source  # an unknown tag: Jinja says so


_QUOTE_WORD = ("Jinja 标记中的引号是中文弯引号（{curly}），模板里的引号必须是英文直引号（{straight}）。"
               "请在 Word 中关闭“自动套用格式—直引号替换为弯引号”，并把输入法切换为英文标点后重新输入")


def quote_problems(file: str, part: str, tags: list[_Tag], where: _Where) -> tuple[list[Problem], set[int]]:
    """Word's (or a Chinese input method's) curly quotes inside a tag: one problem per paragraph; the tags concerned."""
    problems: list[Problem] = []
    quoted: set[int] = set()
    for n, tag in enumerate(tags):
        if tag.text.startswith("{#") or tag.text.translate(_CURLY) == tag.text:
            continue
        quoted.add(n)
        if problems and problems[-1].paragraph == tag.paragraph:
            continue
        written = _alone(replace(tag, source=_DOCXTPL_PREFIX.sub(lambda g: g.group(1) + " ", tag.text)))
        if written is not None and _parse_error(written) is None:
            # valid as written, so the curly quotes are inside strings ({{ "“" ~ x ~ "”" }}); but docxtpl
            # straightens every curly quote in a tag, and the tag breaks or prints something else
            message = ("Jinja 标记里的字符串中有中文弯引号（“ ” ‘ ’）：生成文书时它们会被换成英文直引号，标记会出错或印出别的文字。"
                       "要在文书中印出引号，请把引号写在标记外面，如“{{ 变量 }}”")
        else:
            double, single = "“" in tag.text or "”" in tag.text, "‘" in tag.text or "’" in tag.text
            message = _QUOTE_WORD.format(curly=" ".join(c for c, on in (("“ ”", double), ("‘ ’", single)) if on),
                                         straight=" ".join(c for c, on in (('"', double), ("'", single)) if on))
        problems.append(Problem("smart_quote", f"{where(tag.paragraph)}：{message}。", file, part, tag.paragraph,
                                where.texts[tag.paragraph - 1][:80]))
    return problems, quoted


_PARAGRAPH = _Tag("", "", 0, "p", "")


def prefix_problems(file: str, part: str, tags: list[_Tag], where: _Where) -> list[Problem]:
    """docxtpl's {%p %} / {%tr %} / {%tc %}: alone in their paragraph, tr and tc inside a table."""
    problems: list[Problem] = []
    for tag in tags:
        if tag.prefix not in ("p", "tr", "tc") or (problems and problems[-1].paragraph == tag.paragraph):
            continue
        n = tag.paragraph
        text = where.texts[n - 1]
        if tag.prefix in ("tr", "tc") and not where.places[n - 1]:
            unit = "表格行" if tag.prefix == "tr" else "单元格"
            body = "" if tag.keyword.startswith("end") or tag.keyword == "else" else "…"
            message = (f"{where.subject(tag)}是{unit}标记（{tag.prefix}），只能写在表格的单元格里；"
                       f"不在表格中的内容请改用段落标记，如 {_block(tag.keyword or 'if', _PARAGRAPH, body)}")
        elif text.replace(tag.text, "", 1).strip():
            unit, this = {"p": ("一段", "这一段"), "tr": ("表格的一行", "这一行"), "tc": ("一个单元格", "这个单元格")}[tag.prefix]
            message = (f"{where.subject(tag)}须单独占{unit}：生成文书时{this}会整个换成它，"
                       "同一段里的其他文字和标记会丢失。请把其他内容移到另一段")
        else:
            continue
        problems.append(Problem("misplaced_tag", f"{where(n)}：{message}。", file, part, n, text[:80]))
    return problems


def block_faults(tags: list[_Tag], where: _Where) -> list[tuple[int, str]] | None:
    """(paragraph, message) for each if/for … that is not closed and each end or else that closes nothing; None:
    the structure cannot be followed (a raw block)."""
    faults: list[tuple[int, str]] = []
    stack: list[_Tag] = []
    crossed: list[str] = []  # blocks closed too late ({%p if %}{%p for %}{%p endif %}{%p endfor %})

    def unclosed(t: _Tag, before: _Tag | None = None) -> None:
        kind = _BLOCK_KINDS.get(t.keyword, f"“{t.keyword}”块")
        closer = _block(_ENDS[t.keyword], t, "")
        at = f"在第{before.paragraph}段的 {_short(before.text)} 之前" if before else "后面"
        alone = {"p": "（单独占一段）", "tr": "（单独占表格的一行）", "tc": "（单独占一个单元格）"}.get(t.prefix, "")
        faults.append((t.paragraph, f"{where(t.paragraph)}：{where.subject(t)}开始了一个{kind}，但{at}没有找到与它配对的 "
                                    f"{closer}。请在{kind}内容结束的地方加上 {closer}{alone}。"))

    for t in tags:
        k = t.keyword
        if k == "raw":
            return None
        if k == "set" and "=" in t.source:
            continue
        if k in _ENDS:
            stack.append(t)
        elif k in ("elif", "else"):
            allowed = ("if",) if k == "elif" else ("if", "for")
            if not stack or stack[-1].keyword not in allowed:
                opener = _block("if", t)
                faults.append((t.paragraph, f"{where(t.paragraph)}：{where.subject(t)}不在任何 {opener} … "
                                            f"{_block('endif', t, '')} 之间，前面没有与它配对的 {opener}。"
                                            "请删去它，或补上开始标记。"))
        elif k.startswith("end") and k[3:] in _ENDS:
            opened = k[3:]
            if any(o.keyword == opened for o in stack):
                while stack[-1].keyword != opened:
                    crossed.append(stack[-1].keyword)
                    unclosed(stack.pop(), t)
                stack.pop()
            elif opened in crossed:
                crossed.remove(opened)  # the end of a block reported above as not closed in time: the same fault
            else:
                faults.append((t.paragraph, f"{where(t.paragraph)}：{where.subject(t)}前面没有与它配对的 "
                                            f"{_block(opened, t)}：这是多余的结束标记，或者开始标记被删掉、写错了。"
                                            "请删去它，或补上开始标记。"))
    for t in stack:
        unclosed(t)
    return sorted(faults, key=lambda f: f[0])


_TOKEN_WORDS = {"end of print statement": "}}", "end of statement block": "%}", "end of template": "结尾",
                "name": "名称", "end of comment": "#}", "string": "字符串", "integer": "数字", "float": "数字"}
_FULL_WIDTH = range(0xFF01, 0xFF5F)


def _token(description: str, *, got: bool = False) -> str:
    """Jinja's name of a token in words; for what it got, a name is the word of the template itself."""
    if got and description == "name":
        return description
    return _TOKEN_WORDS.get(description, description)


def _literal(text: str) -> str:
    try:
        value = ast.literal_eval(text)  # Jinja writes the character as repr()
    except (ValueError, SyntaxError):
        return ""
    return value if isinstance(value, str) else ""


def explain(message: str) -> str:
    """A Jinja TemplateSyntaxError message in words a county's clerk can act on."""
    if (m := re.match(r"unexpected char (.+) at \d+$", message)) and len(ch := _literal(m.group(1))) == 1:
        if ch in "\"'":
            return f"引号没有配对：字符串的开头有“{ch}”，结尾却没有"
        if ch in "“”‘’":
            return _QUOTE_WORD.format(curly="“ ”" if ch in "“”" else "‘ ’", straight='"' if ch in "“”" else "'")
        if ord(ch) in _FULL_WIDTH:
            return f"标记中有全角字符“{ch}”，须改为半角“{chr(ord(ch) - 0xFEE0)}”（请把输入法切换为英文标点后重新输入）"
        if "\u3000" <= ch <= "\u303f" or ch in "…—·":
            return f"标记中有中文标点“{ch}”，标记里只能用英文（半角）标点"
        return f"标记中有不能识别的字符“{ch}”"
    if m := re.match(r"unexpected '(.)', expected '(.)'", message):
        return f"括号不配对：这里应是“{m.group(2)}”，却是“{m.group(1)}”"
    if m := re.match(r"unexpected '([)\]}])'$", message):
        return f"多了一个“{m.group(1)}”，前面没有与它配对的左括号"
    if m := re.match(r"Encountered unknown tag '(\w+)'", message):
        name = m.group(1)
        if name in ("elif", "else") or (name.startswith("end") and name[3:] in _ENDS):
            return f"{name} 的位置不对：前面没有与它配对的开始标记"
        return (f"不认识的标记“{name}”：可用的标记有 if、elif、else、endif、for、endfor、set，"
                "段落和表格行的标记写成 {%p if … %}、{%tr for … %}（p、tr 后面有一个空格）")
    if message.startswith("Unexpected end of template"):
        return "有 if 或 for 没有结束（缺少 endif 或 endfor）"
    if message.startswith("unexpected end of template"):
        return "标记不完整"
    if message == "tag name expected":
        return "“{% %}”中缺少标记名（如 if、for）"
    if message.startswith("Expected an expression"):
        return "缺少变量或表达式（“{{ }}”中是空的，或 if、or、~ 后面缺少内容）"
    if m := re.match(r"expected token 'in', got", message):
        return "for 标记须写成 {% for 名称 in 列表 %}"
    if m := re.match(r"expected token '(.+)', got '(.*)'$", message):
        wanted, got = _token(m.group(1)), _token(m.group(2), got=True)
        if wanted in ("}}", "%}"):
            return f"“{wanted}”之前多出了“{got}”（是否漏写了 or、~ 或 |，或名称中间多了空格？）"
        return f"这里应是“{wanted}”，却是“{got}”"
    if m := re.match(r"unexpected '(.*)'$", message):
        return f"“{_token(m.group(1))}”用得不对：它前面缺少内容，或多写了运算符"
    if message == "expected name or number":
        return "“.”后面须是名称"
    if message.startswith("can't assign to"):
        return "set 或 for 后面须是名称"
    if message.startswith("You cannot chain multiple tests"):
        return "“is”不能连用"
    if message == "Invalid character in identifier":
        return "名称中有不能识别的字符"
    if message.startswith("Missing end of raw directive"):
        return "{% raw %} 后面没有与它配对的 {% endraw %}"
    if message.startswith("Missing end of comment tag"):
        return "注释“{#”后面没有与它配对的“#}”"
    if "escape" in message:
        return "字符串中的反斜杠“\\”用法不对"
    return "标记写法有误，无法识别"


def syntax_problems(exc: TemplateSyntaxError, file: str, part: str, tags: list[_Tag], where: _Where, *,
                    skip: set[int], structure: bool, reported: bool) -> list[Problem]:
    """The faults behind a syntax error of a part's tags: each tag that does not parse on its own (but those of
    `skip`, already reported), and (when `structure`) each block not closed and each end that closes nothing.
    When none is found and nothing else was `reported` for the part, Jinja's own error, translated."""
    problems = []
    for n, tag in enumerate(tags):
        source = _alone(tag)
        error = _parse_error(source) if n not in skip and source is not None else None
        if error is not None:
            problems.append(Problem("syntax_error", f"{where(tag.paragraph)}：{where.subject(tag)}写法有误："
                                                    f"{explain(error.message or '')}。", file, part, tag.paragraph,
                                    where.texts[tag.paragraph - 1][:80]))
    faults = block_faults(tags, where) if structure else []
    for paragraph, message in faults or []:
        problems.append(Problem("syntax_error", message, file, part, paragraph, where.texts[paragraph - 1][:80]))
    if not problems and not reported:
        at = tags[exc.lineno - 1].paragraph if 0 < exc.lineno <= len(tags) else 0
        head = f"{where(at)}：" if at else ""
        problems.append(Problem("syntax_error", f"{head}模板标记有语法错误：{explain(exc.message or '')}。", file, part, at,
                                where.texts[at - 1][:80] if at else ""))
    return sorted(problems, key=lambda p: p.paragraph)


def _finding_problem(f: Finding, file: str, part: str, paragraph: int, text: str) -> Problem:
    return Problem(f.code, f.message, file, part, paragraph, text)


_TAG_FAULTS = ("split_tag", "malformed_tag", "smart_quote", "misplaced_tag")


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
        places = paragraph_places(xml)
        where = _Where(texts, places)
        broken = tag_problems(file, part, texts)
        tags = _tags(texts)
        quoted, skip = quote_problems(file, part, tags, where)
        misplaced = prefix_problems(file, part, tags, where)
        problems += sorted(broken + quoted + misplaced, key=lambda p: p.paragraph)
        try:
            findings, names = check_source("\n".join(t.source for t in tags), schema)
        except TemplateSyntaxError as exc:
            # a {% %} tag that is split or malformed is missing from `tags`: its block would seem unclosed
            structure = not any("{%" in p.text or "%}" in p.text for p in broken)
            problems += syntax_problems(exc, file, part, tags, where, skip=skip, structure=structure,
                                        reported=bool(broken or quoted or misplaced))
            located.add(("syntax_error", part))
            continue
        used |= names
        for f in findings:
            at = tags[f.lineno - 1].paragraph if 0 < f.lineno <= len(tags) else 0
            problems.append(_finding_problem(f, file, part, at, texts[at - 1][:80] if at else ""))
            located.add((f.code, f.message))
    # What docxtpl really executes: a tag hidden outside the visible text is still checked.
    for part, source in executed_sources(parts):
        try:
            findings, names = check_source(source, schema)
        except TemplateSyntaxError as exc:
            if ("syntax_error", part) not in located and not any(p.code in _TAG_FAULTS for p in problems):
                problems.append(Problem("syntax_error", f"{part}中的模板标记有语法错误：{explain(exc.message or '')}"
                                                        "（标记不在正文文字中，可能藏在域代码、属性或文档属性里）。",
                                        file, part))
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
    # a tag that could not be read uses nothing: its variables would seem missing (one problem, not five)
    unread = any(p.code in ("syntax_error", "split_tag", "malformed_tag") for p in problems)
    if entry is not None:
        for path in () if unread else entry.required:
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
