"""What a case holds for each person, through the CLI on a real store: particulars, evidence, facts,
定性 from the article catalog, sanctions per person with their approval body, the 政务处分 track.

Articles quoted are in ../shared/domain/regulations/.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

from sqlmodel import select

from app.models import Case, Sanction
from app.paths import store_paths
from app.services import case_codec, cases, ruleset, statistics, sync, unlock
from app.services import subjects as case_subjects

from tests.integration.conftest import PASSWORD
from tests.integration.test_case_paths import CLUE, START, Walk, run_walk
from tests.integration.test_sync_poison import fresh_bundle, read_payload, reseal
from tests.integration.test_sync_roundtrip import chain, ok, opened, pair  # noqa: F401  (chain: the fixture)

SECRETARY = {"name": "赵德明", "unit": "青石村民委员会", "post": "村党支部书记", "political_status": "中共党员"}
ACCOUNTANT = {"name": "钱桂兰", "unit": "青石村民委员会", "post": "村会计", "political_status": "中共党员"}
TWO = {**CLUE, "persons": [SECRETARY, ACCOUNTANT], "categories": ["违反廉洁纪律"],
       "summary": "反映青石村党支部书记赵德明、村会计钱桂兰收受工程承包方礼金"}
FILED = ("accept", "to_prelim", "propose_filing", "file")


def two_person_walk() -> Walk:
    """Both filed; the 会计's own evidence, fact and 事实见面; at review a 警告 for her and a
    撤销党内职务 for the 支书, each qualified under 第九十七条 at the 情节 whose range holds it."""
    walk = Walk(TWO).path(*FILED)
    walk.act(type="set_subject", subject="钱桂兰", values={"gender": "女", "birth": "1978年5月", "village_manager": True,
                                                        "category": "村（社区）干部"})
    walk.act(type="add_evidence", subject="钱桂兰", kind="书证", title="青石村2025年度现金日记账复印件",
             source="青石村民委员会提供", obtained_on=(START + timedelta(days=14)).isoformat(), pages=6)
    walk.act(type="add_fact", subject="钱桂兰", occurred="2025年春节前", amount="2,000",
             narrative="收受村道硬化工程承包方所送礼金2000元", evidence=[1], attitude="如实说明问题，主动上交")
    walk.act(type="record_fact_meeting", subject="钱桂兰", met_on=(START + timedelta(days=15)).isoformat(),
             statement="对事实材料无异议。")
    walk.path("transfer_review", "accept")
    walk.act(type="record_sanction", subject="钱桂兰", type_id="party_warning")
    walk.act(type="record_sanction", subject="赵德明", type_id="party_removal")
    # 第九十七条: "情节较轻的，给予警告或者严重警告处分；情节较重的，给予撤销党内职务或者留党察看处分"
    walk.act(type="set_qualification", subject="钱桂兰", articles=[{"article": "第九十七条", "plot": "较轻"}],
             adjustments=[{"kind": "从轻", "basis": "主动上交违纪所得（第十七条第五项）"}])
    walk.act(type="set_qualification", subject="赵德明", articles=[{"article": "T97", "plot": "较重"}])
    walk.qualified = True
    return walk


def test_two_persons_each_with_their_own_facts_qualification_and_sanction(township, run_cli, tmp_path):
    walk = two_person_walk()
    walk.path("submit_county_review", "to_branch", "to_township_approval")
    # [P] 第六条、第二十八条: 撤销党内职务 is approved by the 乡镇党委, never the 乡镇纪委 alone
    walk.decide("approve", extra={"approver_body": "乡镇纪委"})
    refused = run_cli("--data-dir", township, "apply", "--file", walk.write(tmp_path), "--json")
    assert refused.code == 2
    assert "须由乡镇党委批准" in refused.json["failed"]["message"] and "第二十八条" in refused.json["failed"]["message"]

    walk = two_person_walk()
    walk.path("submit_county_review", "to_branch", "to_township_approval")
    walk.decide("approve", extra={"approver_body": "乡镇党委"})
    shown = run_walk(walk, township, run_cli, tmp_path)
    assert shown["step"]["id"] == "announce"
    subjects = {p["name"]: p for p in shown["subjects"]}
    assert list(subjects) == ["赵德明", "钱桂兰"]
    accountant, secretary = subjects["钱桂兰"], subjects["赵德明"]
    assert accountant["particulars"]["birth"] == "1978-05" and accountant["particulars"]["village_manager"] is True
    assert [(f["narrative"], f["amount"], f["evidence"]) for f in accountant["facts"]] == [
        ("收受村道硬化工程承包方所送礼金2000元", "2000.00", [1])]
    assert accountant["fact_meeting"]["statement"] == "对事实材料无异议。" and secretary["facts"] == []
    assert accountant["articles"] == ["《中国共产党纪律处分条例》第九十七条"]
    assert [(x["type_id"], x["approving_body"]) for x in accountant["sanctions"]] == [("party_warning", "乡镇纪委")]
    assert [(x["type_id"], x["approving_body"]) for x in secretary["sanctions"]] == [("party_removal", "乡镇党委")]
    assert {p["status"] for p in shown["subjects"]} == {"已立案"}
    store = unlock.unlock(store_paths(township), None, PASSWORD).store
    try:
        with store.read() as s:
            rows = {(x.type_id, x.person_id) for x in s.exec(select(Sanction)).all() if x.decided_on}
        people = {p["name"]: p["person_id"] for p in shown["subjects"]}
        # the 会计's 警告 lands on the 会计, not on the clue's first person
        assert rows == {("party_warning", people["钱桂兰"]), ("party_removal", people["赵德明"])}
    finally:
        store.close()


def case_dump(township, case_id: str) -> dict:
    store = unlock.unlock(store_paths(township), None, PASSWORD).store
    try:
        shown = cases.show_case(store, case_id)
    finally:
        store.close()
    shown.pop("deadlines")  # working days left move with the clock, not with the store
    return shown


def test_bad_subject_input_is_refused_naming_it_and_changes_nothing(township, run_cli, tmp_path):
    walk = two_person_walk()
    shown = run_walk(walk, township, run_cli, tmp_path)
    case_id = shown["case_id"]
    before = case_dump(township, case_id)
    attempts = [
        ({"type": "set_qualification", "subject": "赵德明", "articles": [{"article": "第九百条", "plot": "较轻"}]},
         "第九百条"),
        ({"type": "set_qualification", "subject": "赵德明", "articles": [{"article": "第九十七条", "plot": "特别轻"}]},
         "特别轻"),
        # 第九十七条 "情节较轻的，给予警告或者严重警告处分": not 开除党籍
        ({"type": "record_sanction", "subject": "钱桂兰", "type_id": "party_expulsion"}, "第九十七条"),
        ({"type": "record_sanction", "subject": "孙某", "type_id": "party_warning"}, "孙某"),
        ({"type": "add_fact", "subject": "钱桂兰", "narrative": "另一事实", "evidence": [7]}, "7"),
        ({"type": "set_subject", "subject": "钱桂兰", "values": {"birth": "1978年13月"}}, "1978年13月"),
        ({"type": "add_evidence", "kind": "传闻", "title": "某某"}, "传闻"),
        ({"type": "record_supervision_filing", "subject": "钱桂兰", "approved_on": "2026-03-01", "approver": "李主任"},
         "监察对象"),
    ]
    for action, named in attempts:
        path = tmp_path / "action.json"
        path.write_text(json.dumps(action, ensure_ascii=False), encoding="utf-8")
        result = run_cli("--data-dir", township, "case", "act", case_id, "--file", path, "--json")
        assert result.code == 2, (action, result.out, result.err)
        assert named in result.err, (named, result.err)
        assert case_dump(township, case_id) == before, action


def test_a_gov_sanction_takes_effect_on_its_own_date_and_the_person_counts_once(township, run_cli, tmp_path):
    # [Z] 第八条: 政务处分 periods run "自政务处分决定生效之日起计算"; a 党内警告 stays within the
    # township's power ([P] 第三十八条) although a 政务处分 is proposed.
    walk = Walk().path(*FILED)
    walk.act(type="set_subject", values={"supervision_object": True})
    walk.act(type="record_supervision_filing", approved_on=(START + timedelta(days=13)).isoformat(), approver="李主任")
    walk.path("transfer_review", "accept", "+party_warning", "+gov_warning", "submit_county_review", "to_branch",
              "to_township_approval", "approve")
    shown = run_walk(walk, township, run_cli, tmp_path)
    [person] = shown["subjects"]
    assert person["supervision_filing"] == {"approved_on": (START + timedelta(days=13)).isoformat(), "approver": "李主任"}
    kinds = {x["type_id"]: x for x in person["sanctions"]}
    assert kinds["party_warning"]["decided_on"] is not None and kinds["gov_warning"]["decided_on"] is None
    assert [q["article"] for q in person["qualification"]][0] == "T124"

    on = walk.on + timedelta(days=5)
    path = tmp_path / "gov.json"
    path.write_text(json.dumps({"type": "decide_gov_sanction", "type_id": "gov_warning",
                                               "decided_on": on.isoformat(), "organ": "青山县监察委员会",
                                               "document_no": "青监处〔2026〕3号"}, ensure_ascii=False), encoding="utf-8")
    result = run_cli("--data-dir", township, "case", "act", shown["case_id"], "--file", path, "--json")
    assert result.code == 0, result.err
    after = case_dump(township, shown["case_id"])["subjects"][0]
    gov = next(x for x in after["sanctions"] if x["type_id"] == "gov_warning")
    assert (gov["decided_on"], gov["approving_body"], gov["document_no"]) == (on.isoformat(), "青山县监察委员会",
                                                                             "青监处〔2026〕3号")
    # the 监察 track's own deadline runs from that decision: [S] 第二百零三条第二款 "处分决定应当在作出之日起
    # 一个月以内执行完毕"; 警告 is not 降级以上, so no 职务工资变更 deadline ([Z] 第五十四条)
    deadlines = {d["id"]: d for d in run_cli("--data-dir", township, "case", "show", shown["case_id"],
                                             "--json").json["deadlines"]}
    assert deadlines["gov_execution"]["start"] == on.isoformat() and "gov_post_pay_change" not in deadlines
    assert date.fromisoformat(deadlines["gov_execution"]["due"]) in {on + timedelta(days=n) for n in range(28, 32)}
    store = unlock.unlock(store_paths(township), None, PASSWORD).store
    try:
        ind = statistics.report(store, statistics.period_from_options(START.year), today=on)["indicators"]
    finally:
        store.close()
    assert (ind["people_sanctioned"], ind["people_sanctioned_party"], ind["people_sanctioned_gov"]) == (1, 1, 1)


def test_each_person_travels_to_the_county_and_shows_in_its_review_queue(chain, run_cli, tmp_path):
    walk = two_person_walk().path("submit_county_review")
    result = ok(run_cli("--data-dir", chain.township, "apply", "--file", walk.write(tmp_path), "--json"))
    case_id = result["refs"]["c"]
    sent = ok(run_cli("--data-dir", chain.township, "case", "show", case_id, "--json"))["subjects"]
    pair(run_cli, chain, chain.township, chain.county, "T001", "C01")
    [row] = ok(run_cli("--data-dir", chain.county, "review", "queue", "--json"))
    assert row["persons"] == "赵德明（撤销党内职务）；钱桂兰（警告）"
    received = ok(run_cli("--data-dir", chain.county, "case", "show", case_id, "--json"))["subjects"]
    assert received == sent  # particulars, evidence, facts, 定性 and proposals, as the township holds them


def test_a_qualification_under_an_article_the_county_does_not_know_still_opens_the_case(chain, run_cli, tmp_path):
    """A township whose app ships a newer 违纪条款目录 may cite an article the county's lacks: the
    county's case view shows it by its id, marked, instead of failing to open the case."""
    walk = two_person_walk().path("submit_county_review")
    case_id = ok(run_cli("--data-dir", chain.township, "apply", "--file", walk.write(tmp_path), "--json"))["refs"]["c"]
    pair(run_cli, chain, chain.township, chain.county, "T001", "C01")
    bundle = fresh_bundle(chain.township, "C01", tmp_path / "made")
    records, others = read_payload(chain.township, bundle)
    subject = next(r for r in records["case_subject"] if r["articles"])
    subject.update(articles=[{"article": "T999", "plot": "较轻"}], version=subject["version"] + 1)
    forged = reseal(chain.township, bundle, records, others, tmp_path / "forged")
    with opened(chain.county) as store:
        result = sync.import_one(store, forged)
    assert not result.refused and result.updated >= 1, result
    shown = ok(run_cli("--data-dir", chain.county, "case", "show", case_id, "--json"))["subjects"]
    person = next(p for p in shown if p["id"] == subject["id"])
    assert person["qualification"] == [{"article": "T999", "citation": "T999（本单位违纪条款目录中没有此条）",
                                        "category": "", "plot": "较轻"}]
    # a proposal under it is not judged against a range this county cannot read, and says so
    with opened(chain.county) as store, store.read() as s:
        row = s.get(Case, case_id)
        problems = case_subjects.range_problems(s, ruleset.load_in(s), row, case_codec.from_json(row.state))
    assert [p.message for p in problems] == [f"{person['name']}：定性所引条款及情节“T999（较轻）”不在本单位违纪条款目录中，无法核对处分幅度"]


