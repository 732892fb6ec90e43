"""The office registry and its keys: own keys made at set-up, subordinate offices a county (or city)
registers, fingerprints confirmed by phone, and the set-up package a county gives a township.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import update as sa_update
from sqlmodel import Session, select

from app import __version__
from app.domain import text_hygiene as hygiene
from app.errors import AuthError, InputError, StoreError
from app.models import BundleLog, BundleReceipt, Office, OfficeKey, Setting
from app.models.base import utcnow
from app.services.admin_only import require_admin
from app.services.ruleset import HOLIDAY_KEY_PREFIX
from app.storage import setting_rows
from app.storage import audit, rolekeys, schema
from app.storage.atomic import disk_error
from app.storage.store import Store
from app.sync import container, keys, manifest, pack, quarantine
from app.sync.records import decode, encode

LEVEL_TITLES = {"township": "乡镇纪委", "county": "县纪委", "city": "市纪委"}
CHILD_LEVELS = {"county": ("township",), "city": ("county", "township")}
SETUP_NAME = "setup.json"


@dataclass(frozen=True)
class FingerprintResult:
    office_code: str
    fingerprint: str


@dataclass(frozen=True)
class OfficeRow:
    office_id: str
    code: str
    name: str
    level: str
    parent_code: str | None
    key_state: str  # own / trusted / unconfirmed / none
    fingerprint: str
    pending_fingerprint: str
    last_in_seq: int
    last_out_seq: int
    gaps: tuple[int, ...]
    unacked_out: int


@dataclass(frozen=True)
class SetupPackageResult:
    path: str
    office_code: str
    fingerprint: str


@dataclass(frozen=True)
class SetupPackage:
    """A verified set-up package, as `init` takes it."""

    parent: dict  # Office columns of the issuing office
    office: dict  # Office columns of the office being set up
    parent_keys: keys.PublicKeys
    holidays: dict[int, dict]
    templates: dict[str, dict]
    fingerprint: str
    rules: dict[str, str]  # rules file name -> TOML text, already parsed once


# --- own keys ---------------------------------------------------------------------------

def create_own_keys(s: Session, office: Office) -> OfficeKey:
    own = keys.generate()
    row = OfficeKey(office_id=office.id, office_code=office.code, state="own", sign_public=own.public.sign_public,
                    age_recipient=own.public.age_recipient, fingerprint=own.public.fingerprint,
                    sign_private=own.sign_private, age_identity=own.age_identity, confirmed_at=utcnow())
    s.add(row)
    return row


def own_keys(s: Session, office_id: str) -> keys.OwnKeys:
    row = s.get(OfficeKey, office_id)
    if row is None or row.state != "own":
        raise StoreError("no_keys", "本单位的签名和加密密钥缺失，无法收发数据包。请从备份恢复。")
    if rolekeys.is_sealed(row.sign_private) or rolekeys.is_sealed(row.age_identity):
        # a staff session: the private keys are sealed to the role key (app/services/unlock.py administrator)
        raise AuthError("admin_required", "收发数据包和生成设置包要用本单位私钥，只有书记/管理员的密码能解开。"
                                          "请由书记/管理员登录或确认身份后再试，数据未改动。")
    return keys.OwnKeys(row.sign_private, row.age_identity, keys.PublicKeys(row.sign_public, row.age_recipient))


def own_public_keys(s: Session, office_id: str) -> keys.PublicKeys:
    """The public half only: readable in every session (the private half is sealed to the role key)."""
    row = s.get(OfficeKey, office_id)
    if row is None or row.state != "own":
        raise StoreError("no_keys", "本单位的签名和加密密钥缺失，无法收发数据包。请从备份恢复。")
    return keys.PublicKeys(row.sign_public, row.age_recipient)


def fingerprint(store: Store) -> FingerprintResult:
    with store.read() as s:
        return FingerprintResult(store.office.code, own_public_keys(s, store.office.id).fingerprint)


def export_identity(store: Store, out: Path) -> Path:
    """The office's age identity written to a new owner-only file, for an administrator who checks a
    bundle addressed to this office with the standard age tool (`age -d -i FILE`, docs/BUNDLE.md §1).
    Whoever holds the file reads every bundle sent here: the export is audited."""
    require_admin(store)
    out = Path(out)
    with store.read() as s:
        own = own_keys(s, store.office.id)
    text = (f"# jiantong office {store.office.code}: age identity (decrypts bundles addressed to this office)\n"
            f"# public key: {own.public.age_recipient}\n{own.age_identity}\n")
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    except FileExistsError as exc:
        raise InputError("identity_exists", f"“{out}”已存在，未覆盖。请换一个文件名。") from exc
    except OSError as exc:
        raise InputError("identity_unwritable", f"无法写入“{out}”（{exc.strerror}），未导出。") from exc
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        with store.write() as s:
            audit.note(s, "export_identity", f"office:{store.office.id}", f"导出本单位的解密私钥到文件“{out.name}”")
    except BaseException as exc:
        # no key file without its audit event, and no half-written one (a full disk, a store error)
        out.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise disk_error(exc, out) from exc
        raise
    return out


# --- registry ---------------------------------------------------------------------------

def office_by_code(s: Session, code: str) -> Office:
    row = s.exec(select(Office).where(Office.code == code)).first()
    if row is None:
        raise InputError("no_office", f"没有登记代码为“{code}”的单位。请先用“office add”登记。")
    return row


def validate_code(code: str) -> str:
    code = (code or "").strip()
    if not code or len(code) > 32 or not all(c.isascii() and (c.isalnum() or c == "-") for c in code):
        raise InputError("bad_office_code", "单位代码须为32位以内的字母、数字或连字符。")
    return code


def add_office(store: Store, code: str, name: str, level: str, parent_code: str | None = None, abbr: str = "") -> OfficeRow:
    """Register a subordinate office (run by a county or city administrator)."""
    require_admin(store)
    code = validate_code(code)
    allowed = CHILD_LEVELS.get(store.office.level, ())
    if level not in allowed:
        if not allowed:
            raise InputError("not_a_parent", "只有县纪委或市纪委可以登记下级单位。")
        raise InputError("bad_level", f"本单位只能登记以下级别的下级单位：{'、'.join(LEVEL_TITLES[x] for x in allowed)}。")
    name, abbr = hygiene.clean(name, hygiene.NAME, "单位名称"), hygiene.clean(abbr, hygiene.NAME, "单位简称")
    if not name.strip():
        raise InputError("bad_office_name", "请填写单位名称。")
    parent = (parent_code or store.office.code).strip()
    with store.write() as s:
        if s.exec(select(Office).where(Office.code == code)).first():
            raise InputError("office_exists", f"代码“{code}”已登记，不能重复登记。")
        if parent != store.office.code:
            up = s.exec(select(Office).where(Office.code == parent)).first()
            if up is None or up.parent_code != store.office.code or level != "township":
                raise InputError("bad_parent", f"上级单位“{parent}”须是本单位直接登记的县纪委，且只能为其登记乡镇纪委。")
        office = Office(code=code, name=name.strip(), level=level, parent_code=parent, abbr=abbr.strip(),
                        owner_office_id="")
        # an office record belongs to the office itself (as at set-up): the township may later
        # correct its name or abbreviation and send the change up
        office.owner_office_id = office.id
        s.add(office)
    return next(r for r in list_offices(store) if r.code == code)


def pending_keys(store: Store) -> dict[str, quarantine.Held]:
    """Newest held bundle per sender office whose keys wait for confirmation."""
    out: dict[str, quarantine.Held] = {}
    for item in quarantine.held(store.paths.root):
        if item.reason_code in ("fingerprint_unconfirmed", "key_changed") and item.fingerprint:
            out[item.sender_office_id] = item
    return out


def list_offices(store: Store) -> list[OfficeRow]:
    pending = pending_keys(store)
    with store.read() as s:
        offices = s.exec(select(Office).where(Office.deleted == False).order_by(Office.level, Office.code)).all()  # noqa: E712
        key_rows = {k.office_id: k for k in s.exec(select(OfficeKey)).all()}
        logs = s.exec(select(BundleLog.peer_office_id, BundleLog.direction, BundleLog.seq, BundleLog.acked)).all()
    known_ids = {o.id for o in offices}
    # bundles from an id not registered here whose code is an unpaired entry's (§2a): shown on that entry
    joining_by_code = {h.sender_code: h for h in pending.values() if h.sender_office_id not in known_ids and joining(store, h)}
    rows = []
    for o in offices:
        key = key_rows.get(o.id)
        held = pending.get(o.id) or (joining_by_code.get(o.code) if key is None else None)
        ins = sorted(seq for peer, d, seq, _ in logs if peer == o.id and d == "in")
        outs = [(seq, acked) for peer, d, seq, acked in logs if peer == o.id and d == "out"]
        gaps = tuple(sorted(set(range(1, ins[-1] + 1)) - set(ins))) if ins else ()
        state = key.state if key else ("unconfirmed" if held else "none")
        rows.append(OfficeRow(o.id, o.code, o.name, o.level, o.parent_code, state, key.fingerprint if key else "",
                              held.fingerprint if held and (not key or held.fingerprint != key.fingerprint) else "",
                              ins[-1] if ins else 0, max((s_ for s_, _ in outs), default=0), gaps,
                              sum(1 for _, acked in outs if not acked)))
    return rows


def trust(store: Store, code: str, typed_fingerprint: str) -> OfficeRow:
    """Confirm an office's keys after reading the fingerprint over the phone."""
    require_admin(store)
    wanted = keys.normalize_fingerprint(typed_fingerprint)
    if not wanted:
        raise InputError("bad_fingerprint", "指纹应为30位数字（6组，每组5位），请照对方屏幕上的显示输入。")
    with store.read() as s:
        office = office_by_code(s, code)
        current = s.get(OfficeKey, office.id)
    if current is not None and current.state == "own":
        raise InputError("own_office", "这是本单位自己的指纹，无需确认。")
    if current is not None and current.fingerprint == wanted:
        return next(r for r in list_offices(store) if r.code == code)
    waiting = [h for h in quarantine.held(store.paths.root) if h.sender_office_id == office.id
               or (current is None and h.sender_code == office.code and joining(store, h))]
    held = [h for h in waiting if h.fingerprint == wanted]
    if not held:
        seen = pending_keys(store).get(office.id) or next((h for h in waiting if h.fingerprint), None)
        if seen:
            raise InputError("fingerprint_mismatch", f"输入的指纹与“{office.name}”数据包中的指纹不一致，请再次电话核对。不一致时不要确认。")
        raise InputError("no_pending_keys", f"尚未收到“{office.name}”带有新密钥的数据包。请先导入它的数据包，再核对指纹。")
    item = held[-1]
    with store.write() as s:
        if item.sender_office_id != office.id:
            # a subordinate that adopted its set-up package after a plain `init` (§2a): its own store's
            # id wins, so that none of its records or audit events need another owner
            entry = joinable_entry(s, s.get(Office, store.office.id), held_sender(store, item))
            if entry is None:
                raise InputError("cannot_join", f"“{office.name}”已收到过数据包或已有记录，不能改指向另一数据库。数据库未改动。")
            office = join_entry(s, entry, item.sender_office_id)
        row = s.get(OfficeKey, office.id) or OfficeKey(office_id=office.id, office_code=office.code, state="trusted")
        row.state = "trusted"
        row.sign_public, row.age_recipient, row.fingerprint = item.sign_public, item.age_recipient, item.fingerprint
        row.confirmed_at = utcnow()
        row.confirmed_by = store.account.name
        s.add(row)
        audit.note(s, "trust_keys", f"office:{office.id}", f"确认单位{office.code}的密钥指纹")
    return next(r for r in list_offices(store) if r.code == code)


