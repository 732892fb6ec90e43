"""From the first start to a clue closed after 初步核实: set-up wizard, 登记线索 (from the menu 办案), 受理,
初步核实, 予以了结."""

from __future__ import annotations

from tests.journey.secretary import Secretary


def test_clue_closed_after_preliminary_verification(app_session):
    def route(user):
        secretary = Secretary(user, "prelim")
        secretary.set_up_office()
        secretary.register_clue("李德明", "反映李德明在村道硬化工程验收中收受施工方礼金。", by_menu=True)
        secretary.walk("accept", "to_prelim", "close")
        assert secretary.shown()["step"]["id"] == "close_feedback"

    app_session.play(route)
