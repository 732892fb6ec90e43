"""违纪条款目录 (resources/rules/articles.toml): built from the texts (条例 第一编第四章 and 分则, 政务处分法
第三章), checked against them, and the range rules of 条例 总则 (第二十二条–第二十四条) and 政务处分法 (第十一条、第十三条、第十五条)."""

from __future__ import annotations

import ast
import copy
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from app.domain.articles import (
    ArticleCatalog,
    allowed_sanctions,
    cn_to_int,
    int_to_cn,
    parse_articles,
    sanction_problem,
)
from app.domain.errors import DomainError
from app.domain.sanctions import SanctionCatalog, SanctionType, parse_sanctions

ROOT = Path(__file__).resolve().parents[2]
TOOL = ROOT / "tools" / "build_articles.py"
CATALOG_FILE = ROOT / "resources" / "rules" / "articles.toml"
TEXTS = ROOT.parent / "shared" / "domain" / "regulations"
# The regulation texts sit beside the checkout where the catalog is built and checked; a checkout
# without them (a CI machine given the repository alone) cannot compare against the text, and says so.
needs_texts = pytest.mark.skipif(not TEXTS.is_dir(), reason=f"条文目录不在：{TEXTS}（目录已在生成时与条文核对）")
RAW = tomllib.loads(CATALOG_FILE.read_text(encoding="utf-8"))
ARTICLES = parse_articles(RAW, "articles.toml")

# The twelve party and gov types of sanctions.toml, so the ranges below do not depend on other
# types a county (or another change) adds to the shipped file.
_SANCTIONS_RAW = tomllib.loads((ROOT / "resources/rules/sanctions.toml").read_text(encoding="utf-8"))
BASE = {
    "party_warning", "party_serious_warning", "party_removal", "party_probation_1y", "party_probation_2y",
    "party_expulsion", "gov_warning", "gov_demerit", "gov_major_demerit", "gov_demotion", "gov_dismissal",
    "gov_expulsion",
}
_TYPES = [t for t in _SANCTIONS_RAW["types"] if t["id"] in BASE or t["kind"] not in ("party", "gov")]
SANCTIONS = parse_sanctions({**_SANCTIONS_RAW, "types": _TYPES}, "sanctions.toml")

W, SW, RM, P1, P2, EX = (
    "party_warning", "party_serious_warning", "party_removal", "party_probation_1y", "party_probation_2y",
    "party_expulsion",
)
P = (P1, P2)  # 留党察看
GW, GD, GMD, GDM, GDS, GEX = (
    "gov_warning", "gov_demerit", "gov_major_demerit", "gov_demotion", "gov_dismissal", "gov_expulsion",
)


def ranges(article_id: str) -> dict[str, tuple[str, ...]]:
    return dict(ARTICLES.get(article_id).ranges)


def run_tool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(TOOL), *args], capture_output=True, text=True, encoding="utf-8", timeout=120, cwd=ROOT
    )


# --- the catalog against the text -----------------------------------------------------------------


@needs_texts
def test_shipped_catalog_passes_the_check():
    result = run_tool("--check")
    assert result.returncode == 0, result.stderr
    assert "一致" in result.stdout


def _block(text: str, article_id: str) -> tuple[int, int]:
    start = text.index(f'\nid = "{article_id}"\n')
    end = text.find("\n[[articles]]", start)
    return start, len(text) if end < 0 else end


@needs_texts
def test_a_changed_range_fails_the_check_naming_the_article(tmp_path):
    text = CATALOG_FILE.read_text(encoding="utf-8")
    start, end = _block(text, "T97")
    block = text[start:end].replace('"较轻" = ["party_warning", "party_serious_warning"]', '"较轻" = ["party_warning"]')
    assert block != text[start:end]
    broken = tmp_path / "articles.toml"
    broken.write_text(text[:start] + block + text[end:], encoding="utf-8")
    result = run_tool("--check", "--catalog", str(broken))
    assert result.returncode == 1
    assert "T97：“较轻”的处分幅度不同" in result.stderr
    assert "《中国共产党纪律处分条例》第九十七条" in result.stderr
    assert "T98" not in result.stderr  # only the article changed is listed


@needs_texts
def test_a_missing_article_and_a_changed_category_fail_the_check(tmp_path):
    text = CATALOG_FILE.read_text(encoding="utf-8")
    start, end = _block(text, "T151")
    text = text[:start] + text[start:end].replace('category = "违反生活纪律"', 'category = "违反工作纪律"') + text[end:]
    start, end = _block(text, "G33-2")
    text = text[: text.rindex("\n[[articles]]", 0, start)] + text[end:]
    broken = tmp_path / "articles.toml"
    broken.write_text(text, encoding="utf-8")
    result = run_tool("--check", "--catalog", str(broken))
    assert result.returncode == 1
    assert "G33-2：目录中缺少此条" in result.stderr
    assert "T151：违纪类别不同" in result.stderr


def _texts(tmp_path: Path, old: str, new: str) -> Path:
    folder = tmp_path / "regulations"
    folder.mkdir()
    for name in ("中国共产党纪律处分条例_2023.md", "公职人员政务处分法_2020.md"):
        text = (TEXTS / name).read_text(encoding="utf-8")
        (folder / name).write_text(text.replace(old, new), encoding="utf-8")
    return folder


@needs_texts
def test_a_changed_text_fails_the_check_of_the_shipped_catalog(tmp_path):
    # as if 第九十七条 read "情节较轻的，给予警告处分"
    texts = _texts(tmp_path, "金融产品等财物，情节较轻的，给予警告或者严重警告处分", "金融产品等财物，情节较轻的，给予警告处分")
    result = run_tool("--check", "--texts", str(texts))
    assert result.returncode == 1
    assert "T97：“较轻”的处分幅度不同：目录为 party_warning、party_serious_warning，条文为 party_warning" in result.stderr