def held_sender(store: Store, item: quarantine.Held) -> dict:
    """The manifest's sender block of a held bundle (it was signed by the keys it carries)."""
    try:
        return container.read_header(quarantine.folder(store.paths.root) / item.file).manifest["sender"]
    except (container.BundleError, OSError, KeyError, TypeError):
        return {}


def joining(store: Store, item: quarantine.Held) -> bool:
    """Is this held bundle from a subordinate whose registry entry may be joined to its own id?"""
    if item.reason_code != "fingerprint_unconfirmed" or not item.fingerprint:
        return False
    with store.read() as s:
        return joinable_entry(s, s.get(Office, store.office.id), held_sender(store, item)) is not None


# --- pushed tables: holidays and templates ------------------------------------------------------

def template_tables(s: Session) -> dict[str, dict]:
    """Templates this office installed (settings template:<id>): what it pushes to its townships."""
    from app.services.template_registry import TEMPLATE_KEY_PREFIX

    rows = s.exec(select(Setting).where(Setting.key.startswith(TEMPLATE_KEY_PREFIX))).all()
    return {r.key.removeprefix(TEMPLATE_KEY_PREFIX): r.value for r in rows if isinstance(r.value, dict)}


def check_templates(tables: dict[str, dict], where: str) -> None:
    """Lint every pushed template against the rules before anything is accepted."""
    if not tables:
        return  # most bundles carry none: spare them loading docxtpl and the rules (about 0.4 s)
    import base64
    import binascii

    from app.documents import context, lint
    from app.documents.manifest import parse_entry
    from app.paths import resources_dir
    from app.services.ruleset import shipped_workflow

    schema = context.schema(shipped_workflow(resources_dir() / "rules" / "workflow.toml"))
    for template_id, value in tables.items():
        problems: list[str] = []
        entry = parse_entry(value.get("entry") or {}, f"{where}中的模板“{template_id}”", problems) \
            if isinstance(value, dict) and set(value) == {"entry", "docx"} else None
        if entry is None or problems or entry.id != template_id:
            raise container.BundleError("templates_refused", f"{where}中的模板“{template_id}”清单有误，未接受：{'；'.join(problems)}")
        try:
            data = base64.b64decode(value["docx"], validate=True)
        except (binascii.Error, ValueError, TypeError) as exc:
            raise container.BundleError("templates_refused", f"{where}中的模板“{template_id}”已损坏，未接受。") from exc
        report = lint.lint_docx(data, entry.file, schema, entry)
        if not report.ok:
            shown = "；".join(p.message for p in report.problems[:3])
            raise container.BundleError("templates_refused", f"{where}中的模板“{template_id}”未通过检查，未接受：{shown}")


