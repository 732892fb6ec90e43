"""What opening a store and showing the main window import, loaded while the password is typed.

The unlock screen comes up without SQLAlchemy, the models and the main window's pages
(tests/ui/test_startup_imports.py); importing them takes about a second. The first keystroke in
the password field queues their import on the task runner's worker — the thread that unlocks —
so by the time 解锁 is pressed they are usually loaded, with the shipped rules files parsed; if
not, the unlock waits for them in turn (one worker: two threads never import the same modules at
once).

Once loaded, everything then alive — modules, classes, the rules of SQLAlchemy and Qt's wrappers,
well over 100,000 objects that live as long as the process — is moved out of the garbage
collector's sight (`gc.freeze`). Otherwise each full collection walks them all, and building
the 10,000 rows of the 案件 list triggers several: freezing cuts that list load by more than half.
"""

from __future__ import annotations

import gc
import importlib

MODULES = (
    "app.storage.schema",  # opening the store: SQLCipher engine, Alembic, the models
    "app.storage.store",
    "app.storage.audit",
    "app.services.settings",
    "app.services.search",  # the 案件 list
    "app.services.ruleset",
    "app.services.cases",  # what the pages built with the main window import
    "app.services.case_details",
    "app.services.sync",
    "app.services.documents",  # docxtpl, python-docx, lxml: the first case opened lists its documents
    "app.ui.main_window",  # the window and its pages (module-level Qt values only, no widgets)
)


def load() -> tuple:
    modules = tuple(importlib.import_module(name) for name in MODULES)
    from app.services import ruleset

    ruleset.warm_shipped()  # the shipped rules files: parsed once, needed by the first pages
    if gc.get_freeze_count() == 0:  # once per process: what is frozen is never collected
        gc.collect()
        gc.freeze()
    return modules
