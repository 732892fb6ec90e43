"""Practice scoring: each decision judged once when made; the score card with a cited reason per lost point."""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

import pytest
from test_scenarios import BY_ID, CATALOG, SHIPPED, WF

from app.domain import practice_scoring as scoring
from app.domain.practice_scoring import Answer, Trace, judge, outstanding, score
from app.domain.scenarios import DocumentCheck

GIFT = BY_ID["gift_money_warning"]


def visit_of(sc, step: str, round_: int = 1) -> int:
    return [i for i, (s, _) in enumerate(sc.path) if s == step][round_ - 1]


def correct_answers(sc, skip: str = "") -> dict[str, Answer]:
    out = {}
    for p in sc.points:
        if p.id != skip:
            given = tuple(sorted(p.expected)) if p.kind == "sanction" else (p.expected,)
            out[p.id] = Answer(p.id, given, "correct", p.points)
    return out


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
    card = score(sc, WF, CATALOG, full_trace(sc), trainee="甲")
    assert (card.earned, card.total, card.percent, card.passed) == (100, 100, 100, True)
    assert card.lost == () and card.missed_points == ()


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