def store_templates(s: Session, tables: dict[str, dict]) -> int:
    from app.services.template_registry import TEMPLATE_KEY_PREFIX

    return sum(setting_rows.put(s, TEMPLATE_KEY_PREFIX + template_id, value) for template_id, value in tables.items())


def read_rules(payload, where: str) -> tuple[dict[str, str], list[str]]:
    """The rules texts in a payload that parse, and a Chinese warning for each one that does not."""
    from app.domain.errors import DomainError
    from app.services.ruleset import RULES_TITLES, parse_text

    texts: dict[str, str] = {}
    problems: list[str] = []
    for entry in payload.entries("rules/"):
        name = entry.removeprefix("rules/")
        title = f"{where}中的{RULES_TITLES[name]}（{name}）"
        try:
            text = payload.read(entry).decode("utf-8")
            parse_text(name, text)
        except UnicodeDecodeError:
            problems.append(f"{title}不是 UTF-8 文本，未接受，仍按原规则办理。")
            continue
        except DomainError as exc:
            problems.append(f"{title}有误，未接受，仍按原规则办理：{exc.message}")
            continue
        texts[name] = text
    return texts, problems


# --- set-up package -------------------------------------------------------------------------

def add_downward_tables(b, holidays: dict[int, dict], templates: dict[str, dict], rules_texts: dict[str, str]) -> None:
    """What a county hands down in set-up packages and downward bundles alike (docs/BUNDLE.md §5)."""
    for year, table in sorted(holidays.items()):
        b.add_json(f"holidays/{year}.json", table)
    for template_id, table in sorted(templates.items()):
        b.add_json(f"templates/{template_id}.json", table)
    for name, text in sorted(rules_texts.items()):
        b.add(f"rules/{name}", text.encode("utf-8"))


