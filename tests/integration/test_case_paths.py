"""Every path of procedures.md §1, walked from the CLI on a real store (`apply` JSON Lines)."""

from __future__ import annotations

import json
import tomllib
from datetime import date, timedelta
from pathlib import Path

import pytest

from app.domain.articles import parse_articles
from app.domain.rules import parse_workflow
from app.domain.sanctions import parse_sanctions
from app.paths import store_paths
from app.services import audit_log, unlock
from app.services import cases as cases_service

from tests.integration.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
WF = parse_workflow(tomllib.loads((ROOT / "resources/rules/workflow.toml").read_text("utf-8")), "workflow.toml")
ARTICLES = parse_articles(tomllib.loads((ROOT / "resources/rules/articles.toml").read_text("utf-8")), "articles.toml")
CATALOG = parse_sanctions(tomllib.loads((ROOT / "resources/rules/sanctions.toml").read_text("utf-8")), "sanctions.toml")
START = date(2026, 2, 2)
# 低保评定中优亲厚友: 《中国共产党纪律处分条例》第一百二十四条 "在社会保障、社会救助…优亲厚友、明显有失公平的"
CLUE_ARTICLE = "T124"

CLUE = {
    "received_on": START.isoformat(),
    "source": "信访举报（来信）",
    "reporter": {"name": "举报人甲", "phone": "13900000000", "real_name": True},
    "persons": [{"name": "王建国", "unit": "青石村民委员会", "post": "村委会主任", "political_status": "中共党员"}],
    "summary": "反映王建国在低保评定中优亲厚友",
    "categories": ["违反群众纪律"],
}

# Values a careful secretary types at each step (the rest get a plain sentence or today's date).
VALUES = {
    "talk_inquiry": {"method": "谈话", "talkers": ["张书记", "李委员"]},
    "prelim_verify": {"checkers": ["李委员", "赵干事"], "finding": "反映问题基本属实"},
    "investigation": {"investigators": ["李委员", "赵干事"], "subject_opinion": "签署无异议"},
    "review": {"reviewers": ["钱委员", "吴委员"]},  # 查审分离: none of the investigators ([R] 54), nor the approver of an appeal ([R] 59)
    "county_review": {"county_opinion_no": "县纪审〔2026〕7号", "county_opinion": "同意"},
    "county_consult": {"county_opinion_no": "县纪审〔2026〕9号"},
    "county_request": {"county_opinion_no": "县纪批〔2026〕2号", "reply": "同意"},
    "branch_meeting": {"eligible": 15, "present": 13, "in_favour": 12},
    "township_approval": {"approver_body": "乡镇纪委"},
    "not_accepted": {"reason": "应通过诉讼、仲裁、行政裁决、行政复议等法定途径解决"},
    "archive_filing": {"keeping_term": "永久"},
    "exempt": {"kind": "免予处分"},
    "appeal_review": {"review_team": ["孙委员", "周委员"], "result": "维持原处理决定"},
}
# approvers outside the 纪委: 立案 ([R] 第三十八条), 认定诬告陷害 ([J] 第三十九条第二款)
OUTSIDE_APPROVERS = {"乡镇党委书记": "刘党委书记", "设区的市级以上党委或纪检监察机关": "市纪委监委陈主任"}
OPTIONAL_LEFT_EMPTY = {"skip_reason", "revoke_reason", "return_reason", "referred_org", "new_evidence"}


