"""The one place the GUI's objects are built: application, paths, task runner, controller.

Only Qt and the light `app.ui` modules load here; the services (SQLAlchemy, SQLCipher) load on
the worker thread once the first window is on screen.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path


def run_gui(args: argparse.Namespace) -> int:
    from app.paths import default_data_dir, store_paths
    from app.ui import single_instance
    from app.ui.app_controller import AppController
    from app.ui.application import create_application
    from app.ui.prompter import Prompter
    from app.ui.tasks import TaskRunner

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    prompter = Prompter()
    data_dir = Path(args.data_dir).expanduser() if args.data_dir else default_data_dir()
    try:
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # owner-only (docs/SECURITY.md)
    except OSError as exc:
        create_application(prompter)
        prompter.error(None, f"无法建立数据目录“{data_dir}”：{exc.strerror or exc}。请检查路径和权限。")
        return 1
    gui_lock = single_instance.acquire(data_dir)
    if gui_lock is None:  # this data directory is open in a running window: bring that one forward
        single_instance.request_raise(data_dir)
        print(single_instance.ALREADY_RUNNING, file=sys.stderr)
        return 0
    app = create_application(prompter)
    purge_left_documents(data_dir)
    runner = TaskRunner(app)
    controller = AppController(store_paths(data_dir), runner, prompter, account=args.account,
                               practice=args.practice)  # `--practice`: straight into 练习模式
    controller.start()
    raise_watcher = single_instance.RaiseWatcher(data_dir, app)
    raise_watcher.sig_raise_requested.connect(controller.bring_to_front)
    raise_watcher.check()
    try:
        return app.exec()
    finally:
        controller.shutdown()
        gui_lock.release()


def purge_left_documents(data_dir: Path) -> None:
    """Documents a crash left open for editing: plain-text copies must not outlive their session.
    Those the user changed in the word processor stay until the next unlock keeps them as new
    versions (app/ui/app_controller.py); the rest go now.

    Only for a store no other window holds open (its instance lock is free): that window's
    documents are still being edited."""
    from app.errors import StoreError
    from app.paths import store_paths
    from app.services.document_files import purge_unchanged, temp_root
    from app.storage import instance_lock

    for paths in (store_paths(data_dir), store_paths(data_dir, practice=True)):
        if not temp_root(paths).exists():
            continue
        try:
            with instance_lock.held(paths):
                purge_unchanged(paths)
        except StoreError:
            continue  # open in another window (or the folder is not writable): leave its copies alone