def holiday_tables(s: Session) -> dict[int, dict]:
    rows = s.exec(select(Setting).where(Setting.key.startswith(HOLIDAY_KEY_PREFIX))).all()
    return {int(r.key.removeprefix(HOLIDAY_KEY_PREFIX)): r.value for r in rows}


def sender_block(office: Office, own: keys.OwnKeys) -> dict:
    return {"office_id": office.id, "code": office.code, "name": office.name, "level": office.level,
            "parent_code": office.parent_code, "sign_public": own.public.sign_public,
            "age_recipient": own.public.age_recipient, "fingerprint": own.public.fingerprint}


def versions(rules_version: str) -> dict:
    return {"app": __version__, "schema": schema.head_revision(), "rules": rules_version}


def make_setup_package(store: Store, for_code: str, out: Path) -> SetupPackageResult:
    """The signed package a subordinate office's `init --setup-package` takes."""
    from app.services import ruleset

    require_admin(store)
    with store.read() as s:
        target = office_by_code(s, for_code)
        if target.parent_code != store.office.code:
            raise InputError("not_subordinate", f"“{target.name}”不是本单位的直接下级，不能为它生成设置包。")
        me = s.get(Office, store.office.id)
        own = own_keys(s, store.office.id)
        setup = {"parent": encode("office", me), "office": encode("office", target)}
        holidays = holiday_tables(s)
        templates = template_tables(s)
        rules_texts = ruleset.effective_texts(s)
    rules_version = ruleset.load(store).workflow.version
    out = Path(out)
    if out.is_dir():
        out = out / f"{store.office.code}_{target.code}_setup.jab"
    with pack.Workspace(store.paths.sync_work) as work:
        def fill(b):
            b.add_json(SETUP_NAME, setup)
            add_downward_tables(b, holidays, templates, rules_texts)

        body = pack.build_payload(work, fill)
        m = {"format": 1, "kind": "setup", "bundle_id": uuid.uuid4().hex, "sender": sender_block(me, own),
             "recipient": {"office_id": target.id, "code": target.code, "fingerprint": ""}, "seq": 0,
             "prev_hash": manifest.GENESIS, "created_at": manifest.now_text(), "versions": versions(rules_version),
             "practice": False, "full": True, "encryption": "none", "counts": {"office": 2, "holidays": len(holidays), "templates": len(templates)},
             **pack.body_fields(body)}
        container.write(out, m, own, body)
    with store.write() as s:
        audit.note(s, "setup_package", f"office:{target.id}", f"为单位{target.code}生成设置包")
    return SetupPackageResult(str(out), target.code, own.public.fingerprint)


