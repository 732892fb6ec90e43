"""The app's own .docx → PDF conversion: LibreOffice in a child process, offline.

`convert` runs one `soffice --headless --convert-to pdf` for many files, with a private profile
directory (`-env:UserInstallation`) so it works while the user has LibreOffice open and never
touches the user's profile, and with a timeout. It sets FONTCONFIG_FILE to the configuration the
app ships (`resources/fontconfig/fonts.conf`): that file includes the system's configuration and
maps the standard document fonts (仿宋_GB2312, 方正小标宋简体, 黑体, 楷体_GB2312, 宋体 and their
alternate names) to free faces of the same kinds when the PC does not have them, so the body, the
title and the headings keep distinct faces. Installed real fonts still win (fontconfig prefers an
exact family match over an alias).

`page_count` reads a PDF with pypdf (no poppler at run time).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from app.errors import InputError
from app.paths import resources_dir

PROGRAMS = ("soffice", "libreoffice")


def program() -> str | None:
    """The LibreOffice launcher on PATH, or None."""
    for name in PROGRAMS:
        found = shutil.which(name)
        if found:
            return found
    return None


def available() -> bool:
    return program() is not None


def fontconfig_file() -> Path:
    """The shipped fontconfig configuration (it includes the system's)."""
    return resources_dir() / "fontconfig" / "fonts.conf"


def environment() -> dict[str, str]:
    """The child's environment: the shipped fonts.conf (which includes the system's and the user's fonts)."""
    env = dict(os.environ)
    conf = fontconfig_file()
    if conf.is_file():
        env["FONTCONFIG_FILE"] = str(conf)
    env["SAL_USE_VCLPLUGIN"] = "svp"  # headless rendering, never a window
    return env


def convert(docx_files: list[Path], out_dir: Path, *, timeout: float = 180) -> list[Path]:
    """Convert the .docx files to PDF in out_dir with one LibreOffice call; the PDFs, in the same order."""
    files = [Path(f).resolve() for f in docx_files]
    if not files:
        return []
    soffice = program()
    if soffice is None:
        raise InputError("libreoffice_missing", "未找到 LibreOffice（soffice），无法转换为 PDF。请安装 LibreOffice 后重试。")
    stems = [f.stem for f in files]
    if len(set(stems)) != len(stems):
        raise InputError("pdf_name_clash", "要转换的文件中有同名文件，转换后的 PDF 会互相覆盖，请分别转换。")
    for f in files:
        if not f.is_file():
            raise InputError("pdf_source_missing", f"要转换的文件不存在：{f.name}")
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    targets = [out_dir / f"{stem}.pdf" for stem in stems]
    for target in targets:  # a stale PDF must not pass for a converted one
        target.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="jiantong-lo-") as tmp:
        profile = Path(tmp)
        command = [soffice, "--headless", "--invisible", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
                   f"-env:UserInstallation={profile.as_uri()}",
                   "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(out_dir), *map(str, files)]
        try:
            # a session of its own: on a timeout the launcher and the soffice.bin it started are killed together
            child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, env=environment(), cwd=tmp, start_new_session=True)
        except OSError as exc:
            raise InputError("libreoffice_failed", f"无法启动 LibreOffice：{exc}") from exc
        try:
            stdout, stderr = child.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            _kill(child)
            raise InputError("libreoffice_timeout", f"LibreOffice 转换 PDF 超时（{timeout:g} 秒），请稍后重试或减少文件数量。",
                             {"timeout": timeout}) from exc
    missing = [t.name for t in targets if not t.is_file() or t.stat().st_size == 0]
    if child.returncode != 0 or missing:
        detail = {"returncode": child.returncode, "missing": missing, "stderr": stderr[-2000:], "stdout": stdout[-2000:]}
        shown = "、".join(missing[:3]) + ("等" if len(missing) > 3 else "")
        raise InputError("libreoffice_failed",
                         f"LibreOffice 未能把文书转换为 PDF（{shown or '退出码 ' + str(child.returncode)}）。", detail)
    return targets


def _kill(child: subprocess.Popen) -> None:
    """End the conversion: its whole process group where there is one (POSIX), else the process."""
    try:
        if hasattr(os, "killpg"):
            os.killpg(child.pid, signal.SIGKILL)
        else:
            child.kill()
    except (ProcessLookupError, PermissionError):
        pass
    child.communicate()


def page_count(pdf: Path) -> int:
    """The number of pages of a PDF."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        return len(PdfReader(str(pdf)).pages)
    except (OSError, PdfReadError, ValueError) as exc:
        raise InputError("pdf_unreadable", f"无法读取 PDF 文件：{Path(pdf).name}") from exc
