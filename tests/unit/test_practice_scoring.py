"""Practice scoring: each decision judged once when made; the score card with a cited reason per lost point.

In a case with several persons the points about one person are judged from what the case holds for each of them
(PersonNow) and added to the card with the person's name.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from types import MappingProxyType

import pytest
from test_scenarios import ARTICLES, BY_ID, CATALOG, SHIPPED, WF

from app.domain import practice_scoring as scoring
from app.domain.practice_scoring import (
    Answer,
    PersonNow,
    Trace,
    combined,
    judge,
    judge_persons,
    outstanding,
    score,
    with_person_points,
)
from app.domain.scenarios import DocumentCheck, qualification_key

GIFT = BY_ID["gift_money_warning"]
TWO = BY_ID["wedding_banquet_two_persons"]
THREE = BY_ID["disaster_aid_three_persons"]


def visit_of(sc, step: str, round_: int = 1) -> int:
    return [i for i, (s, _) in enumerate(sc.path) if s == step][round_ - 1]


def correct_answers(sc, skip: str = "") -> dict[str, Answer]:
    out = {}
    for p in sc.all_points:
        if p.id != skip:
            given = tuple(sorted(p.expected)) if p.kind in ("sanction", "qualification") else (p.expected,)
            out[p.id] = Answer(p.id, given, "correct", p.points)
    return out


def card_of(sc, trace: Trace, **options) -> dict:
    """The score card as the service keeps it: score's, with the points about single persons added."""
    card = asdict(score(sc, WF, CATALOG, trace, trainee="甲", **options))
    if not sc.person_points:
        return card
    return with_person_points(card, sc, WF, CATALOG, ARTICLES, trace.answers, focus=options.get("focus"))


def full_trace(sc, **changes) -> Trace:
    """What a trainee who did everything right leaves behind (as far as the rubric looks)."""
    fields = {c.ref: (c.values[0] if c.values else "已填写") for c in sc.required if c.kind == "field"}
    values = {
        "answers": correct_answers(sc), "visits_done": len(sc.path),
        "items_done": frozenset(c.ref for c in sc.required if c.kind == "item"),
        "fields": MappingProxyType(fields), "studied": frozenset(c.ref for c in sc.required if c.kind == "study"),
        "documents": frozenset(d.template for d in sc.documents), "seconds": 60, "complete": True,
    }
    values.update(changes)
    return Trace(**values)


def wrong_answer(sc, point):
    """An answer that is neither the reference nor an acceptable alternative."""
    taken = {point.expected, *(a.answer for a in point.alternatives)}
    if point.kind == "decision":
        return next(d.id for d in WF.steps[point.step].decisions if d.id not in taken)
    kinds = WF.steps[point.step].sanction_kinds
    return frozenset({next(t for t in CATALOG.types.values() if t.kind in kinds and frozenset({t.id}) not in taken).id})


def judged(sc, point, answer):
    """judge() as the service calls it, for the trainee's answer at the point's visit."""
    entry = scoring.reference_entry(sc, point.visit)
    if point.kind == "decision":
        return judge(sc, WF, CATALOG, point.visit, answer, entry.sanctions or ())
    return judge(sc, WF, CATALOG, point.visit, entry.decide, answer)


# ---------------------------------------------------------------- judging


def test_the_reference_decision_goes_ahead_and_is_graded_correct():
    visit = visit_of(GIFT, "disposition")
    j = judge(GIFT, WF, CATALOG, visit, "to_prelim", ())
    assert j.proceed and j.messages == ()
    assert j.answers == (Answer("disposition_method", ("to_prelim",), "correct", 15),)
    assert "正确" in j.feedback["disposition_method"]


def test_a_wrong_decision_is_held_with_the_feedback_and_the_article():
    j = judge(GIFT, WF, CATALOG, visit_of(GIFT, "disposition"), "to_close", ())
    assert not j.proceed
    assert j.answers == (Answer("disposition_method", ("to_close",), "wrong", 0),)
    text = "".join(j.messages)
    assert "予以了结" in text and "初步核实" in text  # the trainee's answer and the reference, by title
    assert GIFT.point("disposition_method").feedback in text
    assert "《中国共产党纪律检查机关监督执纪工作规则》第二十一条、第三十二条" in text
    assert "请在“提出处置意见”选择“初步核实”" in text
    assert j.brief[0] == "“这件线索应采取哪种处置方式？”判断有误（得 0/15 分），参考答案是“初步核实”。"