class Walk:
    """Builds the JSON Lines a secretary's day-by-day work on one case would be."""

    def __init__(self, clue: dict | None = None):
        self.lines = [{"ref": "c", "clue": clue or CLUE}]
        self.on = START
        self.step = WF.initial_step
        self.filled = {f"{WF.initial_step}.{f.id}" for f in WF.steps[WF.initial_step].fields}  # set at registration
        self.proposed: list[str] = []
        self.qualified = False

    def act(self, **action) -> Walk:
        self.lines.append({"case": "c", **action})
        return self

    def decide(self, decision: str, *, extra: dict | None = None, study: bool = True) -> Walk:
        step = WF.steps[self.step]
        self.on += timedelta(days=3)
        for item in step.checklist:
            self.act(type="complete_item", item_id=item.id)
        values = {}
        for f in step.fields:
            if f.id in OPTIONAL_LEFT_EMPTY or f"{step.id}.{f.id}" in self.filled:
                continue
            values[f.id] = VALUES.get(step.id, {}).get(f.id, self.sample(f))
        values.update(extra or {})
        if values:
            self.act(type="set_fields", values=values)
        self.filled |= {f"{step.id}.{k}" for k in values}
        rule = step.decision(decision)
        if "qualification" in rule.requires and not self.qualified:
            self.qualify()
        if study and "study" in rule.requires:
            self.act(type="record_study", held_on=self.on.isoformat(), attendees=["张书记", "李委员", "赵委员"],
                     conclusion="经集体研究，同意。")
        action = {"type": "decide", "decision_id": decision, "decided_on": self.on.isoformat()}
        if "approval" in rule.requires:  # 立案 is the 乡镇党委书记's ([R] 第三十八条), never a 纪委 account's
            action["approver"] = OUTSIDE_APPROVERS.get(rule.approver_role, "张书记")
        self.act(**action)
        # entering a step (again) starts it empty: a new round
        self.filled = {k for k in self.filled if not k.startswith(f"{rule.target}.")}
        self.step = rule.target
        return self

    def qualify(self) -> None:
        """定性 of the clue's one person: the article of the allegation, at the 情节 whose range holds
        the proposed 党纪处分; a 政务处分 takes the first 政务处分法 article whose range holds it."""
        picks = []
        for kind, first in (("party", CLUE_ARTICLE), ("gov", None)):
            wanted = {t for t in self.proposed if CATALOG.get(t).kind == kind}
            if not wanted:
                continue
            candidates = [ARTICLES.get(first)] if first else [a for a in ARTICLES if a.law == kind]
            article, plot = next((a, p) for a in candidates for p, allowed in a.ranges.items() if wanted <= set(allowed))
            picks.append({"article": article.id, "plot": plot})
        if picks:
            self.act(type="set_qualification", articles=picks)
            self.qualified = True

    def sample(self, f):
        return {"date": self.on.isoformat(), "number": 1, "bool": False}.get(
            f.type, f.choices[0] if f.type == "choice" else f"{f.label}（已办理）")

    def path(self, *decisions: str) -> Walk:
        for d in decisions:
            if d.startswith("+"):
                self.act(type="record_sanction", type_id=d[1:])
                self.proposed.append(d[1:])
            else:
                self.decide(d)
        return self

    def write(self, folder: Path) -> Path:
        path = folder / "actions.jsonl"
        path.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in self.lines), encoding="utf-8")
        return path


def audit_events(data):
    store = unlock.unlock(store_paths(data), None, PASSWORD).store
    try:
        return audit_log.recent_events(store, 100)[1:]  # without this very unlock
    finally:
        store.close()


def run_walk(walk: Walk, township, run_cli, tmp_path) -> dict:
    result = run_cli("--data-dir", township, "apply", "--file", walk.write(tmp_path), "--json")
    assert result.code == 0, result.out + result.err
    case_id = result.json["refs"]["c"]
    shown = run_cli("--data-dir", township, "case", "show", case_id, "--json")
    assert shown.code == 0, shown.err
    return shown.json


FILED = ("accept", "to_prelim", "propose_filing", "file")
TO_REVIEW = (*FILED, "transfer_review", "accept")
CLOSE = ("to_close", "to_archive", "archive")


