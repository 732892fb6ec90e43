"""政务处分法第二十二条: 基层群众性自治组织中从事管理的人员有违法行为的，监察机关可以予以警告、记过、记大过.
The article's own range still decides how heavy; the person's status caps it at 记大过."""

from __future__ import annotations

import tomllib
from pathlib import Path

from app.domain.articles import allowed_sanctions, parse_articles, sanction_problem
from app.domain.sanctions import parse_sanctions

ROOT = Path(__file__).resolve().parents[2]
ARTICLES = parse_articles(tomllib.loads((ROOT / "resources/rules/articles.toml").read_text(encoding="utf-8")),
                          "articles.toml")
CATALOG = parse_sanctions(tomllib.loads((ROOT / "resources/rules/sanctions.toml").read_text(encoding="utf-8")),
                          "sanctions.toml")
# 第三十三条第一款（一）贪污贿赂: 警告、记过或者记大过；情节较重的，降级或者撤职；情节严重的，开除
EMBEZZLED = [("G33-1", "严重")]


def test_a_serious_act_of_a_village_manager_takes_the_heaviest_of_the_three_article_22_kinds():
    assert allowed_sanctions(ARTICLES, CATALOG, EMBEZZLED)["gov"] == ("gov_expulsion",)
    assert allowed_sanctions(ARTICLES, CATALOG, EMBEZZLED, village_manager=True)["gov"] == ("gov_major_demerit",)
    assert sanction_problem(ARTICLES, CATALOG, EMBEZZLED, set(), "gov_major_demerit", village_manager=True) is None
    code, message = sanction_problem(ARTICLES, CATALOG, EMBEZZLED, set(), "gov_expulsion", village_manager=True)
    assert code == "not_allowed_for_village_manager" and "第二十二条" in message


def test_the_cap_keeps_a_lighter_range_as_the_article_writes_it():
    general = [("G33-1", "一般")]
    assert allowed_sanctions(ARTICLES, CATALOG, general, village_manager=True)["gov"] == (
        "gov_warning", "gov_demerit", "gov_major_demerit")
    code, _ = sanction_problem(ARTICLES, CATALOG, [("G33-1", "较重")], set(), "gov_warning", village_manager=True)
    assert code == "sanction_out_of_range"  # 较重 for a village manager is 记大过, not 警告


def test_the_party_range_is_not_touched_by_the_village_status():
    party = [("T30-1", "一般")]
    assert allowed_sanctions(ARTICLES, CATALOG, party, village_manager=True)["party"] == \
        allowed_sanctions(ARTICLES, CATALOG, party)["party"]
