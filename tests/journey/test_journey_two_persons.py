"""Three persons in one clue, each on their own: the 村会计 is cleared at 初步核实 (对本人办结 · 予以了结),
the 村委会主任 is split off into a case of his own after 立案 (分案), the 村党支部书记's evidence and
fact are entered in his tab, his 定性 found in the article catalog, his 警告 proposed, and the case
goes to the county and the township approval; his own 处分决定书 is made and voided."""

from __future__ import annotations

from app.services import cases, documents
from tests.journey.secretary import Secretary


def test_one_person_cleared_one_split_off_one_filed_with_facts_and_qualification(app_session):
    def route(user):
        secretary = Secretary(user, "two")
        secretary.set_up_office()
        secretary.register_clue("孙建平", "反映孙建平、周淑芬、吴海军在危房改造补助发放中优亲厚友。",
                                more=(("周淑芬", "村会计"), ("吴海军", "村委会主任")))
        secretary.walk("accept", "to_prelim")
        # 规则 第三十八条: 立案 is of a person; the 会计 ends here for herself alone
        secretary.close_for("周淑芬", "予以了结（不予立案）", "经初步核实，反映周淑芬的问题不属实。")
        secretary.walk("propose_filing", "file")
        assert [(p["name"], p["status"]) for p in secretary.shown()["subjects"]] == [
            ("孙建平", "已立案"), ("周淑芬", "了结"), ("吴海军", "已立案")]
        number = secretary.shown()["number"]
        split = secretary.split_off("吴海军", "其问题另有线索反映，另案处理。")
        moved = user.gui(lambda: cases.show_case(secretary.store(), split))
        assert moved["number"] == number + "之二" and [p["name"] for p in moved["subjects"]] == ["吴海军"]
        secretary.add_evidence_and_fact("孙建平")
        secretary.walk("transfer_review", "accept", "+party_warning", "submit_county_review", "to_branch",
                       "to_township_approval", "approve")
        [person, cleared, _split] = secretary.shown()["subjects"]
        assert person["articles"] == ["《中国共产党纪律处分条例》第一百二十二条"]
        assert [(x["type_id"], x["approving_body"], bool(x["decided_on"])) for x in person["sanctions"]] == [
            ("party_warning", "乡镇纪委", True)]
        assert cleared["sanctions"] == [] and cleared["outcome"] == "了结"
        # the 处分决定书 is his own: his facts and his article, numbered; then voided, its number kept
        title = "党纪处分决定书（孙建平）"
        decision = secretary.make_document(title)
        assert decision.subject_id == person["id"] and decision.number and not decision.voided
        secretary.void_document(title, "处分决定书文号录入有误")
        voided = user.gui(lambda: [d for d in documents.list_documents(secretary.store(), secretary.case_id)
                                   if d.document_id == decision.document_id])
        assert [(d.voided, d.void_reason, d.number) for d in voided] == [(True, "处分决定书文号录入有误", decision.number)]

    app_session.play(route)