@pytest.mark.parametrize(
    "name, decisions, final_step, stages",
    [
        ("予以了结", ("accept", "to_close", "to_archive", "archive"), "archived", ["intake", "disposition", "archive"]),
        ("不予受理", ("not_accept", "done", "to_archive", "archive"), "archived", ["intake", "referral", "archive"]),
        ("转送上级", ("forward_up", "forwarded", "to_archive", "archive"), "archived", ["intake", "referral", "archive"]),
        ("谈话函询采信了结", ("accept", "to_talk", "accept_closed", "to_archive", "archive"), "archived",
         ["intake", "disposition", "talk", "archive"]),
        ("谈话函询再次后转初核", ("accept", "to_talk", "again", "to_prelim"), "prelim_verify",
         ["intake", "disposition", "talk", "prelim"]),
        # 认定诬告陷害 needs the 设区的市级以上党委或者纪检监察机关 ([J] 第三十九条第二款): proposed, approved above, then acted on
        ("诬告陷害", ("accept", "to_talk", "false_accusation", "approved", "done"), "close_feedback",
         ["intake", "disposition", "talk", "accusation", "archive"]),
        ("谈话函询第一种形态", ("accept", "to_talk", "form1", "+form1_criticism", "done"), "close_feedback",
         ["intake", "disposition", "talk", "form1", "archive"]),
        ("初核了结", ("accept", "to_prelim", "close"), "close_feedback", ["intake", "disposition", "prelim", "archive"]),
        ("初核谈话提醒", ("accept", "to_prelim", "remind", "+form1_reminder", "done"), "close_feedback",
         ["intake", "disposition", "prelim", "form1", "archive"]),
        ("初核暂存", ("accept", "to_prelim", "shelve"), "shelved", ["intake", "disposition", "prelim", "shelved"]),
        ("初核移送党组织", ("accept", "to_prelim", "refer", "done"), "close_feedback",
         ["intake", "disposition", "prelim", "referral", "archive"]),
        ("撤销案件", (*FILED, "revoke", "done"), "close_feedback",
         ["intake", "disposition", "prelim", "filing", "revoke", "archive"]),
        ("免予处分", (*TO_REVIEW, "+form1_criticism", "propose_exempt", "done"), "close_feedback",
         ["intake", "disposition", "prelim", "filing", "review", "exempt", "archive"]),
        ("审理退回补证", (*TO_REVIEW, "return_supplement"), "investigation",
         ["intake", "disposition", "prelim", "filing", "review", "filing"]),
    ],
)
def test_paths(name, decisions, final_step, stages, township, run_cli, tmp_path):
    walk = Walk()
    if name == "初核移送党组织":
        walk.path("accept", "to_prelim")
        walk.decide("refer", extra={"referred_org": "青石村党支部"})
        walk.path("done")
    elif name == "撤销案件":
        walk.path(*FILED)
        walk.decide("revoke", extra={"revoke_reason": "经审查调查，反映问题查无实据"})
        walk.path("done")
    elif name == "审理退回补证":
        walk.path(*TO_REVIEW)
        walk.decide("return_supplement", extra={"return_reason": "缺少银行流水"})
    else:
        walk.path(*decisions)
    shown = run_walk(walk, township, run_cli, tmp_path)
    assert shown["step"]["id"] == final_step, name
    assert [s["id"] for s in shown["stage_path"]] == stages, name


def test_county_review_route_ends_in_warning(township, run_cli, tmp_path):
    walk = Walk().path(*TO_REVIEW, "+party_warning", "submit_county_review", "to_branch", "to_township_approval",
                       "approve", "to_execution")
    walk.decide("to_close")
    walk.path("to_archive", "archive")
    shown = run_walk(walk, township, run_cli, tmp_path)
    assert shown["step"]["id"] == "archived" and shown["terminal"]
    [sanction] = shown["sanctions"]
    assert sanction["name"] == "警告" and sanction["form"] == 2
    decided = date.fromisoformat(sanction["decided_on"])
    assert sanction["effect_end"] == decided.replace(year=decided.year + 1).isoformat()
    assert shown["number"].startswith("T001纪立〔2026〕")
    assert shown["fields"]["county_review.county_opinion_no"] == "县纪审〔2026〕7号"


def test_approval_route_ends_in_expulsion_with_county_reply_by_hand(township, run_cli, tmp_path):
    walk = Walk().path(*TO_REVIEW, "+party_expulsion", "submit_county_consult", "to_branch", "to_county_request",
                       "agreed")
    walk.decide("approved", extra={"county_opinion_date": "2026-05-20"})
    shown = run_walk(walk, township, run_cli, tmp_path)
    assert shown["step"]["id"] == "announce"
    assert shown["fields"]["county_request.county_opinion_no"] == "县纪批〔2026〕2号"
    assert shown["fields"]["county_request.county_opinion_date"] == "2026-05-20"
    [sanction] = shown["sanctions"]
    assert sanction["name"] == "开除党籍" and sanction["decided_on"] is not None
    announce = next(d for d in shown["deadlines"] if d["id"] == "announce")
    assert announce["start"] == sanction["decided_on"]