def test_one_person_split_into_a_case_of_their_own_keeps_numbers_history_and_materials(township, run_cli, tmp_path):
    walk = two_person_walk()
    shown = run_walk(walk, township, run_cli, tmp_path)
    case_id = shown["case_id"]
    before = case_dump(township, case_id)
    accountant = next(p for p in before["subjects"] if p["name"] == "钱桂兰")
    path = tmp_path / "split.json"
    last = {"type": "split_subject", "subject": "钱桂兰", "decided_on": (walk.on + timedelta(days=1)).isoformat(),
            "approver": "张书记", "reason": "其问题与本案其他问题关联不大，另案处理"}
    path.write_text(json.dumps(last, ensure_ascii=False), encoding="utf-8")
    split = run_cli("--data-dir", township, "case", "act", case_id, "--file", path, "--json")
    assert split.code == 0, split.err
    new_id = split.json["case_id"]
    assert split.json["number"] == before["number"] + "之二"

    old, new = case_dump(township, case_id), case_dump(township, new_id)
    [moved] = new["subjects"]
    assert moved["name"] == "钱桂兰" and moved["status"] == "已立案"
    for key in ("particulars", "facts", "articles", "qualification", "adjustments", "fact_meeting"):
        assert moved[key] == accountant[key], key
    assert [e["title"] for e in moved["evidence"]] == [e["title"] for e in accountant["evidence"]]
    assert [x["type_id"] for x in moved["sanctions"]] == ["party_warning"]
    assert new["step"]["id"] == old["step"]["id"] == before["step"]["id"] and new["history"] == before["history"]
    assert new["clue_number"] == before["clue_number"] + "之二"
    gone = next(p for p in old["subjects"] if p["name"] == "钱桂兰")
    assert gone["outcome"] == "分案" and gone["facts"] == [] and gone["sanctions"] == []
    assert [p["name"] for p in old["subjects"] if not p["outcome"]] == ["赵德明"]

    # the last person of a case cannot be split off: the case goes on through its own decisions
    last.update(subject="赵德明")
    path.write_text(json.dumps(last, ensure_ascii=False), encoding="utf-8")
    kept = case_dump(township, case_id)
    refused = run_cli("--data-dir", township, "case", "act", case_id, "--file", path, "--json")
    assert refused.code == 2 and "仅剩" in refused.err
    assert case_dump(township, case_id) == kept


