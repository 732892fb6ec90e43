"""Plain-text copies of documents opened for editing (打开/编辑) do not outlive their session: a
crashed window's copies are removed at the next start — but never while another window that holds
the store open is still editing them. (Removal on lock: tests/integration/test_documents_lock.py.)"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.bootstrap import purge_left_documents
from app.paths import store_paths
from app.services import cases, document_files, documents, unlock
from tests.security.security_support import PASSWORD, Holder, make_township

TODAY = date(2026, 6, 30)
SUBJECT = "临时文件标记丙"


@pytest.mark.slow
def test_copies_a_crash_left_are_removed_at_the_next_start(tmp_path):
    data = tmp_path / "data"
    paths = make_township(data)
    store = unlock.unlock(paths, None, PASSWORD).store
    try:
        case_id = cases.register_clue(store, {"received_on": "2026-06-01", "source": "自行发现", "persons": [{"name": SUBJECT}],
                                              "summary": f"反映{SUBJECT}有关问题"}, today=TODAY).case_id
        made = documents.render(store, case_id, "clue_register_form", today=TODAY)
    finally:
        store.close()

    holder = Holder(data, document_id=made.document_id)  # another window opened the document for editing
    opened = Path(holder.ready["opened"])
    try:
        assert opened.is_file() and opened.is_relative_to(document_files.temp_root(paths))
        assert opened.stat().st_mode & 0o077 == 0  # owner-only while it exists
        purge_left_documents(data)  # this window starts while the other still edits: its copy stays
        assert opened.is_file()
    finally:
        holder.kill()  # the other window crashes

    assert opened.is_file()  # what the crash left: a plain-text copy of a case document
    purge_left_documents(data)  # the next start
    assert not document_files.temp_root(paths).exists()
    assert not document_files.temp_root(store_paths(data, practice=True)).exists()
    # and the store itself is intact and free
    unlock.unlock(paths, None, PASSWORD).store.close()
