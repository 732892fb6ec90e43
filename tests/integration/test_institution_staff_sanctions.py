"""事业单位处分 on a real store: the person's 人员类别 decides which kinds can be proposed.

《事业单位工作人员处分规定》（人社部发〔2023〕58号，2023年11月6日起施行；条号待核: the text is not in the
regulations folder): 管理人员 take 警告、记过、记大过、降级、撤职、开除; other staff 警告、记过、降低岗位等级、开除.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.errors import InputError
from app.models import Sanction
from app.services import cases

from tests.integration.test_probation_end import RECEIVED, TODAY, store, walk  # noqa: F401 (store: fixture)

TO_REVIEW = ("accept", "to_prelim", "propose_filing", "file", "transfer_review", "accept")


def propose(store, case_id: str, type_id: str, **extra):
    return cases_act(store, case_id, {"type": "record_sanction", "type_id": type_id, **extra})


def cases_act(store, case_id: str, action: dict):
    return cases.act(store, case_id, action, today=TODAY)


def test_category_decides_the_institution_kinds(store):
    case_id = walk(store, RECEIVED, TO_REVIEW, name="孔令文")
    with pytest.raises(InputError, match="尚未填写人员类别") as unset:
        propose(store, case_id, "pi_warning")
    assert "人社部发〔2023〕58号" in unset.value.message
    cases_act(store, case_id, {"type": "set_subject", "values": {"category": "事业单位其他工作人员"}})
    with pytest.raises(InputError, match="“记大过”只能给予人员类别为“事业单位管理人员”"):
        propose(store, case_id, "pi_major_demerit")
    propose(store, case_id, "pi_downgrade")  # 降低岗位等级: staff other than 管理人员
    with pytest.raises(InputError, match="未修改：已录入的拟给予处分与修改后的人员类别不符"):
        cases_act(store, case_id, {"type": "set_subject", "values": {"category": "事业单位管理人员"}})
    propose(store, case_id, "pi_downgrade", remove=True)
    cases_act(store, case_id, {"type": "set_subject", "values": {"category": "事业单位管理人员"}})
    propose(store, case_id, "pi_major_demerit")
    with store.read() as s:
        [row] = s.exec(select(Sanction).where(Sanction.case_id == case_id, Sanction.type_id.like("pi_%"),
                                              Sanction.deleted == False)).all()  # noqa: E712
    assert (row.type_id, row.kind, row.decided_on) == ("pi_major_demerit", "public_institution", None)
