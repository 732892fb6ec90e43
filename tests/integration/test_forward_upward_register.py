"""转送上级: a complaint a higher office accepts leaves only a content-free register here.

《纪检监察机关处理检举控告工作规则》第十五条第二款: “对属于上级纪检监察机关受理的检举控告，不得瞒报、漏报、迟报，
不得扩大知情范围，不得复制、摘抄检举控告内容，不得将有关信息录入检举举报平台。”
第十五条第一款: “收到反映本机关主要负责人问题的检举控告，应当径送上一级纪检监察机关信访举报部门。”
"""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from docx import Document as open_docx
from sqlmodel import select

from app.errors import InputError
from app.models import Case, CaseSubject, Clue, ClueSubject, Person, Reporter, StepRecord
from app.paths import store_paths
from app.services import accounts, cases, desk, documents, ledger, reporters, ruleset, search, setup, sync, unlock

PASSWORD = "qingshi2026"
STAFF = "李专干"
TODAY = date(2026, 6, 30)
RECEIVED = "2026-06-01"
SUMMARY = "反映镇长周某在项目招标中收受好处"
REGISTER = {"received_on": RECEIVED, "source": "信访举报（来信）", "forward_upward": True}
WITH_CONTENT = {"received_on": RECEIVED, "source": "信访举报（来信）", "summary": SUMMARY,
                "persons": [{"name": "周镇长", "unit": "青石镇人民政府", "post": "镇长"}],
                "reporter": {"name": "举报人丙", "phone": "13700000000", "real_name": True}}


@pytest.fixture
def data(tmp_path):
    folder = tmp_path / "data"
    setup.create_store(store_paths(folder), setup.SetupRequest("T001", "青石镇纪委", "township", "张书记", PASSWORD,
                                                               parent_code="C01", office_abbr="青石", kdf_profile="fast"))
    store = unlock.unlock(store_paths(folder), None, PASSWORD).store
    try:
        accounts.add_account(store, STAFF, "staff", PASSWORD + "x")
    finally:
        store.close()
    return folder


def opened(data, account: str | None = None):
    password = PASSWORD + "x" if account == STAFF else PASSWORD
    return unlock.unlock(store_paths(data), account, password).store


@pytest.fixture
def admin(data):
    store = opened(data)
    yield store
    store.close()


def forward(store, case_id: str, *, decide: bool = True) -> None:
    rules = ruleset.load(store)
    for item in ("original_sent", "register_only"):
        cases.act(store, case_id, {"type": "complete_item", "item_id": item}, today=TODAY, rules=rules)
    cases.act(store, case_id, {"type": "set_fields", "values": {"forward_to": "县纪委监委信访室", "forwarded_on": "2026-06-03"}},
              today=TODAY, rules=rules)
    if decide:
        cases.act(store, case_id, {"type": "decide", "decision_id": "forwarded", "decided_on": "2026-06-03"},
                  today=TODAY, rules=rules)


def test_the_forward_register_holds_received_on_channel_and_nothing_of_the_complaint(admin):
    registered = cases.register_clue(admin, REGISTER, today=TODAY)
    shown = cases.show_case(admin, registered.case_id, today=TODAY)
    assert shown["step"]["id"] == "forward_upward"
    assert shown["summary"] == "" and shown["persons"] == [] and shown["subjects"] == []
    assert shown["fields"] == {"intake_register.source": "信访举报（来信）",
                               "forward_upward.via": "经本机关主要负责人报送上一级"}
    # [J] 第十五条第一款: 收到之日起5个工作日内报送
    [deadline] = [d for d in shown["deadlines"] if d["id"] == "forward_upward"]
    assert deadline["start"] == RECEIVED and deadline["due"] == "2026-06-08"
    assert [h["decision"] for h in shown["history"]] == ["forward_up"]
    with admin.read() as s:
        clue = s.get(Clue, registered.clue_id)
        assert (clue.summary, clue.categories, clue.real_name) == ("", [], False)
        assert s.exec(select(ClueSubject).where(ClueSubject.clue_id == clue.id)).all() == []
        assert s.exec(select(Reporter)).all() == []
    # the lists read it as a register with no person: the 台账 row has the channel and the outcome only
    [row] = ledger.ledger_rows(admin, 2026, today=TODAY)
    assert (row.source, row.person_name, row.person_unit, row.summary) == ("信访举报（来信）", "", "", "")
    assert row.disposition == "转送上级", row
    assert [item for item in desk.desk(admin, today=TODAY).todo if item.case_id == registered.case_id]


