"""导入原有台账 / 导入人员名单: an office's spreadsheet brought in step by step — choose the file, match
its columns to fields, preview the rows in buckets, commit all-or-nothing with a progress bar and
取消, then what was imported. Reading, previewing and committing run on the worker (app/ui/tasks.py);
the services (app/services/ledger_import.py, roster_import.py) write nothing until the commit, and a
commit writes every row or none."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.ledger_headers import LEDGER_FIELDS, ROSTER_FIELDS, ImportField
from app.ui.errors import error_message
from app.ui.session import SessionContext
from app.ui.table_models import RowTableModel
from app.ui.theme import scaled_font
from app.ui.widgets import (
    data_table,
    fit_columns,
    hint_label,
    message_label,
    resize_within_screen,
    scroll_area,
    show_message,
    wrapped_label,
)

NOT_IMPORTED = "（不导入，记入备注）"
SPREADSHEET_FILTER = "表格文件 (*.xlsx *.csv *.tsv)"
MAPPING_FILTER = "对应关系文件 (*.json)"
STEPS = ("选择文件", "对应各列", "预览", "导入", "完成")


@dataclass(frozen=True)
class ImportKind:
    key: str  # "ledger" | "roster": the kind of the services and of saved mapping files
    title: str
    intro: str
    fields: tuple[ImportField, ...]
    known_bucket: str  # rows matching a record already in the store
    known_note: str
    list_page: str  # the navigation area showing what was imported
    list_button: str
    unit: str  # what a row is counted in


LEDGER = ImportKind(
    "ledger", "导入原有台账",
    "把本单位原有的问题线索台账（Excel、WPS 的 .xlsx，或 .csv、.tsv）导入为线索和案件。"
    "表头可以不在第一行，可以是合并单元格的两行表头；空行和“合计”行自动跳过。"
    "导入前先预览，确认无误后才写入；写入时要么全部导入，要么一条也不导入。",
    LEDGER_FIELDS, "已在库中", "已在库中的（线索编号相同，或被反映人、收件日期和主要问题都相同）不再导入。",
    "案件", "打开案件列表", "条")
ROSTER = ImportKind(
    "roster", "导入人员名单",
    "把村（社区）干部花名册等人员名单（.xlsx、.csv、.tsv）导入人员档案：姓名、身份证号、村（社区）或单位、"
    "职务、任期、政治面貌。档案中已有的人（身份证号相同，或姓名和单位都相同）只更新，不重复建档。"
    "导入前先预览，确认无误后才写入；写入时要么全部导入，要么一人也不导入。",
    ROSTER_FIELDS, "将更新", "档案中已有的人（身份证号相同，或姓名和单位都相同）更新其职务、任期等，不重复建档。",
    "人员档案", "打开人员档案", "人")


class ProgressRelay(QObject):
    """Carries progress from the worker to the GUI thread; owned by no widget, so a report arriving
    after the wizard closed goes nowhere instead of failing the import."""

    sig_progress = Signal(int, int, str)


# --- preview tables -----------------------------------------------------------------------

class LedgerRowsModel(RowTableModel):
    HEADERS = ("行号", "线索编号", "被反映人", "收件日期", "主要问题", "进入环节", "相同的记录")

    def display(self, row, column: int) -> str:
        values = (str(row.row), row.number, row.name, row.received_on.isoformat() if row.received_on else "",
                  row.summary, row.step, row.match)
        return values[column]

    def tooltip(self, row, column: int) -> str | None:
        return row.summary if column == 4 else None


class RosterRowsModel(RowTableModel):
    HEADERS = ("行号", "姓名", "身份证号", "村（社区）或单位", "职务", "政治面貌", "相同的记录")

    def display(self, row, column: int) -> str:
        return (str(row.row), row.name, row.id_number, row.unit, row.post, row.political_status, row.match)[column]


class ProblemsModel(RowTableModel):
    HEADERS = ("行", "列", "原因")

    def display(self, row, column: int) -> str:
        return (str(row.row), row.column, row.reason)[column]

    def tooltip(self, row, column: int) -> str | None:
        return row.reason if column == 2 else None


def rows_table(model: RowTableModel, stretch: int, widths: dict[int, int], name: str):
    table = data_table(model, stretch=stretch, name=name)
    fit_columns(table, widths)
    return table


# --- the wizard ---------------------------------------------------------------------------

class ImportWizard(QDialog):
    """Both imports; `kind` is LEDGER or ROSTER."""

    def __init__(self, ctx: SessionContext, kind: ImportKind, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.kind = kind
        self.path = ""
        self.preview = None
        self.result = None  # the commit's LedgerCommit / RosterCommit once done
        self.busy = False
        self.cancel_event = threading.Event()
        self.combos: dict[str, QComboBox] = {}
        self.setWindowTitle(kind.title)
        self.setMinimumWidth(640)

        self.step_label = QLabel()
        self.step_label.setFont(scaled_font(self.font(), 1.15, bold=True))
        self.stack = QStackedWidget()
        self.stack.addWidget(self.build_file_page())
        self.stack.addWidget(self.build_mapping_page())
        self.stack.addWidget(self.build_preview_page())
        self.stack.addWidget(self.build_commit_page())
        self.stack.addWidget(self.build_result_page())

        self.message = message_label()
        self.message.setObjectName("import_message")
        self.status = hint_label("")
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.back_button = QPushButton("上一步")
        self.back_button.clicked.connect(self.go_back)
        self.next_button = QPushButton("下一步")
        self.next_button.setDefault(True)
        self.next_button.clicked.connect(self.go_next)
        self.cancel_button = QPushButton("取消")
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.back_button, self.next_button, self.cancel_button):
            buttons.addWidget(button)

        column = QVBoxLayout(self)
        column.addWidget(self.step_label)
        column.addWidget(self.stack, 1)
        column.addWidget(self.message)
        column.addWidget(self.status)
        column.addWidget(self.progress)
        column.addLayout(buttons)
        self.show_step(0)
        resize_within_screen(self, 1040, 700)

    # --- pages ----------------------------------------------------------------------------

    def build_file_page(self) -> QWidget:
        page = QWidget()
        self.file_edit = QLineEdit()
        self.file_edit.setObjectName("import_file")
        self.file_edit.setPlaceholderText("选择要导入的 .xlsx、.csv 或 .tsv 文件")
        self.file_edit.returnPressed.connect(self.go_next)
        choose = QPushButton("选择文件…")
        choose.clicked.connect(self.choose_file)
        label = QLabel("文件")
        label.setBuddy(self.file_edit)
        row = QHBoxLayout()
        row.addWidget(label)
        row.addWidget(self.file_edit, 1)
        row.addWidget(choose)
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(wrapped_label(self.kind.intro))
        column.addSpacing(8)
        column.addLayout(row)
        column.addWidget(hint_label(".xls 文件请先在 Excel 或 WPS 中另存为 .xlsx。CSV 文件可以是 GBK/GB18030 或 UTF-8 编码。"))
        column.addStretch(1)
        return page

    def build_mapping_page(self) -> QWidget:
        page = QWidget()
        required = "、".join(f.title for f in self.kind.fields if f.required)
        self.file_info = hint_label("")
        self.mapping_grid = QGridLayout()
        self.mapping_grid.setColumnStretch(1, 1)
        self.mapping_grid.setHorizontalSpacing(12)
        self.mapping_grid.setVerticalSpacing(6)
        content = QWidget()
        content_column = QVBoxLayout(content)
        content_column.setContentsMargins(0, 0, 4, 0)
        content_column.addLayout(self.mapping_grid)
        content_column.addStretch(1)
        save = QPushButton("保存对应关系…")
        save.clicked.connect(self.save_mapping)
        load = QPushButton("载入对应关系…")
        load.clicked.connect(self.load_mapping)
        row = QHBoxLayout()
        row.addWidget(hint_label("同一格式的表格下次导入时，可载入保存的对应关系。"), 1)
        row.addWidget(save)
        row.addWidget(load)
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(wrapped_label(f"为每一列选择它对应的字段。“{required}”必须各对应一列；"
                                       f"选“{NOT_IMPORTED}”的列，其内容记入每条记录的备注，不会丢失。"))
        column.addWidget(self.file_info)
        if self.kind is LEDGER and not self.ctx.store.account.is_admin:
            # the service refuses it for 工作人员; said here before the user maps the columns
            column.addWidget(hint_label("“反映人”（举报人）一列只有书记/管理员能导入；表格中有此列的，请由书记/管理员导入。"))
        column.addWidget(scroll_area(content), 1)
        column.addLayout(row)
        return page

    def build_preview_page(self) -> QWidget:
        page = QWidget()
        self.counts_label = wrapped_label("")
        self.counts_label.setObjectName("import_counts")
        self.counts_label.setFont(scaled_font(self.font(), 1.0, bold=True))
        rows_model = LedgerRowsModel if self.kind is LEDGER else RosterRowsModel
        widths = {0: 3, 1: 11, 2: 5, 3: 6, 5: 6, 6: 9} if self.kind is LEDGER else {0: 3, 1: 5, 2: 10, 4: 6, 5: 5, 6: 9}
        stretch = 4 if self.kind is LEDGER else 3
        self.bucket_models = {"new": rows_model(parent=self), "known": rows_model(parent=self),
                              "duplicate": rows_model(parent=self)}
        self.problems_model = ProblemsModel(parent=self)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("import_buckets")
        for key, model in self.bucket_models.items():
            self.tabs.addTab(rows_table(model, stretch, widths, f"bucket_{key}"), "")
        self.tabs.addTab(rows_table(self.problems_model, 2, {0: 3, 1: 8}, "bucket_invalid"), "")
        self.preview_hint = hint_label("")
        self.reread_button = QPushButton("重新读取文件")
        self.reread_button.clicked.connect(self.reread)
        row = QHBoxLayout()
        row.addWidget(self.preview_hint, 1)
        row.addWidget(self.reread_button, 0, Qt.AlignmentFlag.AlignTop)
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.counts_label)
        column.addWidget(self.tabs, 1)
        column.addLayout(row)
        return page

    def build_commit_page(self) -> QWidget:
        page = QWidget()
        self.commit_label = wrapped_label("")
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.commit_label)
        column.addStretch(1)
        return page

    def build_result_page(self) -> QWidget:
        page = QWidget()
        self.result_label = wrapped_label("")
        self.result_label.setObjectName("import_result")
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_list_button = QPushButton(self.kind.list_button)
        self.open_list_button.clicked.connect(self.open_list)
        row = QHBoxLayout()
        row.addWidget(self.open_list_button)
        row.addStretch(1)
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.result_label)
        column.addSpacing(8)
        column.addLayout(row)
        column.addStretch(1)
        return page

    # --- moving between steps -------------------------------------------------------------

    def show_step(self, index: int) -> None:
        self.stack.setCurrentIndex(index)
        self.step_label.setText(f"第{index + 1}步（共{len(STEPS)}步）：{STEPS[index]}")
        self.update_buttons()

    def update_buttons(self) -> None:
        index = self.stack.currentIndex()
        idle = not self.busy
        self.back_button.setVisible(index in (1, 2))
        self.back_button.setEnabled(idle)
        self.next_button.setVisible(index in (0, 1, 2))
        self.next_button.setText("导入" if index == 2 else "下一步")
        self.next_button.setEnabled(idle and (index != 2 or self.can_commit()))
        self.reread_button.setEnabled(idle)
        done = index == 4
        self.cancel_button.setText("关闭" if done else ("取消导入" if self.busy and index == 3 else "取消"))
        self.cancel_button.setEnabled(not (self.busy and self.cancel_event.is_set()))

    def go_back(self) -> None:
        show_message(self.message, "")
        self.show_step(self.stack.currentIndex() - 1)

    def go_next(self) -> None:
        index = self.stack.currentIndex()
        if self.busy:
            return
        if index == 0:
            self.read_file()
        elif index == 1:
            self.run_preview()
        elif index == 2 and self.can_commit():
            self.commit()

    def reject(self) -> None:
        if self.busy:  # the task stops at its next check; the store is left as it was
            self.cancel_event.set()
            self.status.setText("正在取消……")
            self.update_buttons()
            return
        super().reject()

    def closeEvent(self, event) -> None:
        if self.busy:
            event.ignore()
            self.reject()
            return
        super().closeEvent(event)

    # --- step 1: the file -----------------------------------------------------------------

    def choose_file(self) -> None:
        path = self.ctx.prompter.open_file(self, f"{self.kind.title}：选择文件", SPREADSHEET_FILTER)
        if path:
            self.file_edit.setText(path)
            self.read_file()

    def read_file(self) -> None:
        path = self.file_edit.text().strip()
        if not path:
            show_message(self.message, "请先选择要导入的文件。")
            return
        from app.services import import_columns

        kind = self.kind.key

        def work(progress, cancelled):
            return import_columns.read_columns(path, kind, cancelled=cancelled)

        def done(columns) -> None:
            self.path = path
            self.show_columns(columns, {})
            self.show_step(1)

        self.start(work, "正在读取文件……", done)

    def show_columns(self, columns, chosen: dict[str, str]) -> None:
        """One row per column: header, sample values, field; `chosen` (header → field) over the guess."""
        where = f"工作表“{columns.sheet}”，" if columns.sheet else ""
        self.file_info.setText(f"文件“{columns.file}”：{where}表头在第{columns.header_row}行，"
                               f"数据 {columns.rows} 行（另有空行、合计行 {columns.skipped} 行已跳过）。")
        grid = self.mapping_grid
        while grid.count():
            item = grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.combos = {}
        for col, text in enumerate(("表头", "示例", "对应字段")):
            title = QLabel(text)
            title.setFont(scaled_font(self.font(), 1.0, bold=True))
            grid.addWidget(title, 0, col)
        for row, column in enumerate(columns.columns, start=1):
            header = wrapped_label(column.header)
            em = header.fontMetrics().horizontalAdvance("中")
            # short headers on one line; long ones wrap instead of pushing the combo boxes out
            header.setMinimumWidth(min(header.fontMetrics().horizontalAdvance(column.header) + 4, em * 8))
            header.setMaximumWidth(em * 12)
            grid.addWidget(header, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(hint_label("；".join(column.samples) or "（前几行为空）"), row, 1, Qt.AlignmentFlag.AlignTop)
            combo = QComboBox()
            combo.setObjectName(f"map_{column.header}")
            combo.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # the wheel changes it only once focused (wheel_guard)
            combo.addItem(NOT_IMPORTED, "")
            for f in self.kind.fields:
                combo.addItem(f.title + ("（必填）" if f.required else ""), f.id)
            combo.setCurrentIndex(max(combo.findData(chosen.get(column.header, column.guessed)), 0))
            # a message about the mapping was about the old choice
            combo.currentIndexChanged.connect(lambda _index: show_message(self.message, ""))
            header.setBuddy(combo)
            self.combos[column.header] = combo
            grid.addWidget(combo, row, 2, Qt.AlignmentFlag.AlignTop)

    def mapping(self) -> dict[str, str]:
        return {header: combo.currentData() for header, combo in self.combos.items()}

    # --- step 2: the mapping --------------------------------------------------------------

    def save_mapping(self) -> None:
        from app.services import import_mapping

        path = self.ctx.prompter.save_file(self, "保存对应关系", f"{self.kind.title}对应关系.json", MAPPING_FILTER)
        if not path:
            return
        try:
            import_mapping.save_mapping(self.mapping(), path, self.kind.key)
        except OSError as exc:
            show_message(self.message, f"对应关系未能保存：{exc.strerror or exc}")
            return
        show_message(self.message, "")
        self.status.setText(f"对应关系已保存到“{path}”。")

    def load_mapping(self) -> None:
        from app.services import import_mapping

        path = self.ctx.prompter.open_file(self, "载入对应关系", MAPPING_FILTER)
        if not path:
            return
        try:
            loaded = import_mapping.load_mapping(path, self.kind.key)
        except Exception as exc:  # noqa: BLE001 - shown as the sentence the service gives
            show_message(self.message, error_message(exc))
            return
        applied = 0
        for header, field_id in loaded.items():
            combo = self.combos.get(header)
            found = combo.findData(field_id) if combo is not None and isinstance(field_id, str) else -1
            if found >= 0:
                combo.setCurrentIndex(found)
                applied += 1
        show_message(self.message, "")
        missing = len(loaded) - applied
        self.status.setText(f"已载入对应关系：{applied} 列已按其设置"
                            + (f"，{missing} 列本文件中没有或无法识别，未使用。" if missing else "。"))

    # --- step 3: the preview --------------------------------------------------------------

    def preview_call(self):
        from app.services import ledger_import, roster_import

        return ledger_import.preview_ledger if self.kind is LEDGER else roster_import.preview_roster

    def run_preview(self) -> None:
        preview, store, path, chosen = self.preview_call(), self.ctx.store, self.path, self.mapping()

        def work(progress, cancelled):
            return preview(store, path, chosen, progress=progress, cancelled=cancelled)

        self.start(work, "正在检查各行……", self.show_preview)

    def reread(self) -> None:
        """The user fixed the file: read its columns again (their choices kept) and preview again."""
        from app.services import import_columns

        preview, store, path, kind = self.preview_call(), self.ctx.store, self.path, self.kind.key
        chosen = self.mapping()

        def work(progress, cancelled):
            columns = import_columns.read_columns(path, kind, cancelled=cancelled)
            present = {c.header for c in columns.columns}
            kept = {h: f for h, f in chosen.items() if h in present}
            return columns, kept, preview(store, path, kept, progress=progress, cancelled=cancelled)

        def done(result) -> None:
            columns, kept, shown = result
            self.show_columns(columns, kept)
            self.show_preview(shown)

        def failed(exc: BaseException) -> None:
            self.preview = None  # what is shown is no longer the file: nothing to import until it reads again
            self.counts_label.setText("文件未能重新读取，以下为上次预览的内容。")
            show_message(self.message, error_message(exc))

        self.start(work, "正在重新读取文件……", done, failed)

    def known_rows(self, preview) -> tuple:
        return preview.existing if self.kind is LEDGER else preview.updated

    def show_preview(self, preview) -> None:
        self.preview = preview
        counts = preview.counts()
        known = self.known_rows(preview)
        self.bucket_models["new"].set_rows(list(preview.new))
        self.bucket_models["known"].set_rows(list(known))
        self.bucket_models["duplicate"].set_rows(list(preview.duplicate))
        self.problems_model.set_rows(list(preview.invalid))
        titles = (f"新增（{len(preview.new)}）", f"{self.kind.known_bucket}（{len(known)}）",
                  f"文件内重复（{len(preview.duplicate)}）", f"有误（{counts['invalid']}）")
        for index, title in enumerate(titles):
            self.tabs.setTabText(index, title)
        unit = self.kind.unit
        self.counts_label.setText(
            f"新增 {len(preview.new)} {unit}，{self.kind.known_bucket} {len(known)} {unit}，"
            f"文件内重复 {len(preview.duplicate)} 行，有误 {counts['invalid']} 行；"
            f"空行和合计行 {preview.skipped} 行已跳过。尚未写入任何内容。")
        notes = [self.kind.known_note, "文件内重复的只导入第一次出现的那一行。"]
        if preview.invalid:
            notes.insert(0, "有误的行须先在文件中改正（见“有误”页的行、列和原因），保存文件后点“重新读取文件”；"
                            "有误的行未改正前不能导入。")
            self.tabs.setCurrentIndex(3)
        elif not self.can_commit():
            notes.insert(0, "文件中没有需要导入的新记录。")
            self.tabs.setCurrentIndex(1)
        else:
            self.tabs.setCurrentIndex(0)
        self.preview_hint.setText("".join(notes))
        self.show_step(2)

    def can_commit(self) -> bool:
        preview = self.preview
        if preview is None or preview.invalid:
            return False
        return bool(preview.new) or (self.kind is ROSTER and bool(preview.updated))

    # --- step 4: the commit ---------------------------------------------------------------

    def commit(self) -> None:
        from app.services import ledger_import, roster_import

        store, path, shown = self.ctx.store, self.path, self.preview

        def work(progress, cancelled):
            if self.kind is LEDGER:  # the preview shown is reused while file and store are unchanged
                return ledger_import.commit_ledger(store, path, shown.mapping, progress=progress, cancelled=cancelled,
                                                   preview=shown)
            return roster_import.commit_roster(store, path, shown.mapping, progress=progress, cancelled=cancelled)

        def failed(exc: BaseException) -> None:
            self.show_step(2)  # back at the preview: nothing was written, the user may try again
            show_message(self.message, error_message(exc))

        self.commit_label.setText(f"正在导入“{Path(path).name}”。全部写入后才生效；点“取消导入”则一条也不写入，"
                                  "数据库保持原样。")
        self.show_step(3)
        self.start(work, "正在导入……", self.show_result, failed)

    def show_result(self, result) -> None:
        self.result = result
        if self.kind is LEDGER:
            steps = "、".join(f"{step} {n} 条" for step, n in result.by_step.items())
            left = "、".join(part for n, part in ((result.skipped_existing, f"已在库中 {result.skipped_existing} 条"),
                                                 (result.skipped_duplicate, f"文件内重复 {result.skipped_duplicate} 条"))
                            if n)
            text = (f"已从“{result.file}”导入 {result.imported} 条线索和案件，均标记为“补录”" + (f"：{steps}" if steps else "")
                    + "。" + (f"{left}未导入。" if left else "") + "尚未办结的，在案件列表中打开后按正常流程继续办理。")
        else:
            text = (f"已从“{result.file}”导入人员名单：新建档案 {result.created} 人，更新 {result.updated} 人；"
                    f"文件内重复 {result.skipped_duplicate} 行未重复导入。")
        self.result_label.setText(text)
        self.ctx.sig_data_changed.emit()
        self.show_step(4)

    def open_list(self) -> None:
        self.ctx.sig_show_page.emit(self.kind.list_page)
        self.accept()

    # --- running a task -------------------------------------------------------------------

    def start(self, work, label: str, done, failed=None) -> None:
        """`work(progress, cancelled)` on the worker, with this wizard's progress bar and 取消."""
        relay = ProgressRelay()
        relay.sig_progress.connect(self.on_progress)
        self.cancel_event.clear()
        self.busy = True
        show_message(self.message, "")
        self.status.setText(label)
        self.progress.setRange(0, 0)
        self.progress.show()
        self.update_buttons()
        cancel = self.cancel_event

        def task(progress, cancelled):
            def report(done_rows: int, total: int, text: str) -> None:
                relay.sig_progress.emit(done_rows, total, text)
                progress(done_rows, total, text)

            return work(report, lambda: cancelled() or cancel.is_set())

        def finish() -> None:
            self.busy = False
            self.progress.hide()
            self.status.setText("")
            relay.deleteLater()

        def on_done(result) -> None:
            finish()
            done(result)
            self.update_buttons()

        def on_error(exc: BaseException) -> None:
            finish()
            (failed or (lambda e: show_message(self.message, error_message(e))))(exc)
            self.update_buttons()

        self.ctx.runner.run(task, on_done=on_done, on_error=on_error, parent=self)

    def on_progress(self, done: int, total: int, label: str) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))
        if label and not self.cancel_event.is_set():
            self.status.setText(label)