def test_an_acceptable_alternative_earns_its_points_and_the_case_follows_the_reference():
    j = judge(GIFT, WF, CATALOG, visit_of(GIFT, "disposition"), "to_talk", ())
    assert not j.proceed
    assert j.answers[0].verdict == "acceptable" and j.answers[0].earned == 8
    assert "可以接受，得 8/15 分" in j.messages[0]


def test_only_the_first_answer_counts():
    j = judge(GIFT, WF, CATALOG, visit_of(GIFT, "disposition"), "to_prelim", (), answered={"disposition_method"})
    assert j.proceed and j.answers == ()


def test_sanctions_are_judged_when_the_step_is_left():
    visit = visit_of(GIFT, "review")
    wrong = judge(GIFT, WF, CATALOG, visit, "submit_county_review", ("party_serious_warning",))
    assert not wrong.proceed
    verdicts = {a.point_id: a.verdict for a in wrong.answers}
    assert verdicts == {"sanction": "wrong", "route": "correct"}
    assert "你的答案是“党内严重警告”" in wrong.messages[0]
    assert "请把本环节录入的处分或处理改为“退出违纪所得、党内警告”" in wrong.messages[-1]
    right = judge(GIFT, WF, CATALOG, visit, "submit_county_review", ("form1_return_gains", "party_warning"),
                  answered={"sanction", "route"})
    assert right.proceed


def test_only_the_sanctions_this_step_records_are_compared():
    assets = BY_ID["collective_assets_expulsion"]
    visit = visit_of(assets, "judicial_transfer")
    assert judge(assets, WF, CATALOG, visit, "done", ("party_expulsion", "judicial")).proceed
    assert not judge(assets, WF, CATALOG, visit, "done", ("party_expulsion",)).proceed


def test_a_step_without_a_point_still_keeps_the_case_on_the_path():
    j = judge(GIFT, WF, CATALOG, 0, "forward_up", ())
    assert not j.proceed and j.answers == ()
    assert "请在“线索受理登记”选择“受理，登记为问题线索，转入处置”" in j.messages[0]


def test_a_drill_grades_only_its_points():
    visit = visit_of(GIFT, "review")
    j = judge(GIFT, WF, CATALOG, visit, "submit_county_consult", ("party_warning", "form1_return_gains"),
              focus={"sanction"})
    assert [a.point_id for a in j.answers] == ["sanction"] and not j.proceed


def test_past_the_path_nothing_is_judged():
    assert judge(GIFT, WF, CATALOG, len(GIFT.path), "whatever", ()).proceed


# ---------------------------------------------------------------- the score card


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_the_reference_earns_full_marks(name):
    sc = SHIPPED[name]
    card = card_of(sc, full_trace(sc))
    assert (card["earned"], card["total"], card["percent"], card["passed"]) == (100, 100, 100, True)
    assert list(card["lost"]) == [] and list(card["missed_points"]) == []
    assert [d["id"] for d in card["decisions"]] == [p.id for p in sc.all_points]


CASES = [(name, p.id) for name, sc in sorted(SHIPPED.items()) for p in sc.points]


@pytest.mark.parametrize(("name", "point_id"), CASES)
def test_a_wrong_answer_loses_exactly_the_points_of_the_rubric(name, point_id):
    sc = SHIPPED[name]
    point = sc.point(point_id)
    j = judged(sc, point, wrong_answer(sc, point))
    mine = next(a for a in j.answers if a.point_id == point_id)
    assert mine.verdict == "wrong" and not j.proceed
    answers = correct_answers(sc, skip=point_id) | {point_id: mine}
    card = score(sc, WF, CATALOG, full_trace(sc, answers=answers), trainee="甲")
    assert card.earned == card.total - point.points
    (lost,) = card.lost
    assert (lost.ref, lost.lost, lost.feedback, lost.citation) == (point_id, point.points, point.feedback, point.citation)
    assert card.missed_points == (point_id,)
    result = next(r for r in card.decisions if r.id == point_id)
    assert (result.verdict, result.earned) == ("wrong", 0)


