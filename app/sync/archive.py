"""The payload inside the age encryption: a ZIP archive, built here and opened defensively.

Entry names come from a fixed grammar (records/<table>.jsonl, files/<sha256>, holidays/<year>.json,
templates/<id>.json, rules/workflow.toml, rules/sanctions.toml, index.json, receipts.json, setup.json). Before anything is read the whole central directory is
checked: no absolute paths, `..`, drive letters or backslashes, no links or folders, no duplicates,
and caps on the number of entries, the total size and the compression ratio. index.json lists the
size and SHA-256 of every other entry; each is checked as it is read.
"""

from __future__ import annotations

import hashlib
import json
import re
import stat
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from app.sync import limits, strict_json
from app.sync.container import BundleError

INDEX = "index.json"
# what the standard library raises for a damaged archive or entry (zlib: a corrupt deflate stream)
ZIP_DAMAGE = (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, NotImplementedError)
NAME_GRAMMAR = re.compile(
    r"(index\.json|receipts\.json|setup\.json|records/[a-z_]{1,40}\.jsonl|files/[0-9a-f]{64}|holidays/[0-9]{4}\.json"
    r"|templates/[a-z][a-z0-9_]{0,63}\.json|rules/(?:workflow|sanctions)\.toml)"
)
LINES_PER_WRITE = 1000
RECORDS_LEVEL = 1  # deflate level of records/*.jsonl: about 6:1 as level 6's 6.5:1, in a third of the time
READ_CHUNK = 1024 * 1024


