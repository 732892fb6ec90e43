"""Build resources/regulations/cited.toml: the text of every article the app cites, taken from the
regulation texts (../shared/domain/regulations/), so the app can show an article on demand and a
test can check every citation without the texts beside the checkout.

    python tools/build_citations.py           # write the resource
    python tools/build_citations.py --check   # exit 1 when a citation names no article, or the resource is stale
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.domain.articles import cn_to_int  # noqa: E402
from app.domain.citations import GENERIC, Ref, find, parse_cited  # noqa: E402

TEXTS = ROOT.parent / "shared" / "domain" / "regulations"
OUT = ROOT / "resources" / "regulations" / "cited.toml"

# title as cited -> (file in TEXTS, the version it holds)
SHIPPED = {
    "中国共产党章程": ("中国共产党章程.md", "2017年修改文本"),
    "中国共产党纪律处分条例": ("中国共产党纪律处分条例_2023.md", "2023年修订，2024年1月1日起施行"),
    "中国共产党纪律检查机关监督执纪工作规则": ("中国共产党纪律检查机关监督执纪工作规则.md", "2019年1月1日起施行"),
    "中国共产党处分违纪党员批准权限和程序规定": ("中国共产党处分违纪党员批准权限和程序规定.md", "2022年9月22日起施行"),
    "纪检监察机关处理检举控告工作规则": ("纪检监察机关处理检举控告工作规则.md", "2020年1月21日起施行"),
    "中国共产党纪律检查委员会工作条例": ("中国共产党纪律检查委员会工作条例.md", "2021年12月24日起施行"),
    "中国共产党组织处理规定（试行）": ("中国共产党组织处理规定_试行.md", "2021年3月19日起施行"),
    "纪检监察机关案件档案管理办法": ("纪检监察机关案件档案管理办法.md", "现行文本"),
    "中华人民共和国公职人员政务处分法": ("公职人员政务处分法_2020.md", "2020年7月1日起施行"),
    "中华人民共和国监察法": ("监察法_2024.md", "2024年修正，2025年6月1日起施行"),
    "中华人民共和国监察法实施条例": ("监察法实施条例_2021.md", "2021年文本（2025年修订文本未收录，条号按2021年文本）"),
    "中华人民共和国村民委员会组织法": ("村民委员会组织法_2018.md", "2018年修正"),
}
# short titles the texts use for a shipped one
ALIASES = {
    "监督执纪工作规则": "中国共产党纪律检查机关监督执纪工作规则",
    "处分违纪党员批准权限和程序规定": "中国共产党处分违纪党员批准权限和程序规定",
    "案件档案管理办法": "纪检监察机关案件档案管理办法",
    "监察法实施条例": "中华人民共和国监察法实施条例",
}
# titles cited knowingly without a shipped text, and why
UNAVAILABLE = {
    "事业单位工作人员处分规定": "人社部发〔2023〕58号，2023年11月6日起施行；条文未收录，条号待核",
    "事业单位工作人员处分暂行规定": "已由《事业单位工作人员处分规定》（2023年）取代，只在说明沿革时提及",
    "乡案县审与乡镇报批案件程序的区别和衔接": "中国纪检监察报文章，不是法规条文",
    "精准规范运用第一种形态有关问题探析": "中国纪检监察报文章，不是法规条文",
    "浅谈对监督执纪工作规则中了结的认识": "中国纪检监察报文章，不是法规条文",
    "中国共产党纪律检查机关监督执纪工作规则（试行）": "2017年试行文本，已由2019年文本取代，只在说明沿革时提及",
    "中国共产党纪律检查机关案件检查工作条例": "已废止，只在说明沿革时提及",
}
SCANNED = ("resources/**/*.toml", "resources/*.md", "app/docs_templates/manifest.toml", "tools/template_specs*.py",
           "tools/build_templates.py", "app/**/*.py")
_NUM = "[一二三四五六七八九十百零]+"
_HEADING = re.compile(rf"^[\s　]*第({_NUM})(条|章|节)")


def sources() -> list[tuple[str, str]]:
    found = []
    for pattern in SCANNED:
        for path in sorted(ROOT.glob(pattern)):
            if path.resolve() == OUT or "tests" in path.parts:
                continue
            found.append((str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")))
    return found


def units(text: str) -> dict[tuple[str, int], str]:
    """(条|章, number) -> text. An article runs to the next article, chapter or section heading; the
    first occurrence counts (a table of contents never lists articles)."""
    found: dict[tuple[str, int], list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        m = _HEADING.match(line)
        if m or line.startswith("#"):
            current = None
        if m:
            key = (m.group(2), cn_to_int(m.group(1)))
            if m.group(2) != "节" and key not in found:
                found[key] = current = [line.strip()]
            continue
        if current is not None and line.strip():
            current.append(line.strip())
    return {k: "\n".join(v) for k, v in found.items()}


def build(texts_dir: Path) -> tuple[str, list[str]]:
    refs: dict[tuple[str, str, int], Ref] = {}
    errors: list[str] = []
    scanned = sources()
    for where, text in scanned:
        for ref in find(text):
            title = ALIASES.get(ref.title, ref.title)
            if title in SHIPPED:
                refs.setdefault((title, ref.unit, ref.number), ref)
            elif title not in UNAVAILABLE and title not in GENERIC:
                errors.append(f"{where}: 《{ref.title}》不在所附条文中，也未列入 UNAVAILABLE")
    parsed = {t: units((texts_dir / f).read_text(encoding="utf-8")) for t, (f, _) in SHIPPED.items()}
    lines = ["# Built by tools/build_citations.py from the regulation texts; do not edit by hand.", ""]
    for title, reason in sorted(UNAVAILABLE.items()):
        lines += ["[[unavailable]]", f"title = {toml_str(title)}", f"reason = {toml_str(reason)}", ""]
    for short, title in sorted(ALIASES.items()):
        lines += ["[[aliases]]", f"short = {toml_str(short)}", f"title = {toml_str(title)}", ""]
    for key in sorted(refs):
        title, unit, number = key
        body = parsed[title].get((unit, number))
        if body is None:
            continue  # reported below, where the citation is
        file, version = SHIPPED[title]
        lines += ["[[articles]]", f"title = {toml_str(title)}", f"unit = {toml_str(unit)}", f"number = {number}",
                  f"source = {toml_str(f'{file}（{version}）')}", f"text = {toml_str(body)}", ""]
    content = "\n".join(lines)
    cited = parse_cited(tomllib.loads(content))
    for where, text in scanned:
        for ref in find(text):
            why = cited.problem(ref)
            if why:
                errors.append(f"{where}: {why}")
    return content, errors


def toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    content, errors = build(TEXTS)
    for e in errors:
        print(e, file=sys.stderr)
    if args.check:
        stale = not OUT.exists() or OUT.read_text(encoding="utf-8") != content
        if stale:
            print(f"{OUT.relative_to(ROOT)} 与条文不一致：请运行 python tools/build_citations.py", file=sys.stderr)
        return 1 if errors or stale else 0
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(content, encoding="utf-8")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