def test_missed_required_steps_are_listed_with_their_reasons():
    sc = BY_ID["disposition_shelved"]
    card = score(sc, WF, CATALOG, full_trace(sc, items_done=frozenset(), fields=MappingProxyType({})), trainee="甲")
    assert [m.ref for m in card.missed_required] == ["shelve_reason_item", "shelve_reason"]
    assert card.earned == 70
    assert all(m.citation for m in card.missed_required)


def test_a_field_check_with_values_needs_the_right_value_in_any_round():
    sc = GIFT
    wrong = full_trace(sc, fields=MappingProxyType({"township_approval.approver_body": "乡镇党委"}))
    assert [m.ref for m in score(sc, WF, CATALOG, wrong, trainee="甲").missed_required] == ["approver_body"]
    earlier_round = full_trace(sc, fields=MappingProxyType({"township_approval@1.approver_body": "乡镇纪委"}))
    assert score(sc, WF, CATALOG, earlier_round, trainee="甲").missed_required == ()


def test_a_study_check_looks_at_the_studies_recorded():
    sc = BY_ID["real_name_talk_closed"]
    card = score(sc, WF, CATALOG, full_trace(sc, studied=frozenset({"disposition"})), trainee="甲")
    assert [m.ref for m in card.missed_required] == ["talk_study"] and card.earned == 90


def test_an_unfinished_attempt_loses_the_points_it_did_not_reach_and_the_time():
    sc = GIFT
    answers = {k: v for k, v in correct_answers(sc).items() if k == "disposition_method"}
    card = score(sc, WF, CATALOG, full_trace(sc, answers=answers, visits_done=2, complete=False), trainee="甲")
    assert not card.complete and not card.passed
    unanswered = [r for r in card.decisions if r.verdict == "unanswered"]
    assert [r.id for r in unanswered] == ["prelim_proposal", "sanction", "route"]
    assert any(item.kind == "time" and "未完成" in item.feedback for item in card.lost)
    assert card.earned == 15 + 10 + 5  # the disposition, and the approver and document the trace claims


def test_time_over_the_limit_costs_the_time_points():
    card = score(GIFT, WF, CATALOG, full_trace(GIFT, seconds=61 * 60 + 5), trainee="甲")
    assert card.earned == 95
    (lost,) = card.lost
    assert lost.kind == "time" and "61 分 5 秒" in lost.feedback and "60 分钟" in lost.feedback


def test_a_drill_scores_only_its_points():
    answers = {"sanction": Answer("sanction", ("form1_return_gains", "party_warning"), "correct", 30)}
    card = score(GIFT, WF, CATALOG, full_trace(GIFT, answers=answers, studied=frozenset(), fields=MappingProxyType({}),
                                               seconds=99999), trainee="甲", focus={"sanction"})
    assert (card.mode, card.total, card.earned, card.lost) == ("drill", 30, 30, ())


def test_documents_not_made_are_document_errors():
    check = DocumentCheck("talk_feedback_letter", "谈话函询反馈函", "talk_inquiry", 10, "采信了结后应当发函反馈。",
                          ("《中国共产党纪律检查机关监督执纪工作规则》第三十条",))
    sc = replace(BY_ID["real_name_talk_closed"], documents=(check,))
    missing = score(sc, WF, CATALOG, full_trace(sc, documents=frozenset()), trainee="甲")
    assert [(d.ref, d.lost) for d in missing.document_errors] == [("talk_feedback_letter", 10)]
    assert missing.document_errors[0].feedback == "未制作该文书。采信了结后应当发函反馈。"
    assert missing.document_errors[0] in missing.lost
    assert score(sc, WF, CATALOG, full_trace(sc), trainee="甲").document_errors == ()


def test_outstanding_points_follow_the_latest_result_of_each():
    assert outstanding([{"a": False, "b": False}, {"a": True}]) == {"b"}
    assert outstanding([{"a": True}, {"a": False}]) == {"a"}
    assert outstanding([]) == frozenset()


# ---------------------------------------------------------------- the points about one person


