"""举报人 identity: the most sensitive data in the store (DESIGN §1, §4).

Only 书记/管理员 accounts see or change it, and every view is written to the audit log (the
event names the clue, never the values). Everyone else learns only whether an identity was
recorded, shown masked.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import select

from app.domain import text_hygiene as hygiene
from app.errors import AuthError, InputError
from app.models import Case, Clue, Reporter
from app.services import case_codec, ruleset, upward_complaint
from app.storage import audit
from app.storage.store import Store

IDENTITY_FIELDS = ("name", "phone", "id_number", "address")
IDENTITY_KINDS = {"name": hygiene.NAME, "phone": hygiene.NUMBER, "id_number": hygiene.NUMBER, "address": hygiene.SHORT}
FIELD_LABELS = {"name": "姓名", "phone": "联系电话", "id_number": "身份证号", "address": "住址"}
MASK = "＊＊＊"
MAX_LENGTH = 200


@dataclass(frozen=True)
class ReporterView:
    clue_id: str
    real_name: bool  # the clue was signed (实名举报)
    recorded: bool  # an identity is kept for this clue
    masked: bool
    name: str = ""
    phone: str = ""
    id_number: str = ""
    address: str = ""


def require_admin(store: Store) -> None:
    if not store.account.is_admin:
        raise AuthError("reporter_admin_only", "举报人信息只有书记/管理员账户可以查看和修改，请联系书记。")


def require_view(store: Store) -> None:
    """An administrator's session, or a staff session inside `unlock.administrator` (an administrator
    confirmed with their own password, audited): the role key is there to open the values."""
    from app.services import unlock

    if store.account.is_admin:
        return
    if store.engine.role_keys.public is not None and unlock.can_read_role_data(store):
        return
    require_admin(store)


def masked(store: Store, clue_id: str) -> ReporterView:
    """For every account: whether an identity is recorded, values masked. Not a view of identity."""
    with store.read() as s:
        clue = s.get(Clue, clue_id)
        if clue is None:
            raise InputError("no_clue", "找不到这条线索，请刷新后再试。")
        row = s.exec(select(Reporter).where(Reporter.clue_id == clue_id, Reporter.deleted == False)).first()  # noqa: E712
    values = {k: MASK if row is not None and getattr(row, k) else "" for k in IDENTITY_FIELDS}
    return ReporterView(clue_id, clue.real_name, row is not None, True, **values)


def reveal(store: Store, clue_id: str) -> ReporterView:
    """The identity in clear, for an administrator (or with one's confirmation); the view itself is audited."""
    require_view(store)
    with store.write() as s:
        clue = s.get(Clue, clue_id)
        if clue is None:
            raise InputError("no_clue", "找不到这条线索，请刷新后再试。")
        row = s.exec(select(Reporter).where(Reporter.clue_id == clue_id, Reporter.deleted == False)).first()  # noqa: E712
        audit.note(s, "view_reporter", f"clue:{clue_id}", "查看举报人信息")
        values = {k: getattr(row, k) if row is not None else "" for k in IDENTITY_FIELDS}
    return ReporterView(clue_id, clue.real_name, row is not None, False, **values)


def save(store: Store, clue_id: str, values: dict) -> ReporterView:
    """Record or correct the identity (administrators only); blank values clear a field."""
    require_admin(store)
    unknown = sorted(set(values) - set(IDENTITY_FIELDS))
    if unknown:
        raise InputError("reporter_invalid", f"举报人信息中有无法识别的项：{'、'.join(unknown)}。")
    cleaned = {k: hygiene.scrub(str(values.get(k) or ""), IDENTITY_KINDS[k]) for k in IDENTITY_FIELDS}
    for key, value in cleaned.items():
        if len(value) > MAX_LENGTH:
            raise InputError("reporter_invalid", f"举报人{FIELD_LABELS[key]}过长：最多{MAX_LENGTH}个字。",
                             {"field": key})
    wf = ruleset.load(store).workflow
    with store.write() as s:
        clue = s.get(Clue, clue_id)
        if clue is None:
            raise InputError("no_clue", "找不到这条线索，请刷新后再试。")
        if clue.owner_office_id != store.office.id:
            raise InputError("not_owner", "这条线索属于其他单位，本单位不能修改举报人信息。")
        case = s.exec(select(Case).where(Case.clue_id == clue_id)).first()
        if case is not None and any(cleaned.values()):
            upward_complaint.refuse_content(wf, case_codec.from_json(case.state), "举报人信息")
        row = s.exec(select(Reporter).where(Reporter.clue_id == clue_id)).first()
        if row is None:
            if any(cleaned.values()):
                s.add(Reporter(owner_office_id=store.office.id, clue_id=clue_id, **cleaned))
        else:
            changed = {k: v for k, v in cleaned.items() if getattr(row, k) != v}
            for key, value in changed.items():
                setattr(row, key, value)
            if row.deleted:
                row.deleted = False
            if changed or row in s.dirty:
                s.add(row)
    return ReporterView(clue_id, clue.real_name, any(cleaned.values()), False, **cleaned)
