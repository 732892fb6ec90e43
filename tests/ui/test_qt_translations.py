"""Qt's own dialogs speak Chinese: the file dialog (Qt's own, as on Linux without a desktop), message
box buttons and the line edit's context menu (app/ui/theme.py `install_translations`)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QFileDialog, QFileSystemModel, QLabel, QLineEdit, QMessageBox

ENGLISH = ("Look in", "Files of type", "File name", "Cancel", "Open", "Save")


def visible_texts(widget) -> list[str]:
    return [w.text() for w in widget.findChildren(QLabel) + widget.findChildren(QAbstractButton) if w.text()]


def test_the_file_dialog_is_in_chinese(qtbot):
    for mode in (QFileDialog.AcceptMode.AcceptOpen, QFileDialog.AcceptMode.AcceptSave):
        dialog = QFileDialog(None, "选择数据包")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setAcceptMode(mode)
        dialog.setNameFilter("纪案通数据包 (*.jab)")
        qtbot.addWidget(dialog)
        dialog.show()
        texts = visible_texts(dialog)
        english = [t for t in texts if any(word in t.replace("&", "") for word in ENGLISH)]
        assert not english, english
        assert "查找范围(&L)：" in texts and "文件类型(&T)：" in texts and "取消" in texts
        dialog.close()


def test_the_file_list_names_folders_in_chinese(qtbot, tmp_path):
    (tmp_path / "U盘数据包").mkdir()
    dialog = QFileDialog(None, "选择数据包", str(tmp_path))
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    qtbot.addWidget(dialog)
    dialog.show()
    model = dialog.findChild(QFileSystemModel)
    index = model.index(str(tmp_path / "U盘数据包"))
    qtbot.waitUntil(lambda: bool(model.data(index.siblingAtColumn(2))))
    assert model.data(index.siblingAtColumn(2)) == "文件夹"
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(4)] == ["名称", "体积", "类型", "修改日期"]


def test_message_box_buttons_and_the_line_edit_menu_are_in_chinese(qtbot):
    box = QMessageBox()
    qtbot.addWidget(box)
    box.setStandardButtons(QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel)
    assert sorted(b.text() for b in box.buttons()) == sorted(["确定", "取消"])
    edit = QLineEdit()
    qtbot.addWidget(edit)
    menu = edit.createStandardContextMenu()
    actions = [a.text().split("\t")[0] for a in menu.actions() if a.text()]
    assert {"撤消(&U)", "复制(&C)", "粘贴(&P)"} <= set(actions), actions