PERSON_CASES = [(name, p.id) for name, sc in sorted(SHIPPED.items()) for p in sc.person_points]


def reference_persons(sc, visit: int) -> dict[str, PersonNow]:
    """What the case holds for each person when the trainee has done the reference work up to this visit."""
    decided = [i for i, e in enumerate(sc.reference) if e.decide]
    out = {name: PersonNow(name, "", frozenset(), frozenset()) for name in sc.names}
    for index, entry in enumerate(sc.reference[: decided[visit] + 1]):
        for work in entry.persons:
            now = out[work.subject]
            qualification = frozenset(qualification_key(ARTICLES, q) for q in work.qualification)
            here = index == decided[visit] and work.sanctions is not None
            out[work.subject] = replace(now, outcome=work.close or now.outcome,
                                        qualification=qualification or now.qualification,
                                        sanctions=frozenset(work.sanctions) if here else frozenset())
    return out


def wrong_for(point, now: PersonNow) -> PersonNow:
    """The person's state with an answer at the point that is neither the reference nor an alternative."""
    if point.kind == "outcome":
        return replace(now, outcome="")
    if point.kind == "qualification":
        return replace(now, qualification=frozenset({"T1:一般"}))
    taken = {point.expected, *(a.answer for a in point.alternatives)}
    kinds = WF.steps[point.step].sanction_kinds
    other = next(t.id for t in CATALOG.types.values() if t.kind in kinds and frozenset({t.id}) not in taken)
    return replace(now, sanctions=frozenset({other}))


@pytest.mark.parametrize("sc", [TWO, THREE], ids=lambda sc: sc.id)
def test_the_reference_work_for_each_person_goes_ahead_and_is_graded_correct(sc):
    for visit in range(len(sc.path)):
        j = judge_persons(sc, CATALOG, ARTICLES, visit, reference_persons(sc, visit))
        assert j.proceed and j.messages == (), (visit, j.messages)
        assert {a.point_id for a in j.answers} == {p.id for p in sc.person_points if p.visit == visit}
        assert {a.verdict for a in j.answers} <= {"correct"}


@pytest.mark.parametrize(("name", "point_id"), PERSON_CASES)
def test_a_wrong_answer_about_one_person_loses_exactly_that_point(name, point_id):
    sc = SHIPPED[name]
    point = sc.point(point_id)
    persons = reference_persons(sc, point.visit)
    persons[point.subject] = wrong_for(point, persons[point.subject])
    j = judge_persons(sc, CATALOG, ARTICLES, point.visit, persons)
    assert not j.proceed  # the trainee is asked to do that person's reference work first
    verdicts = {a.point_id: a.verdict for a in j.answers}
    assert verdicts.pop(point_id) == "wrong" and set(verdicts.values()) <= {"correct"}
    text = j.feedback[point_id]
    assert point.subject in text and point.feedback in text and "；".join(point.citation) in text
    mine = next(a for a in j.answers if a.point_id == point_id)
    card = card_of(sc, full_trace(sc, answers=correct_answers(sc, skip=point_id) | {point_id: mine}))
    assert card["earned"] == card["total"] - point.points
    (lost,) = card["lost"]
    assert (lost["ref"], lost["subject"], lost["lost"], lost["feedback"], lost["citation"]) == (
        point_id, point.subject, point.points, point.feedback, list(point.citation))
    assert card["missed_points"] == [point_id]
    row = next(d for d in card["decisions"] if d["id"] == point_id)
    assert (row["verdict"], row["earned"], row["subject"]) == ("wrong", 0, point.subject)


def test_a_held_decision_names_the_person_and_what_to_record_for_them():
    point = THREE.point("sanction_zhou")
    persons = reference_persons(THREE, point.visit)
    persons["周某兰"] = replace(persons["周某兰"], sanctions=frozenset({"gov_major_demerit"}))
    j = judge_persons(THREE, CATALOG, ARTICLES, point.visit, persons)
    assert j.feedback["sanction_zhou"].startswith(
        f"“{point.question}”判断有误：你的答案是“政务记大过”，参考答案是“政务警告”。{point.feedback}")
    assert j.brief[0] == f"“{point.question}”判断有误（得 0/{point.points} 分），参考答案是“政务警告”。"
    assert j.messages[-1] == "本练习按参考路径继续：请把本环节对周某兰录入的处分或处理改为“政务警告”后再提交。"


