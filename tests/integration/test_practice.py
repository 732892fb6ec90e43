"""Practice mode on real stores: scenarios through the real engine, scoring, drills, results, trainer tools."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import func, select

from app.domain.practice_scoring import reference_entry
from app.domain.scenarios import ScenarioError
from app.errors import AppError, InputError
from app.models import Case, Decision, PracticeAttempt, PracticeScenario
from app.paths import resources_dir, store_paths
from app.services import cases, practice, ruleset, sync, unlock

TRAINER_PASSWORD = "peixun2026"
SHIPPED = [path.name for path in practice.shipped_files()]


@pytest.fixture(autouse=True)
def practice_password(monkeypatch):
    """A practice store made by a `--practice` command takes its own password from its own variable,
    never from JIANTONG_PASSWORD (issue 18); the tests then open it with TRAINER_PASSWORD as usual."""
    monkeypatch.setenv("JIANTONG_PRACTICE_PASSWORD", TRAINER_PASSWORD)


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    """One practice store for the module, made by the service as the GUI does on first use."""
    paths = store_paths(tmp_path_factory.mktemp("room"), practice=True)
    practice.create_store(paths, "培训管理员", TRAINER_PASSWORD)
    store = unlock.unlock(paths, None, TRAINER_PASSWORD).store
    yield store
    store.close()


@pytest.fixture(scope="module")
def rules(room):
    return ruleset.load(room)


@pytest.fixture(scope="module")
def scenarios(room, rules):
    return {sid: sc for sid, (sc, _) in practice.load_scenarios(room, rules).items()}


def wrong_entry(sc, rules, visit: int, points):
    """The reference entry of a visit, with the given points there answered neither right nor acceptably."""
    entry = replace(reference_entry(sc, visit), documents=())
    for point in points:
        taken = {point.expected, *(a.answer for a in point.alternatives)}
        step = rules.workflow.steps[point.step]
        if point.kind == "decision":
            entry = replace(entry, decide=next(d.id for d in step.decisions if d.id not in taken))
        else:
            other = next(t for t in rules.catalog.types.values()
                         if t.kind in step.sanction_kinds and frozenset({t.id}) not in taken)
            entry = replace(entry, sanctions=(other.id,))
    return entry


def with_wrong_answers(sc, rules, points):
    """The reference answers with a wrong first answer at each given point; the trainee then decides again
    (a person the first try closed the case for stays closed: the second try does not close them again)."""
    entries = list(sc.reference)
    visits = sorted({p.visit for p in points}, reverse=True)
    decided = [i for i, e in enumerate(entries) if e.decide]
    for visit in visits:
        again = entries[decided[visit]]
        entries[decided[visit]] = replace(again, persons=tuple(w for w in again.persons if not w.close))
        entries.insert(decided[visit], wrong_entry(sc, rules, visit, [p for p in points if p.visit == visit]))
    return tuple(entries)


# ---------------------------------------------------------------- scenarios through the engine


def test_every_shipped_scenario_earns_full_marks_with_its_reference_answers_through_the_cli(tmp_path, run_cli):
    data = tmp_path / "data"
    listed = run_cli("--data-dir", data, "practice", "list", "--json", password=TRAINER_PASSWORD)
    assert listed.code == 0, listed.err
    ids = [row["id"] for row in listed.json]
    assert len(ids) == len(SHIPPED) >= 8
    for scenario_id in ids:
        reference = run_cli("--data-dir", data, "practice", "reference", scenario_id, "--json", password=TRAINER_PASSWORD)
        answers = tmp_path / f"{scenario_id}.json"
        answers.write_text(reference.out, encoding="utf-8")
        run = run_cli("--data-dir", data, "practice", "run", scenario_id, "--trainee", "王学员", "--answers", answers,
                      "--json", password=TRAINER_PASSWORD)
        assert run.code == 0, (scenario_id, run.err)
        card = run.json
        assert (card["earned"], card["total"], card["complete"], card["lost"]) == (100, 100, True, []), scenario_id
        assert card["trainee"] == "王学员" and card["scenario_id"] == scenario_id


@pytest.mark.parametrize("name", SHIPPED)
def test_a_wrong_answer_at_each_decision_point_loses_exactly_its_points(room, rules, name):
    """Every point answered wrong first (then right, as the trainee is told): each loses its own points.
    (tests/unit/test_practice_scoring.py checks every point wrong on its own, with the same rubric.)"""
    sc = practice.parse_text((resources_dir() / "practice" / name).read_text("utf-8"), name, rules)
    card = practice.run_script(room, sc.id, "赵学员", with_wrong_answers(sc, rules, sc.points), rules=rules)
    assert card["complete"]
    assert card["earned"] == card["total"] - sum(p.points for p in sc.points)
    lost = {item["ref"]: (item["lost"], item["feedback"], item["citation"]) for item in card["lost"]}
    assert lost == {p.id: (p.points, p.feedback, list(p.citation)) for p in sc.points}
    verdicts = {d["id"]: d["verdict"] for d in card["decisions"]}
    assert [verdicts.pop(p.id) for p in sc.points] == ["wrong"] * len(sc.points)
    assert set(verdicts.values()) <= {"correct"}  # the points about one person, answered right each time
    assert card["missed_points"] == [p.id for p in sc.points]


def test_a_held_decision_changes_nothing_in_the_case(room, rules, scenarios):
    started = practice.start(room, "gift_money_warning", "钱学员", rules=rules)
    sc = scenarios["gift_money_warning"]
    practice.perform(room, rules, started.case_id, sc.reference[0], "钱学员", practice_today())
    before = cases.show_case(room, started.case_id, rules=rules)
    with room.read() as s:
        decisions = s.exec(select(func.count()).select_from(Decision).where(Decision.case_id == started.case_id)).one()
    with pytest.raises(practice.PracticeHeld) as held:
        practice.perform(room, rules, started.case_id, replace(sc.reference[1], decide="to_close"), "钱学员",
                         practice_today())
    assert held.value.message.startswith("练习提示：“这件线索应采取哪种处置方式？”判断有误（得 0/15 分），参考答案是“初步核实”。")
    assert "《中国共产党纪律检查机关监督执纪工作规则》第二十一条" in "".join(held.value.detail["messages"])
    after = cases.show_case(room, started.case_id, rules=rules)
    assert after["step"] == before["step"] and after["history"] == before["history"]
    with room.read() as s:
        assert s.exec(select(func.count()).select_from(Decision).where(Decision.case_id == started.case_id)).one() == decisions
    shown = practice.progress(room, started.attempt_id, rules=rules)
    (answer,) = shown.answers
    assert (answer.point_id, answer.verdict, answer.earned) == ("disposition_method", "wrong", 0)
    assert "判断有误" in answer.message
    # the reference decision goes ahead; the first answer keeps its verdict
    practice.perform(room, rules, started.case_id, sc.reference[1], "钱学员", practice_today())
    assert practice.progress(room, started.attempt_id, rules=rules).answers[0].verdict == "wrong"


def practice_today() -> date:
    return date.today()


def test_facts_are_revealed_as_the_steps_are_done(room, rules, scenarios):
    sc = scenarios["shelved_reopened"]
    started = practice.start(room, sc.id, "孙学员", rules=rules)

    def shown() -> list[str]:
        return [f.id for f in practice.progress(room, started.attempt_id, rules=rules).facts]

    assert shown() == ["letter"]
    for entry in sc.reference[:2]:
        practice.perform(room, rules, started.case_id, entry, "孙学员", practice_today())
    assert shown() == ["letter"]
    cases.act(room, started.case_id, {"type": "complete_item", "item_id": "evidence_collected"}, rules=rules)
    assert shown() == ["letter", "first_check"]
    practice.perform(room, rules, started.case_id, sc.reference[2], "孙学员", practice_today())
    assert shown() == ["letter", "first_check", "new_evidence"]
    practice.perform(room, rules, started.case_id, sc.reference[3], "孙学员", practice_today())
    progress = practice.progress(room, started.attempt_id, rules=rules)
    assert [f.id for f in progress.facts][-1] == "second_check"
    assert progress.step_title == "初步核实" and progress.visits_done == 4 and not progress.ready_to_finish


def test_an_attempt_given_up_early_loses_what_it_did_not_reach(room, rules, scenarios):
    started = practice.start(room, "dibao_favouritism", "周学员", rules=rules)
    sc = scenarios["dibao_favouritism"]
    for entry in sc.reference[:2]:
        practice.perform(room, rules, started.case_id, entry, "周学员", practice_today())
    card = practice.finish(room, started.attempt_id, rules=rules)
    assert not card["complete"] and not card["passed"]
    assert card["earned"] == 15  # the disposition point of scenario 03
    assert [d["verdict"] for d in card["decisions"]] == ["correct", "unanswered", "unanswered", "unanswered"]
    assert practice.finish(room, started.attempt_id, rules=rules) == card  # finishing twice changes nothing


def test_a_path_ending_in_a_step_with_work_waits_for_the_trainee(room, rules, scenarios):
    sc = scenarios["disposition_shelved"]
    started = practice.start(room, sc.id, "吴学员", rules=rules)
    for entry in sc.reference[:2]:
        practice.perform(room, rules, started.case_id, entry, "吴学员", practice_today())
    assert practice.progress(room, started.attempt_id, rules=rules).ready_to_finish
    assert practice.finish_if_done(room, started.attempt_id, rules=rules) is None  # the shelving work is still open
    card = practice.finish(room, started.attempt_id, rules=rules)
    assert {m["ref"] for m in card["missed_required"]} == {"shelve_reason_item", "shelve_reason"}
    assert card["earned"] == 70


# ---------------------------------------------------------------- 再练一次 across sessions


def test_drill_brings_back_the_missed_points_across_sessions(tmp_path):
    paths = store_paths(tmp_path, practice=True)
    practice.create_store(paths, "培训管理员", TRAINER_PASSWORD)
    store = unlock.unlock(paths, None, TRAINER_PASSWORD).store
    rules = ruleset.load(store)
    sc = practice.get_scenario(store, "gift_money_warning", rules)
    try:
        card = practice.run_script(store, sc.id, "郑学员", with_wrong_answers(sc, rules, [sc.point("sanction")]),
                                   rules=rules)
        assert card["missed_points"] == ["sanction"]
        with pytest.raises(InputError, match="没有待重练"):
            practice.start(store, sc.id, "另一学员", mode="drill", rules=rules)
    finally:
        store.close()

    # a later session: the mistake is still there to practise
    store = unlock.unlock(paths, None, TRAINER_PASSWORD).store
    try:
        assert practice.outstanding_points(store, "郑学员", sc) == ("sanction",)
        drill = practice.start(store, sc.id, "郑学员", mode="drill", rules=rules)
        assert drill.focus == ("sanction",)
        progress = practice.progress(store, drill.attempt_id, rules=rules)
        assert progress.step_title == "审理" and progress.focus_questions == (sc.point("sanction").question,)
        review = reference_entry(sc, sc.point("sanction").visit)
        # wrong again: held, still outstanding after the drill
        with pytest.raises(practice.PracticeHeld):
            practice.perform(store, rules, drill.case_id, replace(review, sanctions=("party_probation_1y",)), "郑学员",
                             practice_today())
        practice.perform(store, rules, drill.case_id, review, "郑学员", practice_today())
        card = practice.finish_if_done(store, drill.attempt_id, rules=rules)
        assert (card["mode"], card["total"], card["earned"]) == ("drill", 30, 0)
        assert practice.outstanding_points(store, "郑学员", sc) == ("sanction",)
        # right this time: nothing left to drill
        drill = practice.start(store, sc.id, "郑学员", mode="drill", rules=rules)
        practice.perform(store, rules, drill.case_id, review, "郑学员", practice_today())
        card = practice.finish_if_done(store, drill.attempt_id, rules=rules)
        assert (card["total"], card["earned"], card["lost"]) == (30, 30, [])
        assert practice.outstanding_points(store, "郑学员", sc) == ()
    finally:
        store.close()


# ---------------------------------------------------------------- isolation


def sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_practice_runs_beside_a_real_store_without_touching_it(township, run_cli, tmp_path):
    real = store_paths(township)
    before = {p.name: sha(p) for p in (real.db, real.keyslots, real.keyslots_copy)}
    reference = run_cli("--data-dir", township, "--practice", "practice", "reference", "gift_money_warning", "--json",
                        password=TRAINER_PASSWORD)
    answers = tmp_path / "answers.json"
    answers.write_text(reference.out, encoding="utf-8")
    run = run_cli("--data-dir", township, "practice", "run", "gift_money_warning", "--trainee", "李学员", "--answers",
                  answers, "--json", password=TRAINER_PASSWORD)
    assert run.code == 0, run.err
    assert "已建立练习库" in reference.err  # made on first use, in <data>/practice/
    practice_paths = store_paths(township, practice=True)
    assert practice_paths.root == township / "practice" and practice_paths.db.exists()
    assert {p.name: sha(p) for p in (real.db, real.keyslots, real.keyslots_copy)} == before
    # the same commands reach the practice store only with --practice
    assert run_cli("--data-dir", township, "case", "list", "--json").json == []
    practice_cases = run_cli("--data-dir", township, "--practice", "case", "list", "--json", password=TRAINER_PASSWORD)
    assert [c["persons"] for c in practice_cases.json] == ["郑某华"]
    assert run_cli("--data-dir", township, "case", "list", "--practice", "--json",
                   password=TRAINER_PASSWORD).json == practice_cases.json
    # the practice store is marked, uses the standard profile (issue 18), and belongs to the practice office
    store = unlock.unlock(practice_paths, None, TRAINER_PASSWORD).store
    try:
        assert practice.is_practice(store) and store.office.code == "PRACTICE"
    finally:
        store.close()
    slots = json.loads(practice_paths.keyslots.read_text("utf-8"))
    assert {s["kdf"]["profile"] for s in slots["slots"]} == {"standard"}
    real_store = unlock.unlock(real, None, "qingshi2026").store
    try:
        assert not practice.is_practice(real_store)
        with pytest.raises(InputError, match="正式数据库"):
            practice.start(real_store, "gift_money_warning", "李学员")
    finally:
        real_store.close()


def test_export_under_practice_is_refused_and_writes_nothing(township, run_cli, tmp_path):
    out = tmp_path / "stick"
    out.mkdir()
    run_cli("--data-dir", township, "--practice", "practice", "list", password=TRAINER_PASSWORD)
    for args in (("--practice", "export", "--to", "C01", "--out", out),
                 ("export", "--to", "C01", "--out", out, "--practice"),
                 ("--practice", "export", "--anything", "goes")):
        result = run_cli("--data-dir", township, *args, password=TRAINER_PASSWORD)
        assert result.code == 2
        assert result.err.strip() == "练习库不能导出：其中都是模拟案件，不能制作上报数据包。请在正式数据库中导出（命令中不加 --practice）。"
    # the practice store reached by its own path is refused the same way
    direct = run_cli("--data-dir", township / "practice", "export", "--to", "C01", "--out", out, "--json",
                     password=TRAINER_PASSWORD)
    assert direct.code == 2 and "练习库不能导出" in direct.err
    # and the sync service itself finds no upper office to write a bundle for
    store = unlock.unlock(store_paths(township, practice=True), None, TRAINER_PASSWORD).store
    try:
        with pytest.raises(AppError):
            sync.export(store, "C01", out)
    finally:
        store.close()
    assert list(out.iterdir()) == []


def test_practice_documents_carry_the_mark_and_a_practice_number(township, run_cli, tmp_path):
    reference = run_cli("--data-dir", township, "--practice", "practice", "reference", "vague_anonymous_letter", "--json",
                        password=TRAINER_PASSWORD)
    answers = tmp_path / "a.json"
    answers.write_text(reference.out, encoding="utf-8")
    run_cli("--data-dir", township, "practice", "run", "vague_anonymous_letter", "--trainee", "陈学员", "--answers",
            answers, password=TRAINER_PASSWORD)
    (case,) = run_cli("--data-dir", township, "--practice", "case", "list", "--json", password=TRAINER_PASSWORD).json
    target = tmp_path / "register.docx"
    made = run_cli("--data-dir", township, "--practice", "doc", "render", case["case_id"], "clue_register_form",
                   "--out", target, "--json", password=TRAINER_PASSWORD)
    assert made.code == 0, made.err
    assert made.json["number"].startswith("练习〔")
    import zipfile

    with zipfile.ZipFile(target) as z:
        headers = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("word/header"))
    assert "练习文书" in headers and made.json["number"] in headers
    listed = run_cli("--data-dir", township, "--practice", "doc", "list", case["case_id"], "--json",
                     password=TRAINER_PASSWORD)
    assert all(row["practice"] for row in listed.json)


# ---------------------------------------------------------------- trainer


def test_results_are_exported_to_xlsx_per_trainee_and_scenario(tmp_path, run_cli):
    data = tmp_path / "data"
    reference = run_cli("--data-dir", data, "practice", "reference", "real_name_talk_closed", "--json",
                        password=TRAINER_PASSWORD)
    good = tmp_path / "good.json"
    good.write_text(reference.out, encoding="utf-8")
    steps = json.loads(reference.out)["steps"]
    steps.insert(2, {"step": "talk_inquiry", "decide": "form1"})
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"steps": steps}, ensure_ascii=False), encoding="utf-8")
    for trainee, answers in (("甲学员", good), ("乙学员", bad), ("乙学员", good)):
        run = run_cli("--data-dir", data, "practice", "run", "real_name_talk_closed", "--trainee", trainee,
                      "--answers", answers, "--json", password=TRAINER_PASSWORD)
        assert run.code == 0, run.err
    out = tmp_path / "成绩.xlsx"
    result = run_cli("--data-dir", data, "practice", "results", "--out", out, "--json", password=TRAINER_PASSWORD)
    assert result.code == 0, result.err
    rows = {(r["trainee"], r["scenario_id"]): r for r in result.json["rows"]}
    assert rows[("甲学员", "real_name_talk_closed")]["best_percent"] == 100
    second = rows[("乙学员", "real_name_talk_closed")]
    assert (second["attempts"], second["best_percent"], second["latest_percent"], second["outstanding"]) == (2, 100, 100, 0)
    book = load_workbook(out)
    assert book.sheetnames == ["成绩汇总", "失分明细"]
    summary = [tuple(r) for r in book["成绩汇总"].iter_rows(min_row=2, values_only=True)]
    assert {r[0] for r in summary} == {"甲学员", "乙学员"}
    details = [tuple(r) for r in book["失分明细"].iter_rows(min_row=2, values_only=True)]
    lost = [r for r in details if r[0] == "乙学员" and r[8]]
    assert len(lost) == 1 and lost[0][8] == 45 and "第三十条" in lost[0][10]
    refused = run_cli("--data-dir", data, "practice", "results", "--out", tmp_path / "x.csv", password=TRAINER_PASSWORD)
    assert refused.code == 2 and not (tmp_path / "x.csv").exists()


def trainees(store) -> set[str]:
    return {a.trainee for a in practice.attempt_rows(store)}


def test_the_trainer_resets_a_trainee_or_the_room(room, rules, scenarios):
    for trainee in ("冯学员", "褚学员"):
        practice.run_script(room, "prelim_referred", trainee, scenarios["prelim_referred"].reference, rules=rules)
    assert {"冯学员", "褚学员"} <= trainees(room)
    with room.read() as s:
        case_ids = [a.case_id for a in s.exec(select(PracticeAttempt).where(PracticeAttempt.trainee == "冯学员")).all()]
    assert practice.reset(room, "冯学员") == 1
    assert "冯学员" not in trainees(room) and "褚学员" in trainees(room)
    assert all(c.case_id not in case_ids for c in cases.list_cases(room, rules=rules))
    with room.read() as s:
        assert all(s.get(Case, cid).deleted for cid in case_ids)
    assert practice.reset(room) >= 1
    assert trainees(room) == set() and practice.results(room, rules) == []


def test_a_document_not_made_is_a_document_error(room, rules, scenarios):
    sc = scenarios["real_name_talk_closed"]
    entries = tuple(replace(e, documents=()) for e in sc.reference)
    card = practice.run_script(room, sc.id, "蒋学员", entries, rules=rules)
    (error,) = card["document_errors"]
    assert (error["ref"], error["lost"]) == ("talk_feedback_letter", 5) and card["earned"] == 95
    assert error["feedback"].startswith("未制作该文书。") and error["citation"] == [
        "《中国共产党纪律检查机关监督执纪工作规则》第三十条"]


def test_a_scenario_file_is_imported_after_validation(tmp_path, run_cli):
    data = tmp_path / "data"
    source = (resources_dir() / "practice" / "09_prelim_closed_untrue.toml").read_text("utf-8")
    good = tmp_path / "本县案例.toml"
    good.write_text(source.replace('id = "prelim_closed_untrue"', 'id = "county_local_case"')
                    .replace("初核查否：反映不实予以了结", "本县案例：初核查否"), encoding="utf-8")
    result = run_cli("--data-dir", data, "practice", "import", good, "--json", password=TRAINER_PASSWORD)
    assert result.code == 0, result.err
    assert (result.json["id"], result.json["origin"]) == ("county_local_case", "导入")
    listed = run_cli("--data-dir", data, "practice", "list", "--json", password=TRAINER_PASSWORD).json
    assert {"county_local_case": "导入", "prelim_closed_untrue": "随附"}.items() <= {r["id"]: r["origin"] for r in listed}.items()
    answers = tmp_path / "a.json"
    answers.write_text(run_cli("--data-dir", data, "practice", "reference", "county_local_case", "--json",
                               password=TRAINER_PASSWORD).out, encoding="utf-8")
    run = run_cli("--data-dir", data, "practice", "run", "county_local_case", "--trainee", "甲", "--answers", answers,
                  "--json", password=TRAINER_PASSWORD)
    assert run.json["earned"] == 100


@pytest.mark.parametrize(("content", "field", "reason"), [
    ('id = "prelim_closed_untrue"', "points[2].expected", "没有名为“closse”的决定"),
    ("[scenario", "文件", "不是有效的 TOML 格式"),
    ('citation = ["《中国共产党纪律检查机关监督执纪工作规则》第三十五条"]\n\n', "required[1].citation", "缺少此项"),
])
def test_a_malformed_scenario_file_is_refused_with_file_field_and_reason(tmp_path, run_cli, content, field, reason):
    data = tmp_path / "data"
    source = (resources_dir() / "practice" / "09_prelim_closed_untrue.toml").read_text("utf-8")
    if field == "points[2].expected":
        broken = source.replace('expected = "close_clarify"', 'expected = "closse"')
    elif field == "文件":
        broken = source.replace("[scenario]", "[scenario")
    else:
        head, _, tail = source.rpartition('citation = ["《中国共产党纪律检查机关监督执纪工作规则》第三十五条"]')
        broken = head + tail
    path = tmp_path / "坏案例.toml"
    path.write_text(broken, encoding="utf-8")
    result = run_cli("--data-dir", data, "practice", "import", path, password=TRAINER_PASSWORD)
    assert result.code == 2
    assert "坏案例.toml" in result.err and field in result.err and reason in result.err
    store = unlock.unlock(store_paths(data, practice=True), None, TRAINER_PASSWORD).store
    try:
        with store.read() as s:
            assert s.exec(select(PracticeScenario)).all() == []
    finally:
        store.close()


def test_a_file_that_is_not_utf8_or_too_large_is_refused(room, tmp_path):
    gbk = tmp_path / "gbk.toml"
    gbk.write_bytes("[scenario]\nid = \"本县\"\n".encode("gbk"))
    with pytest.raises(ScenarioError, match="UTF-8"):
        practice.import_scenario(room, gbk)
    big = tmp_path / "big.toml"
    big.write_bytes(b"#" * (practice.MAX_SCENARIO_BYTES + 1))
    with pytest.raises(InputError, match="超过"):
        practice.import_scenario(room, big)


def test_answers_files_are_checked_before_anything_runs(tmp_path, run_cli):
    data = tmp_path / "data"
    bad = tmp_path / "answers.json"
    bad.write_text(json.dumps({"steps": [{"step": "intake_register", "decide": "acept"}], "extra": 1}), encoding="utf-8")
    result = run_cli("--data-dir", data, "practice", "run", "vague_anonymous_letter", "--trainee", "甲", "--answers", bad,
                     password=TRAINER_PASSWORD)
    assert result.code == 2
    assert "answers.json" in result.err and "steps[1].decide" in result.err and "extra" in result.err
    out_of_step = tmp_path / "late.json"
    out_of_step.write_text(json.dumps({"steps": [{"step": "disposition", "decide": "to_close"}]}), encoding="utf-8")
    result = run_cli("--data-dir", data, "practice", "run", "vague_anonymous_letter", "--trainee", "甲", "--answers",
                     out_of_step, password=TRAINER_PASSWORD)
    assert result.code == 2 and "答案第1项" in result.err and "线索受理登记" in result.err


def test_init_with_practice_makes_the_practice_store(tmp_path, run_cli):
    data = tmp_path / "data"
    made = run_cli("--data-dir", data, "--practice", "init", "--office-code", "X", "--office-name", "忽略", "--level",
                   "township", "--parent-code", "C", "--account", "王老师", "--json", password=TRAINER_PASSWORD)
    assert made.code == 0, made.err
    assert made.json["practice"] is True and not store_paths(data).db.exists()
    status = run_cli("--data-dir", data, "--practice", "status", "--json", password=TRAINER_PASSWORD)
    assert status.code == 0, status.err
    store = unlock.unlock(store_paths(data, practice=True), "王老师", TRAINER_PASSWORD).store
    try:
        assert practice.is_practice(store) and store.account.is_admin
    finally:
        store.close()


def test_an_imported_scenario_that_no_longer_fits_the_rules_is_left_out_with_its_reasons(room, rules):
    source = (resources_dir() / "practice" / "01_vague_anonymous_letter.toml").read_text("utf-8")
    stale = source.replace('id = "vague_anonymous_letter"', 'id = "stale_case"').replace(
        'decide = "to_close"', 'decide = "to_close_old"').replace('expected = "to_close"', 'expected = "to_close_old"')
    with room.write() as s:  # as if it fitted the rules when it was imported
        s.add(PracticeScenario(id="stale_case", version="1", title="旧案例", source_name="旧案例.toml", text=stale))
    try:
        problems: list[str] = []
        ids = [r.id for r in practice.list_scenarios(room, rules, problems)]
        assert "stale_case" not in ids and "vague_anonymous_letter" in ids
        (problem,) = problems
        assert "旧案例.toml" in problem and "to_close_old" in problem
    finally:
        with room.write() as s:
            s.delete(s.get(PracticeScenario, "stale_case"))