def test_township_may_not_approve_expulsion(township, run_cli, tmp_path):
    walk = Walk().path(*TO_REVIEW, "+party_expulsion")
    run_walk(walk, township, run_cli, tmp_path)  # gets the case to review
    case_id = run_cli("--data-dir", township, "case", "list", "--json").json[0]["case_id"]
    shown = run_cli("--data-dir", township, "case", "show", case_id, "--json").json
    option = next(d for d in shown["decisions"] if d["id"] == "submit_county_review")
    assert not option["enabled"]
    assert "approval_power_exceeded" in {p["code"] for p in option["problems"]}


def test_shelved_clue_reopened(township, run_cli, tmp_path):
    walk = Walk().path("accept", "to_shelve")
    walk.decide("reopen_prelim", extra={"new_evidence": "新的来信附有转账记录"})
    shown = run_walk(walk, township, run_cli, tmp_path)
    assert shown["step"]["id"] == "prelim_verify"
    assert [h["decision"] for h in shown["history"]] == ["accept", "to_shelve", "reopen_prelim"]


def test_judicial_transfer_after_party_decision(township, run_cli, tmp_path):
    walk = Walk().path(*TO_REVIEW, "+party_expulsion", "submit_county_consult", "to_branch", "to_county_request",
                       "agreed", "approved", "to_execution", "judicial", "+judicial", "done")
    shown = run_walk(walk, township, run_cli, tmp_path)
    assert shown["step"]["id"] == "execution"
    assert {s["name"] for s in shown["sanctions"]} == {"开除党籍", "移送司法"}
    assert "judicial" in [s["id"] for s in shown["stage_path"]]


def test_appeal_after_decision(township, run_cli, tmp_path):
    walk = Walk().path(*TO_REVIEW, "+party_warning", "submit_county_review", "to_branch", "to_township_approval",
                       "approve", "appeal", "done")
    shown = run_walk(walk, township, run_cli, tmp_path)
    assert shown["step"]["id"] == "execution"
    appeal = next(d for d in shown["deadlines"] if d["id"] == "appeal")
    assert appeal["met_on"] is not None


def test_review_returns_for_reinvestigation(township, run_cli, tmp_path):
    walk = Walk().path(*TO_REVIEW)
    walk.decide("return_reinvestigate", extra={"return_reason": "主要事实不清"})
    walk.path("transfer_review", "accept")
    shown = run_walk(walk, township, run_cli, tmp_path)
    assert shown["step"]["id"] == "review" and shown["step"]["round"] == 2


def test_blocked_action_changes_nothing(township, run_cli, tmp_path):
    walk = Walk().path("accept", "to_prelim", "propose_filing")
    # at 立案审批: fill everything but skip the collective study
    step = WF.steps["filing"]
    for item in step.checklist:
        walk.act(type="complete_item", item_id=item.id)
    walk.act(type="set_fields", values={"basis": "经初核，反映问题基本属实"})
    run_walk(walk, township, run_cli, tmp_path)
    case_id = run_cli("--data-dir", township, "case", "list", "--json").json[0]["case_id"]
    before = run_cli("--data-dir", township, "case", "show", case_id, "--json").json
    events_before = run_cli("--data-dir", township, "verify", "--json").json["events"]
    action = tmp_path / "file.json"
    action.write_text(json.dumps({"type": "decide", "decision_id": "file", "decided_on": "2026-02-20", "approver": "党委书记"}))
    refused = run_cli("--data-dir", township, "case", "act", case_id, "--file", action, "--json")
    assert refused.code == 2
    assert "study_missing" in {p["code"] for p in refused.json["problems"]}
    assert "集体研究" in refused.err
    assert run_cli("--data-dir", township, "case", "show", case_id, "--json").json == before
    events_after = run_cli("--data-dir", township, "verify", "--json").json["events"]
    assert [e.action for e in audit_events(township)[: events_after - events_before]] == ["unlock"] * (events_after - events_before)
    study = tmp_path / "study.json"
    study.write_text(json.dumps({"type": "record_study", "held_on": "2026-02-19", "attendees": ["张书记", "李委员", "赵委员"],
                                 "conclusion": "同意立案"}))
    assert run_cli("--data-dir", township, "case", "act", case_id, "--file", study).code == 0
    filed = run_cli("--data-dir", township, "case", "act", case_id, "--file", action, "--json")
    assert filed.code == 0, filed.err
    assert filed.json["step"] == "investigation"