class Builder:
    """Writes a payload archive; JSON is deflated, files (already compressed .docx, images) are stored.

    `path` may be a file object written once from start to end (a sealed working copy): the entries
    then carry data descriptors, which every ZIP reader understands."""

    def __init__(self, path: Path | BinaryIO):
        self.zip = zipfile.ZipFile(path, "w", allowZip64=True)
        self.index: dict[str, dict] = {}

    def entry(self, name: str, *, compress: bool) -> zipfile.ZipInfo:
        if not NAME_GRAMMAR.fullmatch(name) or name == INDEX or name in self.index:
            raise ValueError(f"bad payload entry name {name!r}")
        info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        info.external_attr = (stat.S_IFREG | 0o600) << 16
        return info

    def add(self, name: str, data: bytes, *, compress: bool = True) -> None:
        self.write(self.entry(name, compress=compress), data, hashlib.sha256(data).hexdigest(), compress)

    def add_checked_file(self, digest: str, data: bytes) -> None:
        """files/<digest>, stored, for bytes the caller has checked have that SHA-256."""
        self.write(self.entry(f"files/{digest}", compress=False), data, digest, False)

    def write(self, info: zipfile.ZipInfo, data: bytes, digest: str, compress: bool) -> None:
        self.zip.writestr(info, data, compresslevel=6 if compress else None)
        self.index[info.filename] = {"size": len(data), "sha256": digest}

    def add_json(self, name: str, data) -> None:
        self.add(name, json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8"))

    def add_lines(self, name: str, rows: list[dict]) -> None:
        """One JSON object per line."""
        encoder = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        self.add_json_lines(name, [encoder.encode(r) for r in rows])

    def add_json_lines(self, name: str, lines: list[str]) -> None:
        """Each JSON text on its own line, deflated as it is written: the text of a table is never held whole."""
        info = self.entry(name, compress=True)
        info._compresslevel = RECORDS_LEVEL  # ZipFile.open takes the level from here alone (3.13: compress_level)
        digest, size = hashlib.sha256(), 0
        with self.zip.open(info, "w") as out:
            for start in range(0, len(lines), LINES_PER_WRITE):
                part = lines[start:start + LINES_PER_WRITE]
                chunk = ("\n".join(part) + "\n").encode("utf-8")
                if chunk.count(b"\n") != len(part):  # a line break inside a text would split its record
                    raise ValueError(f"a line of {name} holds a line break")
                out.write(chunk)
                digest.update(chunk)
                size += len(chunk)
        self.index[name] = {"size": size, "sha256": digest.hexdigest()}

    def close(self) -> None:
        info = zipfile.ZipInfo(INDEX, date_time=(2000, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = (stat.S_IFREG | 0o600) << 16
        try:
            self.zip.writestr(info, json.dumps({"entries": self.index}, sort_keys=True).encode("utf-8"))
        finally:
            self.zip.close()  # also after a failed write (full disk): else the ZipFile retries, and fails, at exit


def json_text(data: bytes, what: str):
    """The JSON value of UTF-8 bytes (`strict_json`), refused naming `what` if they hold none."""
    try:
        return strict_json.loads(data.decode("utf-8"))
    except UnicodeEncodeError as exc:
        raise refuse("payload_bad_json", f"{what}含有不成对的 UTF-16 代理项转义（如 \\ud800），不是有效的文字") from exc
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise refuse("payload_bad_json", f"{what}不是有效的 JSON") from exc


def refuse(code: str, message: str) -> BundleError:
    # raised before anything is written, or inside the import's transaction, which it rolls back
    return BundleError(code, f"数据包内容不安全或已损坏，未导入，数据库未改动：{message}")


def name_problem(name: str) -> str | None:
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return f"条目“{name}”是绝对路径"
    if "\\" in name:
        return f"条目“{name}”含有反斜杠"
    if ".." in name.split("/"):
        return f"条目“{name}”含有上级目录（..）"
    if not NAME_GRAMMAR.fullmatch(name):
        return f"条目“{name}”不是数据包允许的名称"
    return None


class Payload:
    """An opened, checked payload archive (a file, or a seekable file object it then owns)."""

    def __init__(self, path: Path | BinaryIO):
        self.source = None if isinstance(path, str | Path) else path
        try:
            self.zip = zipfile.ZipFile(path)
            infos = self.zip.infolist()
        except ZIP_DAMAGE as exc:
            raise refuse("payload_not_zip", "解密后的内容不是有效的 ZIP 归档") from exc
        self.check_directory(infos)
        self.names = {i.filename for i in infos}
        if INDEX not in self.names:
            raise refuse("payload_no_index", "缺少目录（index.json）")
        try:
            index = json.loads(self.read_raw(INDEX))
            self.index = index["entries"]
            assert isinstance(self.index, dict)
        except (ValueError, KeyError, TypeError, AssertionError, RecursionError) as exc:
            raise refuse("payload_bad_index", "目录（index.json）无法读取") from exc
        if set(self.index) != self.names - {INDEX}:
            raise refuse("payload_index_mismatch", "目录与归档中的条目不一致")
        for name, entry in self.index.items():
            if not isinstance(entry, dict) or entry.get("size") != self.zip.getinfo(name).file_size:
                raise refuse("payload_index_mismatch", f"条目“{name}”的大小与目录不符")

    @staticmethod
    def check_directory(infos: list[zipfile.ZipInfo]) -> None:
        if len(infos) > limits.MAX_ENTRIES:
            raise refuse("payload_too_many", f"条目过多（{len(infos)}个，上限{limits.MAX_ENTRIES}个）")
        seen: set[str] = set()
        total = 0
        for info in infos:
            name = info.filename
            problem = name_problem(name)
            if problem:
                raise refuse("payload_bad_name", problem)
            if name in seen:
                raise refuse("payload_duplicate", f"条目“{name}”重复出现")
            seen.add(name)
            mode = info.external_attr >> 16
            if info.is_dir() or stat.S_IFMT(mode) not in (0, stat.S_IFREG):  # 0: no type recorded (Windows, zipfile)
                raise refuse("payload_link", f"条目“{name}”是链接或目录，不是普通文件")
            if info.flag_bits & 0x1:
                raise refuse("payload_bad_name", f"条目“{name}”另行加密")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise refuse("payload_bad_name", f"条目“{name}”的压缩方式不受支持")
            cap = (limits.MAX_RULES_BYTES if name.startswith("rules/") else limits.MAX_FILE_BYTES if name.startswith("files/")
                   else limits.MAX_JSON_BYTES if name.endswith(".json") else limits.MAX_ENTRY_BYTES)
            if info.file_size > cap:
                raise refuse("payload_too_large", f"条目“{name}”过大")
            if info.file_size > limits.RATIO_FLOOR and info.file_size > limits.MAX_RATIO * max(info.compress_size, 1):
                raise refuse("payload_ratio", f"条目“{name}”的压缩比异常（疑似压缩炸弹）")
            total += info.file_size
            if total > limits.MAX_TOTAL_BYTES:
                raise refuse("payload_too_large", "内容总量超过上限")

    def read_raw(self, name: str) -> bytes:
        info = self.zip.getinfo(name)
        try:
            with self.zip.open(info) as fh:
                data = fh.read(info.file_size + 1)
        except ZIP_DAMAGE as exc:
            raise refuse("payload_corrupt", f"条目“{name}”已损坏") from exc
        if len(data) != info.file_size:
            raise refuse("payload_corrupt", f"条目“{name}”的长度与归档目录不符")
        return data

    def read(self, name: str) -> bytes:
        data = self.read_raw(name)
        digest = hashlib.sha256(data).hexdigest()
        if digest != self.index[name].get("sha256"):
            raise refuse("payload_hash", f"条目“{name}”的校验值与目录不符")
        if name.startswith("files/") and digest != name.removeprefix("files/"):
            raise refuse("payload_hash", f"文件“{name}”的内容与其名称中的校验值不符")
        return data

    def has(self, name: str) -> bool:
        return name in self.names

    def read_json(self, name: str):
        return json_text(self.read(name), f"条目“{name}”")

    def lines(self, name: str) -> Iterator[tuple[int, bytes]]:
        """The entry's non-empty JSON Lines (split at \\n only) with their line numbers, as bytes
        (`json_line` reads one), streamed: memory holds one chunk and one line, whatever the entry's
        size. Its hash is checked when the last line has been read, so a caller must consume every
        line before it keeps anything it wrote (the importer writes inside one transaction)."""
        info = self.zip.getinfo(name)
        digest, size, number, pending = hashlib.sha256(), 0, 0, b""
        try:
            with self.zip.open(info) as fh:
                while chunk := fh.read(READ_CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    *complete, pending = (pending + chunk).split(b"\n")
                    if max(len(pending), max(map(len, complete), default=0)) > limits.MAX_LINE_BYTES:
                        raise refuse("payload_too_large", f"“{name}”中有一行超过{limits.MAX_LINE_BYTES // limits.MIB} MiB")
                    for line in complete:
                        number += 1
                        if line:
                            yield number, line
        except ZIP_DAMAGE as exc:
            raise refuse("payload_corrupt", f"条目“{name}”已损坏") from exc
        if size != info.file_size:
            raise refuse("payload_corrupt", f"条目“{name}”的长度与归档目录不符")
        if digest.hexdigest() != self.index[name].get("sha256"):
            raise refuse("payload_hash", f"条目“{name}”的校验值与目录不符")
        if pending:
            yield number + 1, pending

    @staticmethod
    def json_line(name: str, number: int, line: bytes) -> dict:
        row = json_text(line, f"“{name}”第{number}行")
        if not isinstance(row, dict):
            raise refuse("payload_bad_json", f"“{name}”第{number}行不是 JSON 对象")
        return row

    def entries(self, prefix: str) -> list[str]:
        return sorted(n for n in self.names if n.startswith(prefix))

    def close(self) -> None:
        self.zip.close()
        if self.source is not None:
            self.source.close()
