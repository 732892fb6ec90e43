"""From the first start to a clue closed after a 谈话函询: set-up wizard, 登记线索, 受理, 谈话函询, 了结;
then Esc back to where the case was opened, and the list 案件."""

from __future__ import annotations

from tests.journey.secretary import Secretary


def test_clue_closed_after_talk(app_session):
    def route(user):
        secretary = Secretary(user, "talk")
        secretary.set_up_office()
        secretary.register_clue("王建国", "反映王建国在低保评定中优亲厚友，将不符合条件的亲属纳入低保。")
        secretary.walk("accept", "to_talk", "accept_closed")
        assert secretary.shown()["step"]["id"] == "close_feedback"
        secretary.leave_case()

    app_session.play(route)