def test_apply_stops_at_first_failure_with_line_number(township, run_cli, tmp_path):
    lines = [{"ref": "a", "clue": CLUE}, {"case": "a", "type": "decide", "decision_id": "accept", "decided_on": "2026-02-03"},
             {"case": "a", "type": "complete_item", "item_id": "ledger_numbered"}]
    path = tmp_path / "a.jsonl"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")
    result = run_cli("--data-dir", township, "apply", "--file", path, "--json")
    assert result.code == 2
    assert result.json["applied"] == 1 and result.json["failed"]["line"] == 2
    assert "第2行" in result.err
    assert len(run_cli("--data-dir", township, "case", "list", "--json").json) == 1


def test_bad_clue_input_is_refused_in_chinese(township, run_cli, tmp_path):
    bad = tmp_path / "bad.json"
    for clue, words in [({**CLUE, "received_on": "2026-13-01"}, "不是有效日期"),
                        ({**CLUE, "received_on": "2099-01-01"}, "超出范围"),
                        ({**CLUE, "source": "路边听说"}, "线索来源"),
                        ({**CLUE, "persons": []}, "被反映人"),
                        ({**CLUE, "colour": "red"}, "无法识别")]:
        bad.write_text(json.dumps(clue, ensure_ascii=False), encoding="utf-8")
        result = run_cli("--data-dir", township, "clue", "add", "--file", bad)
        assert result.code == 2, (clue, result.err)
        assert words in result.err
    assert run_cli("--data-dir", township, "case", "list", "--json").json == []


def test_repeat_person_is_flagged(township, run_cli, tmp_path):
    clue = tmp_path / "clue.json"
    clue.write_text(json.dumps(CLUE, ensure_ascii=False), encoding="utf-8")
    first = run_cli("--data-dir", township, "clue", "add", "--file", clue, "--json").json
    assert first["warnings"] == []
    second = run_cli("--data-dir", township, "clue", "add", "--file", clue, "--json").json
    assert second["warnings"] == ["王建国：多次被反映"]


def test_deadline_into_a_year_without_holiday_data_warns(township, run_cli, tmp_path):
    clue = tmp_path / "clue.json"
    clue.write_text(json.dumps({**CLUE, "received_on": "2026-11-20", "source": "上级交办"}, ensure_ascii=False), encoding="utf-8")
    case_id = run_cli("--data-dir", township, "clue", "add", "--file", clue, "--json").json["case_id"]
    shown = run_cli("--data-dir", township, "case", "show", case_id, "--json").json
    assigned = next(d for d in shown["deadlines"] if d["id"] == "assigned_case")
    assert assigned["due"] == "2027-02-22"  # 02-20 is a Saturday; weekends only without 2027 data
    assert any("缺少 2027 年节假日数据" in w for w in assigned["warnings"])
    assert shown["warnings"]