@pytest.mark.parametrize("key, value", [("summary", SUMMARY), ("persons", [{"name": "周镇长"}]),
                                        ("reporter", {"name": "举报人丙"}), ("incoming_no", "县信〔2026〕1号")])
def test_content_given_with_a_forward_register_is_refused_and_nothing_is_stored(admin, key, value):
    with pytest.raises(InputError) as err:
        cases.register_clue(admin, {**REGISTER, key: value}, today=TODAY)
    assert err.value.code == "forward_content" and "第十五条第二款" in err.value.message and key in err.value.message
    assert cases.list_cases(admin, today=TODAY) == []


def test_a_complaint_about_the_head_is_not_registered_by_an_administrator_account(admin):
    # [J] 第十五条第一款: 反映本机关主要负责人的，径送上一级 — not through the 纪委书记's hands
    with pytest.raises(InputError) as err:
        cases.register_clue(admin, {**REGISTER, "about_head": True}, today=TODAY)
    assert err.value.code == "bypass_admin" and "第十五条第一款" in err.value.message
    assert cases.list_cases(admin, today=TODAY) == []


def test_a_staff_account_registers_and_forwards_a_complaint_about_the_head_directly_upward(data):
    staff = opened(data, STAFF)
    try:
        case_id = cases.register_clue(staff, {**REGISTER, "about_head": True}, today=TODAY).case_id
        assert cases.show_case(staff, case_id, today=TODAY)["fields"]["forward_upward.via"] == "径送上一级（反映本机关主要负责人）"
        forward(staff, case_id, decide=False)
    finally:
        staff.close()
    admin = opened(data)
    try:
        with pytest.raises(cases.ActionRefused) as err:
            cases.act(admin, case_id, {"type": "decide", "decision_id": "forwarded", "decided_on": "2026-06-03"}, today=TODAY)
        assert err.value.code == "bypass_admin"
    finally:
        admin.close()
    staff = opened(data, STAFF)
    try:
        cases.act(staff, case_id, {"type": "decide", "decision_id": "forwarded", "decided_on": "2026-06-03"}, today=TODAY)
        assert cases.show_case(staff, case_id, today=TODAY)["step"]["id"] == "close_feedback"
    finally:
        staff.close()


def test_a_clue_registered_with_content_loses_it_when_found_to_belong_upward(admin):
    other = cases.register_clue(admin, {**WITH_CONTENT, "summary": "另一件：反映周镇长违规发放补贴"}, today=TODAY)
    registered = cases.register_clue(admin, {**WITH_CONTENT, "persons": [{"name": "吴副镇长", "unit": "青石镇人民政府"},
                                                                         {"name": "周镇长", "unit": "青石镇人民政府"}]},
                                     today=TODAY)
    rules = ruleset.load(admin)
    for item in rules.workflow.steps["intake_register"].checklist:
        cases.act(admin, registered.case_id, {"type": "complete_item", "item_id": item.id}, today=TODAY, rules=rules)
    cases.act(admin, registered.case_id, {"type": "decide", "decision_id": "forward_up", "decided_on": "2026-06-02"},
              today=TODAY, rules=rules)
    shown = cases.show_case(admin, registered.case_id, today=TODAY)
    assert shown["step"]["id"] == "forward_upward"
    assert shown["summary"] == "" and shown["persons"] == [] and shown["subjects"] == []
    assert not any(k.startswith("intake_register.") and k != "intake_register.source" for k in shown["fields"])
    with admin.read() as s:
        assert s.exec(select(Reporter).where(Reporter.clue_id == registered.clue_id)).all() == []
        assert all(link.deleted for link in s.exec(select(ClueSubject).where(ClueSubject.clue_id == registered.clue_id)))
        case = s.exec(select(Case).where(Case.clue_id == registered.clue_id)).one()
        assert all(row.deleted and not row.unit_post for row in s.exec(select(CaseSubject).where(CaseSubject.case_id == case.id)))
        visits = s.exec(select(StepRecord).where(StepRecord.case_id == case.id, StepRecord.step_id == "intake_register")).all()
        assert [v.fields for v in visits] == [{"intake_register.source": "信访举报（来信）"}]
        people = {p.id: p for p in s.exec(select(Person)).all()}
        # 吴副镇长 was on this clue only: blanked; 周镇长 is on another clue too and stays in the 廉政档案
        assert sorted(p.name for p in people.values() if not p.deleted) == ["周镇长"]
        assert [p.name for p in people.values() if p.deleted] == [""]
    assert cases.show_case(admin, other.case_id, today=TODAY)["summary"] == "另一件：反映周镇长违规发放补贴"
    # the search index is no copy either
    assert search.matching_case_ids(admin, "项目招标") == frozenset()
    assert search.matching_case_ids(admin, "吴副镇长") == frozenset()
    assert search.matching_case_ids(admin, "违规发放补贴") == {other.case_id}


