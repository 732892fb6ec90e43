"""The 定性 lines of a person's panel, as the case view shows them."""

from __future__ import annotations

from app.ui.subject_panel import qualification_line


def test_a_qualification_line_names_the_article_its_category_and_plot():
    q = {"article": "T97", "citation": "《中国共产党纪律处分条例》第九十七条", "category": "违反廉洁纪律", "plot": "较轻"}
    assert qualification_line(q) == "《中国共产党纪律处分条例》第九十七条（违反廉洁纪律，情节较轻）"


def test_an_article_unknown_here_is_shown_without_an_empty_category():
    q = {"article": "T999", "citation": "T999（本单位违纪条款目录中没有此条）", "category": "", "plot": "较轻"}
    assert qualification_line(q) == "T999（本单位违纪条款目录中没有此条）（情节较轻）"
