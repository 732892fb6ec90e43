"""撤销 of a case the county assigned (上级交办): the assigning organ reviews it first.

《中华人民共和国监察法实施条例》(2021年文本条号) 第二百零六条第二款: “省级以下监察机关拟撤销上级监察机关指定管辖或者交办案件的，
应当将《撤销案件意见书》连同案卷材料，在法定调查期限到期七个工作日前报指定管辖或者交办案件的监察机关审查。”
第三款: “…同意撤销案件的，下级监察机关应当作出撤销案件决定，制作《撤销案件决定书》；…不同意撤销案件的，下级监察机关应当执行该决定。”
"""

from __future__ import annotations

from tests.integration.test_case_paths import CLUE, FILED, TO_REVIEW, Walk, run_walk

ASSIGNED = {**CLUE, "source": "上级交办", "incoming_no": "青山纪交〔2026〕3号"}
REASON = {"revoke_reason": "经审查调查，反映问题查无实据"}


def test_an_assigned_case_cannot_be_revoked_without_the_assigning_organ(township, run_cli, tmp_path):
    walk = Walk(ASSIGNED).path(*FILED)
    walk.decide("revoke", extra=REASON)
    result = run_cli("--data-dir", township, "apply", "--file", walk.write(tmp_path), "--json")
    assert result.code == 2 and "撤销案件" in result.err


def test_the_organ_agrees_and_the_case_is_revoked(township, run_cli, tmp_path):
    # 第三款: 同意撤销案件的，下级监察机关应当作出撤销案件决定
    walk = Walk(ASSIGNED).path(*FILED)
    walk.decide("propose_revoke_assigned", extra=REASON)
    walk.decide("agreed", extra={"assigning_organ": "青山县纪委监委", "reply_no": "青山纪〔2026〕12号", "reply": "同意撤销案件"})
    revoked_on = walk.on.isoformat()
    shown = run_walk(walk, township, run_cli, tmp_path)
    assert shown["step"]["id"] == "revoke_case"
    filing = next(d for d in shown["deadlines"] if d["id"] == "revoke_filing")
    assert filing["start"] == revoked_on  # the 7 working days of 第一款 run from the 撤销 decision, not the proposal
    assert shown["fields"]["revoke_assigned_review.reply_no"] == "青山纪〔2026〕12号"


def test_the_organ_disagrees_and_the_investigation_goes_on(township, run_cli, tmp_path):
    # 第三款: 不同意撤销案件的，下级监察机关应当执行该决定
    walk = Walk(ASSIGNED).path(*TO_REVIEW)
    walk.decide("propose_revoke_assigned", extra=REASON)
    walk.decide("disagreed", extra={"reply": "不同意撤销案件"})
    shown = run_walk(walk, township, run_cli, tmp_path)
    assert shown["step"]["id"] == "investigation" and shown["step"]["round"] == 2
    assert "revoke_filing" not in [d["id"] for d in shown["deadlines"]]


def test_a_disagreement_cannot_be_taken_as_consent(township, run_cli, tmp_path):
    walk = Walk(ASSIGNED).path(*FILED)
    walk.decide("propose_revoke_assigned", extra=REASON)
    walk.decide("agreed", extra={"reply": "不同意撤销案件"})
    result = run_cli("--data-dir", township, "apply", "--file", walk.write(tmp_path), "--json")
    assert result.code == 2 and "同意撤销案件" in result.err


def test_a_case_the_office_found_itself_is_revoked_directly(township, run_cli, tmp_path):
    walk = Walk().path(*FILED)
    walk.decide("revoke", extra=REASON)
    shown = run_walk(walk, township, run_cli, tmp_path)
    assert shown["step"]["id"] == "revoke_case"
    walk = Walk().path(*FILED)
    walk.decide("propose_revoke_assigned", extra=REASON)
    result = run_cli("--data-dir", township, "apply", "--file", walk.write(tmp_path), "--json")
    assert result.code == 2 and "上级交办" in result.err
