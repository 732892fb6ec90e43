"""Case list and search on a real SQLCipher store: the FTS5 trigram index of migration 0002 follows
every write (triggers), short words fall back to LIKE, and bulk demonstration cases are all
indexed (10,000 of them in bench/bench_case_list.py)."""

from __future__ import annotations

from datetime import date

import pytest
from alembic import command
from sqlalchemy import text
from sqlmodel import select

from app.models import Case, CaseSubject, Clue, ClueSubject, Person, StepRecord
from app.paths import store_paths
from app.services import cases, search, unlock
from app.storage import schema
from bench.bulk_cases import insert_cases

from tests.integration.conftest import PASSWORD

TRIGGERS = {"case_search_case_insert", "case_search_case_update", "case_search_case_delete", "case_search_clue_update",
            "case_search_subject_insert", "case_search_subject_update", "case_search_subject_delete",
            "case_search_person_update"}


@pytest.fixture
def store(township):
    opened = unlock.unlock(store_paths(township), None, PASSWORD).store
    yield opened
    opened.close()


def register(store, name: str, unit: str, summary: str, **extra) -> str:
    data = {"received_on": "2026-03-02", "source": "信访举报（来信）", "persons": [{"name": name, "unit": unit}],
            "summary": summary, **extra}
    return cases.register_clue(store, data, today=date(2026, 3, 10)).case_id


def test_index_follows_registration_and_finds_every_kind_of_text(store):
    a = register(store, "王建国", "青石村村民委员会", "反映其在低保评定中优亲厚友", incoming_no="信〔2026〕17号")
    b = register(store, "李红梅", "白沙村村民委员会", "反映其违规发放惠农补贴")
    assert search.index_size(store) == 2
    assert search.matching_case_ids(store, "王建国") == {a}
    assert search.matching_case_ids(store, "白沙村") == {b}
    assert search.matching_case_ids(store, "惠农补贴") == {b}
    assert search.matching_case_ids(store, "信〔2026〕17号") == {a}
    assert search.matching_case_ids(store, "纪线〔2026〕2号") == {b}
    assert search.matching_case_ids(store, "村村民委员会") == {a, b}
    assert search.matching_case_ids(store, "   ") is None  # nothing typed: no filter


def test_short_words_use_like_and_words_combine(store):
    a = register(store, "王强", "青石村村民委员会", "反映其收受礼金")
    b = register(store, "李强", "青石镇财政所", "反映其超标准接待")
    assert search.matching_case_ids(store, "王") == {a}
    assert search.matching_case_ids(store, "强") == {a, b}
    assert search.matching_case_ids(store, "强 财政所") == {b}
    assert search.matching_case_ids(store, "礼金 青石") == {a}
    assert search.matching_case_ids(store, "强 没有的词") == frozenset()
    # quotes, percent signs and FTS operators are text, not syntax
    for odd in ('"', '%', '_', 'a"b OR c', "NEAR(", "*", "礼金%"):
        assert search.matching_case_ids(store, odd) == frozenset(), odd


def test_triggers_follow_later_changes(store):
    case_id = register(store, "赵六", "河口村村民委员会", "反映其侵占集体收益")
    with store.write() as s:
        person = s.exec(select(Person).where(Person.name == "赵六")).one()
        person.name = "赵陆"
        s.add(person)
    assert search.matching_case_ids(store, "赵陆") == {case_id}
    assert search.matching_case_ids(store, "赵六") == frozenset()
    with store.write() as s:
        clue = s.exec(select(Clue)).one()
        clue.summary = "反映其在高标准农田验收中弄虚作假"
        s.add(clue)
    assert search.matching_case_ids(store, "高标准农田") == {case_id}
    assert search.matching_case_ids(store, "集体收益") == frozenset()
    other = register(store, "孙七", "长岭村村民委员会", "反映其酒后驾驶")
    with store.write() as s:
        clue = s.exec(select(Clue).join(Case, Case.clue_id == Clue.id).where(Case.id == other)).one()
        s.add(ClueSubject(owner_office_id=store.office.id, clue_id=clue.id,
                          person_id=s.exec(select(Person).where(Person.name == "赵陆")).one().id))
    assert search.matching_case_ids(store, "赵陆") == {case_id, other}
    with store.write() as s:
        case = s.get(Case, other)
        case.deleted = True  # a tombstone leaves the list and the index
        s.add(case)
    assert search.matching_case_ids(store, "赵陆") == {case_id}
    assert [r.case_id for r in search.case_list(store)] == [case_id]
    with store.write() as s:
        case = s.get(Case, other)
        case.deleted = False
        s.add(case)
    assert search.matching_case_ids(store, "赵陆") == {case_id, other}
    with store.write() as s:  # a row really removed takes its document and id map entry with it
        for visit in s.exec(select(StepRecord).where(StepRecord.case_id == other)).all():
            s.delete(visit)
        for subject in s.exec(select(CaseSubject).where(CaseSubject.case_id == other)).all():
            s.delete(subject)
        s.flush()
        s.delete(s.get(Case, other))
    assert search.index_size(store) == 1
    with store.read() as s:
        assert s.execute(text("SELECT count(*) FROM case_search_key")).scalar_one() == 1


def test_filed_number_is_searchable_and_listed(store, tmp_path):
    case_id = register(store, "钱八", "新民村村民委员会", "反映其拉票贿选")
    with store.write() as s:
        case = s.get(Case, case_id)
        case.number = "青石纪立〔2026〕5号"
        s.add(case)
    assert search.matching_case_ids(store, "纪立〔2026〕5号") == {case_id}
    row = search.case_list(store, today=date(2026, 3, 10))[0]
    assert row.number == "青石纪立〔2026〕5号" and row.clue_number.endswith("〔2026〕1号")
    assert row.persons == ("钱八",) and row.stage_title == "线索受理" and row.step_title == "线索受理登记"
    assert row.due_state == "" and row.received_on == date(2026, 3, 2)


def test_migration_builds_triggers_and_indexes_existing_cases(store):
    register(store, "周九", "龙泉村村民委员会", "反映其优亲厚友")
    with store.read() as s:
        names = {r[0] for r in s.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))}
    assert TRIGGERS <= names
    cfg = schema.alembic_config()
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    with store.read() as s:
        assert not s.execute(text("SELECT name FROM sqlite_master WHERE name LIKE 'case_search%'")).all()
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    assert search.index_size(store) == 1  # a case written before the index existed is found
    assert len(search.matching_case_ids(store, "龙泉村")) == 1


def test_bulk_cases_are_indexed_and_listed(store):
    insert_cases(store, 2_000, today=date(2026, 11, 20))
    assert search.index_size(store) == 2_000
    rows = search.case_list(store, today=date(2026, 11, 20))
    assert len(rows) == 2_000 and len({r.case_id for r in rows}) == 2_000
    assert [r.received_on for r in rows] == sorted((r.received_on for r in rows), reverse=True)
    stages = {r.stage for r in rows}
    assert {"intake", "disposition", "prelim", "shelved", "filing", "archive"} <= stages
    assert any(r.due_state == "overdue" for r in rows) and any(r.persons_in_effect for r in rows)
    name = rows[0].persons[0]
    hits = search.matching_case_ids(store, name)
    assert rows[0].case_id in hits and all(name in "".join(r.persons) or name in r.number
                                           for r in rows if r.case_id in hits)
