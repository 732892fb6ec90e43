"""From the first start to an archived case with a sanction: set-up wizard, 登记线索, 受理, 初步核实,
立案, 审查调查, 审理 (乡案县审), 支部大会, 乡镇审批, 宣布, 执行, 结案, 归档."""

from __future__ import annotations

from tests.journey.secretary import Secretary

FILED = ("accept", "to_prelim", "propose_filing", "file")
REVIEWED = ("transfer_review", "accept", "+party_warning", "submit_county_review", "to_branch",
            "to_township_approval", "approve")
EXECUTED = ("to_execution", "to_close", "to_archive", "archive")


def test_filed_case_sanctioned_executed_and_archived(app_session):
    def route(user):
        secretary = Secretary(user, "sanction")
        secretary.set_up_office()
        secretary.register_clue("赵国强", "反映赵国强在危房改造补助发放中虚报冒领。")
        secretary.walk(*FILED, *REVIEWED, *EXECUTED)
        shown = secretary.shown()
        assert shown["step"]["id"] == "archived" and shown["terminal"]
        assert [s["name"] for s in shown["sanctions"]] == ["警告"]
        assert shown["number"].startswith("红星纪立〔")

    app_session.play(route)
