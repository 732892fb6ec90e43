"""The routine documents of tools/template_specs_routine.py, each made from a real case walked to its step
(谈话通知书, 立案通知书, 监察立案调查决定书, 调取证据通知书, 证据目录, 延期审批表, 政务处分事先告知书, 陈述申辩笔录,
送达回证, 处分备案报告, 回访教育记录, 第一种形态谈话记录, 书面说明, 集体排查记录, 问题线索了结报告), and refused
where the rules' condition (`when`) does not hold.

Articles the documents cite are quoted in tools/template_specs_routine.py from ../shared/domain/regulations/.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, timedelta

import pytest
from docx import Document as open_docx

from app.domain.document_rules import FLAGS
from app.errors import InputError
from app.paths import store_paths
from app.services import cases, demo_data, documents, ruleset, setup, unlock

from tests.integration.conftest import PASSWORD
from tests.integration.test_documents import OPTIONAL_LEFT_EMPTY

TODAY = date(2026, 6, 30)
START = date(2026, 3, 2)
PERSON = {"name": "王建国", "unit": "青石村民委员会", "post": "村委会主任", "political_status": "中共党员",
          "id_number": "510123197503021234"}
CLUE = {"received_on": START.isoformat(), "source": "信访举报（来信）", "persons": [PERSON],
        "summary": "反映王建国在2025年低保评定中优亲厚友，将不符合条件的亲属纳入低保对象", "categories": ["违反群众纪律"]}
VALUES = {
    "prelim_verify": {"checkers": ["李委员", "赵干事"], "finding": "反映问题基本属实"},
    "filing": {"basis": "王建国在2025年低保评定中，将其不符合条件的弟弟王建军纳入低保对象，违规领取低保金4800元。"},
    "investigation": {"investigators": ["李委员", "赵干事"], "subject_opinion": "签署无异议",
                      "proposal": "建议给予王建国党内警告处分、政务警告处分。"},
    "review": {"reviewers": ["张书记", "钱委员"], "opinion": "王建国违纪违法事实清楚，证据确实充分。"},
    "talk_inquiry": {"talkers": ["张书记", "李委员"], "finding": "王建国对反映的问题作了说明，问题轻微"},
    "county_review": {"county_opinion_no": "县纪审〔2026〕7号", "county_opinion": "同意"},
    "branch_meeting": {"eligible": 15, "present": 13, "in_favour": 12, "subject_opinion": "同意"},
    "township_approval": {"approver_body": "乡镇纪委"},
    "announce": {"subject_opinion": "对处分决定无异议。"},
    "close_feedback": {"result_summary": "经核实，反映的问题部分属实，已依规处理。"},
}
FACT = "将其不符合条件的弟弟王建军纳入低保对象，违规领取低保金4800元"
# doubled or clashing punctuation, an empty bracket, a doubled address
BAD_PUNCTUATION = re.compile(r"[。，；：、][。，；、]|（）|同志同志")
TEMPLATE_INSTRUCTIONS = ("不少于二人", "免予（不予）", "None", "（此处", "填写说明")


def open_store(data):
    return unlock.unlock(store_paths(data), None, PASSWORD).store


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    data = tmp_path_factory.mktemp("routine") / "data"
    setup.create_store(store_paths(data), setup.SetupRequest("T001", "青石镇纪委", "township", "张书记", PASSWORD,
                                                             parent_code="C01", office_abbr="青石", kdf_profile="fast"))
    return data


@pytest.fixture
def store(data_dir):
    s = open_store(data_dir)
    yield s
    s.close()


@pytest.fixture
def rules(store):
    return ruleset.load(store)


def field_value(step, f, day: date, values: dict):
    fixed = values.get(step.id, {})
    if f.id in fixed:
        return fixed[f.id]
    if f.type == "date":
        return day.isoformat()
    if f.type == "number":
        return 1
    if f.type == "bool":
        return False
    if f.type == "choice":
        return [f.choices[0]] if f.multiple else f.choices[0]
    if f.type == "person":
        return [{"name": "李委员"}] if f.multiple else {"name": "李委员"}
    return ["李委员", "赵干事"] if f.multiple else f"{f.label}：已依规办理。"


class Case:
    """One clue walked step by step as a secretary would (tests/integration/test_documents.py `walk`)."""

    def __init__(self, store, rules, values=VALUES):
        self.store, self.rules, self.values = store, rules, values
        self.id = cases.register_clue(store, CLUE, today=TODAY, rules=rules).case_id
        self.day = START

    def act(self, **action):
        return cases.act(self.store, self.id, action, today=TODAY, rules=self.rules)

    def walk(self, *route):
        for token in route:
            if token.startswith("+"):
                self.act(type="record_sanction", type_id=token[1:])
                continue
            self.day += timedelta(days=3)
            state = cases.case_state(self.store, self.id)
            step = self.rules.workflow.steps[state.step_id]
            for item in step.checklist:
                self.act(type="complete_item", item_id=item.id)
            values = {f.id: field_value(step, f, self.day, self.values) for f in step.fields
                      if f.id not in OPTIONAL_LEFT_EMPTY and f"{step.id}.{f.id}" not in state.fields}
            if values:
                self.act(type="set_fields", values=values)
            rule = step.decision(token)
            if "qualification" in rule.requires:
                demo_data.qualify(self.store, self.rules, self.id, "违反群众纪律", TODAY)
            if "study" in rule.requires:
                self.act(type="record_study", held_on=self.day.isoformat(), attendees=["张书记", "李委员", "赵委员"],
                         conclusion="经集体研究，同意。")
            action = {"type": "decide", "decision_id": token, "decided_on": self.day.isoformat()}
            if "approval" in rule.requires:  # 立案 is the 乡镇党委书记's ([R] 第三十八条)
                action["approver"] = "刘党委书记" if rule.approver_role == "乡镇党委书记" else "张书记"
            self.act(**action)
        return self

    def render(self, template_id: str, *, checked: bool = True) -> tuple[str, documents.RenderResult]:
        """Make the document; `checked`: one of the routine templates, held to check() (others are not theirs)."""
        result = documents.render(self.store, self.id, template_id, today=TODAY, rules=self.rules)
        _, data = documents.content(self.store, result.document_id)
        if checked:
            check(template_id, data)
        return docx_text(data), result

    def refused(self, template_id: str) -> str:
        with pytest.raises(InputError) as refused:
            documents.render(self.store, self.id, template_id, today=TODAY, rules=self.rules)
        assert refused.value.code == "document_not_due", (template_id, refused.value.message)
        return refused.value.message


def docx_text(data: bytes) -> str:
    doc = open_docx(io.BytesIO(data))
    lines = [p.text for p in doc.paragraphs]
    lines += [p.text for t in doc.tables for row in t.rows for cell in row.cells for p in cell.paragraphs]
    return "\n".join(lines)


def width(ch: str) -> float:
    return 0.5 if ord(ch) < 0x2000 else 1.0  # digits and Latin letters are half a character of the grid


def broken_fill_ins(text: str, indent: float, line: float = 28) -> list[str]:
    """The fill-in lines (＿＿) of a paragraph that would run over a line end, the text wrapped 28 to a line."""
    out, pos, start = [], indent, None
    for i, ch in enumerate(text + " "):
        w = width(ch)
        if pos + w > line:
            if start is not None and ch == "＿":
                out.append(text[max(0, i - 8):i + 8])
            pos = 0.0
        if ch == "＿" and start is None:
            start = i
        elif ch != "＿":
            start = None
        pos += w
    return out


def check(template_id: str, data: bytes) -> None:
    """What every document must be: no tag left, no None, no clashing punctuation, no template instruction,
    no fill-in line broken across two lines of the running text."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    assert "{{" not in xml and "{%" not in xml, template_id
    text = docx_text(data)
    assert not BAD_PUNCTUATION.search(text), (template_id, BAD_PUNCTUATION.search(text).group(), text)
    for words in TEMPLATE_INSTRUCTIONS:
        assert words not in text, (template_id, words)
    indents = {"正文缩进": 2, "正文顶格": 0, "主送": 0}
    for p in open_docx(io.BytesIO(data)).paragraphs:
        if p.style.name in indents:
            assert broken_fill_ins(p.text, indents[p.style.name]) == [], (template_id, p.text)


def due_message(flag: str) -> str:
    return FLAGS[flag]


def seq(number: str, pattern: str) -> int:
    """The sequence number of a document number of the given pattern (青石纪谈〔2026〕3号 → 3)."""
    found = re.fullmatch(pattern.replace("〔2026〕", r"〔2026〕(\d+)号"), number)
    assert found, (number, pattern)
    return int(found.group(1))


def cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# --- a clue handled by 谈话 and closed with 诫勉 and 责令检查, never filed -----------------------------

def test_a_talk_and_form1_case_makes_its_talk_form1_and_closing_documents(store, rules):
    case = Case(store, rules).walk("accept")
    assert "尚未进入“谈话函询”环节" in case.refused("talk_notice")
    case.walk("to_talk")
    text, _ = case.render("clue_study_record")
    assert "问题线索集体排查记录" in text and "王建国" in text and "经集体研究，同意。" in text
    assert "张书记、李委员、赵委员" in text and "谈话函询" in text  # attendees, and the way decided

    case.walk("form1")  # the 谈话函询 fields (method 谈话, the talk date) are entered on the day of the decision
    talk_on = cn(case.day)
    text, result = case.render("talk_notice")
    assert seq(result.number, "青石纪谈〔2026〕") >= 1 and result.number in text
    assert "王建国同志：" in text and "第二十七条、第二十八条" in text and "第四十二条" not in text
    assert talk_on in text
    assert "监察法" not in text  # not registered as a 监察对象
    text, _ = case.render("talk_statement")
    assert "书面说明" in text and "说明人：王建国，男，1975年3月出生" in text and talk_on in text

    # at 第一种形态 the record is due only once a measure is entered
    assert due_message("sanctioned") in case.refused("form1_talk_record")
    case.walk("+form1_admonish", "+form1_self_criticism")
    text, _ = case.render("form1_talk_record")
    measures = text.splitlines()[0].removesuffix("谈话记录")  # in the order entered (same second: either)
    assert measures in ("诫勉、责令检查", "责令检查、诫勉")
    assert re.search(r"[12]．予以诫勉。影响期6个月。", text) and re.search(r"[12]．责令作出书面检查。请于", text)
    assert "《中国共产党纪律处分条例》第五条" in text
    assert "王建国对反映的问题作了说明，问题轻微" in text

    case.walk("done")  # → 办结与反馈
    assert due_message("filed") in case.refused("closing_report")
    text, result = case.render("clue_closing_report")
    assert seq(result.number, "青石纪结〔2026〕") >= 1
    assert "关于王建国同志问题线索的" in text and "第三十条规定，建议对该问题线索予以了结" in text
    assert f"已对王建国同志作出{measures}处理。" in text and "谈话函询结论：王建国对反映的问题作了说明" in text
    assert "提出处置意见，谈话函询（经张书记批准）。" in text
    text, _ = case.render("revisit_record")
    assert "回访教育记录" in text and measures in text


def test_a_talk_by_letter_has_no_talk_notice_or_statement(store, rules):
    case = Case(store, rules).walk("accept", "to_talk")
    case.act(type="set_fields", values={"method": "函询"})
    for template_id in ("talk_notice", "talk_statement"):
        message = case.refused(template_id)
        assert "为“函询”" in message and "不是“谈话”" in message, message


# --- a 监察对象 filed, investigated, given a 党内警告 and a 政务警告, executed and closed -----------------------

def test_a_filed_case_of_a_supervision_object_makes_every_routine_document_at_its_step(store, rules):
    case = Case(store, rules).walk("accept", "to_prelim")
    case.act(type="set_fields", values={"checkers": ["李委员", "赵干事"]})
    text, result = case.render("evidence_request")
    request_number = result.number
    assert seq(request_number, "青石纪调〔2026〕") >= 1
    assert "第三十四条规定" in text and "第四十条" not in text and "调取人员：李委员、赵干事" in text
    assert "调取证据通知书（存根）" in text and "王建国涉嫌违纪问题" in text
    for template_id in ("filing_notice_subject", "supervision_filing_decision", "evidence_catalog"):
        assert "尚未进入" in case.refused(template_id)

    case.walk("propose_filing", "file")
    assert due_message("supervision_filed") in case.refused("supervision_filing_decision")
    case.act(type="set_subject", values={"supervision_object": True})
    case.act(type="record_supervision_filing", approved_on=(case.day + timedelta(days=1)).isoformat(), approver="李主任")
    case.act(type="add_evidence", kind="书证", title="青石村2025年低保评定名册复印件", source="青石镇民政办提供",
             obtained_on=(case.day + timedelta(days=2)).isoformat(), pages=6)
    case.act(type="add_evidence", kind="证人证言", title="王建军证言", source="王建军", obtained_on=(case.day + timedelta(days=3)).isoformat(),
             pages=3)
    case.act(type="add_fact", occurred="2025年3月", narrative=FACT, amount="4800", evidence=[1, 2], attitude="如实说明问题")

    text, result = case.render("filing_notice_subject")
    first = seq(result.number, "青石纪通〔2026〕")
    filed_as = re.search(r"立案编号：(青石纪立〔2026〕\d+号)", text).group(1)  # the case's own number
    assert "王建国同志：" in text and "第三十八条规定，现向你宣布" in text
    text, result = case.render("filing_notice_org")
    assert seq(result.number, "青石纪通〔2026〕") == first + 1  # one sequence of 纪委通知, with the 执行通知
    assert "青石村民委员会党组织：" in text and "你单位村委会主任王建国同志涉嫌违纪问题立案审查" in text
    text, result = case.render("supervision_filing_decision")
    assert seq(result.number, "青石监立〔2026〕") == 1 and "被调查人王建国，男，" in text
    assert "《中华人民共和国监察法》第四十二条和《中华人民共和国监察法实施条例》第一百八十条（2021年文本条号）" in text
    assert "青石镇监察办公室" in text and "王建国同志" not in text
    text, _ = case.render("talk_notice")
    assert "第四十二条、第四十三条和《中华人民共和国监察法》第二十条规定，因审查调查工作需要" in text
    text, result = case.render("evidence_request")  # made again: a new version with its number
    assert result.number == request_number and result.version == 2
    assert "第四十条和《中华人民共和国监察法》第十八条规定" in text and f"王建国涉嫌违纪违法问题（{filed_as}）" in text
    text, _ = case.render("evidence_catalog")
    assert "青石村2025年低保评定名册复印件" in text and "王建军证言" in text and "共2项证据。" in text
    assert "青石镇民政办提供" in text and "证人证言" in text
    text, _ = case.render("investigation_extension_form")
    assert "《中华人民共和国监察法实施条例》第一百八十五条（2021年文本条号）" in text and "县纪委监委\n意见" in text
    assert cases.case_state(store, case.id).step_id == "investigation"

    case.walk("transfer_review", "accept", "+party_warning")
    for template_id in ("gov_prior_notice", "gov_statement_record"):
        assert due_message("gov_sanction") in case.refused(template_id)
    case.walk("+gov_warning")
    demo_data.qualify(store, rules, case.id, "违反群众纪律", TODAY)
    text, result = case.render("gov_prior_notice")
    assert seq(result.number, "青石监告〔2026〕") == 1 and "王建国：" in text and FACT in text
    assert "上述事实有书证、证人证言等证据证实。" in text
    assert "拟给予你政务警告处分。" in text and "《中华人民共和国公职人员政务处分法》第四十三条规定" in text
    assert re.search(r"依据《[^》]+》第[^条]+条", text), text
    text, _ = case.render("gov_statement_record")
    assert "陈述申辩人：王建国，男，" in text and "拟给予的政务警告处分及其依据（青石监告〔2026〕1号）" in text

    case.walk("submit_county_review", "to_branch", "to_township_approval", "approve")
    case.act(type="decide_gov_sanction", type_id="gov_warning", decided_on=(case.day + timedelta(days=2)).isoformat(),
             organ="青山县监察委员会")
    _, decision = case.render("gov_sanction_decision", checked=False)
    text, _ = case.render("gov_service_receipt")
    assert f"政务处分决定书　{decision.number}" in text and "政务警告处分" in text and "所在机关、\n单位签收" in text

    _, party_decision = case.render("sanction_decision", checked=False)  # its number goes into 宣布和送达
    case.walk("to_execution")
    text, result = case.render("sanction_filing_report")
    assert seq(result.number, "青石纪报〔2026〕") >= 1
    assert "中共青石镇委员会：" in text and FACT in text
    assert f"经我委研究，决定给予王建国同志党内警告处分（{party_decision.number}）。影响期自" in text
    assert f"监察机关对王建国作出政务警告处分决定（{decision.number}）。影响期自" in text
    assert "《中国共产党处分违纪党员批准权限和程序规定》第二十条第一款第五项规定，现报请备案" in text
    assert "抄送：县纪委监委。" in text

    case.walk("to_close")
    assert due_message("not_filed") in case.refused("clue_closing_report")
    case.render("closing_report", checked=False)
    text, _ = case.render("revisit_record")
    assert "党内警告处分" in text and "政务警告处分" in text and party_decision.number in text


def test_the_gov_documents_and_the_supervision_decision_are_refused_without_their_condition(store, rules):
    case = Case(store, rules).walk("accept", "to_prelim", "propose_filing", "file", "transfer_review", "accept",
                                   "+party_warning", "submit_county_review", "to_branch", "to_township_approval",
                                   "approve")
    for template_id, flag in (("gov_prior_notice", "gov_sanction"), ("gov_statement_record", "gov_sanction"),
                              ("gov_service_receipt", "gov_sanction"), ("supervision_filing_decision", "supervision_filed")):
        assert due_message(flag) in case.refused(template_id), template_id
    text, _ = case.render("filing_notice_subject")  # a party member, not a 监察对象: no 监察法 in the notice
    assert "监察法" not in text
    case.walk("to_execution")
    text, _ = case.render("sanction_filing_report")
    assert "现报请备案" in text and "党内警告处分" in text


ROUTINE = ("clue_study_record", "talk_notice", "talk_statement", "form1_talk_record", "evidence_request",
           "filing_notice_subject", "filing_notice_org", "supervision_filing_decision", "evidence_catalog",
           "investigation_extension_form", "gov_prior_notice", "gov_statement_record", "gov_service_receipt",
           "sanction_filing_report", "revisit_record", "clue_closing_report")


def test_each_routine_template_is_named_by_the_rules_and_reads_well_while_the_case_holds_nothing(store, rules):
    """A 样稿 of a case just registered leaves nearly every value empty: fill-in lines then, none of them broken
    over a line end, and no clashing punctuation around the empty values."""
    named = {d.template for st in rules.workflow.steps.values() for d in st.documents}
    assert set(ROUTINE) <= named
    case = Case(store, rules)
    for template_id in ROUTINE:
        data, _ = documents.preview(store, case.id, template_id, today=TODAY, rules=rules)
        check(template_id, data)
        assert "王建国" in docx_text(data), template_id
