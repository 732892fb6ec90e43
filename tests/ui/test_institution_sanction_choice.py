"""The case view offers the 事业单位处分 that fit the person's 人员类别 (人社部发〔2023〕58号, 条号待核):
管理人员 记大过、降级、撤职; other staff 降低岗位等级; 警告、记过、开除 for both; none before it is set."""

from __future__ import annotations

from app.services import cases

from tests.integration.test_institution_staff_sanctions import TO_REVIEW
from tests.integration.test_probation_end import RECEIVED, walk


def institution_choices(view) -> list[str]:
    choice = view.sanction_choice
    return [choice.itemText(i).split(" · ")[1] for i in range(choice.count()) if choice.itemText(i).startswith("事业单位处分")]


def test_the_choice_follows_the_category(qtbot, unlocked):
    store = unlocked.store
    case_id = walk(store, RECEIVED, TO_REVIEW, name="孔令文")
    window = unlocked.main_window
    view = window.open_case(case_id)
    assert institution_choices(view) == []
    assert any("需要时请先在基本信息中填写人员类别" in label.text() for label in view.findChildren(type(view.notice)))
    cases.act(store, case_id, {"type": "set_subject", "values": {"category": "事业单位其他工作人员"}})
    view.reload()
    assert institution_choices(view) == ["警告", "记过", "降低岗位等级", "开除"]
    cases.act(store, case_id, {"type": "set_subject", "values": {"category": "事业单位管理人员"}})
    view.reload()
    assert institution_choices(view) == ["警告", "记过", "记大过", "降级", "撤职", "开除"]
