"""Every citation the app prints names an article that exists in the text it names: the rules, the
sanctions catalog, the scenarios, the template specs and the code's own messages, checked against the
texts shipped in resources/regulations/cited.toml (built from ../shared/domain/regulations/)."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from app.domain.citations import Ref, find, parse_cited, problems_in

ROOT = Path(__file__).resolve().parents[2]
CITED = parse_cited(tomllib.loads((ROOT / "resources/regulations/cited.toml").read_text(encoding="utf-8")))
TOOL = ROOT / "tools" / "build_citations.py"
TEXTS = ROOT.parent / "shared" / "domain" / "regulations"


def tool_module():
    spec = importlib.util.spec_from_file_location("build_citations", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_citation_is_read_as_the_articles_it_names():
    T = "中国共产党纪律处分条例"
    assert find(f"《{T}》第五条、第十条、第四十三条") == [Ref(T, "条", 5), Ref(T, "条", 10), Ref(T, "条", 43)]
    assert find(f"《{T}》第三十二条至第三十四条") == [Ref(T, "条", n) for n in (32, 33, 34)]
    assert find("《中华人民共和国监察法实施条例》（2021年文本条号）第十三条第二款") == [
        Ref("中华人民共和国监察法实施条例", "条", 13, 2)]
    assert find("《纪检监察机关处理检举控告工作规则》第十三条第一款第（三）项") == [
        Ref("纪检监察机关处理检举控告工作规则", "条", 13, 1, 3)]
    assert find(f"《{T}》第八章") == [Ref(T, "章", 8)]
    assert find("没有书名号的第五条") == []


def test_a_wrong_article_clause_or_item_is_caught():
    bad = [("a", "《中国共产党纪律处分条例》第九百条"), ("b", "《中华人民共和国监察法》第十五条第二款"),
           ("c", "《中华人民共和国监察法》第十五条第九项"), ("d", "《中国共产党纪律处分条例》第一百一十六条")]
    found = problems_in(CITED, bad)
    assert [f.split(":")[0] for f in found] == ["a", "b", "c"]
    assert "没有这一条" in found[0] and "只有1款" in found[1] and "只有6项" in found[2]


def test_every_citation_in_resources_templates_and_messages_is_in_the_shipped_texts():
    tool = tool_module()
    scanned = tool.sources()
    assert any(where.startswith("resources/rules/workflow.toml") for where, _ in scanned)
    assert any(where.startswith("resources/practice/") for where, _ in scanned)
    assert any(where.startswith("tools/template_specs") for where, _ in scanned)
    assert problems_in(CITED, scanned) == []
    unknown = sorted({r.title for _, text in scanned for r in find(text)}
                     - set(tool.SHIPPED) - set(tool.ALIASES) - set(tool.UNAVAILABLE) - {"条例", "规定"})
    assert unknown == [], f"《…》 neither shipped nor listed as unavailable: {unknown}"


def test_the_shipped_texts_quote_the_article_itself():
    # 第一百一十六条: 超标准接待 starts at 情节较重 (the practice feedback of scenario 05 rests on it)
    text = CITED.get(Ref("中国共产党纪律处分条例", "条", 116)).text
    assert text.startswith("第一百一十六条") and "情节较重的，给予警告或者严重警告处分" in text
    assert CITED.get(Ref("监督执纪工作规则", "条", 10)) is not None  # the short title the rules use


@pytest.mark.skipif(not TEXTS.is_dir(), reason=f"条文目录不在：{TEXTS}（资源已在生成时与条文核对）")
def test_the_resource_is_what_the_texts_give():
    done = subprocess.run([sys.executable, str(TOOL), "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_every_citation_of_the_implementing_regulation_says_it_uses_the_2021_numbering():
    # 监察法实施条例 was revised in 2025 (in force 2025-06-01); that text is not shipped, so its article
    # numbers are those of the 2021 text and every citation says so (issue 15, item 14)
    missing = []
    for where, text in tool_module().sources():
        for match in re.finditer(r"《(?:中华人民共和国)?监察法实施条例》", text):
            tail = text[match.end():match.end() + 60]
            if not tail.startswith("第") and not tail.startswith("（"):
                continue  # the law named, no article
            if "（2021年文本条号）" not in re.split(r"[《\n\"]", tail)[0] + tail[:len("（2021年文本条号）")]:
                missing.append(f"{where}: {text[match.start():match.end() + 20]}")
    assert missing == []