def test_a_person_not_closed_when_the_reference_closes_them_holds_the_decision():
    point = TWO.point("outcome_qian")
    persons = reference_persons(TWO, point.visit)
    persons["钱某芳"] = replace(persons["钱某芳"], outcome="")
    j = judge_persons(TWO, CATALOG, ARTICLES, point.visit, persons)
    assert j.answers == (Answer("outcome_qian", ("继续办理",), "wrong", 0),)
    assert j.messages[-1] == "本练习按参考路径继续：请先对钱某芳办理“了结”（对本人办结），再作出本环节的决定。"


def test_a_person_closed_by_mistake_is_wrong_at_their_later_points_and_the_case_goes_on():
    visit = TWO.point("sanction_sun").visit
    persons = reference_persons(TWO, visit)
    persons["孙某明"] = PersonNow("孙某明", "了结", frozenset(), frozenset())
    j = judge_persons(TWO, CATALOG, ARTICLES, visit, persons)
    assert j.proceed  # a closing cannot be undone: nothing more can be done for him
    assert {a.point_id: (a.given, a.verdict) for a in j.answers} == {
        "qualification_sun": (("（已了结）",), "wrong"), "sanction_sun": (("（已了结）",), "wrong")}
    assert "你的答案是“（已了结）”" in j.feedback["sanction_sun"]


def test_only_the_first_answer_about_a_person_counts_and_a_drill_grades_only_its_points():
    visit = TWO.point("sanction_sun").visit
    persons = reference_persons(TWO, visit)
    answered = judge_persons(TWO, CATALOG, ARTICLES, visit, persons, answered={"sanction_sun"})
    assert [a.point_id for a in answered.answers] == ["qualification_sun"]
    drill = judge_persons(TWO, CATALOG, ARTICLES, visit, persons, focus={"sanction_sun"})
    assert [a.point_id for a in drill.answers] == ["sanction_sun"]
    assert judge_persons(TWO, CATALOG, ARTICLES, len(TWO.path), persons).proceed  # past the path


def test_the_case_and_its_persons_are_judged_together():
    visit = THREE.point("route").visit
    case = judge(THREE, WF, CATALOG, visit, "submit_county_review", ())
    persons = judge_persons(THREE, CATALOG, ARTICLES, visit, reference_persons(THREE, visit))
    both = combined(case, persons)
    assert not case.proceed and persons.proceed and not both.proceed
    assert both.answers == case.answers + persons.answers and both.messages == case.messages + persons.messages
    assert dict(both.feedback) == {**case.feedback, **persons.feedback}


def test_points_about_persons_not_reached_are_lost_unanswered_in_path_order():
    answers = {k: v for k, v in correct_answers(THREE).items() if k == "disposition_method"}
    card = card_of(THREE, full_trace(THREE, answers=answers, visits_done=2, complete=False))
    assert [d["id"] for d in card["decisions"]] == [p.id for p in THREE.all_points]
    persons = [d for d in card["decisions"] if d.get("subject")]
    assert {(d["verdict"], d["given"]) for d in persons} == {("unanswered", "—")}
    assert [d["expected"] for d in persons if d["id"] == "qualification_sun"] == [
        "《中国共产党纪律处分条例》第九十七条（较轻）、《中华人民共和国公职人员政务处分法》第三十四条第一款（一般）"]
    lost = [item for item in card["lost"] if item.get("subject")]
    assert all(item["feedback"].startswith("练习未进行到这一步，未作答。") for item in lost)
    assert not card["passed"] and card["percent"] == round(card["earned"] * 100 / card["total"])


def test_a_drill_of_a_point_about_a_person_scores_only_that_point():
    point = TWO.point("qualification_sun")
    answers = {point.id: Answer(point.id, tuple(sorted(point.expected)), "correct", point.points)}
    card = card_of(TWO, full_trace(TWO, answers=answers), focus={point.id})
    assert (card["mode"], card["total"], card["earned"]) == ("drill", point.points, point.points)
    assert [d["id"] for d in card["decisions"]] == [point.id]
