"""设置: office information, auto-lock, the due-soon threshold, document fonts, the statistics'
way of counting, holiday tables, and backup/restore."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.errors import InputError
from app.ui.errors import error_message
from app.ui.holiday_dialog import HolidayDialog
from app.ui.session import SessionContext
from app.ui.table_models import RowTableModel
from app.ui.widgets import (
    WARNING_STYLE,
    Form,
    banner,
    data_table,
    fit_columns,
    fit_height,
    hint_label,
    scroll_area,
)

FONT_CHOICES = {
    "font_body": ("正文字体", ("仿宋_GB2312", "仿宋", "FangSong")),
    "font_title": ("标题字体", ("方正小标宋简体", "小标宋", "华文中宋")),
    "font_heading": ("一级标题字体", ("黑体", "SimHei")),
    "font_kai": ("楷体字体", ("楷体_GB2312", "楷体", "KaiTi")),
}
BACKUP_FILTER = "纪案通备份 (*.zip)"
LEVEL_LABELS = {"township": "乡镇纪委", "county": "县纪委", "city": "市纪委"}
HOLIDAY_ROWS = 6
SPIN_WIDTH = 180
FONT_WIDTH = 360


class HolidayYearsModel(RowTableModel):
    HEADERS = ("年份", "来源", "放假天数", "调休上班天数", "依据")

    def display(self, row, column: int) -> str:
        return (f"{row.year}年", row.origin, f"{row.holidays} 天", f"{row.workdays} 天", row.source)[column]


def format_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    return f"{max(size // 1024, 1)} KB"


class SettingsPage(QWidget):
    def __init__(self, ctx: SessionContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.can_edit = ctx.store.account.is_admin

        office = ctx.store.office
        office_box = QGroupBox("本单位")
        office_form = QFormLayout(office_box)
        self.office_values: dict[str, QLabel] = {}
        for key, label, text in (("name", "单位名称", office.name), ("code", "单位代码", office.code),
                                 ("level", "单位级别", LEVEL_LABELS.get(office.level, office.level)),
                                 ("parent", "上级单位代码", office.parent_code or "（无）"),
                                 ("numbers", "线索编号示例", "")):
            value = QLabel(text)
            value.setObjectName(f"office_{key}")
            office_form.addRow(label, value)
            self.office_values[key] = value
        office_form.addRow(hint_label("单位名称、代码和编号代字在初始设置时确定：它们标识本单位上报县纪委的数据，不在此修改。"))

        self.security_form = Form()
        self.auto_lock = self.security_form.add_row("auto_lock_minutes", "自动锁定", QSpinBox(),
                                                    "这段时间内没有键盘或鼠标操作，就自动锁定，需重新输入密码。")
        self.auto_lock.setRange(1, 120)
        self.auto_lock.setSuffix(" 分钟")
        self.due_soon = self.security_form.add_row("due_soon_working_days", "临期提醒", QSpinBox(),
                                                   "办案期限剩余不超过这些工作日时，在工作台中提醒。")
        self.due_soon.setRange(1, 30)
        self.due_soon.setSuffix(" 个工作日")
        self.revisit = self.security_form.add_row("revisit_reminder_months", "回访教育提醒", QSpinBox(),
                                                  "按本地做法：处分（处理）决定后几个月在工作台提醒对受处分人回访教育；0 为不提醒。")
        self.revisit.setRange(0, 24)
        self.revisit.setSuffix(" 个月")
        for spin in (self.auto_lock, self.due_soon, self.revisit):
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
        fonts_column.addWidget(hint_label(
            "生成文书时写入的字体名称。打开文书的电脑须装有同名字体，否则 Word/WPS 会用其他字体代替。"
            "Windows 自带的是“仿宋”“楷体”，不是“仿宋_GB2312”“楷体_GB2312”；本单位电脑没有安装 GB2312 字体的，请改选“仿宋”“楷体”。"))
        fonts_column.addWidget(self.font_form)

        self.county_review = QCheckBox("本县实行乡案县审（审理后报县纪委审理室审核一次）")
        self.county_review.setObjectName("county_review_practised")
        practice_box = QGroupBox("办案模式（按本地做法）")
        practice_column = QVBoxLayout(practice_box)
        practice_column.addWidget(self.county_review)
        practice_column.addWidget(hint_label(
            "乡案县审是各县结合本地实际采用的办案模式。本县不实行的，取消勾选：审理后在乡镇批准权限内直接提交支部党员大会、"
            "由乡镇纪委或乡镇党委审批；超出乡镇权限的仍按乡镇报批报县纪委。"))

        self.referred_as_self = QCheckBox("上级转办、交办给本单位并由本单位办理的线索，立案计入自办立案")
        self.referred_as_self.setObjectName("count_referred_as_self")
        counting_box = QGroupBox("统计口径（按本地做法）")
        counting_column = QVBoxLayout(counting_box)
        counting_column.addWidget(self.referred_as_self)
        counting_column.addWidget(hint_label(
            "默认按县纪委的口径：这类立案算本单位自办立案，也据此判断零立案。县里另有口径、不计入自办的，取消勾选；"
            "县纪委的设置决定报送市纪委的统计。"))

        self.save_button = QPushButton("保存设置")
        self.save_button.clicked.connect(self.save)
        self.saved_label = hint_label("")
        save_row = QHBoxLayout()
        save_row.addWidget(self.saved_label, 1)
        save_row.addWidget(self.save_button)
        if not self.can_edit:
            self.saved_label.setText("只有书记/管理员账户可以修改设置。")
            for field in (self.auto_lock, self.due_soon, self.revisit, *self.fonts.values(), self.county_review,
                          self.referred_as_self):
                field.setEnabled(False)
            self.save_button.setEnabled(False)

        self.holiday_model = HolidayYearsModel(parent=self)
        self.holiday_table = data_table(self.holiday_model, stretch=4, name="holiday_years")
        fit_columns(self.holiday_table, {0: 4, 1: 6, 2: 5, 3: 6})
        self.holiday_table.activated.connect(lambda index: self.open_holidays(self.holiday_model.row_at(index.row()).year))
        self.holiday_warning = banner(WARNING_STYLE)
        self.holiday_warning.setObjectName("settings_holiday_warning")
        self.holiday_check_due = True
        view_button = QPushButton("查看所选年份…")
        view_button.clicked.connect(self.view_selected_year)
        self.enter_button = QPushButton("录入节假日表…")
        self.enter_button.setObjectName("enter_holidays")
        self.enter_button.clicked.connect(lambda: self.open_holidays(None, editable=True))
        self.enter_button.setVisible(self.can_edit)
        holiday_row = QHBoxLayout()
        holiday_row.addWidget(view_button)
        holiday_row.addWidget(self.enter_button)
        holiday_row.addStretch(1)
        holiday_box = QGroupBox("节假日表（计算工作日期限用）")
        holiday_column = QVBoxLayout(holiday_box)
        holiday_column.addWidget(hint_label(
            "随软件提供至2026年；以后的年份由县纪委下发，或由书记/管理员照国务院办公厅的放假通知录入。"
            "缺少某年数据时，期限按周一至周五为工作日推算，并在工作台提示。"))
        holiday_column.addWidget(self.holiday_warning)
        holiday_column.addWidget(self.holiday_table)
        holiday_column.addLayout(holiday_row)

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
        column.addWidget(office_box)
        column.addWidget(security_box)
        column.addWidget(fonts_box)
        column.addWidget(practice_box)
        column.addWidget(counting_box)
        column.addLayout(save_row)
        column.addSpacing(8)
        column.addWidget(holiday_box)
        column.addWidget(backup_box)
        column.addStretch(1)
        scroll = scroll_area(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.load()

    # --- office settings --------------------------------------------------------------

    def load(self) -> None:
        from app.services import case_details, settings

        self.office_values["numbers"].setText(case_details.number_example(self.ctx.store))
        self.load_holidays()
        values = settings.load(self.ctx.store)
        self.auto_lock.setValue(values.auto_lock_minutes)
        self.due_soon.setValue(values.due_soon_working_days)
        self.revisit.setValue(values.revisit_reminder_months)
        for key, combo in self.fonts.items():
            combo.setCurrentText(getattr(values, key))
        self.county_review.setChecked(values.county_review_practised)
        self.referred_as_self.setChecked(values.count_referred_as_self)

    def values(self):
        from app.services.settings import OfficeSettings

        return OfficeSettings(
            auto_lock_minutes=self.auto_lock.value(),
            due_soon_working_days=self.due_soon.value(),
            revisit_reminder_months=self.revisit.value(),
            **{key: combo.currentText() for key, combo in self.fonts.items()},
            county_review_practised=self.county_review.isChecked(),
            count_referred_as_self=self.referred_as_self.isChecked(),
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

    # --- holiday tables ---------------------------------------------------------------

    def load_holidays(self) -> None:
        from app.services import holidays

        self.holiday_model.set_rows(holidays.list_years(self.ctx.store)[::-1])
        fit_height(self.holiday_table, HOLIDAY_ROWS)
        self.holiday_check_due = True
        if self.isVisible():
            self.check_holiday_years()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.holiday_check_due:
            self.check_holiday_years()

    def check_holiday_years(self) -> None:
        """Which years the running deadlines need but have no table: the engine evaluates every
        case for that, so it runs off the GUI thread and only once the page is shown — not while
        the main window is built after unlock."""
        self.holiday_check_due = False
        store = self.ctx.store

        def missing_years():
            from app.services import desk

            return desk.desk(store).missing_holiday_years

        self.ctx.runner.run(missing_years, on_done=self.show_holiday_warning,
                            on_error=lambda exc: self.ctx.prompter.error(self, error_message(exc)))

    def show_holiday_warning(self, missing: tuple[int, ...]) -> None:
        years = "、".join(str(y) for y in missing)
        self.holiday_warning.setText(f"办案期限用到了 {years} 年，但还没有这一年的节假日表。"
                                     + ("请点“录入节假日表…”录入。" if self.can_edit else "请书记/管理员录入。")
                                     if missing else "")
        self.holiday_warning.setVisible(bool(missing))

    def view_selected_year(self) -> None:
        row = self.holiday_table.currentIndex().row()
        if 0 <= row < self.holiday_model.rowCount():
            self.open_holidays(self.holiday_model.row_at(row).year)
        else:
            self.ctx.prompter.info(self, "请先在表中选中一个年份。")

    def open_holidays(self, year: int | None, *, editable: bool = False) -> HolidayDialog:
        dialog = HolidayDialog(self.ctx, year, editable=editable, parent=self)
        dialog.sig_saved.connect(self.on_holidays_saved)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        self.holiday_dialog = dialog
        return dialog

    def on_holidays_saved(self, row) -> None:
        self.load_holidays()
        self.ctx.prompter.info(self, f"已保存{row.year}年节假日表（放假{row.holidays}天，调休上班{row.workdays}天），期限将按此重新计算。")
        self.ctx.sig_data_changed.emit()

    # --- backup and restore -----------------------------------------------------------

    def backup(self) -> None:
        store = self.ctx.store
        suggested = f"纪案通备份-{store.office.code}-{datetime.now():%Y%m%d-%H%M}.zip"
        chosen = self.ctx.prompter.save_file(self, "备份数据库", suggested, BACKUP_FILTER)
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