def test_no_person_and_no_reporter_can_be_added_to_a_forwarded_complaint(admin):
    registered = cases.register_clue(admin, REGISTER, today=TODAY)
    with pytest.raises(InputError) as err:
        cases.act(admin, registered.case_id, {"type": "set_subject", "subject": "周镇长", "unit_post": "青石镇镇长"},
                  today=TODAY)
    assert err.value.code == "forward_content"
    with pytest.raises(InputError) as err:
        reporters.save(admin, registered.clue_id, {"name": "举报人丙"})
    assert err.value.code == "forward_content"
    with admin.read() as s:
        assert s.exec(select(Reporter)).all() == [] and s.exec(select(CaseSubject)).all() == []


def test_the_upward_bundle_carries_no_reporter_and_no_content(admin):
    plain = cases.register_clue(admin, WITH_CONTENT, today=TODAY)  # an ordinary clue's reporter stays here too
    registered = cases.register_clue(admin, WITH_CONTENT, today=TODAY)
    rules = ruleset.load(admin)
    for item in rules.workflow.steps["intake_register"].checklist:
        cases.act(admin, registered.case_id, {"type": "complete_item", "item_id": item.id}, today=TODAY, rules=rules)
    cases.act(admin, registered.case_id, {"type": "decide", "decision_id": "forward_up", "decided_on": "2026-06-02"},
              today=TODAY, rules=rules)
    with admin.read() as s:
        selected = sync.upward_selection(s, admin.office.id, None)
        sent = {c.id: json.loads(line) for c, line in zip(selected["clue"], sync.record_lines(s, "clue", selected["clue"]),
                                                            strict=True)}
    assert "reporter" not in selected
    assert sent[registered.clue_id]["summary"] == "" and not sent[registered.clue_id]["real_name"]
    assert {c.id for c in selected["clue"]} == {plain.clue_id, registered.clue_id}


def test_the_forwarding_letter_names_no_person_and_copies_no_content(admin):
    case_id = cases.register_clue(admin, WITH_CONTENT, today=TODAY).case_id
    rules = ruleset.load(admin)
    for item in rules.workflow.steps["intake_register"].checklist:
        cases.act(admin, case_id, {"type": "complete_item", "item_id": item.id}, today=TODAY, rules=rules)
    cases.act(admin, case_id, {"type": "decide", "decision_id": "forward_up", "decided_on": "2026-06-02"},
              today=TODAY, rules=rules)
    forward(admin, case_id, decide=False)
    made = documents.render(admin, case_id, "forward_letter", today=TODAY)
    text = "\n".join(p.text for p in open_docx(io.BytesIO(documents.content(admin, made.document_id)[1])).paragraphs)
    assert "周镇长" not in text and SUMMARY not in text and "举报人丙" not in text
    assert "2026-06-01" in text or "2026年6月1日" in text
    assert "未复制、摘抄" in text and "第十五条" in text
    assert cases.show_case(admin, case_id, today=TODAY)["fields"]["forward_upward.letter_no"] == made.number
