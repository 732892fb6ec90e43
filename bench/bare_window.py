"""The start-up baseline: a bare PySide6 window with a password field (bench/bench_startup.py).

Prints `{"shown": time.monotonic(), "peak_rss_mib": ...}` at the first turn of the event loop after
show(), then quits.
"""

from __future__ import annotations

import json
import sys
import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from bench.peak_memory import peak_rss_mib


def main() -> int:
    app = QApplication(sys.argv[:1])
    window = QWidget()
    column = QVBoxLayout(window)
    column.addWidget(QLabel("密码"))
    password = QLineEdit()
    password.setEchoMode(QLineEdit.EchoMode.Password)
    column.addWidget(password)
    column.addWidget(QPushButton("解锁"))
    window.show()

    def shown() -> None:
        print(json.dumps({"shown": time.monotonic(), "peak_rss_mib": peak_rss_mib()}), flush=True)
        app.exit(0)

    QTimer.singleShot(0, shown)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
