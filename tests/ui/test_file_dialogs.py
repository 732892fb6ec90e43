"""File dialogs open on the USB stick when one is plugged in, else in 文档, else in the home folder
(app/ui/file_dialogs.py); every dialog of the prompter starts there."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths

from app.sync import volumes
from app.ui import file_dialogs, prompter


def test_the_start_folder_is_the_usb_stick_else_documents_else_home(tmp_path, monkeypatch):
    stick = tmp_path / "KINGSTON"
    stick.mkdir()
    monkeypatch.setattr(volumes, "detect", lambda: [volumes.Volume(str(stick), "KINGSTON", 1 << 30)])
    assert file_dialogs.start_folder() == stick
    assert file_dialogs.start_path("备份.zip") == str(stick / "备份.zip")
    assert file_dialogs.start_path(str(tmp_path / "x" / "备份.zip")) == str(tmp_path / "x" / "备份.zip")  # a full path stays

    monkeypatch.setattr(volumes, "detect", lambda: [])
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    expected = Path(documents) if documents and Path(documents).is_dir() else Path.home()
    assert file_dialogs.start_folder() == expected

    monkeypatch.setattr(QStandardPaths, "writableLocation", lambda _where: str(tmp_path / "missing"))
    assert file_dialogs.start_folder() == Path.home()


def test_the_prompter_s_dialogs_start_there(tmp_path, monkeypatch):
    stick = tmp_path / "usb"
    stick.mkdir()
    monkeypatch.setattr(volumes, "detect", lambda: [volumes.Volume(str(stick), "U盘", 1 << 30)])
    starts = []

    class Dialog:
        @staticmethod
        def getSaveFileName(parent, title, start, file_filter):
            starts.append(start)
            return "", ""

        @staticmethod
        def getOpenFileName(parent, title, start, file_filter):
            starts.append(start)
            return "", ""

        @staticmethod
        def getExistingDirectory(parent, title, start):
            starts.append(start)
            return ""

    monkeypatch.setattr(prompter, "QFileDialog", Dialog)
    asker = prompter.Prompter()
    assert asker.save_file(None, "备份数据库", "纪案通备份.zip", "备份 (*.zip)") is None
    assert asker.open_file(None, "选择数据包", "数据包 (*.jab)") is None
    assert asker.choose_folder(None, "选择保存数据包的文件夹") is None
    assert starts == [str(stick / "纪案通备份.zip"), str(stick), str(stick)]