def test_overdue_filter_and_extension_with_approver(township, run_cli, tmp_path):
    walk = Walk().path(*TO_REVIEW)
    shown = run_walk(walk, township, run_cli, tmp_path)
    case_id = shown["case_id"]
    review = next(d for d in shown["deadlines"] if d["id"] == "review")
    assert review["state"] == "overdue"  # accepted in February, one month to finish
    listed = run_cli("--data-dir", township, "case", "list", "--overdue", "--json").json
    assert [r["case_id"] for r in listed] == [case_id]
    fresh = tmp_path / "fresh.json"
    fresh.write_text(json.dumps({**CLUE, "received_on": date.today().isoformat()}, ensure_ascii=False), encoding="utf-8")
    assert run_cli("--data-dir", township, "clue", "add", "--file", fresh).code == 0
    assert len(run_cli("--data-dir", township, "case", "list", "--overdue", "--json").json) == 1
    assert len(run_cli("--data-dir", township, "case", "list", "--stage", "intake", "--json").json) == 1
    extend = tmp_path / "extend.json"
    extend.write_text(json.dumps({"type": "extend", "deadline_id": "review", "length": 1, "unit": "months",
                                  "approved_by": "县纪委审理室", "approved_on": review["due"], "reason": "案情复杂"},
                                 ensure_ascii=False), encoding="utf-8")
    assert run_cli("--data-dir", township, "case", "act", case_id, "--file", extend).code == 0
    after = run_cli("--data-dir", township, "case", "show", case_id, "--json").json
    extended = next(d for d in after["deadlines"] if d["id"] == "review")
    assert extended["extended"] and extended["due"] > review["due"]
    again = run_cli("--data-dir", township, "case", "act", case_id, "--file", extend)
    assert again.code == 2  # one extension only


def test_reporter_identity_only_from_an_admin(township, run_cli, tmp_path):
    assert run_cli("--data-dir", township, "account", "add", "李专干", "--role", "staff", new_password="staff2026ab").code == 0
    clue = tmp_path / "clue.json"
    clue.write_text(json.dumps(CLUE, ensure_ascii=False), encoding="utf-8")
    refused = run_cli("--data-dir", township, "--account", "李专干", "clue", "add", "--file", clue, password="staff2026ab")
    assert refused.code == 2 and "书记/管理员" in refused.err
    without_identity = {**CLUE, "reporter": {"real_name": True}}
    clue.write_text(json.dumps(without_identity, ensure_ascii=False), encoding="utf-8")
    assert run_cli("--data-dir", township, "--account", "李专干", "clue", "add", "--file", clue, password="staff2026ab").code == 0


def test_entering_a_holiday_year_moves_stored_due_dates(township, run_cli, tmp_path):
    from app.services import holidays

    clue = tmp_path / "clue.json"
    clue.write_text(json.dumps({**CLUE, "received_on": "2026-11-20", "source": "上级转办"}, ensure_ascii=False), encoding="utf-8")
    case_id = run_cli("--data-dir", township, "clue", "add", "--file", clue, "--json").json["case_id"]
    store = unlock.unlock(store_paths(township), None, PASSWORD).store
    try:
        before = {r.case_id: r.next_due for r in cases_service.list_cases(store)}[case_id]
        assert before == date(2026, 11, 27)  # [J] 第十六条第二款: 5 working days to register a clue forwarded down
        # an administrator enters 2026-11-23..27 as rest days (as if the State Council had said so)
        holidays.save_year(store, 2026, "2026-11-23~2026-11-27 测试假日", "")
        after = {r.case_id: r.next_due for r in cases_service.list_cases(store)}[case_id]
        assert after == date(2026, 12, 4)
    finally:
        store.close()


def test_filing_is_approved_by_the_party_secretary_not_by_a_commission_account(township, run_cli, tmp_path):
    # [R] 第三十八条: the 立案审查调查呈批报告 "经纪检监察机关主要负责人审批，报同级党委主要负责人批准": the
    # 纪委书记's own account cannot stand in the 党委书记's place (it would print in the 党委书记意见 box).
    walk = Walk().path("accept", "to_prelim", "propose_filing").decide("file")
    walk.lines[-1]["approver"] = "张书记"  # the office's administrator account
    result = run_cli("--data-dir", township, "apply", "--file", walk.write(tmp_path), "--json")
    assert result.code == 2, result.out + result.err
    failed = json.loads(result.out)["failed"]
    assert failed["code"] == "approver_wrong_body" and "乡镇党委书记" in failed["message"], failed
    case_id = json.loads(result.out)["refs"]["c"]
    assert run_cli("--data-dir", township, "case", "show", case_id, "--json").json["step"]["id"] == "filing"