def read_setup_package(path: Path) -> SetupPackage:
    """Open and verify a set-up package (before any store exists)."""
    from app.domain.calendar import parse_holiday_year
    from app.domain.errors import DomainError

    path = Path(path)
    if not path.is_file():
        raise InputError("no_file", f"找不到设置包“{path}”。")
    header = container.read_header(path)
    m = header.manifest
    manifest.check(m, path.name)
    if m["kind"] != "setup":
        raise container.BundleError("not_setup_package", f"“{path.name}”是数据包，不是设置包。")
    sender = m["sender"]
    container.check_signature(header, sender["sign_public"], path.name)
    container.check_body(path, header)
    with pack.Workspace() as work:
        payload = pack.open_payload(path, header, None, work)
        try:
            setup = payload.read_json(SETUP_NAME)
            holidays = {int(n[9:13]): payload.read_json(n) for n in payload.entries("holidays/")}
            templates = {n[10:-5]: payload.read_json(n) for n in payload.entries("templates/")}
            # No store exists yet to keep "the current rules" of: a broken rules file refuses the package.
            rules, problems = read_rules(payload, f"设置包“{path.name}”")
        finally:
            payload.close()
    try:
        parent = decode("office", setup["parent"], set())
        office = decode("office", setup["office"], set())
    except (KeyError, TypeError, ValueError) as exc:
        raise container.BundleError("setup_invalid", f"设置包“{path.name}”中的单位信息有误：{exc}") from exc
    if parent["id"] != sender["office_id"] or office["parent_code"] != parent["code"] or office["id"] != m["recipient"]["office_id"]:
        raise container.BundleError("setup_invalid", f"设置包“{path.name}”中的单位信息前后不一致。")
    for year, table in holidays.items():
        try:
            parse_holiday_year(table, f"设置包中的{year}年节假日表", expected_year=year)
        except DomainError as exc:
            raise container.BundleError("setup_invalid", exc.message) from exc
    check_templates(templates, f"设置包“{path.name}”")
    if problems:
        raise container.BundleError("setup_invalid", problems[0] + "请上级单位改正规则后重新生成设置包。")
    return SetupPackage(parent, office, keys.PublicKeys(sender["sign_public"], sender["age_recipient"]), holidays,
                        templates, sender["fingerprint"], rules)


