"""The routine documents of a township case (issue 16, item 9), beside the core ones of build_templates.specs().

build_templates.specs() ends with `s += routine_specs(sys.modules[__name__])`: the layout helpers (title, body,
table, sign …) come in as `h`, that module, so this file never imports it (no cycle, and no second copy of it when
the builder runs as a script). Each spec says where its text comes from; the articles are quoted from
shared/domain/regulations/ and checked there:

- 监督执纪工作规则 (2019) 第二十一条 (four ways of disposing of a clue, 予以了结 among them), 第二十四条 (专题会议
  on clues), 第二十七条、第二十八条 (谈话 by approval, 书面说明 after it), 第三十条 (采信了结; 谈话提醒、批评教育、
  责令检查、诫勉谈话), 第三十四条 (初核: 查阅复制文件、账目、档案), 第三十五条 (初核后予以了结), 第三十八条 (立案决定
  向被审查调查人宣布，并向所在党委（党组）主要负责人通报), 第四十条 (调取), 第四十二条 (两人以上，出具书面通知),
  第四十三条 (谈话宣布立案决定);
- 纪律处分条例 (2023) 第五条 (谈话提醒、批评教育、责令检查、诫勉);
- 处分违纪党员批准权限和程序规定 (2022) 第二十条第一款第五项 (基层纪委批准的警告、严重警告报同级基层党委备案);
- 监察法 (2024) 第十八条 (调取证据), 第十九条 (对监察对象谈话), 第二十条 (调查中谈话，必要时出具书面通知),
  第四十二条 (立案，监察机关主要负责人批准), 第五十二条第一款第一项 (谈话提醒、批评教育、责令检查、诫勉);
- 监察法实施条例 (2021 text, its numbering) 第一百八十条 (立案调查), 第一百八十五条 (调查期限：一年，经上一级监察机关
  批准可延长，不超过六个月), 第二百零一条 (谈话提醒、批评教育的记录，书面检查，诫勉);
- 政务处分法 (2020) 第四十三条 (事先告知，陈述和申辩，不因申辩加重), 第四十六条 (送达被处分人和所在机关、单位).
"""

from __future__ import annotations

from types import ModuleType

WHO = "{{ person.name }}{{ person.address }}"  # 林敏同志; no 同志 for a non-member or one expelled
IDENTITY = "{{ person.identity }}"  # the 基本情况 sentence, ending with 。
SUPERVISED = 'person.supervision_object == "是"'
MEMBER = 'person.political_status in ["中共党员", "中共预备党员"]'  # the 条例 binds party members only
PARTY_RULES = "《中国共产党纪律检查机关监督执纪工作规则》"


def only_if(condition: str, text: str) -> str:
    """A clause printed only when the condition holds (inside a sentence)."""
    return "{{ \"" + text + "\" if " + condition + " else \"\" }}"


