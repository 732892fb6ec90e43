"""打开/编辑 and the app's lifecycle: locking keeps an edited file as a new version and removes the copies."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from docx import Document as open_docx  # noqa: E402

from app.paths import store_paths  # noqa: E402
from app.services import cases, document_files, documents  # noqa: E402
from app.ui.app_controller import AppController  # noqa: E402
from app.ui.prompter import Prompter  # noqa: E402
from app.ui.tasks import TaskRunner  # noqa: E402

from tests.integration.test_documents import TODAY, make_store, open_store  # noqa: E402


def test_locking_the_app_stores_the_edited_file_and_removes_the_copies(qapp, tmp_path):
    data = tmp_path / "data"
    make_store(data)
    store = open_store(data)
    case_id = cases.register_clue(store, {"received_on": "2026-06-01", "source": "自行发现", "persons": [{"name": "锁定甲"}],
                                          "summary": "反映锁定甲有关问题"}, today=TODAY).case_id
    made = documents.render(store, case_id, "clue_register_form", today=TODAY)
    controller = AppController(store_paths(data), TaskRunner(sync=True), Prompter(), kdf_profile="fast", idle_ms=600_000)
    try:
        controller.on_unlocked(store, ())
        session = document_files.export_for_editing(store, made.document_id)
        doc = open_docx(session.path)
        doc.add_paragraph("锁定前的修改")
        doc.save(session.path)
        controller.lock()
        assert controller.store is None and not document_files.temp_root(store_paths(data)).exists()
    finally:
        controller.shutdown()
    reopened = open_store(data)
    try:
        rows = [r for r in documents.list_documents(reopened, case_id) if r.template_id == "clue_register_form"]
        assert [(r.version, r.origin) for r in rows] == [(1, "rendered"), (2, "edited")]
    finally:
        reopened.close()