def apply_setup_package(s: Session, pkg: SetupPackage) -> None:
    """Inside `init`'s transaction: the parent office, its trusted keys, holiday tables, templates and rules."""
    from app.services.ruleset import shipped_text, store_texts

    s.add(Office(**pkg.parent))
    s.add(OfficeKey(office_id=pkg.parent["id"], office_code=pkg.parent["code"], state="trusted",
                    sign_public=pkg.parent_keys.sign_public, age_recipient=pkg.parent_keys.age_recipient,
                    fingerprint=pkg.fingerprint, confirmed_at=utcnow(), confirmed_by="设置包"))
    for year, table in pkg.holidays.items():
        s.add(Setting(key=f"{HOLIDAY_KEY_PREFIX}{year}", value=table))
    store_templates(s, pkg.templates)
    store_texts(s, {name: text for name, text in pkg.rules.items() if text != shipped_text(name)})


# --- adopting a set-up package after a plain set-up (docs/BUNDLE.md §2a) ----------------------

@dataclass(frozen=True)
class AdoptResult:
    office_code: str
    office_id: str  # this store's own office id: kept, every record stays owned by it
    registry_office_id: str  # the id the county's registry entry had; the county re-points it on confirmation
    parent_office_id: str
    parent_code: str
    parent_name: str
    parent_fingerprint: str
    fingerprint: str
    holidays: int
    templates: int
    rules: tuple[str, ...]
    warnings: tuple[str, ...]


def paired_parent(s: Session, me: Office) -> Office | None:
    """The superior this store already knows (from `init --setup-package` or an earlier adoption)."""
    trusted = s.exec(select(OfficeKey).where(OfficeKey.state == "trusted")).first()
    if trusted is not None:
        return s.get(Office, trusted.office_id) or Office(id=trusted.office_id, code=trusted.office_code, name=trusted.office_code,
                                                          level="", owner_office_id=trusted.office_id)
    # a plain `init` store knows only itself (and, at a county, the townships it registered)
    others = s.exec(select(Office).where(Office.id != me.id, Office.deleted == False)).all()  # noqa: E712
    return next((o for o in others if me.level == "township" or o.level != "township"), None)