@needs_texts
def test_a_stated_exception_no_longer_in_the_text_fails(tmp_path):
    # CONDITIONAL_TIERS quotes 第一百三十条 "造成重大损失的"
    texts = _texts(tmp_path, "；造成重大损失的，给予撤销党内职务", "；造成特别重大损失的，给予撤销党内职务")
    result = run_tool("--check", "--texts", str(texts))
    assert result.returncode != 0
    assert "第一百三十条" in result.stderr and "造成特别重大损失的" in result.stderr


@needs_texts
def test_a_stated_range_no_longer_in_the_text_fails(tmp_path):
    # STATED_RANGES quotes 第三十四条第二款 "一般应当开除党籍" and its exception
    texts = _texts(tmp_path, "对于个别可以不开除党籍的，应当对照", "对于个别可以不开除党籍的，可以对照")
    result = run_tool("--check", "--texts", str(texts))
    assert result.returncode == 2
    assert "第三十四条第二款" in result.stderr and "对于个别可以不开除党籍的" in result.stderr


@needs_texts
def test_a_changed_crime_chapter_text_fails_the_check(tmp_path):
    # as if 第三十条第一款 read "给予严重警告直至开除党籍处分": 第二款 ("依照前款规定处理") changes with it
    texts = _texts(
        tmp_path,
        "损害党、国家和人民利益的，应当视具体情节给予警告直至开除党籍处分",
        "损害党、国家和人民利益的，应当视具体情节给予严重警告直至开除党籍处分",
    )
    result = run_tool("--check", "--texts", str(texts))
    assert result.returncode == 1
    assert "T30-1：“一般”的处分幅度不同：目录为 party_warning、party_serious_warning" in result.stderr
    assert "T30-2：“一般”的处分幅度不同" in result.stderr
    assert "T30-3：“一般”" not in result.stderr and "T121" not in result.stderr  # T30-3: only its text differs


@needs_texts
def test_an_article_missing_from_the_scope_fails(tmp_path):
    # 第三十二条 run into 第三十一条 as if its heading were lost: SCOPE_ARTICLES names 第二十八条–第三十五条
    texts = _texts(tmp_path, "第三十二条 党员被依法留置、逮捕的", "党员被依法留置、逮捕的")
    result = run_tool("--check", "--texts", str(texts))
    assert result.returncode == 2
    assert "SCOPE_ARTICLES" in result.stderr and "缺第三十二条" in result.stderr


