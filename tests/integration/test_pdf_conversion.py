"""The app's own .docx → PDF conversion (app/documents/pdf.py) with the real LibreOffice: order, page counts,
the shipped fonts.conf, and the Chinese errors when LibreOffice is missing, too slow or the PDF is broken."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from app.documents import pdf
from app.documents.registry import shipped_dir
from app.errors import InputError

needs_libreoffice = pytest.mark.skipif(not pdf.available(), reason="needs LibreOffice: bash tools/install.sh --test")


@needs_libreoffice
def test_one_call_converts_many_files_in_order_and_counts_their_pages(tmp_path):
    sources = [shipped_dir() / name for name in ("talk_plan.docx", "sanction_decision.docx", "clue_register_form.docx")]
    out = tmp_path / "pdf"
    out.mkdir()
    (out / "talk_plan.pdf").write_bytes(b"stale")  # never taken for a converted file
    made = pdf.convert(sources, out)
    assert [p.name for p in made] == ["talk_plan.pdf", "sanction_decision.pdf", "clue_register_form.pdf"]
    assert all(p.read_bytes().startswith(b"%PDF") for p in made)
    assert all(pdf.page_count(p) >= 1 for p in made)
    if shutil.which("pdfinfo"):  # poppler agrees (a test-only package; the app counts with pypdf)
        for p in made:
            info = subprocess.run(["pdfinfo", str(p)], capture_output=True, text=True, check=True).stdout
            pages = next(int(line.split()[1]) for line in info.splitlines() if line.startswith("Pages:"))
            assert pages == pdf.page_count(p), p.name
    assert pdf.convert([], out) == []


def test_the_shipped_fontconfig_includes_the_system_one_and_names_every_standard_font():
    conf = pdf.fontconfig_file().read_text("utf-8")
    assert "<include ignore_missing=\"yes\">/etc/fonts/fonts.conf</include>" in conf
    for name in ("仿宋_GB2312", "仿宋", "FangSong", "方正小标宋简体", "黑体", "SimHei", "楷体_GB2312", "楷体", "KaiTi",
                 "宋体", "SimSun"):
        assert f"<family>{name}</family>" in conf, name
    assert pdf.environment()["FONTCONFIG_FILE"] == str(pdf.fontconfig_file())


@pytest.mark.skipif(not shutil.which("fc-match"), reason="needs fontconfig")
def test_each_kind_of_font_gets_its_own_free_face():
    env = dict(os.environ, FONTCONFIG_FILE=str(pdf.fontconfig_file()))

    def face(name: str) -> str:
        return subprocess.run(["fc-match", f"{name}:lang=zh-cn", "family"], capture_output=True, text=True, env=env,
                              check=True).stdout.strip()

    body, title, heading, kai = (face(n) for n in ("仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312"))
    assert len({body, title, heading, kai}) == 4, (body, title, heading, kai)
    assert face("FangSong") == face("仿宋") == body and face("SimHei") == heading and face("KaiTi") == kai
    assert face("SimSun") == face("宋体")


def test_without_libreoffice_the_user_is_told_in_chinese(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH with no soffice on it
    assert not pdf.available()
    with pytest.raises(InputError) as refused:
        pdf.convert([shipped_dir() / "talk_plan.docx"], tmp_path)
    assert refused.value.code == "libreoffice_missing" and "LibreOffice" in refused.value.message


@needs_libreoffice
def test_a_conversion_that_takes_too_long_is_stopped(tmp_path):
    with pytest.raises(InputError) as refused:
        pdf.convert([shipped_dir() / "talk_plan.docx"], tmp_path, timeout=0.05)
    assert refused.value.code == "libreoffice_timeout" and "超时" in refused.value.message
    assert not (tmp_path / "talk_plan.pdf").exists()


@needs_libreoffice
def test_a_missing_source_is_an_input_error(tmp_path):
    with pytest.raises(InputError) as missing:
        pdf.convert([tmp_path / "none.docx"], tmp_path)
    assert missing.value.code == "pdf_source_missing" and "none.docx" in missing.value.message


def test_a_broken_pdf_is_an_input_error(tmp_path):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 not really")
    with pytest.raises(InputError) as unreadable:
        pdf.page_count(broken)
    assert unreadable.value.code == "pdf_unreadable"
