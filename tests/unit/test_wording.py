"""Sentences and punctuation where a case's text meets a template's: no "。，", no "。。", one law's
name once in a citation (app/documents/wording.py), and the same in a rendered document."""

from __future__ import annotations

import io
import zipfile

from docx import Document as open_docx
from lxml import etree

from app.documents import wording
from app.documents.render import tidy_document


def test_sentences_end_once():
    assert wording.sentence("2025年1月", "违规领取低保金4800元。", "") == "2025年1月，违规领取低保金4800元。"
    assert wording.sentence("", " ") == ""
    assert wording.sentences(["本人无异议。", "认识到错误"]) == "本人无异议。认识到错误。"


def test_where_two_marks_meet_the_later_stays():
    for given, wanted in (("无异议。。", "无异议。"), ("问题。，继续", "问题，继续"), ("事实。；", "事实；"),
                          ("第一、、第二", "第一、第二"), ("甲，。", "甲。"), ("金额：1元。", "金额：1元。")):
        assert wording.tidy(given) == wanted, given


def test_citations_name_each_law_once_and_keep_article_order():
    joined = wording.citations(["《中国共产党纪律处分条例》第一百零二条", "《中国共产党纪律处分条例》第八条",
                                "《中国共产党纪律处分条例》第九十七条第二款",
                                "《中国共产党处分违纪党员批准权限和程序规定》第十二条"])
    assert joined == ("《中国共产党纪律处分条例》第八条、第九十七条第二款、第一百零二条"
                      "和《中国共产党处分违纪党员批准权限和程序规定》第十二条")


def test_a_rendered_paragraph_is_tidied_across_its_runs():
    doc = open_docx()
    p = doc.add_paragraph()
    p.add_run("对违纪事实，本人意见：无异议。")  # a case value ending in its own full stop
    p.add_run("。")  # the template's
    doc.add_paragraph("经查，存在以下问题：违规发放补贴。，情节较轻")
    tidy_document(doc)
    out = io.BytesIO()
    doc.save(out)
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(out.getvalue())).read("word/document.xml"))
    text = ["".join(t.text or "" for t in para.iter("{*}t")) for para in root.iter("{*}p")]
    assert "对违纪事实，本人意见：无异议。" in text and "经查，存在以下问题：违规发放补贴，情节较轻" in text