@needs_texts
def test_a_fresh_build_writes_the_shipped_file(tmp_path):
    out = tmp_path / "articles.toml"
    result = run_tool("--catalog", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8") == CATALOG_FILE.read_text(encoding="utf-8")


def test_every_fenze_article_and_every_chapter_three_article_is_there():
    party = {a.number for a in ARTICLES if a.law == "party"}
    gov = {a.number for a in ARTICLES if a.law == "gov"}
    # 第一编第四章 (第二十八条–第三十五条): 第二十八条、第三十一条、第三十二条、第三十五条 state no range of an act
    assert party == {29, 30, 33, 34} | set(range(49, 155))  # 分则: 第四十九条 … 第一百五十四条
    assert gov == set(range(28, 42))  # 第二十八条 … 第四十一条, 第三章 of 政务处分法
    assert len(ARTICLES) == 169


@needs_texts
def test_each_article_text_is_the_text_of_the_file():
    sources = {
        "party": (TEXTS / "中国共产党纪律处分条例_2023.md").read_text(encoding="utf-8"),
        "gov": (TEXTS / "公职人员政务处分法_2020.md").read_text(encoding="utf-8"),
    }
    for a in ARTICLES:
        first, *rest = a.text.splitlines()
        assert f"{a.article} {first}" in sources[a.law], a.id
        for line in rest:
            assert line in sources[a.law], a.id


def test_categories_are_the_chapters():
    by_category = {}
    for a in ARTICLES:
        by_category.setdefault(a.category, set()).add(a.number)
    assert by_category["违反政治纪律"] == set(range(49, 77))
    assert by_category["违反组织纪律"] == set(range(77, 94))
    assert by_category["违反廉洁纪律"] == set(range(94, 122))
    assert by_category["违反群众纪律"] == set(range(122, 130))
    assert by_category["违反工作纪律"] == set(range(130, 150))
    assert by_category["违反生活纪律"] == set(range(150, 155))
    assert by_category["对违法犯罪党员的纪律处分"] == {29, 30, 33, 34}  # 第一编第四章, the title as written
    assert by_category["违法行为及其适用的政务处分"] == set(range(28, 42))


# --- specific articles, quoted --------------------------------------------------------------------


def test_article_97():
    # 第九十七条 "收受可能影响公正执行公务的礼品、礼金、消费卡（券）和有价证券、股权、其他金融产品等财物，情节较轻的，
    # 给予警告或者严重警告处分；情节较重的，给予撤销党内职务或者留党察看处分；情节严重的，给予开除党籍处分。
    # 收受其他明显超出正常礼尚往来的财物的，依照前款规定处理。" — both 款 one range: one entry.
    a = ARTICLES.get("T97")
    assert a.clause == 0 and a.category == "违反廉洁纪律"
    assert a.citation == "《中国共产党纪律处分条例》第九十七条"
    assert ranges("T97") == {"较轻": (W, SW), "较重": (RM, *P), "严重": (EX,)}


def test_article_89():
    # 第八十九条 "…对直接责任者和领导责任者，给予警告或者严重警告处分；情节严重的，给予撤销党内职务处分。
    # 违反有关规定程序发展党员的，对直接责任者和领导责任者，依照前款规定处理。"
    assert ARTICLES.get("T89").category == "违反组织纪律"
    assert ranges("T89") == {"一般": (W, SW), "严重": (RM,)}


def test_article_50_has_one_entry_per_clause():
    # 第五十条第一款 "…公开发表坚持资产阶级自由化立场…的文章、演说、宣言、声明等的，给予开除党籍处分。"
    # 第二款 "发布、播出、刊登、出版前款所列文章…，对直接责任者和领导责任者，给予严重警告或者撤销党内职务处分；
    # 情节严重的，给予留党察看或者开除党籍处分。"
    assert ranges("T50-1") == {"一般": (EX,)}
    assert ranges("T50-2") == {"一般": (SW, RM), "严重": (*P, EX)}
    assert ARTICLES.get("T50-2").citation == "《中国共产党纪律处分条例》第五十条第二款"
    assert ARTICLES.get("T50-2").clause_text.startswith("发布、播出、刊登、出版前款所列文章")
    assert "T50" not in ARTICLES
    assert len({ARTICLES.get("T50-1"), ARTICLES.get("T50-2"), ARTICLES.get("T50-1")}) == 2  # hashable by id


def test_work_discipline_article_138_with_two_clauses():
    # 第一百三十八条 "因工作不负责任致使所管理的人员叛逃的，对直接责任者和领导责任者，给予警告或者严重警告处分；
    # 情节严重的，给予撤销党内职务处分。
    # 因工作不负责任致使所管理的人员出逃、出走，对直接责任者和领导责任者，情节较重的，给予警告或者严重警告处分；
    # 情节严重的，给予撤销党内职务处分。"
    assert ARTICLES.get("T138-1").category == "违反工作纪律"
    assert ranges("T138-1") == {"一般": (W, SW), "严重": (RM,)}
    assert ranges("T138-2") == {"较重": (W, SW), "严重": (RM,)}


def test_work_discipline_article_130_names_its_heavier_tier_by_a_condition():
    # 第一百三十条 "…给党、国家和人民利益以及公共财产造成较大损失的，对直接责任者和领导责任者，给予警告或者
    # 严重警告处分；造成重大损失的，给予撤销党内职务、留党察看或者开除党籍处分。"
    a = ARTICLES.get("T130")
    assert ranges("T130") == {"一般": (W, SW), "严重": (RM, *P, EX)}
    assert a.conditions == {"严重": "造成重大损失的"}
    assert a.plot_label("严重") == "“造成重大损失的”"


def test_life_discipline_article_151():
    # 第一百五十一条 "与他人发生不正当性关系，造成不良影响的，给予警告或者严重警告处分；情节较重的，给予撤销党内
    # 职务或者留党察看处分；情节严重的，给予开除党籍处分。
    # 利用职权、教养关系、从属关系或者其他相类似关系与他人发生性关系的，从重处分。"
    a = ARTICLES.get("T151")
    assert a.category == "违反生活纪律"
    assert ranges("T151") == {"一般": (W, SW), "较重": (RM, *P), "严重": (EX,)}
    assert a.aggravating == ("利用职权、教养关系、从属关系或者其他相类似关系与他人发生性关系的，从重处分",)


def test_life_discipline_article_150():
    # 第一百五十条 "生活奢靡、铺张浪费、贪图享乐、追求低级趣味，造成不良影响的，给予警告或者严重警告处分；
    # 情节严重的，给予撤销党内职务处分。"
    assert ranges("T150") == {"一般": (W, SW), "严重": (RM,)}


def test_clause_referring_to_another_article():
    # 第八十一条第二款 "有前款第二项规定的行为，同时向组织提供虚假情况、掩盖事实的，依照本条例第六十三条规定处理。"
    assert ARTICLES.get("T81-2").refers_to == "T63"
    assert ranges("T81-2") == ranges("T63") == {"一般": (W, SW), "较重": (RM, *P), "严重": (EX,)}
    # 第八十一条第一款 "有下列行为之一，情节较重的，给予警告或者严重警告处分：…"
    assert ranges("T81-1") == {"较重": (W, SW)}


def test_gov_article_33():
    # 政务处分法第三十三条 "有下列行为之一的，予以警告、记过或者记大过；情节较重的，予以降级或者撤职；情节严重的，
    # 予以开除：（一）贪污贿赂的；…
    # 拒不按照规定纠正特定关系人违规任职、兼职或者从事经营活动，且不服从职务调整的，予以撤职。"
    assert ARTICLES.get("G33-1").citation == "《中华人民共和国公职人员政务处分法》第三十三条第一款"
    assert ranges("G33-1") == {"一般": (GW, GD, GMD), "较重": (GDM, GDS), "严重": (GEX,)}
    assert ranges("G33-2") == {"一般": (GDS,)}
    assert "（一）贪污贿赂的；" in ARTICLES.get("G33-1").text


def test_gov_article_34():
    # 政务处分法第三十四条第二款 "向公职人员及其特定关系人赠送可能影响公正行使公权力的礼品、礼金、有价证券等财物，
    # 或者接受、提供…宴请、旅游、健身、娱乐等活动安排，情节较重的，予以警告、记过或者记大过；情节严重的，予以降级
    # 或者撤职。"
    assert ranges("G34-1") == {"一般": (GW, GD, GMD), "较重": (GDM, GDS), "严重": (GEX,)}
    assert ranges("G34-2") == {"较重": (GW, GD, GMD), "严重": (GDM, GDS)}


def test_gov_article_38_clause_2_especially_serious():
    # 政务处分法第三十八条第二款 "有前款第一项、第二项和第五项行为，情节特别严重的，予以开除。"
    assert ranges("G38-2") == {"特别严重": (GEX,)}


def test_gov_article_41_catch_all():
    # 政务处分法第四十一条 "公职人员有其他违法行为，影响公职人员形象，损害国家和人民利益的，可以根据情节轻重给予相应
    # 政务处分。" — stated in the tool's WHOLE_RANGE: any of the six kinds of 第七条.
    assert ranges("G41") == {"一般": (GW, GD, GMD, GDM, GDS, GEX)}


def test_catch_all_article_121_warning_up_to_expulsion():
    # 第一百二十一条 "有其他违反廉洁纪律规定行为的，应当视具体情节给予警告直至开除党籍处分。"
    assert ranges("T121") == {"一般": (W, SW, RM, *P, EX)}


# --- 第一编第四章 对违法犯罪党员的纪律处分 ----------------------------------------------------------


def test_crime_chapter_article_29():
    # 第二十九条 "党组织在纪律审查中发现党员有贪污贿赂、滥用职权、玩忽职守、权力寻租、利益输送、徇私舞弊、浪费国家
    # 资财等违反法律涉嫌犯罪行为的，应当给予撤销党内职务、留党察看或者开除党籍处分。"
    a = ARTICLES.get("T29")
    assert a.category == "对违法犯罪党员的纪律处分" and a.clause == 0
    assert ranges("T29") == {"一般": (RM, *P, EX)}


def test_crime_chapter_article_30():
    # 第三十条 "党组织在纪律审查中发现党员有刑法规定的行为，虽不构成犯罪但须追究党纪责任的，或者有其他破坏社会主义
    # 市场经济秩序、违反治安管理等违法行为，损害党、国家和人民利益的，应当视具体情节给予警告直至开除党籍处分。
    # 违反国家财经纪律，在公共资金收支、税务管理、国有资产管理、政府采购管理、金融管理、财务会计管理等财经活动中有
    # 违法行为的，依照前款规定处理。
    # 党员有嫖娼或者吸食、注射毒品等丧失党员条件，严重败坏党的形象行为的，应当给予开除党籍处分。"
    # — 第一款 and 第二款 one range, 第三款 another: one entry per 款.
    t1, t2, t3 = ARTICLES.get("T30-1"), ARTICLES.get("T30-2"), ARTICLES.get("T30-3")
    assert t1.citation == "《中国共产党纪律处分条例》第三十条第一款"
    assert {t1.category, t2.category, t3.category} == {"对违法犯罪党员的纪律处分"}
    assert "违反治安管理等违法行为" in t1.clause_text
    # "警告直至开除党籍": every kind of 第八条 from 警告 to 开除党籍, 留党察看 as both of its types
    assert ranges("T30-1") == {"一般": (W, SW, RM, *P, EX)}
    assert t2.refers_to == "T30-1" and ranges("T30-2") == ranges("T30-1")
    assert ranges("T30-3") == {"一般": (EX,)}
    assert "T30" not in ARTICLES


def test_crime_chapter_article_30_allows_warning_up_to_expulsion():
    # e.g. 醉驾 or another 违反治安管理 act, 定性 under 第三十条第一款
    result = allowed([("T30-1", "一般")])["party"]
    assert W in result and EX in result
    assert result == (W, SW, RM, *P, EX)
    assert problem([("T30-1", "一般")], W) is None and problem([("T30-1", "一般")], EX) is None
    # the shipped catalog's 严重警告 in place of 撤销党内职务 (第十一条第二款) has 撤销党内职务's severity: same 档
    shipped = parse_sanctions(_SANCTIONS_RAW, "sanctions.toml")
    with_shipped = allowed_sanctions(ARTICLES, shipped, [("T30-1", "一般")], set())["party"]
    assert with_shipped == (W, SW, RM, "party_serious_warning_in_lieu", *P, EX)
    # 第三十条第三款 "应当给予开除党籍处分" is a range of 开除党籍 alone: no 减轻 (第二十三条第三款)
    assert problem([("T30-3", "一般")], P2, {"减轻"}, "主动交代")[0] == "mitigation_not_applicable"


def test_crime_chapter_article_33():
    # 第三十三条 "党员犯罪情节轻微，人民检察院依法作出不起诉决定的，或者人民法院依法作出有罪判决并免予刑事处罚的，
    # 应当给予撤销党内职务、留党察看或者开除党籍处分。
    # 党员犯罪，被单处罚金的，依照前款规定处理。" — both 款 one range: one entry.
    assert ARTICLES.get("T33").clause == 0 and ARTICLES.get("T33").refers_to is None
    assert ranges("T33") == {"一般": (RM, *P, EX)}
    assert problem([("T33", "一般")], SW) == (
        "sanction_out_of_range",
        "拟给予的“严重警告”超出《中国共产党纪律处分条例》第三十三条的处分幅度（撤销党内职务、留党察看、开除党籍）",
    )


def test_crime_chapter_article_34():
    # 第三十四条 "党员犯罪，有下列情形之一的，应当给予开除党籍处分：（一）因故意犯罪被依法判处刑法规定的主刑（含
    # 宣告缓刑）；（二）被单处或者附加剥夺政治权利；（三）因过失犯罪，被依法判处三年以上（不含三年）有期徒刑。
    # 因过失犯罪被判处三年以下有期徒刑或者被判处管制、拘役的，一般应当开除党籍。对于个别可以不开除党籍的，应当对照
    # 处分违纪党员批准权限的规定，报请再上一级党组织批准。"
    t1, t2 = ARTICLES.get("T34-1"), ARTICLES.get("T34-2")
    assert ranges("T34-1") == ranges("T34-2") == {"一般": (EX,)}
    assert t1.exceptions == {}
    # 第二款's range is 开除党籍 (stated in the tool's STATED_RANGES); its exception is kept as its wording
    assert t2.exceptions == {"一般": "对于个别可以不开除党籍的，应当对照处分违纪党员批准权限的规定，报请再上一级党组织批准"}
    assert "（三）因过失犯罪，被依法判处三年以上（不含三年）有期徒刑。" in t1.clause_text
    assert problem([("T34-1", "一般")], EX) is None and problem([("T34-2", "一般")], EX) is None
    assert problem([("T34-1", "一般")], P2) == (
        "sanction_out_of_range",
        "拟给予的“留党察看二年”超出《中国共产党纪律处分条例》第三十四条第一款的处分幅度（开除党籍）",
    )
    assert problem([("T34-2", "一般")], P2) == (
        "sanction_out_of_range",
        "拟给予的“留党察看二年”超出《中国共产党纪律处分条例》第三十四条第二款的处分幅度（开除党籍）；第三十四条第二款另规定"
        "“对于个别可以不开除党籍的，应当对照处分违纪党员批准权限的规定，报请再上一级党组织批准”",
    )
    # 犯罪 joined with another violation: one act that must be 开除党籍 makes it 开除党籍 (第二十四条)
    assert allowed([("T34-1", "一般"), ("T97", "较轻")]) == {"party": (EX,)}


def test_crime_chapter_articles_without_a_range_are_not_entries():
    # 第三十五条第二款 "…其中，党员依法受到撤职以上处分的，应当依照本条例规定给予撤销党内职务以上处分。" is a floor for
    # a member given another 处分, not a range of an act (the tool's NO_RANGE); 第二十八条 states none.
    for number in (28, 31, 32, 35):
        assert ARTICLES.of_number("party", number) == ()
    with pytest.raises(DomainError) as info:
        ARTICLES.resolve("第三十五条", "party")
    assert info.value.code == "article_unknown" and "只收录规定了处分幅度的条款" in info.value.message


def test_resolve_article_30():
    assert ARTICLES.resolve("第三十条第一款", "party").id == "T30-1"
    assert ARTICLES.resolve("《中国共产党纪律处分条例》第三十条第一款").id == "T30-1"
    assert ARTICLES.resolve("《纪律处分条例》第三十条第三款").id == "T30-3"
    assert ARTICLES.resolve("T30-2").id == "T30-2"
    assert ARTICLES.resolve("30-1", "party").id == "T30-1"
    assert ARTICLES.resolve("第三十条", "gov").id == "G30"
    # its 款 differ: the 款 is asked for, each named
    with pytest.raises(DomainError) as info:
        ARTICLES.resolve("第三十条", "party")
    assert info.value.code == "article_clause_needed"
    assert "第三十条第一款（T30-1）、第三十条第二款（T30-2）、第三十条第三款（T30-3）" in info.value.message
    with pytest.raises(DomainError) as info:
        ARTICLES.resolve("《中国共产党纪律处分条例》第三十条第四款")
    assert info.value.code == "article_unknown" and "只有三款" in info.value.message
    assert [a.id for a in ARTICLES.search("第三十条")] == ["T30-1", "T30-2", "T30-3", "G30"]
    assert [a.id for a in ARTICLES.search("第三十四条")] == ["T34-1", "T34-2", "G34-1", "G34-2"]
    assert [a.id for a in ARTICLES.search("违反治安管理")] == ["T30-1", "T30-2", "T30-3"]


# --- numerals, resolve, search --------------------------------------------------------------------


@pytest.mark.parametrize("n, cn", [(9, "九"), (10, "十"), (15, "十五"), (97, "九十七"), (100, "一百"),
                                   (101, "一百零一"), (110, "一百一十"), (154, "一百五十四")])
def test_chinese_numerals(n, cn):
    assert int_to_cn(n) == cn and cn_to_int(cn) == n


@pytest.mark.parametrize("text, law, expected", [
    ("T97", None, "T97"),
    ("t97", None, "T97"),
    ("97", "party", "T97"),
    ("第九十七条", "party", "T97"),
    ("第九十七条第二款", "party", "T97"),
    ("《中国共产党纪律处分条例》第九十七条", None, "T97"),
    ("《中国共产党纪律处分条例》 第五十条第二款", None, "T50-2"),
    ("T50-1", None, "T50-1"),
    ("50-2", "party", "T50-2"),
    ("《中华人民共和国公职人员政务处分法》第三十三条第一款", None, "G33-1"),
    ("《政务处分法》第三十五条", None, "G35"),
    ("第三十五条", "gov", "G35"),
    ("第九十七条", None, "T97"),  # 政务处分法 has 68 articles: only 条例 has a 第九十七条
])
def test_resolve(text, law, expected):
    assert ARTICLES.resolve(text, law).id == expected


@pytest.mark.parametrize("text, law, code, fragment", [
    ("第二十条", "party", "article_unknown", "第二十条"),  # 总则: no range of its own
    ("第二十八条", "party", "article_unknown", "第二十八条"),  # 第四章, but no range
    ("T999", None, "article_unknown", "T999"),
    ("《中华人民共和国刑法》第二条", None, "article_unknown", "《中华人民共和国刑法》"),
    ("第五十条", "party", "article_clause_needed", "T50-1"),
    ("第五十条第三款", "party", "article_unknown", "只有两款"),
    ("第六十四条第三款", "party", "article_unknown", "第六十四条第三款没有规定处分幅度"),
    ("第三十条", None, "article_law_missing", "未写明法规"),  # both laws have a 第三十条
    ("《监察法》第三十条", None, "article_unknown", "《监察法》"),
    ("第九十七", "gov", "article_unknown", "第九十七"),
    ("收受礼金", "party", "article_unknown", "收受礼金"),
    ("", "party", "article_unknown", "未填写条款"),
])
def test_resolve_refuses_with_a_chinese_message_naming_what_was_given(text, law, code, fragment):
    with pytest.raises(DomainError) as info:
        ARTICLES.resolve(text, law)
    assert info.value.code == code
    assert fragment in info.value.message


def test_get_unknown():
    with pytest.raises(DomainError, match="违纪条款目录中没有条款“T50”") as info:
        ARTICLES.get("T50")
    assert info.value.code == "article_unknown"


def test_search():
    assert [a.id for a in ARTICLES.search("97")] == ["T97"]
    assert [a.id for a in ARTICLES.search("第五十条")] == ["T50-1", "T50-2"]
    assert [a.id for a in ARTICLES.search("G33")] == ["G33-1", "G33-2"]
    found = [a.id for a in ARTICLES.search("礼金")]
    assert found[:2] == ["T97", "T98"] and "G34-1" in found
    assert [a.number for a in ARTICLES.search("违反生活纪律")] == [150, 151, 152, 153, 154]
    numbers = [(a.law, a.number, a.clause) for a in ARTICLES.search("情节严重")]
    assert numbers == sorted(numbers, key=lambda k: (k[0] != "party", k[1], k[2]))
    assert ARTICLES.search("没有这样的条文") == ()
    assert len(ARTICLES.search("")) == len(ARTICLES)


# --- allowed ranges and the 总则 ------------------------------------------------------------------


def allowed(picks, adjustments=()):
    return allowed_sanctions(ARTICLES, SANCTIONS, picks, set(adjustments))


def test_the_range_of_one_article():
    assert allowed([("T97", "较重")]) == {"party": (RM, *P)}
    assert allowed([("G33-1", "较重")]) == {"gov": (GDM, GDS)}
    assert allowed([("T97", "较轻"), ("G34-1", "一般")]) == {"party": (W, SW), "gov": (GW, GD, GMD)}


def test_mitigated_within_the_range():
    # 第二十二条第一款 "从轻处分，是指在本条例规定的违纪行为应当受到的处分幅度以内，给予较轻的处分。"
    assert allowed([("T97", "较轻")], {"从轻"}) == {"party": (W,)}
    assert allowed([("T97", "较重")], {"从轻"}) == {"party": (RM,)}
    assert allowed([("T89", "严重")], {"从轻"}) == {"party": (RM,)}  # one 档: stays within it


def test_aggravated_within_the_range():
    # 第二十二条第二款 "从重处分，是指在本条例规定的违纪行为应当受到的处分幅度以内，给予较重的处分。"
    assert allowed([("T97", "较轻")], {"从重"}) == {"party": (SW,)}
    assert allowed([("T97", "较重")], {"从重"}) == {"party": P}


def test_reduced_one_grade_below_the_range():
    # 第二十三条第一款 "减轻处分，是指在本条例规定的违纪行为应当受到的处分幅度以外，减轻一档给予处分。"
    assert allowed([("T97", "较重")], {"减轻"}) == {"party": (SW,)}
    # 第九十七条 "情节严重的，给予开除党籍处分" is one tier of an act with lighter ones, not an act "只有开除党籍
    # 处分一个档次" (第二十三条第三款): 减轻 gives 留党察看
    assert allowed([("T97", "严重")], {"减轻"}) == {"party": P}
    # below 警告 there is no 处分: only 免予党纪处分 (第十九条) is left
    assert allowed([("T97", "较轻")], {"减轻"}) == {"party": ()}


def test_increased_one_grade_above_the_range():
    # 第二十三条第二款 "加重处分，是指在本条例规定的违纪行为应当受到的处分幅度以外，加重一档给予处分。"
    assert allowed([("T97", "较轻")], {"加重"}) == {"party": (RM,)}
    assert allowed([("T89", "严重")], {"加重"}) == {"party": P}
    assert allowed([("T97", "严重")], {"加重"}) == {"party": (EX,)}  # nothing above 开除党籍


def test_article_100_aggravated_up_to_expulsion():
    # 第一百条 "…情节严重的，给予撤销党内职务处分；借机敛财或者有其他侵犯国家、集体和人民利益行为的，从重或者加重
    # 处分，直至开除党籍。"
    assert ARTICLES.get("T100").aggravated_up_to == EX
    assert allowed([("T100", "严重")], {"加重"}) == {"party": (*P, EX)}
    assert allowed([("T100", "严重")]) == {"party": (RM,)}


def test_lightening_and_aggravating_together_allow_what_either_allows():
    assert allowed([("T97", "较重")], {"减轻", "加重"}) == {"party": (SW, EX)}


def test_several_violations_combined_one_grade_above_the_highest():
    # 第二十四条 "一人有本条例规定的两种以上应当受到党纪处分的违纪行为，应当合并处理，按其数种违纪行为中应当受到的
    # 最高处分加重一档给予处分；其中一种违纪行为应当受到开除党籍处分的，应当给予开除党籍处分。"
    assert allowed([("T97", "较轻"), ("T101", "较重")]) == {"party": (SW, RM)}
    assert allowed([("T97", "较轻"), ("T98", "较重")]) == {"party": (SW, RM)}
    assert allowed([("T97", "较重"), ("T98", "严重")]) == {"party": (*P, EX)}
    # the same article named twice is one kind ("两种以上"), at its heaviest tier: no 加重一档
    assert allowed([("T97", "较轻"), ("T97", "较重")]) == {"party": (RM, *P)}
    assert allowed([("T97", "较轻"), ("T50-1", "一般")]) == {"party": (EX,)}
    # an act reduced below 警告 is not one "应当受到党纪处分": the other stands alone
    assert allowed([("T97", "较轻"), ("T89", "一般")], {"减轻"}) == {"party": ()}


def test_several_gov_violations_take_the_heaviest():
    # 政务处分法第十五条 "公职人员有两个以上违法行为的，应当分别确定政务处分。应当给予两种以上政务处分的，执行其中
    # 最重的政务处分；…"
    assert allowed([("G33-1", "一般"), ("G34-2", "严重")]) == {"gov": (GDM, GDS)}
    assert allowed([("G33-1", "一般"), ("G30", "一般")]) == {"gov": (GW, GD, GMD)}


def test_gov_mitigation_and_aggravation():
    # 政务处分法第十一条 "…可以从轻或者减轻给予政务处分"; 第十三条 "…应当从重给予政务处分" (no 加重).
    assert allowed([("G33-1", "较重")], {"减轻"}) == {"gov": (GMD,)}
    assert allowed([("G33-1", "一般")], {"从重"}) == {"gov": (GD, GMD)}
    assert allowed([("G33-1", "较重")], {"加重"}) == {"gov": (GDM, GDS)}  # ignored; sanction_problem says why


def test_types_of_equal_severity_are_one_grade():
    # 第十一条第二款 "对于应当受到撤销党内职务处分，但是本人没有担任党内职务的，应当给予其严重警告处分。"
    extra = SanctionType(
        id="party_serious_warning_in_lieu", name="严重警告（应撤销党内职务而未担任党内职务）", kind="party",
        severity=SANCTIONS.get(RM).severity, effect_months=24, permanent=False, form=2,
        approver="township_committee", village_manager_allowed=True, citation="《中国共产党纪律处分条例》第十一条",
    )
    catalog = SanctionCatalog({**SANCTIONS.types, extra.id: extra}, SANCTIONS.accumulating_kinds)
    result = allowed_sanctions(ARTICLES, catalog, [("T89", "严重")], set())
    assert result == {"party": (RM, extra.id)}
    assert allowed_sanctions(ARTICLES, catalog, [("T89", "一般")], {"加重"})["party"] == (RM, extra.id)
    assert sanction_problem(ARTICLES, catalog, [("T89", "严重")], set(), extra.id) is None


def test_the_shipped_sanction_catalog_knows_every_type_the_articles_name():
    shipped = parse_sanctions(_SANCTIONS_RAW, "sanctions.toml")
    for a in ARTICLES:
        for plot in a.plots:
            allowed_sanctions(ARTICLES, shipped, [(a.id, plot)], set())
            for t in a.ranges[plot]:
                assert shipped.get(t).kind == a.kind


def test_bad_picks_and_adjustments():
    with pytest.raises(DomainError, match="第九十七条没有“一般”的处分幅度，可选情节：较轻、较重、严重") as info:
        allowed([("T97", "一般")])
    assert info.value.code == "plot_unknown"
    with pytest.raises(DomainError, match="违纪条款目录中没有条款“T9”") as info:
        allowed([("T9", "一般")])
    assert info.value.code == "article_unknown"
    with pytest.raises(DomainError, match="“从宽”不是处分轻重情节") as info:
        allowed([("T97", "较轻")], {"从宽"})
    assert info.value.code == "adjustment_unknown"


# --- problems and their messages -------------------------------------------------------------------


def problem(picks, type_id, adjustments=(), basis=""):
    return sanction_problem(ARTICLES, SANCTIONS, picks, set(adjustments), type_id, mitigation_basis=basis)


def test_sanction_within_the_range_has_no_problem():
    assert problem([("T97", "较轻")], SW) is None
    assert problem([("T97", "较重")], P2) is None
    assert problem([("G33-1", "一般")], GMD) is None


def test_sanction_outside_the_range():
    assert problem([("T97", "较轻")], P2) == (
        "sanction_out_of_range",
        "拟给予的“留党察看二年”超出《中国共产党纪律处分条例》第九十七条“情节较轻”的处分幅度（警告、严重警告）",
    )
    code, message = problem([("T50-2", "一般")], W)
    assert message == "拟给予的“警告”超出《中国共产党纪律处分条例》第五十条第二款的处分幅度（严重警告、撤销党内职务）"
    code, message = problem([("G34-2", "严重")], GEX)
    assert code == "sanction_out_of_range"
    assert message == "拟给予的“开除”超出《中华人民共和国公职人员政务处分法》第三十四条第二款“情节严重”的处分幅度（降级、撤职）"
    code, message = problem([("T54", "严重")], W)
    assert "第五十四条“导致本地区、本部门、本单位政治生态恶化的”的处分幅度（留党察看、开除党籍）" in message


def test_adjusted_range_message_names_the_rule():
    code, message = problem([("T97", "较重")], W, {"减轻"}, "主动交代本人应当受到党纪处分的问题")
    assert code == "sanction_out_of_range"
    assert message == (
        "拟给予的“警告”不在《中国共产党纪律处分条例》第九十七条“情节较重”的处分幅度（撤销党内职务、留党察看）"
        "减轻处分（《中国共产党纪律处分条例》第二十三条）后可给予的处分（严重警告）之内"
    )
    assert problem([("T97", "较重")], SW, {"减轻"}, "主动上交违纪所得") is None
    _, message = problem([("T97", "较轻")], W, {"减轻"}, "主动交代")
    assert "可依照《中国共产党纪律处分条例》第十九条免予党纪处分" in message
    _, message = problem([("T97", "较轻")], SW, {"从轻"})
    assert "从轻处分（《中国共产党纪律处分条例》第二十二条）后可给予的处分（警告）" in message


def test_several_violations_message_cites_article_24():
    code, message = problem([("T97", "较轻"), ("T101", "较重")], W)
    assert code == "sanction_out_of_range"
    assert "按最高处分加重一档（《中国共产党纪律处分条例》第二十四条）可给予的处分（严重警告、撤销党内职务）" in message
    assert "第一百零一条“情节较重”的处分幅度（警告、严重警告）" in message
    assert problem([("T97", "较轻"), ("T101", "较重")], RM) is None


def test_mitigation_needs_its_recorded_basis():
    # 第十七条 "有下列情形之一的，可以从轻或者减轻处分：（一）主动交代本人应当受到党纪处分的问题；…"
    assert problem([("T97", "较重")], SW, {"减轻"}) == (
        "mitigation_basis_missing", "减轻处分须写明依据（《中国共产党纪律处分条例》第十七条所列情形）"
    )
    assert problem([("T97", "较重")], SW, {"减轻"}, "  ")[0] == "mitigation_basis_missing"
    # 政务处分法第十一条 "公职人员有下列情形之一的，可以从轻或者减轻给予政务处分：…"
    assert problem([("G33-1", "较重")], GMD, {"减轻"}) == (
        "mitigation_basis_missing", "减轻给予政务处分须写明依据（《中华人民共和国公职人员政务处分法》第十一条所列情形）"
    )
    assert problem([("G33-1", "较重")], GMD, {"减轻"}, "配合调查，如实说明本人违法事实") is None


def test_no_mitigation_below_expulsion_only():
    # 第二十三条第三款 "本条例规定的只有开除党籍处分一个档次的违纪行为，不适用第一款减轻处分的规定。"
    code, message = problem([("T50-1", "一般")], P2, {"减轻"}, "主动交代")
    assert code == "mitigation_not_applicable"
    assert "第五十条第一款只有开除党籍处分一个档次，不适用减轻处分" in message
    assert allowed([("T50-1", "一般")], {"减轻"}) == {"party": (EX,)}


def test_gov_has_no_aggravation():
    code, message = problem([("G33-1", "一般")], GDM, {"加重"})
    assert code == "aggravation_not_provided"
    assert "第十三条" in message


def test_a_kind_without_its_article():
    assert problem([("T97", "较轻")], GW) == (
        "article_missing", "拟给予的政务处分“警告”未列明所依据的《中华人民共和国公职人员政务处分法》条款"
    )


def test_other_kinds_are_not_range_checked():
    for type_id in ("org_removal", "form1_admonish", "pi_warning", "judicial"):
        assert problem([("T97", "较轻")], type_id) is None


def test_unknown_sanction_and_article_are_refused():
    with pytest.raises(DomainError, match="未知的处分种类“party_fine”"):
        problem([("T97", "较轻")], "party_fine")
    with pytest.raises(DomainError, match="违纪条款目录中没有条款“T500”"):
        problem([("T500", "较轻")], W)


# --- parse_articles --------------------------------------------------------------------------------


_T49 = next(i for i, e in enumerate(RAW["articles"]) if e["id"] == "T49")


def _broken(mutate) -> dict:
    data = copy.deepcopy(RAW)
    mutate(data["articles"][_T49])
    return data


@pytest.mark.parametrize("mutate, fragment", [
    (lambda e: e.pop("citation"), "缺少字段 citation"),
    (lambda e: e.update(number=True), "number 应为整数"),
    (lambda e: e.update(ranges={"轻微": ["party_warning"]}), "情节“轻微”未知"),
    (lambda e: e.update(ranges={"一般": []}), "情节“一般”应为处分种类 id 的非空数组"),
    (lambda e: e.update(ranges={"一般": ["gov_warning"]}), "含非党纪处分种类 gov_warning"),
    (lambda e: e.update(ranges={}), "ranges 不能为空"),
    (lambda e: e.update(id="T48"), "id 应为“T49”"),
    (lambda e: e.update(article="第四十八条"), "article 应为“第四十九条”"),
    (lambda e: e.update(citation="《纪律处分条例》第四十九条"), "citation 应为“《中国共产党纪律处分条例》第四十九条”"),
    (lambda e: e.update(law="army"), "law“army”未知"),
    (lambda e: e.update(colour="red"), "含未知字段 colour"),
    (lambda e: e.update(text="  "), "text 不能为空"),
    (lambda e: e.update(clause=2, id="T49-2", citation="《中国共产党纪律处分条例》第四十九条第二款"), "条文只有 1 款"),
    (lambda e: e.update(refers_to="T1"), "refers_to“T1”不是目录中的条款"),
    (lambda e: e.update(conditions={"较轻": "情节较轻的"}), "conditions 中“较轻”"),
    (lambda e: e.update(exceptions={"较轻": "报请再上一级党组织批准"}), "exceptions 中“较轻”"),
    (lambda e: e.update(exceptions={"一般": " "}), "exceptions 中“一般”"),
])
def test_malformed_catalog_is_refused_with_a_chinese_message(mutate, fragment):
    with pytest.raises(DomainError) as info:
        parse_articles(_broken(mutate), "articles.toml")
    assert info.value.code == "article_catalog_invalid"
    assert "违纪条款目录“articles.toml”有误" in info.value.message
    assert fragment in info.value.message


def test_malformed_catalog_structure():
    with pytest.raises(DomainError, match="缺少 \\[\\[articles\\]\\] 列表"):
        parse_articles({}, "articles.toml")
    data = copy.deepcopy(RAW)
    data["articles"].append(copy.deepcopy(data["articles"][_T49]))
    with pytest.raises(DomainError, match="条款 T49 的 id 重复"):
        parse_articles(data, "articles.toml")
    data = copy.deepcopy(RAW)
    data["articles"][_T49 + 1] = "T50"
    with pytest.raises(DomainError, match=f"第 {_T49 + 2} 个 \\[\\[articles\\]\\] 不是表"):
        parse_articles(data, "articles.toml")


# --- wiring ---------------------------------------------------------------------------------------


def test_the_ruleset_carries_the_catalog():
    from app.paths import resources_dir
    from app.services import ruleset

    rules = ruleset.ruleset_from((), resources_dir())
    assert isinstance(rules.articles, ArticleCatalog)
    assert rules.articles.get("T97").ranges == ARTICLES.get("T97").ranges
    assert ruleset.shipped_articles(resources_dir() / "rules" / "articles.toml") is rules.articles


def test_the_domain_module_is_pure():
    tree = ast.parse((ROOT / "app" / "domain" / "articles.py").read_text(encoding="utf-8"))
    modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    modules |= {alias.name for n in ast.walk(tree) if isinstance(n, ast.Import) for alias in n.names}
    assert not {m for m in modules if re.match(r"(PySide6|sqlalchemy|sqlmodel)", m or "")}
    assert {m for m in modules if m and m.startswith("app.")} <= {"app.domain.errors", "app.domain.sanctions"}
