"""同步: USB bundles to and from the county (or the townships), the county's offices and fingerprints,
its 审理/审批队列 and the clues it transfers down (docs/BUNDLE.md)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain import clue_sources
from app.ui.account_dialogs import administrator_for
from app.ui.errors import error_message
from app.ui.session import SessionContext
from app.ui.theme import monospace_font
from app.ui.widgets import ERROR_COLOR, Form, data_table, dialog_layout, fit_columns, hint_label, scroll_area, tint
from app.ui.wrap_check import WrapCheckBox

BUNDLE_FILTER = "纪案通数据包 (*.jab)"
OTHER_FOLDER = "其他文件夹…"
LEVEL_TITLES = {"township": "乡镇纪委", "county": "县纪委", "city": "市纪委"}
KEY_STATES = {"own": "本单位", "trusted": "已确认", "unconfirmed": "待核对指纹", "none": "尚未收到数据包"}
KIND_TITLES = {"upward": "上报", "downward": "下发", "statistics": "统计报送"}
OK_COLOR = "#1e7b34"


class RowsModel(QAbstractTableModel):
    """A read-only list of frozen service rows; `columns` are (title, text-of-row) pairs."""

    def __init__(self, columns: list[tuple[str, Callable[[object], str]]], parent=None):
        super().__init__(parent)
        self.columns = columns
        self.rows: list = []

    def set_rows(self, rows: list) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt's name
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and index.isValid():
            return self.columns[index.column()][1](self.rows[index.row()])
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.columns[section][0]
        return None

    def row(self, index: int):
        return self.rows[index] if 0 <= index < len(self.rows) else None


def local_minutes(at: str) -> str:
    """An ISO time in UTC as the PC's local date and minute."""
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        return at
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def status_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def show_status(label: QLabel, text: str, *, error: bool = False) -> None:
    tint(label, ERROR_COLOR if error else OK_COLOR)
    label.setText(text)
    label.setVisible(bool(text))


def selected(table, model: RowsModel):
    rows = table.selectionModel().selectedRows() if table.selectionModel() else []
    return model.row(rows[0].row()) if rows else None


def import_summary(r) -> str:
    if r.refused:
        return f"{r.file}：未导入。{r.reason}"
    head = (f"{r.file}（{r.sender} 第{r.seq}号）：新增 {r.new} 条，更新 {r.updated} 条，未变 {r.unchanged} 条，"
            f"拒收 {r.rejected} 条。")
    lines = [head] + [f"注意：{w}" for w in r.warnings] + list(r.effects)
    return "\n".join(lines)


