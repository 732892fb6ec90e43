"""设置: auto-lock, the due-soon threshold, document fonts, and backup/restore."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.errors import InputError
from app.ui.errors import error_message
from app.ui.session import SessionContext
from app.ui.widgets import Form, hint_label

FONT_CHOICES = {
    "font_body": ("正文字体", ("仿宋_GB2312", "仿宋", "FangSong")),
    "font_title": ("标题字体", ("方正小标宋简体", "小标宋", "华文中宋")),
    "font_heading": ("一级标题字体", ("黑体", "SimHei")),
    "font_kai": ("楷体字体", ("楷体_GB2312", "楷体", "KaiTi")),
}
BACKUP_FILTER = "纪案通备份 (*.zip)"
SPIN_WIDTH = 180
FONT_WIDTH = 360


def format_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    return f"{max(size // 1024, 1)} KB"


class SettingsPage(QWidget):
    def __init__(self, ctx: SessionContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.can_edit = ctx.store.account.is_admin

        self.security_form = Form()
        self.auto_lock = self.security_form.add_row("auto_lock_minutes", "自动锁定", QSpinBox(),
                                                    "这段时间内没有键盘或鼠标操作，就自动锁定，需重新输入密码。")
        self.auto_lock.setRange(1, 120)
        self.auto_lock.setSuffix(" 分钟")
        self.due_soon = self.security_form.add_row("due_soon_working_days", "临期提醒", QSpinBox(),
                                                   "办案期限剩余不超过这些工作日时，在工作台中提醒。")
        self.due_soon.setRange(1, 30)
        self.due_soon.setSuffix(" 个工作日")
        for spin in (self.auto_lock, self.due_soon):
            spin.setMaximumWidth(SPIN_WIDTH)
        security_box = QGroupBox("安全与提醒")
        QVBoxLayout(security_box).addWidget(self.security_form)

        self.font_form = Form()
        self.fonts: dict[str, QComboBox] = {}
        for key, (label, choices) in FONT_CHOICES.items():
            combo = QComboBox()
            combo.setEditable(True)
            combo.setMaximumWidth(FONT_WIDTH)
            combo.addItems(choices)
            self.fonts[key] = self.font_form.add_row(key, label, combo)
        fonts_box = QGroupBox("公文字体（GB/T 9704）")
        fonts_column = QVBoxLayout(fonts_box)
        fonts_column.addWidget(hint_label("生成文书时写入的字体名称。打开文书的电脑须装有同名字体，否则 Word/WPS 会用其他字体代替。"))
        fonts_column.addWidget(self.font_form)

        self.save_button = QPushButton("保存设置")
        self.save_button.clicked.connect(self.save)
        self.saved_label = hint_label("")
        save_row = QHBoxLayout()
        save_row.addWidget(self.saved_label, 1)
        save_row.addWidget(self.save_button)
        if not self.can_edit:
            self.saved_label.setText("只有书记/管理员账户可以修改设置。")
            for field in (self.auto_lock, self.due_soon, *self.fonts.values()):
                field.setEnabled(False)
            self.save_button.setEnabled(False)

        backup_button = QPushButton("备份数据库…")
        backup_button.clicked.connect(self.backup)
        restore_button = QPushButton("从备份恢复…")
        restore_button.clicked.connect(self.restore)
        backup_row = QHBoxLayout()
        backup_row.addWidget(backup_button)
        backup_row.addWidget(restore_button)
        backup_row.addStretch(1)
        backup_box = QGroupBox("备份与恢复")
        backup_column = QVBoxLayout(backup_box)
        backup_column.addWidget(hint_label(
            "备份文件仍是加密的，用现在的密码或恢复密钥才能打开。建议每周备份一次，并把备份文件另存到U盘等其他位置。"
            "从备份恢复会用备份中的数据替换当前全部数据。"))
        backup_column.addLayout(backup_row)

        content = QWidget()
        column = QVBoxLayout(content)
        column.addWidget(security_box)
        column.addWidget(fonts_box)
        column.addLayout(save_row)
        column.addSpacing(8)
        column.addWidget(backup_box)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.load()

    # --- office settings --------------------------------------------------------------

    def load(self) -> None:
        from app.services import settings

        values = settings.load(self.ctx.store)
        self.auto_lock.setValue(values.auto_lock_minutes)
        self.due_soon.setValue(values.due_soon_working_days)
        for key, combo in self.fonts.items():
            combo.setCurrentText(getattr(values, key))

    def values(self):
        from app.services.settings import OfficeSettings

        return OfficeSettings(
            auto_lock_minutes=self.auto_lock.value(),
            due_soon_working_days=self.due_soon.value(),
            **{key: combo.currentText() for key, combo in self.fonts.items()},
        )

    def set_errors(self, problems: dict[str, str]) -> None:
        for form in (self.security_form, self.font_form):
            for key in form.errors:
                form.set_error(key, problems.get(key, ""))

    def save(self) -> None:
        from app.services import settings

        self.saved_label.setText("")
        try:
            saved = settings.save(self.ctx.store, self.values())
        except InputError as exc:
            self.set_errors(exc.detail.get("problems", {}))
            if "problems" not in exc.detail:
                self.ctx.prompter.error(self, exc.message)
            return
        except Exception as exc:
            self.ctx.prompter.error(self, error_message(exc))
            return
        self.set_errors({})
        self.saved_label.setText(f"设置已保存（{datetime.now():%H:%M}）。")
        self.ctx.sig_settings_changed.emit(saved)

    # --- backup and restore -----------------------------------------------------------

    def backup(self) -> None:
        store = self.ctx.store
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        suggested = Path(folder) / f"纪案通备份-{store.office.code}-{datetime.now():%Y%m%d-%H%M}.zip"
        chosen = self.ctx.prompter.save_file(self, "备份数据库", str(suggested), BACKUP_FILTER)
        if not chosen:
            return
        target = Path(chosen)
        if target.suffix.lower() != ".zip":
            target = target.with_name(target.name + ".zip")

        def run_backup():
            from app.services import backup

            return backup.backup(store, target)

        self.ctx.runner.run(run_backup, on_done=self.on_backup_done, on_error=self.on_error,
                            label="正在备份数据库……", parent=self)

    def on_backup_done(self, result) -> None:
        self.ctx.prompter.info(self, f"备份已保存：{result.path}（{format_size(result.size)}）。\n"
                                     "请把备份文件另存到U盘等其他位置，与电脑分开保管。")

    def on_error(self, exc: BaseException) -> None:
        self.ctx.prompter.error(self, error_message(exc))

    def restore(self) -> None:
        prompter = self.ctx.prompter
        if not prompter.confirm(self, "从备份恢复会用备份中的数据替换当前全部数据：备份之后新增或修改的内容都将不再出现"
                                      "（被替换的数据库另存在数据目录的 restore-previous 文件夹中）。\n\n"
                                      "恢复前会先锁定数据库，恢复后需重新解锁。确定要继续吗？", "选择备份文件…"):
            return
        chosen = prompter.open_file(self, "选择备份文件", f"{BACKUP_FILTER};;所有文件 (*)")
        if not chosen:
            return
        password = prompter.password(self, f"请输入账户“{self.ctx.store.account.name}”的密码，以确认从备份恢复：")
        if not password:
            return
        self.ctx.sig_restore_requested.emit(chosen, password)