def has_parent(store: Store) -> bool:
    """Whether this store is paired with its superior (the 同步 page offers adoption otherwise)."""
    with store.read() as s:
        return paired_parent(s, s.get(Office, store.office.id)) is not None


def adopt_setup_package(store: Store, path: Path) -> AdoptResult:
    """A township (or county) set up with plain `init` takes its superior's set-up package later.

    The store keeps its own office id: every record and the whole audit chain are owned by it, and
    the chain is hash-chained per office id, so nothing is re-keyed. The county learns this id from
    the first upward bundle and re-points its registry entry once the fingerprint is confirmed."""
    from app.services import cases, ruleset

    require_admin(store)
    pkg = read_setup_package(Path(path))
    entry, parent = pkg.office, pkg.parent
    where = f"设置包“{Path(path).name}”"
    with store.read() as s:
        me = s.get(Office, store.office.id)
        if me.level not in ("township", "county"):
            raise InputError("not_a_subordinate", "市纪委没有上级单位，不能导入设置包。数据库未改动。")
        known = paired_parent(s, me)
        if known is not None:
            raise InputError("already_paired", f"本单位已与上级单位“{known.name}”（{known.code}）配对，不能再导入设置包。"
                                               "如上级更换了密钥，请导入它的数据包并核对指纹。数据库未改动。")
        clash = [f"{title}：本单位为“{mine}”，设置包为“{theirs}”" for title, mine, theirs in (
            ("单位代码", me.code, entry["code"]), ("单位名称", me.name, entry["name"]), ("级别", LEVEL_TITLES.get(me.level, me.level),
                                                                                   LEVEL_TITLES.get(entry["level"], entry["level"])))
            if mine != theirs]
        if clash:
            raise InputError("setup_package_mismatch", f"{where}是为另一单位生成的，或上级登记的信息与本单位不一致（{'；'.join(clash)}）。"
                                                       "请上级单位核对登记信息后重新生成设置包。数据库未改动。")
        if s.exec(select(Office).where(Office.code == parent["code"])).first() is not None \
                or s.get(Office, parent["id"]) is not None:
            raise InputError("office_conflict", f"本单位数据库中已有代码为“{parent['code']}”的单位，不能再导入{where}。数据库未改动。")
    notes: list[str] = []
    with store.write() as s:
        me = s.get(Office, store.office.id)
        # like a downward bundle's: a workflow that would strand an open case is not installed
        rules, rule_warnings = ruleset.rules_changes(s, pkg.rules, where)
        notes += rule_warnings
        s.add(Office(**parent))
        s.add(OfficeKey(office_id=parent["id"], office_code=parent["code"], state="trusted",
                        sign_public=pkg.parent_keys.sign_public, age_recipient=pkg.parent_keys.age_recipient,
                        fingerprint=pkg.fingerprint, confirmed_at=utcnow(), confirmed_by="设置包"))
        if me.parent_code != parent["code"]:
            # the superior's own signed word on who it is overrides what was typed at a plain `init`
            notes.append(f"初始设置时填写的上级单位代码“{me.parent_code or ''}”已按设置包改为“{parent['code']}”。")
            me.parent_code = parent["code"]
            s.add(me)
        holidays = sum(setting_rows.put(s, f"{HOLIDAY_KEY_PREFIX}{year}", table) for year, table in pkg.holidays.items())
        templates = store_templates(s, pkg.templates)
        ruleset.store_texts(s, rules)
        joined = "（本单位标识不变，上级登记的标识将在上级核对指纹后改为本单位的）" if entry["id"] != me.id else ""
        audit.note(s, "adopt_setup_package", f"office:{parent['id']}",
                   f"导入上级单位{parent['code']}的设置包，确认其密钥{joined}；上级登记标识{entry['id']}")
        fingerprint_own = own_public_keys(s, me.id).fingerprint
    if store.office.parent_code != parent["code"]:
        import dataclasses

        store.office = dataclasses.replace(store.office, parent_code=parent["code"])  # the open session sees it too
    if holidays or rules:
        cases.refresh_due_dates(store)  # deadlines of open cases follow the county's calendar and rules from now on
    return AdoptResult(store.office.code, store.office.id, entry["id"], parent["id"], parent["code"], parent["name"], pkg.fingerprint,
                       fingerprint_own, holidays, templates, tuple(sorted(rules)), tuple(notes))