class BundlesTab(QWidget):
    """Export to a stick, import with a preview, and the history of bundles with their sequence."""

    def __init__(self, ctx: SessionContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.pending: list[str] = []
        self.held_code: str | None = None  # previewed: the bundles waiting for this office's fingerprint

        self.peer = QComboBox()
        self.peer.setObjectName("sync_peer")
        self.drive = QComboBox()
        self.drive.setObjectName("sync_drive")
        for combo in (self.peer, self.drive):  # long office names and drive paths do not widen the page
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(12)
        self.drive.activated.connect(self.drive_chosen)
        rescan = QPushButton("重新检测U盘")
        rescan.clicked.connect(self.scan_drives)
        self.full = WrapCheckBox("导出全部记录（不只是对方上次确认收到以来的变化）")
        self.export_button = QPushButton("导出数据包")
        self.export_button.setObjectName("sync_export")
        self.export_button.clicked.connect(self.export)
        self.export_status = status_label()
        form = Form()
        form.add_row("peer", "发送给", self.peer)
        drive_row = QWidget()
        drive_line = QHBoxLayout(drive_row)
        drive_line.setContentsMargins(0, 0, 0, 0)
        drive_line.addWidget(self.drive, 1)
        drive_line.addWidget(rescan)
        form.add_row("drive", "写入到", drive_row, "插入U盘后会自动列出；也可选择其他文件夹。U盘上只写入加密的数据包，不会写入数据库本身。")
        form.add_row("full", "", self.full)
        export_box = QGroupBox("导出数据包")
        export_column = QVBoxLayout(export_box)
        from app.services import status as store_status

        if store_status.is_test_store(ctx.store):  # made with --kdf fast --test-store: never real data
            test_note = hint_label("测试库：本库的密码保护很弱，只用于测试，不得存放或收发真实数据。")
            test_note.setObjectName("sync_test_store")
            tint(test_note, ERROR_COLOR)
            export_column.addWidget(test_note)
        export_column.addWidget(form)
        button_row = QHBoxLayout()
        button_row.addStretch(1)
        button_row.addWidget(self.export_button)
        export_column.addLayout(button_row)
        export_column.addWidget(self.export_status)

        self.choose_button = QPushButton("选择数据包并预览…")
        self.choose_button.setObjectName("sync_choose")
        self.choose_button.clicked.connect(self.choose_bundle)
        self.preview = status_label()
        self.preview.setObjectName("sync_preview")
        self.apply_button = QPushButton("确认导入")
        self.apply_button.setObjectName("sync_apply")
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(self.apply_import)
        import_box = QGroupBox("导入数据包")
        import_column = QVBoxLayout(import_box)
        import_column.addWidget(hint_label("先预览：显示将新增、更新、不变和拒收的记录数；确认后一次性写入，"
                                           "任何一项校验不通过则整个数据包不导入，数据库保持原样。"))
        row = QHBoxLayout()
        row.addWidget(self.choose_button)
        row.addWidget(self.apply_button)
        row.addStretch(1)
        import_column.addLayout(row)
        import_column.addWidget(self.preview)
        import_column.addStretch(1)

        self.history = RowsModel([
            ("方向", lambda r: "导出" if r.direction == "out" else "导入"),
            ("对方单位", lambda r: f"{r.peer_name}（{r.peer_code}）"),
            ("种类", lambda r: KIND_TITLES.get(r.kind, r.kind)),
            ("序号", lambda r: str(r.seq)),
            ("时间", lambda r: local_minutes(r.at)),
            ("记录", lambda r: str(r.records)),
            ("文件", lambda r: str(r.files)),
            ("状态", lambda r: ("对方已确认收到" if r.acked else "待对方确认") if r.direction == "out" else "已导入"),
        ], self)
        self.history_table = data_table(self.history, stretch=1, name="sync_history")
        fit_columns(self.history_table, {0: 3, 2: 4, 3: 3, 4: 9, 5: 3, 6: 3, 7: 7})
        self.history_empty = hint_label("还没有导出或导入过数据包。导出的数据包和导入的数据包都会记在这里，"
                                        "导出的显示对方是否已确认收到（对方下次发来的数据包中带有回执）。")
        history_box = QGroupBox("数据包记录")
        history_column = QVBoxLayout(history_box)
        history_column.addWidget(self.history_empty)
        history_column.addWidget(self.history_table)

        column = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(export_box, 3)
        top.addWidget(import_box, 2)
        column.addLayout(top)
        column.addWidget(history_box, 1)
        self.scan_drives()
        self.refresh()

    # --- export ---------------------------------------------------------------------------

    def refresh(self) -> None:
        from app.services import offices, sync

        store = self.ctx.store
        current = self.peer.currentData()
        self.peer.clear()
        for row in offices.list_offices(store):
            if row.key_state != "trusted":
                continue
            if row.code == store.office.parent_code or row.parent_code == store.office.code:
                self.peer.addItem(f"{row.name}（{row.code}）", row.code)
        if self.peer.count() == 0:
            self.peer.addItem("（没有已确认指纹的上级或下级单位）", None)
        index = self.peer.findData(current)
        self.peer.setCurrentIndex(max(index, 0))
        self.export_button.setEnabled(self.peer.currentData() is not None)
        self.history.set_rows(sync.history(store))
        self.history_empty.setVisible(self.history.rowCount() == 0)

    def scan_drives(self) -> None:
        from app.sync import volumes

        keep = self.target_folder()
        self.drive.clear()
        for v in volumes.detect():
            free = f"，可用 {v.free_bytes / 1024 ** 3:.1f} GB" if v.free_bytes >= 0 else ""
            self.drive.addItem(f"{v.label}{free}", v.path)
        if keep and self.drive.findData(keep) < 0:
            self.drive.addItem(keep, keep)
        if self.drive.count() == 0:
            self.drive.addItem("（未检测到U盘，请插入或选择其他文件夹）", None)
        self.drive.addItem(OTHER_FOLDER, "")
        self.drive.setCurrentIndex(max(self.drive.findData(keep), 0) if keep else 0)

    def drive_chosen(self, index: int) -> None:
        if self.drive.itemData(index) == "":
            folder = self.ctx.prompter.choose_folder(self, "选择保存数据包的文件夹")
            if folder:
                self.set_target_folder(folder)
            else:
                self.drive.setCurrentIndex(0)

    def set_target_folder(self, folder: str) -> None:
        index = self.drive.findData(folder)
        if index < 0:
            self.drive.insertItem(0, folder, folder)
            index = 0
        self.drive.setCurrentIndex(index)

    def target_folder(self) -> str | None:
        return self.drive.currentData() or None

    def export(self) -> None:
        from app.services import sync

        code, folder = self.peer.currentData(), self.target_folder()
        if not folder:
            show_status(self.export_status, "请先插入U盘，或选择保存数据包的文件夹。", error=True)
            return
        confirm = administrator_for(self.ctx, self, "导出数据包")  # a staff session: an administrator unlocks the keys
        if confirm is None:
            return
        store, full = self.ctx.store, self.full.isChecked()
        self.export_button.setEnabled(False)

        def work(progress, cancelled):
            with confirm():
                return sync.export(store, code, Path(folder), full=full, progress=progress, cancelled=cancelled)

        self.ctx.runner.run(work, on_done=self.exported, on_error=self.export_failed, label="正在导出数据包", parent=self)

    def exported(self, result) -> None:
        from app.services import statistics

        self.export_button.setEnabled(True)
        lines = [f"已导出第{result.seq}号数据包（记录 {result.records} 条、文件 {result.files} 个）：", result.bundle,
                 statistics.export_sentence(result.snapshots), "已读回校验无误，可以安全拔出U盘。"]
        show_status(self.export_status, "\n".join(line for line in lines if line))
        self.refresh()

    def export_failed(self, exc: BaseException) -> None:
        self.export_button.setEnabled(True)
        show_status(self.export_status, error_message(exc), error=True)

    # --- import ---------------------------------------------------------------------------

    def choose_bundle(self) -> None:
        path = self.ctx.prompter.open_file(self, "选择数据包", BUNDLE_FILTER)
        if path:
            self.preview_files([path])

    def preview_files(self, paths: list[str]) -> None:
        from app.services import sync

        confirm = administrator_for(self.ctx, self, "校验数据包")
        if confirm is None:
            return
        store = self.ctx.store
        self.pending = list(paths)
        self.held_code = None
        self.apply_button.setEnabled(False)

        def work(progress, cancelled):
            with confirm():
                return sync.import_bundles(store, [Path(p) for p in paths], dry_run=True, progress=progress,
                                           cancelled=cancelled)

        self.ctx.runner.run(work, on_done=self.previewed, on_error=self.import_failed, label="正在校验数据包", parent=self)

    def preview_held(self, code: str) -> None:
        """After a fingerprint is confirmed: the bundles that waited for it, previewed as any import
        (the operator does not choose the same file again)."""
        from app.services import sync

        confirm = administrator_for(self.ctx, self, "校验数据包")
        if confirm is None:
            return
        store = self.ctx.store
        self.pending, self.held_code = [], code
        self.apply_button.setEnabled(False)

        def work(progress, cancelled):
            with confirm():
                return sync.import_held(store, code, dry_run=True, progress=progress, cancelled=cancelled)

        def shown(results) -> None:
            if not results:
                self.held_code = None
                show_status(self.preview, "没有等待该单位指纹的数据包：收到它的数据包后，在此选择并预览。")
                return
            self.previewed(results)

        self.ctx.runner.run(work, on_done=shown, on_error=self.import_failed, label="正在校验数据包", parent=self)

    def previewed(self, results) -> None:
        refused = any(r.refused for r in results)
        text = "\n\n".join(import_summary(r) for r in results)
        show_status(self.preview, ("预览（尚未写入）：\n" if not refused else "") + text, error=refused)
        self.apply_button.setEnabled(not refused)

    def apply_import(self) -> None:
        from app.services import sync

        confirm = administrator_for(self.ctx, self, "导入数据包")
        if confirm is None:
            return
        store, paths, held = self.ctx.store, [Path(p) for p in self.pending], self.held_code
        self.apply_button.setEnabled(False)

        def work(progress, cancelled):
            with confirm():
                if held:
                    return sync.import_held(store, held, progress=progress, cancelled=cancelled)
                return sync.import_bundles(store, paths, progress=progress, cancelled=cancelled)

        self.ctx.runner.run(work, on_done=self.imported, on_error=self.import_failed, label="正在导入数据包", parent=self)

    def imported(self, results) -> None:
        self.pending, self.held_code = [], None
        refused = any(r.refused for r in results)
        show_status(self.preview, ("已导入：\n" if not refused else "") + "\n\n".join(import_summary(r) for r in results),
                    error=refused)
        self.refresh()

    def import_failed(self, exc: BaseException) -> None:
        show_status(self.preview, error_message(exc), error=True)


class OfficeDialog(QDialog):
    def __init__(self, level: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("登记下级单位")
        self.form = Form()
        self.code = self.form.add_row("code", "单位代码", QLineEdit(), "与对方初始设置时使用的代码一致，如 T001。")
        self.name = self.form.add_row("name", "单位名称", QLineEdit())
        self.abbr = self.form.add_row("abbr", "单位简称", QLineEdit(), "用于编号，如“青石”。")
        self.level = self.form.add_row("level", "级别", QComboBox())
        for value in ("township", "county") if level == "city" else ("township",):
            self.level.addItem(LEVEL_TITLES[value], value)
        dialog_layout(self, "登记", [self.form], 460)


class OfficesTab(QWidget):
    sig_trusted = Signal(str)  # an office's fingerprint was confirmed: its waiting bundles can be previewed
    sig_adopted = Signal()  # the superior became known: the 数据包 tab can now export to it

    """下级单位: the registry with fingerprint state, sequences and gaps; set-up packages; confirming keys."""

    def __init__(self, ctx: SessionContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.model = RowsModel([
            ("代码", lambda r: r.code),
            ("单位名称", lambda r: r.name),
            ("级别", lambda r: LEVEL_TITLES.get(r.level, r.level)),
            ("指纹状态", lambda r: KEY_STATES.get(r.key_state, r.key_state)),
            ("指纹", lambda r: r.pending_fingerprint or r.fingerprint),
            ("收到至", lambda r: f"第{r.last_in_seq}号" if r.last_in_seq else "—"),
            ("缺号", lambda r: "、".join(map(str, r.gaps)) or "无"),
            ("待对方确认", lambda r: str(r.unacked_out) if r.unacked_out else "—"),
        ], self)
        self.table = data_table(self.model, stretch=1, name="sync_offices")
        fit_columns(self.table, {0: 5, 2: 4, 3: 8, 4: 19, 5: 4, 6: 4, 7: 5})
        self.message = status_label()
        add = QPushButton("登记下级单位…")
        add.clicked.connect(self.add_office)
        package = QPushButton("生成设置包…")
        package.clicked.connect(self.make_package)
        trust = QPushButton("核对并确认指纹…")
        trust.clicked.connect(self.confirm_fingerprint)
        self.adopt_button = QPushButton("导入上级设置包…")
        self.adopt_button.setObjectName("sync_adopt_package")
        self.adopt_button.clicked.connect(self.adopt_package)
        refresh = QPushButton("刷新")
        refresh.clicked.connect(self.refresh)
        row = QHBoxLayout()
        township = ctx.store.office.level == "township"
        for button in (self.adopt_button, trust) if township else (add, package, trust):
            row.addWidget(button)
        self.adopt_button.setVisible(False)
        row.addStretch(1)
        row.addWidget(refresh)
        column = QVBoxLayout(self)
        column.addWidget(hint_label(
            "上级单位的密钥在初始设置时已随设置包确认。若上级更换了密钥，它的数据包会被暂存并在此显示新指纹："
            "电话核对一致后确认，再重新导入。初始设置时未用设置包的，请用“导入上级设置包…”导入上级单位生成的设置包，"
            "原有案件和记录不变。" if township else
            "下级单位第一次报来数据包时，须与对方电话核对双方屏幕上显示的指纹（6组数字），"
            "一致后确认，再导入该数据包。对方更换密钥后也须重新核对。"))
        column.addWidget(self.table, 1)
        column.addWidget(self.message)
        column.addLayout(row)
        self.refresh()

    def refresh(self) -> None:
        from app.services import offices

        self.model.set_rows([r for r in offices.list_offices(self.ctx.store) if r.key_state != "own"])
        if self.ctx.store.office.level == "township":
            self.adopt_button.setVisible(not offices.has_parent(self.ctx.store))

    def adopt_package(self) -> None:
        """A township set up without the county's package takes it now (docs/BUNDLE.md §2a)."""
        from app.services import offices

        path = self.ctx.prompter.open_file(self, "选择上级单位的设置包", BUNDLE_FILTER)
        if not path:
            return
        try:
            pkg = offices.read_setup_package(Path(path))
        except Exception as exc:  # noqa: BLE001 - shown as one sentence
            show_status(self.message, error_message(exc), error=True)
            return
        parent = pkg.parent
        question = (f"将导入{parent['name']}（{parent['code']}）为本单位（{pkg.office['name']}，{pkg.office['code']}）生成的设置包：\n"
                    f"· 确认{parent['name']}的密钥，其指纹为 {pkg.fingerprint}，请电话核对；\n"
                    "· 安装上级下发的节假日表、文书模板和规则（规则与在办案件不符的不安装，仍按原规则办理）；\n"
                    "· 本单位的标识、全部案件、办理记录和审计记录都不变。\n"
                    f"之后导出数据包报{parent['name']}，对方电话核对本单位指纹后即可导入全部案件。是否导入？")
        if not self.ctx.prompter.confirm(self, question, "导入设置包"):
            return
        self.submit_adopt(path)

    def submit_adopt(self, path: str) -> bool:
        from app.services import offices

        try:
            result = offices.adopt_setup_package(self.ctx.store, Path(path))
        except Exception as exc:  # noqa: BLE001
            show_status(self.message, error_message(exc), error=True)
            return False
        text = (f"已导入{result.parent_name}（{result.parent_code}）的设置包并确认其密钥（指纹 {result.parent_fingerprint}）。"
                f"原有案件和记录不变。请在“数据包”中导出报{result.parent_name}，并与对方电话核对本单位指纹：{result.fingerprint}。")
        text += "".join(f"\n注意：{w}" for w in result.warnings)
        show_status(self.message, text)
        self.refresh()
        self.sig_adopted.emit()
        return True

    def add_office(self) -> None:
        dialog = OfficeDialog(self.ctx.store.office.level, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.submit_office(dialog.code.text(), dialog.name.text(), dialog.level.currentData(), dialog.abbr.text())

    def submit_office(self, code: str, name: str, level: str, abbr: str = "") -> bool:
        from app.services import offices

        try:
            row = offices.add_office(self.ctx.store, code, name, level, abbr=abbr)
        except Exception as exc:  # noqa: BLE001 - shown as one sentence
            show_status(self.message, error_message(exc), error=True)
            return False
        show_status(self.message, f"已登记 {row.name}（{row.code}）。请为它生成设置包，拷给对方在初始设置时使用。")
        self.refresh()
        return True

    def make_package(self) -> None:
        row = selected(self.table, self.model)
        if row is None:
            show_status(self.message, "请先在列表中选中一个下级单位。", error=True)
            return
        path = self.ctx.prompter.save_file(self, "保存设置包", f"{self.ctx.store.office.code}_{row.code}_setup.jab", BUNDLE_FILTER)
        if path:
            self.submit_package(row.code, path)

    def submit_package(self, code: str, path: str) -> None:
        from app.services import offices

        try:
            result = offices.make_setup_package(self.ctx.store, code, Path(path))
        except Exception as exc:  # noqa: BLE001
            show_status(self.message, error_message(exc), error=True)
            return
        show_status(self.message, f"设置包已保存：{result.path}\n本单位指纹：{result.fingerprint}（对方初始设置后请电话核对）")

    def confirm_fingerprint(self) -> None:
        row = selected(self.table, self.model)
        if row is None or not row.pending_fingerprint:
            show_status(self.message, "请先选中一个“待核对指纹”的单位（先导入它的数据包）。", error=True)
            return
        typed = None
        dialog = FingerprintDialog(row.name, row.pending_fingerprint, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            typed = dialog.edit.text()
        if typed:
            self.submit_fingerprint(row.code, typed)

    def submit_fingerprint(self, code: str, typed: str) -> bool:
        from app.services import offices

        try:
            row = offices.trust(self.ctx.store, code, typed)
        except Exception as exc:  # noqa: BLE001
            show_status(self.message, error_message(exc), error=True)
            return False
        show_status(self.message, f"已确认 {row.name} 的指纹。等待这一指纹的数据包已在“数据包”中预览，核对后确认导入。")
        self.refresh()
        self.sig_trusted.emit(row.code)
        return True


class FingerprintDialog(QDialog):
    def __init__(self, name: str, shown: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("核对指纹")
        self.edit = QLineEdit()
        self.edit.setPlaceholderText("如 12345 67890 12345 67890 12345 67890")
        digits = QLabel(shown)
        digits.setFont(monospace_font(16, bold=True))
        digits.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        hint = hint_label("请打电话请对方读出其屏幕上“本单位指纹”的30位数字，输入到下面。"
                          "不一致时不要确认：数据包可能是伪造的。")
        dialog_layout(self, "确认", [QLabel(f"数据包中“{name}”的指纹："), digits, hint, self.edit], 480)


class OpinionDialog(QDialog):
    def __init__(self, row, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"录入{row.kind_title}")
        self.form = Form()
        self.number = self.form.add_row("number", "文号", QLineEdit(), "如 青山纪审〔2026〕7号")
        self.date = self.form.add_row("date", "日期", QDateEdit())
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setDate(QDate.currentDate())
        self.conclusion = self.form.add_row("conclusion", "结论", QComboBox())
        self.conclusion.addItems(row.choices)
        self.conclusion.setEnabled(bool(row.choices))
        self.text = self.form.add_row("text", "意见要点", QPlainTextEdit())
        self.text.setFixedHeight(90)
        dialog_layout(self, "保存", [hint_label(f"{row.office_name} · {row.number} · {row.persons}"), self.form], 520)


class QueueTab(QWidget):
    """审理/审批队列: township cases waiting for the county's opinion or 批复."""

    def __init__(self, ctx: SessionContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.model = RowsModel([
            ("乡镇", lambda r: r.office_name),
            ("案件编号", lambda r: r.number),
            ("被反映人", lambda r: r.persons),
            ("事项", lambda r: r.kind_title),
            ("报送日期", lambda r: r.entered_on.isoformat()),
            ("已等待", lambda r: f"{r.waiting_days}天"),
            ("意见", lambda r: r.opinion_number or "待录入"),
        ], self)
        self.table = data_table(self.model, stretch=2, name="sync_queue")
        fit_columns(self.table, {0: 7, 1: 11, 3: 10, 4: 6, 5: 4, 6: 9})
        self.message = status_label()
        self.show_done = QCheckBox("显示已录入意见的")
        self.show_done.toggled.connect(self.refresh)
        record = QPushButton("录入意见（批复）…")
        record.clicked.connect(self.record)
        row = QHBoxLayout()
        row.addWidget(record)
        row.addWidget(self.show_done)
        row.addStretch(1)
        column = QVBoxLayout(self)
        column.addWidget(hint_label("乡镇报来的乡案县审、乡镇报批案件在此等候审核。录入的意见随下一个下发数据包送达乡镇，"
                                    "乡镇导入后自动填入该环节的意见文号和日期。"))
        column.addWidget(self.table, 1)
        column.addWidget(self.message)
        column.addLayout(row)
        self.refresh()

    def refresh(self) -> None:
        from app.services import review

        self.model.set_rows(review.queue(self.ctx.store, include_done=self.show_done.isChecked()))

    def record(self) -> None:
        row = selected(self.table, self.model)
        if row is None:
            show_status(self.message, "请先在队列中选中一个案件。", error=True)
            return
        dialog = OpinionDialog(row, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.submit(row.case_id, dialog.number.text(), dialog.date.date().toPython(), dialog.conclusion.currentText(),
                        dialog.text.toPlainText())

    def submit(self, case_id: str, number: str, issued_on: date, conclusion: str, text: str) -> bool:
        from app.services import review

        try:
            result = review.record_opinion(self.ctx.store, case_id, number, issued_on, conclusion, text)
        except Exception as exc:  # noqa: BLE001
            show_status(self.message, error_message(exc), error=True)
            return False
        show_status(self.message, f"已录入 {result.number}，将随下一个下发数据包送达乡镇。")
        self.refresh()
        return True


class TransferDialog(QDialog):
    def __init__(self, townships: list[tuple[str, str]], sources: tuple[str, ...], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("转办线索")
        self.form = Form()
        self.to = self.form.add_row("to", "转办给", QComboBox())
        for code, name in townships:
            self.to.addItem(f"{name}（{code}）", code)
        self.mode = self.form.add_row("mode", "下交方式", QComboBox(),
                                      "转办：转送乡镇受理，乡镇5个工作日内完成受理或转办；交办：经分管领导批准发函交办，"
                                      "乡镇3个月内办结并报送核查处理情况（处理检举控告工作规则第十六条、第二十条、第二十一条）；"
                                      "指定办理：指定由原本不管辖的乡镇办理，按交办计限（监督执纪工作规则第九条，"
                                      "监察法实施条例第四十八条第三款）。")
        self.mode.addItems(list(clue_sources.TRANSFER_MODES))
        self.source = self.form.add_row("source", "线索来源", QComboBox(), "本单位收到这条线索的途径。")
        self.source.addItems(sources)
        self.person = self.form.add_row("person", "被反映人", QLineEdit())
        self.unit = self.form.add_row("unit", "单位", QLineEdit())
        self.post = self.form.add_row("post", "职务", QLineEdit())
        self.summary = self.form.add_row("summary", "主要问题", QPlainTextEdit())
        self.summary.setFixedHeight(80)
        self.note = self.form.add_row("note", "转办要求", QLineEdit(),
                                      "交办的，乡镇须自收到之日起3个月内办结；情况复杂的经主要负责人批准可延长3个月。"
                                      "指定办理的，写明指定理由。")
        dialog_layout(self, "转办", [self.form], 520)


class TransfersTab(QWidget):
    """转办: clues the county assigned to townships, and which township case each became."""

    def __init__(self, ctx: SessionContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.model = RowsModel([
            ("线索编号", lambda r: r.clue_number),
            ("方式", lambda r: r.mode),
            ("转办给", lambda r: r.to_name),
            ("转办日期", lambda r: r.assigned_on.isoformat()),
            ("被反映人", lambda r: r.persons),
            ("主要问题", lambda r: r.summary),
            ("乡镇案件", lambda r: r.township_case or "乡镇尚未回传"),
        ], self)
        self.table = data_table(self.model, stretch=4, name="sync_transfers")
        fit_columns(self.table, {0: 11, 1: 4, 2: 7, 3: 6, 4: 6, 6: 11})
        self.message = status_label()
        add = QPushButton("转办线索…")
        add.clicked.connect(self.add)
        row = QHBoxLayout()
        row.addWidget(add)
        row.addStretch(1)
        column = QVBoxLayout(self)
        column.addWidget(self.table, 1)
        column.addWidget(self.message)
        column.addLayout(row)
        self.refresh()

    def refresh(self) -> None:
        from app.services import review

        self.model.set_rows(review.list_transfers(self.ctx.store))

    def townships(self) -> list[tuple[str, str]]:
        from app.services import offices

        store = self.ctx.store
        return [(r.code, r.name) for r in offices.list_offices(store)
                if r.level == "township" and r.parent_code == store.office.code]

    def sources(self) -> tuple[str, ...]:
        from app.services import ruleset

        workflow = ruleset.load(self.ctx.store).workflow
        field = workflow.steps[workflow.initial_step].field("source")
        return tuple(c for c in field.choices if c not in clue_sources.FROM_ABOVE) if field is not None else ()

    def add(self) -> None:
        dialog = TransferDialog(self.townships(), self.sources(), self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            person = {"name": dialog.person.text(), "unit": dialog.unit.text(), "post": dialog.post.text()}
            self.submit(dialog.to.currentData(), {"persons": [person], "summary": dialog.summary.toPlainText(),
                                                  "source": dialog.source.currentText()}, dialog.note.text(),
                        dialog.mode.currentText())

    def submit(self, to_code: str, clue: dict, note: str, mode: str = "转办") -> bool:
        from app.services import review

        try:
            row = review.add_transfer(self.ctx.store, to_code, clue, note, mode=mode)
        except Exception as exc:  # noqa: BLE001
            show_status(self.message, error_message(exc), error=True)
            return False
        show_status(self.message, f"已{row.mode}线索 {row.clue_number} 给 {row.to_name}，将随下一个下发数据包送达。")
        self.refresh()
        return True


class SyncPage(QWidget):
    def __init__(self, ctx: SessionContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        level = ctx.store.office.level
        self.tabs = QTabWidget()
        self.bundles = BundlesTab(ctx)
        self.tabs.addTab(self.bundles, "数据包")
        self.queue = self.transfers = None
        self.offices = OfficesTab(ctx)
        self.tabs.addTab(self.offices, "上级单位" if level == "township" else "下级单位")
        self.offices.sig_trusted.connect(self.preview_held)
        self.offices.sig_adopted.connect(self.refresh)
        if level == "county":
            self.queue = QueueTab(ctx)
            self.tabs.addTab(self.queue, "审理/审批队列")
            self.transfers = TransfersTab(ctx)
            self.tabs.addTab(self.transfers, "转办")
        self.tabs.currentChanged.connect(self.refresh)
        fingerprint = QLabel()
        fingerprint.setObjectName("sync_fingerprint")
        fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        fingerprint.setWordWrap(True)
        from app.services import offices

        fingerprint.setText(f"本单位指纹：{offices.fingerprint(ctx.store).fingerprint}（与对方电话核对时读这6组数字）")
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(fingerprint)
        column.addWidget(self.tabs, 1)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        # scrolls vertically when the screen is too low for the tabs (1366×768 at 150 % is 910×512)
        outer.addWidget(scroll_area(content))

    def preview_held(self, code: str) -> None:
        self.tabs.setCurrentWidget(self.bundles)
        self.bundles.preview_held(code)

    def refresh(self) -> None:
        for tab in (self.bundles, self.offices, self.queue, self.transfers):
            if tab is not None:
                tab.refresh()
