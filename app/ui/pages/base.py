"""What the data pages share: load when first shown, reload when data changed, errors as sentences."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from app.ui.errors import error_message
from app.ui.session import SessionContext


class DataPage(QWidget):
    """Subclasses implement `load()`; it runs when the page is shown with stale data.

    A page hidden while data changes only marks itself stale, so one write does not make every
    list reload at once.
    """

    LOAD_LABEL: str | None = None

    def __init__(self, ctx: SessionContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.stale = True
        self.loading = False
        ctx.sig_data_changed.connect(self.on_data_changed)

    def on_data_changed(self) -> None:
        self.stale = True
        if self.isVisible():
            self.refresh()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.stale:
            self.refresh()

    def refresh(self) -> None:
        if self.loading:
            return
        self.stale = False
        self.loading = True

        def done(result) -> None:
            self.loading = False
            self.show_data(result)

        def failed(exc: BaseException) -> None:
            self.loading = False
            self.show_error(exc)

        self.ctx.runner.run(self.fetch(), on_done=done, on_error=failed, label=self.LOAD_LABEL, parent=self)

    def fetch(self) -> Callable[..., object]:
        """A function run off the GUI thread returning what `show_data` shows; one taking
        (progress, cancelled) gets a 取消 button on its progress dialog (see app/ui/tasks.py)."""
        raise NotImplementedError

    def show_data(self, data) -> None:
        raise NotImplementedError

    def show_error(self, exc: BaseException) -> None:
        self.ctx.prompter.error(self, error_message(exc))

    def run(self, fn: Callable[[], object], done: Callable[[object], None], label: str | None = None,
            failed: Callable[[BaseException], None] | None = None) -> None:
        self.ctx.runner.run(fn, on_done=done, on_error=failed or self.show_error, label=label, parent=self)