def test_a_document_about_one_person_names_the_one_still_in_the_case(township, run_cli, tmp_path):
    # the 支书 is cleared at 初核: the 立案决定书 is about the 会计, with her recorded particulars
    walk = Walk(TWO).path("accept", "to_prelim")
    walk.act(type="close_subject", subject="赵德明", outcome="了结", decided_on=(walk.on).isoformat(), approver="张书记",
             reason="反映其本人的问题不属实")
    walk.act(type="set_subject", subject="钱桂兰", values={"gender": "女", "birth": "1978-05"})
    walk.path("propose_filing", "file")
    shown = run_walk(walk, township, run_cli, tmp_path)
    out = tmp_path / "filing.docx"
    made = run_cli("--data-dir", township, "doc", "render", shown["case_id"], "filing_decision", "--out", out, "--json")
    assert made.code == 0, made.err
    from docx import Document

    text = "\n".join(p.text for p in Document(out).paragraphs)
    assert "钱桂兰" in text and "1978年5月" in text and "赵德明" not in text


def test_a_case_merged_into_another_ends_and_its_person_goes_on_there(township, run_cli, tmp_path):
    first = run_walk(two_person_walk(), township, run_cli, tmp_path)
    other = {**CLUE, "persons": [{"name": "孙立新", "unit": "青石村民委员会", "post": "村委会主任"}],
             "summary": "反映孙立新参与分配村道硬化工程承包方所送礼金"}
    walk = Walk(other).path(*FILED)
    walk.act(type="add_evidence", kind="证人证言", title="承包方负责人证言", pages=3)
    walk.act(type="add_fact", narrative="收受承包方礼金1000元", amount="1000", evidence=[1])
    walk.path("transfer_review", "accept", "+party_warning")
    second = run_walk(walk, township, run_cli, tmp_path)
    target_before = case_dump(township, first["case_id"])
    merged_away = case_dump(township, second["case_id"])

    path = tmp_path / "merge.json"
    action = {"type": "merge_into", "into": first["number"], "decided_on": walk.on.isoformat(), "approver": "张书记",
              "reason": "与该案系同一工程中的关联问题"}
    for bad, named in (({"into": second["number"]}, "它自己"), ({"into": "红星纪立〔2026〕99号"}, "99号"),
                       ({"approver": ""}, "审批人")):
        path.write_text(json.dumps({**action, **bad}, ensure_ascii=False), encoding="utf-8")
        refused = run_cli("--data-dir", township, "case", "act", second["case_id"], "--file", path, "--json")
        assert refused.code == 2 and named in refused.err, refused.err
        assert case_dump(township, second["case_id"]) == merged_away

    path.write_text(json.dumps(action, ensure_ascii=False), encoding="utf-8")
    done = run_cli("--data-dir", township, "case", "act", second["case_id"], "--file", path, "--json")
    assert done.code == 0, done.err
    ended, target = case_dump(township, second["case_id"]), case_dump(township, first["case_id"])
    assert ended["step"]["id"] == "merged" and ended["terminal"]
    assert ended["subjects"][0]["outcome"] == "并案" and ended["subjects"][0]["facts"] == []
    assert [p["name"] for p in target["subjects"]] == ["赵德明", "钱桂兰", "孙立新"]
    joined = target["subjects"][2]
    assert [(f["narrative"], f["evidence"]) for f in joined["facts"]] == [("收受承包方礼金1000元", [2])]
    assert [(e["seq"], e["title"]) for e in joined["evidence"]] == [(2, "承包方负责人证言")]  # moved, not copied
    assert [x["type_id"] for x in joined["sanctions"]] == ["party_warning"]
    assert target["step"] == target_before["step"]
    store = unlock.unlock(store_paths(township), None, PASSWORD).store
    try:
        rows = {r.case_id: r for r in cases.list_cases(store)}
    finally:
        store.close()
    assert rows[second["case_id"]].next_due is None and rows[second["case_id"]].step_title == "已并案处理"
    assert "孙立新" in rows[first["case_id"]].persons