# --- the county's side: joining its registry entry to the township's own id ------------------

def joinable_entry(s: Session, me: Office, sender: dict) -> Office | None:
    """The registry entry an unknown sender id may stand for: a direct subordinate of this office
    with the same code and name that has never been paired (no confirmed keys, no bundle either
    way, owning nothing but its own office record). Only then can re-pointing it lose nothing."""
    entry = s.exec(select(Office).where(Office.code == sender.get("code"))).first()
    if entry is None or entry.id == sender.get("office_id") or entry.parent_code != me.code \
            or entry.name != sender.get("name") or entry.level != sender.get("level") or entry.deleted:
        return None
    if s.get(OfficeKey, entry.id) is not None:
        return None
    if s.exec(select(BundleLog).where(BundleLog.peer_office_id == entry.id)).first() is not None:
        return None
    # statistics sent up since the entry was made may have carried its record to the city, which
    # would then see two offices of one code: not joined (docs/BUNDLE.md §2a)
    if s.exec(select(BundleLog).where(BundleLog.direction == "out", BundleLog.kind == "statistics",
                                      BundleLog.at >= entry.created_at)).first() is not None:
        return None
    from app.sync.records import MODELS

    for table, model in MODELS.items():
        column = getattr(model, "owner_office_id", None)
        if column is None:
            continue
        query = select(model).where(column == entry.id)
        if table == "office":
            query = query.where(model.id != entry.id)
        if s.exec(query.limit(1)).first() is not None:
            return None
    return None if s.get(Office, sender.get("office_id")) is not None else entry


def join_entry(s: Session, entry: Office, new_id: str) -> Office:
    """Re-point an unpaired registry entry to the id the subordinate's own store uses. References
    this office made to the entry (a transfer to it) follow, audited and with bumped versions so
    they travel down."""
    from app.sync.records import MODELS

    old_id = entry.id
    columns = {c.name: getattr(entry, c.name) for c in Office.__table__.columns}
    code = entry.code
    joined = Office(**{**columns, "id": new_id, "owner_office_id": new_id, "code": f"{code}~{new_id[:8]}"})
    s.add(joined)
    s.flush()  # the new row first: foreign keys are enforced
    for table, model in MODELS.items():
        for column in model.__table__.columns:
            if column.name == "owner_office_id" or not any(fk.column.table.name == "office" for fk in column.foreign_keys):
                continue
            for row in s.exec(select(model).where(getattr(model, column.name) == old_id)).all():
                setattr(row, column.name, new_id)
                s.add(row)
    for model in (BundleReceipt,):
        for row in s.exec(select(model).where((model.from_office_id == old_id) | (model.to_office_id == old_id))).all():
            row.from_office_id = new_id if row.from_office_id == old_id else row.from_office_id
            row.to_office_id = new_id if row.to_office_id == old_id else row.to_office_id
    s.flush()
    s.delete(entry)
    s.flush()
    joined.code = code
    s.add(joined)
    s.flush()
    # version 0: the subordinate's own office record (version >= 1) wins on its first bundle, and
    # every later change it makes to its record counts as newer than this copy
    s.execute(sa_update(Office.__table__).where(Office.__table__.c.id == new_id).values(version=0))
    s.expire(joined)
    audit.note(s, "join_office", f"office:{new_id}", f"单位{code}用后导入的设置包配对：登记标识{old_id}改为其数据库的标识{new_id}")
    return joined