def routine_specs(h: ModuleType) -> list:
    """The specs, built with build_templates' helpers `h`."""
    blank_line, blank_date, sign_date = h.BLANK, h.BLANK_DATE, h.SIGN_DATE
    body, plain, title, when, loop, control = h.body, h.plain, h.title, h.when, h.loop, h.control
    L, V, Row, tr, signed, opinion = h.L, h.V, h.Row, h.tr, h.signed, h.opinion  # noqa: N806
    widths = h.FORM_WIDTHS

    def facts() -> list[str]:
        """The facts established for the person, one paragraph each; a fill-in line while none is recorded (the
        立案依据 is what 初核 found, not what the investigation established)."""
        return (when("facts", loop("f", "facts", body("{{ f.label }}{{ f.text }}")))
                + when("not facts", body(blank_line)))

    def receipt(who: str, what: str = "本通知书") -> list[str]:
        return plain("", f"本人已收到{what}。", f"{who}（签名）：" + blank_line + "　" + sign_date)

    s = []
    # ── 线索处置 ──
    s.append(h.spec("clue_study_record", "线索集体排查记录", "disposition", "依据", 25,
        title("问题线索集体排查记录") + h.blank(1) + h.form_number("case.clue_number") + h.table([
            Row([L("时间"), V("{{ study.disposition.held_on }}"), L("地点"), V("")]),
            Row([L("主持人"), V(""), L("记录人"), V("")]),
            Row([L("参加人员"), V("{{ study.disposition.attendees }}", span=3)], 16),
            Row([L("线索编号"), V("{{ case.clue_number }}"), L("受理时间"), V("{{ case.received_on }}")]),
            Row([L("线索来源"), V("{{ case.source }}", span=3)]),
            tr("for p in persons"),
            Row([L("被反映人"), V("{{ p.name }}"), L("单位及职务"), V("{{ p.unit_post }}")]),
            tr("endfor"),
            Row([L("反映的\n主要问题"), V("{{ case.summary }}", span=3, valign="top")], 25),
            Row([L("承办人\n汇报意见"), V("{{ fields.disposition.analysis }}", "",
                                          signed("承办人：{{ fields.disposition.handler }}"), span=3, valign="top")], 25),
            Row([L("集体排查\n研究意见"), V("{{ study.disposition.conclusion }}", span=3, valign="top")], 25),
            Row([L("处置方式"), V("{{ decided.disposition.decision_title }}", span=3)]),
            Row([L("参加人员\n签名"), V("", span=3, valign="top")], 20),
        ], widths),
        required=("case.clue_number", "persons[].name", "study.disposition.held_on", "study.disposition.attendees",
                  "study.disposition.conclusion")))
    # ── 谈话函询；审查调查中的谈话 ──
    s.append(h.spec("talk_notice", "谈话通知书", "talk", "依据", 55,
        h.decision_head("谈话通知书") + h.salute(WHO + "：")
        + when("case.number", body(
            "根据" + PARTY_RULES + "第四十二条、第四十三条" + only_if(SUPERVISED, "和《中华人民共和国监察法》第二十条")
            + "规定，因审查调查工作需要，我委决定与你谈话。",
            "谈话时间：" + blank_date + "　　时　　分"))
        + when("not case.number", body(
            "根据" + PARTY_RULES + "第二十七条、第二十八条" + only_if(SUPERVISED, "和《中华人民共和国监察法》第十九条")
            + "规定，经批准，我委决定就反映你的有关问题与你谈话。",
            "谈话时间：" + h.d("fields.talk_inquiry.talk_held_on") + "　　时　　分"))
        + body("谈话地点：" + blank_line + blank_line,
               "请你携带本通知书和本人有效身份证件按时到达。因特殊情况不能按时到达的，请提前告知我委。",
               "联系人：" + blank_line + "　联系电话：" + blank_line)
        + h.sign() + receipt("被谈话人"),
        number="{office_abbr}纪谈〔{year}〕{seq}号", required=("number", "person.name")))
    s.append(h.spec("talk_statement", "被谈话人书面说明", "talk", "依据", 65,
        title("书面说明") + h.blank(1) + plain("说明人：" + IDENTITY) + h.salute("{{ office.commission }}：")
        + body(h.d("fields.talk_inquiry.talk_held_on") + "，你委就反映我的有关问题与我谈话。现将有关情况说明如下：")
        + h.blank(12)
        + body("以上说明内容真实。如有隐瞒、歪曲，本人愿意承担相应责任。")
        + h.sign("说明人（签名）：" + blank_line, blank_date) + h.blank(1) + h.table([
            Row([L("所在党组织\n主要负责人\n意见"), opinion("", "签名：")], 30),
        ], widths),
        required=("person.identity", "fields.talk_inquiry.talk_held_on")))
    # ── 第一种形态 ──
    measures = [
        ('x.name == "诫勉"', "{{ loop.index }}．予以诫勉。{{ (x.effect_text ~ \"。\") if x.effect_text else \"\" }}"
                            "要认真反思，切实改正。"),
        ('x.name == "批评教育"', "{{ loop.index }}．进行批评教育。要深刻认识问题，引以为戒，及时纠正。"),
        ('x.name == "责令检查"', "{{ loop.index }}．责令作出书面检查。请于" + blank_date + "前提交书面检查，并认真整改。"),
        ('x.name not in ["诫勉", "批评教育", "责令检查"]', "{{ loop.index }}．采取{{ x.name }}措施。"),
    ]
    s.append(h.spec("form1_talk_record", "诫勉、批评教育、责令检查谈话记录", "form1", "依据", 105,
        title("{{ sanctions_text }}{{ \"记录\" if \"谈话\" in sanctions_text else \"谈话记录\" }}") + h.blank(1) + plain(
            "时间：" + h.d("fields.form1_measure.measure_on") + "　　时　　分至　　时　　分",
            "地点：" + blank_line,
            "谈话人：" + h.v("fields.form1_measure.executed_by") + "　　记录人：" + blank_line,
            "被谈话人：" + IDENTITY,
            "反映的问题：{{ case.summary }}",
            "核实情况：{{ fields.talk_inquiry.finding or fields.prelim_verify.finding or \"" + blank_line + "\" }}")
        + body("根据" + only_if(MEMBER, "《中国共产党纪律处分条例》第五条") + only_if(MEMBER + " and " + SUPERVISED, "和")
               + only_if(SUPERVISED, "《中华人民共和国监察法》第五十二条第一款第一项") + "规定，经批准，对" + WHO + "作如下处理：")
        + control("for x in sanctions")
        + [p for condition, text in measures for p in when(condition, body(text))]
        + control("endfor")
        + plain("被谈话人对问题的认识和表态：", "", "", "",
                "以上记录我已看过（向我宣读过），与谈话情况一致。", "",
                "被谈话人（签名）：" + blank_line + "　" + sign_date,
                "谈话人（签名）：" + blank_line, "记录人（签名）：" + blank_line),
        required=("person.name", "sanctions_text", "fields.form1_measure.measure_on")))
    # ── 初步核实、审查调查：调取证据 ──
    takers = "{{ (fields.investigation.investigators if case.number else fields.prelim_verify.checkers) or \"" + blank_line + "\" }}"
    s.append(h.spec("evidence_request", "调取证据通知书", "prelim", "证据", 20,
        h.decision_head("调取证据通知书") + h.salute(blank_line + "：") + body(
            "根据" + PARTY_RULES + "{{ \"第四十条\" if case.number else \"第三十四条\" }}"
            + only_if(SUPERVISED, "和《中华人民共和国监察法》第十八条") + "规定，因工作需要，现向你单位调取以下证据材料：",
            "1．" + blank_line + blank_line, "2．" + blank_line + blank_line, "3．" + blank_line + blank_line,
            "请予配合，如实提供，并对调取证据的情况严格保密。",
            "调取人员：" + takers,
            "联系电话：" + blank_line)
        + h.sign() + plain("", "证据提供单位（盖章）：", "经办人（签名）：" + blank_line + "　" + sign_date)
        # the 存根 starts a page of its own (a page-break paragraph would leave a blank page when page 1 is full)
        + [h.para("调取证据通知书（存根）", "Title", page_break_before=True)] + h.blank(1) + h.table([
            Row([L("文号"), V("{{ number }}", span=3)]),
            Row([L("案由"), V("{{ person.name }}涉嫌违纪" + only_if(SUPERVISED, "违法") + "问题（{{ case.number or case.clue_number }}）",
                              span=3)]),
            Row([L("被调取单位"), V("", span=3)]),
            Row([L("调取证据\n名称及数量"), V("", span=3, valign="top")], 40),
            Row([L("调取人员"), V(takers, span=3)]),
            Row([L("批准人"), V(""), L("填发日期"), V("{{ issued_on }}")]),
        ], widths),
        number="{office_abbr}纪调〔{year}〕{seq}号", required=("number", "person.name")))
    # ── 立案 ──
    s.append(h.spec("filing_notice_subject", "立案通知书（被审查人）", "filing", "立案报告", 30,
        h.decision_head("立案通知书") + h.salute(WHO + "：") + body(
            "经{{ office.party_committee or \"同级党委\" }}批准，{{ office.commission }}于" + h.d("case.filed_on")
            + "决定对你涉嫌违纪问题立案审查（立案编号：{{ case.number }}）。根据" + PARTY_RULES
            + "第三十八条规定，现向你宣布。",
            "审查期间，你应当对党忠诚老实，如实说明问题，不得隐瞒、歪曲事实，不得串供或者伪造、隐匿、毁灭证据，"
            "不得对检举人、证人打击报复。依照党章，你有权说明情况和进行申辩。")
        + h.sign() + receipt("被审查人"),
        number="{office_abbr}纪通〔{year}〕{seq}号", counter="execution_notice",  # one sequence of 纪委通知
        required=("number", "person.name", "case.number", "case.filed_on")))
    s.append(h.spec("filing_notice_org", "立案通知书（所在党组织）", "filing", "立案报告", 40,
        h.decision_head("立案通知书") + h.salute("{{ person.unit or \"" + blank_line + "\" }}党组织：") + body(
            "经{{ office.party_committee or \"同级党委\" }}批准，{{ office.commission }}于" + h.d("case.filed_on")
            + "决定对你单位{{ person.post }}" + WHO + "涉嫌违纪问题立案审查（立案编号：{{ case.number }}）。根据"
            + PARTY_RULES + "第三十八条规定，现予通报。",
            "请你单位党组织支持配合审查工作，做好" + WHO + "的思想工作，对工作中知悉的情况严格保密。")
        + h.sign() + plain("", "签收人（签名）：" + blank_line + "　" + sign_date),
        number="{office_abbr}纪通〔{year}〕{seq}号", counter="execution_notice",  # one sequence of 纪委通知
        required=("number", "person.name", "person.unit", "case.number", "case.filed_on")))
    s.append(h.spec("supervision_filing_decision", "监察立案调查决定书", "filing", "立案报告", 25,
        h.decision_head("立案调查决定书") + body(
            "被调查人" + IDENTITY,
            "经初步核实，{{ person.name }}涉嫌职务违法，需要追究法律责任。主要问题：" + h.v("fields.filing.basis"),
            "根据《中华人民共和国监察法》第四十二条和《中华人民共和国监察法实施条例》第一百八十条（2021年文本条号）规定，"
            "经监察机关主要负责人批准，决定对{{ person.name }}立案调查。")
        + h.sign("{{ office.supervision }}（印章）")
        + plain("", "本决定已向本人宣布。", "被调查人（签名）：" + blank_line + "　" + sign_date),
        number="{office_abbr}监立〔{year}〕{seq}号", author="supervision",
        required=("number", "person.name", "fields.filing.basis")))
    # ── 审查调查 ──
    cell = "CatalogText"
    s.append(h.spec("evidence_catalog", "证据目录", "filing", "证据", 5,
        title("证据目录") + h.blank(1) + plain("案件编号：{{ case.number }}", "被审查调查人：{{ person.name }}（{{ person.unit_post }}）")
        + h.table([
            Row([V((t, "CatalogLabel")) for t in ("序号", "证据名称", "种类", "来源", "取得日期", "页数", "备注")], 9),
            tr("for e in evidence"),
            Row([V((f"{{{{ e.{k} }}}}", cell)) for k in ("seq", "title", "kind", "source", "obtained_on", "pages")]
                + [V(("", cell))], 9),
            tr("endfor"),
            tr("if not evidence"),
            *[Row([V(("", cell)) for _ in range(7)], 9) for _ in range(5)],
            tr("endif"),
        ], [12, 38, 20, 28, 30, 12, 16], header_rows=1)
        + when("evidence", plain("共{{ evidence|length }}项证据。"))
        + h.sign("制作人：" + h.v("fields.investigation.investigators")),
        required=("person.name", "case.number", "evidence[].title", "evidence[].kind")))
    s.append(h.spec("investigation_extension_form", "延长审查调查期限审批表", "filing", "方案", 20,
        title("延长审查调查期限审批表") + h.blank(1) + h.form_number("case.number") + h.table([
            Row([L("案件编号"), V("{{ case.number }}"), L("立案时间"), V("{{ case.filed_on }}")]),
            Row([L("被审查\n调查人"), V("{{ person.name }}"), L("政治面貌"), V("{{ person.political_status }}")]),
            Row([L("单位及职务"), V("{{ person.unit_post }}", span=3)]),
            Row([L("是否\n监察对象"), V("{{ person.supervision_object }}"), L("审查调查组"),
                 V("{{ fields.investigation.investigators }}")]),
            Row([L("原定期限\n届满日期"), V(""), L("申请延长至"), V("")]),
            Row([L("延期依据"), V("{{ \"《中华人民共和国监察法实施条例》第一百八十五条（2021年文本条号）\" if " + SUPERVISED
                                  + " else \"\" }}", span=3)], 16),
            Row([L("延期理由"), V("", span=3, valign="top")], 40),
            Row([L("审查调查组\n意见"), opinion("", "组长：")], 25),
            Row([L("纪委书记\n意见"), opinion("", "签名：")], 25),
            Row([L("{{ office.parent_name }}\n意见"), opinion("", "签名：")], 25),
        ], widths),
        required=("person.name", "case.number", "case.filed_on")))
    # ── 审理：政务处分前的告知和陈述申辩（政务处分法第四十三条） ──
    # the articles of the 定性 name the range the sanction is taken from (政务处分法 第二十八条 to 第四十一条)
    gov_basis = "{{ gov_articles_text or \"《中华人民共和国公职人员政务处分法》" + blank_line + "\" }}"
    s.append(h.spec("gov_prior_notice", "政务处分事先告知书", "review", "事实见面材料", 20,
        h.decision_head("政务处分事先告知书") + h.salute("{{ person.name }}：") + body("经调查，你存在以下违法事实：")
        + facts() + when("evidence_text", body("{{ evidence_text }}"))
        + body("依据" + gov_basis + "的规定，拟给予你{{ gov_sanction.full_name }}。",
               "根据《中华人民共和国公职人员政务处分法》第四十三条规定，现将调查认定的违法事实及拟给予政务处分的依据告知你。"
               "你有权进行陈述和申辩。对你提出的事实、理由和证据，本机关将进行核实，成立的予以采纳；"
               "不会因你的申辩而加重政务处分。",
               "如需陈述和申辩，请于" + blank_date + "前向本机关口头或者书面提出。")
        + h.sign("{{ office.supervision }}（印章）")
        + receipt("被告知人", "本告知书") + plain("□要求陈述和申辩　　□放弃陈述和申辩"),
        number="{office_abbr}监告〔{year}〕{seq}号", author="supervision",
        required=("number", "person.name", "gov_sanction.full_name", "facts[].text", "gov_articles_text")))
    s.append(h.spec("gov_statement_record", "陈述申辩笔录", "review", "事实见面材料", 30,
        title("陈述申辩笔录") + h.blank(1) + plain(
            "时间：" + blank_date + "　　时　　分至　　时　　分",
            "地点：" + blank_line,
            "告知人：" + blank_line + "　　记录人：" + blank_line,
            "陈述申辩人：" + IDENTITY,
            "告知人出示工作证件，告知陈述申辩人调查认定的违法事实、拟给予的{{ gov_sanction.full_name }}及其依据"
            "{{ (\"（\" ~ numbers.gov_prior_notice ~ \"）\") if numbers.gov_prior_notice else \"\" }}，听取其陈述和申辩。")
        + h.qa(4)
        + plain("以上笔录我已看过（向我宣读过），与我说的一致。", "",
                "陈述申辩人（签名）：" + blank_line + "　" + sign_date,
                "告知人（签名）：" + blank_line,
                "记录人（签名）：" + blank_line)
        + h.blank(1) + h.table([
            Row([L("核实情况\n及意见"), opinion("", "核实人：")], 35),
        ], widths),
        author="supervision", required=("person.identity", "gov_sanction.full_name")))
    # ── 决定执行 ──
    s.append(h.spec("gov_service_receipt", "政务处分决定书送达回证", "decision", "执行报告", 35,
        title("送达回证") + h.blank(1) + h.table([
            Row([L("送达文书\n名称及文号"), V("政务处分决定书　{{ numbers.gov_sanction_decision }}", span=3)], 16),
            Row([L("受送达人"), V("{{ person.name }}"), L("单位及职务"), V("{{ person.unit_post }}")]),
            Row([L("处分种类"), V("{{ gov_sanction.full_name }}"), L("决定日期"), V("{{ gov_sanction.decided_on }}")]),
            Row([L("送达日期"), V("", span=3)]),
            Row([L("送达地点"), V("", span=3)]),
            Row([L("送达方式"), V("", span=3)]),
            Row([L("受送达人\n签名"), V("", "", signed(blank_date), span=3, valign="top")], 22),
            Row([L("所在机关、\n单位签收"), V("", "", signed("（盖章）　" + blank_date), span=3, valign="top")], 22),
            Row([L("送达人\n签名"), V("", "", signed(blank_date), span=3, valign="top")], 22),
            Row([L("送达机关"), V("{{ office.supervision }}", "", signed("（印章）"), span=3, valign="top")], 22),
            Row([L("备注"), V("", span=3)], 18),
        ], widths),
        author="supervision", required=("person.name", "gov_sanction.full_name", "numbers.gov_sanction_decision")))
    by_commission = 'fields.township_approval.approver_body == "乡镇纪委"'
    approved = ("{{ \"经我委研究，\" if " + by_commission + " else ((\"经\" ~ office.party_committee ~ \"批准，\") "
                "if fields.township_approval.approver_body == \"乡镇党委\" else ((\"经\" ~ office.parent_name ~ \"批复同意，\") "
                "if fields.county_request.reply else \"\")) }}")
    s.append(h.spec("sanction_filing_report", "处分备案报告", "decision", "执行报告", 50,
        h.decision_head("关于" + WHO + "受处分情况的\n备案报告")
        + h.salute("{{ (office.party_committee or office.parent_name) if " + by_commission + " else office.parent_name }}：")
        + body(IDENTITY,
               h.d("case.filed_on") + "，经{{ decided.filing.approver or \"乡镇党委书记\" }}批准，我委对" + WHO
               + "立案审查{{ (\"（\" ~ case.number ~ \"）\") if case.number else \"\" }}。经查，" + WHO + "存在以下违纪问题：")
        + facts()
        + when("party_sanction.full_name", body(
            h.d("party_sanction.decided_on") + "，" + approved + "决定给予" + WHO + "{{ party_sanction.full_name }}"
            "{{ (\"（\" ~ numbers.sanction_decision ~ \"）\") if numbers.sanction_decision else \"\" }}。"
            "{{ (party_sanction.effect_text ~ \"。\") if party_sanction.effect_text else \"\" }}"))
        + when("gov_sanction.full_name", body(
            "{{ gov_sanction.decided_on or \"" + blank_date + "\" }}，监察机关对{{ person.name }}作出{{ gov_sanction.full_name }}决定"
            "{{ (\"（\" ~ numbers.gov_sanction_decision ~ \"）\") if numbers.gov_sanction_decision else \"\" }}。"
            "{{ (gov_sanction.effect_text ~ \"。\") if gov_sanction.effect_text else \"\" }}"))
        + when("not party_sanction.full_name and not gov_sanction.full_name", body(
            h.d("sanction.decided_on") + "，" + approved + "决定给予" + WHO + "{{ sanctions_text }}。"))
        + body("处分决定已于" + h.d("fields.announce.announced_on") + "向本人宣布并送达。")
        + when(by_commission, body("根据《中国共产党处分违纪党员批准权限和程序规定》第二十条第一款第五项规定，现报请备案。"))
        + when("not (" + by_commission + ")", body("现将有关情况报请备案。"))
        + body("附件：1．处分决定书", "　　　2．审理报告", "　　　3．处分决定宣布记录和送达回证")
        + h.sign() + h.copy_to("抄送：{{ office.parent_name if " + by_commission + " else (office.party_committee or office.name) }}。"),
        number="{office_abbr}纪报〔{year}〕{seq}号", counter="report_up",
        required=("number", "person.name", "facts[].text", "fields.announce.announced_on")))
    # ── 办结归档 ──
    s.append(h.spec("revisit_record", "回访教育记录", "archive", "执行报告", 60,
        title("回访教育记录") + h.blank(1) + h.form_number() + h.table([
            Row([L("回访对象"), V("{{ person.name }}"), L("单位及职务"), V("{{ person.unit_post }}")]),
            Row([L("处分或处理"), V("{{ sanctions_text }}", span=3)]),
            Row([L("决定文号"), V("{{ numbers.sanction_decision or fields.announce.decision_no }}", span=3)]),
            Row([L("决定日期"), V("{{ sanction.decided_on }}"), L("影响期满"), V("{{ sanction.effect_end }}")]),
            Row([L("回访时间"), V(""), L("回访地点"), V("")]),
            Row([L("回访人员"), V(""), L("记录人"), V("")]),
            Row([L("回访方式"), V("", span=3)]),
            Row([L("思想认识\n和工作表现"), V("", span=3, valign="top")], 40),
            Row([L("所在单位\n（党组织）\n意见"), V("", span=3, valign="top")], 25),
            Row([L("回访教育\n意见"), V("", span=3, valign="top")], 25),
            Row([L("被回访人\n签名"), V("", signed(sign_date), span=3, valign="top")], 18),
        ], widths),
        required=("person.name", "sanctions_text")))
    # 予以了结 where the person's clue was closed: 第三十五条 after 初核, 第三十条 after 谈话函询, 第二十一条 otherwise
    closed_by = ("{{ \"第三十五条\" if decided.prelim_verify.decided_on else (\"第三十条\" if decided.talk_inquiry.decided_on "
                 "else \"第二十一条\") }}")
    registered_only = "decided.not_accepted.decided_on or decided.forward_upward.decided_on or decided.refer_org.decided_on"
    s.append(h.spec("clue_closing_report", "问题线索了结报告", "archive", "结案意见", 15,
        h.decision_head("关于" + WHO + "问题线索的\n了结报告") + h.salute("{{ office.name }}：")
        + h.h1("一、基本情况") + body(IDENTITY)
        + h.h1("二、反映的主要问题") + body(
            "{{ case.received_on }}，我委受理问题线索（线索编号：{{ case.clue_number }}，线索来源：{{ case.source }}）。"
            "主要内容为：{{ case.summary }}")
        + h.h1("三、办理经过") + loop("x", "history", body(
            "{{ x.decided_on }}，{{ x.step_title }}，{{ x.decision_title }}{{ (\"（经\" ~ x.approver ~ \"批准）\") if x.approver else \"\" }}。"))
        + h.h1("四、了结理由")
        + when("fields.talk_inquiry.finding", body("谈话函询结论：{{ fields.talk_inquiry.finding }}"))
        + when("fields.prelim_verify.finding", body("初步核实结果：{{ fields.prelim_verify.finding }}。"))
        + when("sanctions_text", body("已对" + WHO + "作出{{ sanctions_text }}处理。"))
        + body("处理结果：" + h.v("fields.close_feedback.result_summary"))
        + h.h1("五、处理意见")
        + when(registered_only, body("建议对该问题线索登记办结，材料存档备查。"))
        + when("not (" + registered_only + ")", body(
            "根据" + PARTY_RULES + closed_by + "规定，建议对该问题线索予以了结，材料存档备查。"))
        + body("妥否，请批示。")
        + h.sign("承办人：" + h.v("fields.disposition.handler")) + h.blank(1) + h.table([
            Row([L("审批意见"), opinion("", "签批人：")], 25),
        ], widths),
        number="{office_abbr}纪结〔{year}〕{seq}号",
        required=("number", "person.name", "fields.close_feedback.result_summary", "history[].decision_title")))
    return s
