"""DESIGN §3: only `app/ui` imports PySide6."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"


def qt_imports(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        if any(name == "PySide6" or name.startswith("PySide6.") for name in names):
            lines.append(node.lineno)
    return lines


def test_only_app_ui_imports_pyside6():
    offenders = [
        f"{path.relative_to(APP.parent)}:{line}"
        for path in sorted(APP.rglob("*.py"))
        if "ui" not in path.relative_to(APP).parts[:1]
        for line in qt_imports(path)
    ]
    assert offenders == []


def test_the_check_sees_both_import_forms(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import PySide6.QtCore\nfrom PySide6 import QtWidgets\nfrom app.ui import theme\n", encoding="utf-8")
    assert qt_imports(sample) == [1, 2]
