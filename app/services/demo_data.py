"""`demo-data`: realistic synthetic cases for demonstrations, training rooms, benchmarks and tests.

Every case is registered and moved through the real services: each step's checklist is ticked,
its fields filled, a collective study recorded where needed and the route's decision taken — no
shortcut past a gate. The same spec and seed give the same cases (names, texts, dates, numbers).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import func, select

from app.errors import InputError
from app.models import Clue
from app.services import cases, repeat_complaints, ruleset
from app.storage.store import Store

# route -> decisions taken in order; "+type" records a sanction or measure before the next decision,
# "+type@n" for the n-th person of the clue; "-outcome@n" ends the case for the n-th person alone
# (了结 before 立案, 免予处分 after), by the secretary's approval.
ROUTES: dict[str, tuple[str, ...]] = {
    "closed_directly": ("accept", "to_close", "to_archive", "archive"),
    "talk_inquiry_closed": ("accept", "to_talk", "accept_closed", "to_archive", "archive"),
    "shelved": ("accept", "to_shelve"),
    "verification_closed": ("accept", "to_prelim", "close", "to_archive", "archive"),
    "verification_form1": ("accept", "to_prelim", "remind", "+form1_reminder", "done", "to_archive", "archive"),
    "filed_open": ("accept", "to_prelim", "propose_filing", "file"),
    "filed_sanctioned": ("accept", "to_prelim", "propose_filing", "file", "transfer_review", "accept",
                         "+party_warning", "submit_county_review", "to_branch", "to_township_approval", "approve",
                         "to_execution"),
    # a 村支书 and a 村会计 reported together: the 会计 is cleared at 初核, the 支书 is filed and warned
    "filed_two_persons": ("accept", "to_prelim", "-了结@2", "propose_filing", "file", "transfer_review", "accept",
                          "+party_warning@1", "submit_county_review", "to_branch", "to_township_approval", "approve",
                          "to_execution"),
    # three filed together: a 警告, a 免予处分 after review, a 严重警告
    "filed_three_persons": ("accept", "to_prelim", "propose_filing", "file", "transfer_review", "accept",
                            "-免予处分@2", "+party_warning@1", "+party_serious_warning@3", "submit_county_review",
                            "to_branch", "to_township_approval", "approve", "to_execution"),
}
PERSONS_ON_ROUTE = {"filed_two_persons": 2, "filed_three_persons": 3}
CLEARED_REASONS = {
    "了结": "经初步核实，反映其本人的问题不属实，经纪委书记批准予以了结。",
    "免予处分": "其本人违纪情节轻微，主动说明问题并退出违纪所得，经集体研究免予党纪处分，予以批评教育。",
}
# What a clue on each route is about, so the texts match the outcome.
FINDINGS = {
    "verification_closed": "反映问题不实",
    "verification_form1": "反映问题部分属实",
    "filed_open": "反映问题基本属实",
    "filed_sanctioned": "反映问题基本属实",
    "filed_two_persons": "反映问题部分属实",
    "filed_three_persons": "反映问题基本属实",
}

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢"
GIVEN = ["建国", "志强", "海军", "秀英", "桂兰", "国平", "红梅", "德明", "永福", "春生", "金华", "玉珍", "文斌", "小军",
         "丽萍", "振华", "光辉", "明亮", "晓东", "卫东", "淑芬", "凤英", "宏伟", "俊杰", "勇", "磊", "静", "平", "刚", "敏"]
VILLAGES = ["青石村", "白沙村", "河口村", "长岭村", "石桥村", "柳树湾村", "新民村", "三合村", "龙泉村", "红星村"]
STATIONS = ["农业服务中心", "财政所", "社会事务办公室", "自然资源所", "综合执法队", "林业站", "水利站", "文化站"]
VILLAGE_POSTS = [("村党支部书记", "村干部"), ("村委会主任", "村干部"), ("村委会委员", "村干部"), ("村监委会主任", "村干部"),
                 ("村会计", "村干部"), ("村民小组长", "其他人员")]
STATION_POSTS = [("站所负责人", "乡科级"), ("工作人员", "一般干部"), ("副站长", "一般干部")]
SOURCES = ["信访举报（来信）", "信访举报（来访）", "信访举报（电话）", "信访举报（网络）", "上级交办", "巡察移交", "自行发现"]
# (违纪类别, the allegation, the 分则 article a 定性 of it names — "": the first of the category that fits)
ALLEGATIONS = [
    ("违反群众纪律", "在{year}年低保评定中优亲厚友，将不符合条件的亲属纳入低保对象", "T124"),
    ("违反廉洁纪律", "在儿子婚宴中收受管理服务对象礼金共计{money}元", "T97"),
    ("违反廉洁纪律", "违规使用村集体资金{money}元超标准接待", "T116"),
    ("违反廉洁纪律", "在村道硬化工程中向承包方索要好处费{money}元", ""),
    ("违反工作纪律", "在高标准农田建设项目验收中弄虚作假", ""),
    ("违反群众纪律", "在惠农补贴发放中优亲厚友、吃拿卡要", "T124"),
    ("违反组织纪律", "在村“两委”换届中拉票贿选", "T83"),
    ("违反生活纪律", "酒后驾驶机动车被公安机关查处", ""),
    ("违反廉洁纪律", "侵占村集体土地流转收益{money}元", "T111"),
]
TEXT_BY_FIELD = {
    "handler": "{officer}",
    "analysis": "经分析，反映问题具体、可查，承办人提出处置建议，报纪委书记审批。",
    "finding": "经谈话了解，{name}对反映问题作了说明，提供了相关凭证，说明属实。",
    "reason": "反映问题线索不够具体，暂不具备核查条件。",
    "basis": "{name}涉嫌违反纪律的事实有证据证明，需要追究党纪责任。",
    "proposal": "建议给予{name}党内警告处分。",
    "opinion": "{name}违纪事实清楚，证据确实充分，定性准确，建议给予党内警告处分。",
    "result_summary": "案件已按规定办结，相关材料整理完毕。",
    "archive_no": "{prefix}纪档〔{year}〕{seq}号",
    "county_opinion_no": "县纪审〔{year}〕{seq}号",
    "decision_no": "{prefix}纪处〔{year}〕{seq}号",
    "executed_by": "{secretary}",
    "subject_opinion": "对处分决定无异议。",
    "opinion_summary": "同意乡镇纪委审理意见。",
}
# the case's own proposal and opinion where several persons go on: each person's sanction is their own
TEXT_BY_FIELD_SEVERAL = {
    "proposal": "建议对{name}分别依规给予党纪处分。",
    "opinion": "{name}违纪事实清楚，证据确实充分，定性准确，建议分别依规给予党纪处分。",
}


@dataclass(frozen=True)
class DemoResult:
    cases: int
    routes: dict = field(default_factory=dict)
    case_ids: dict = field(default_factory=dict)


def validate_spec(spec: dict, today: date) -> tuple[int, int, dict[str, int], bool]:
    if not isinstance(spec, dict):
        raise InputError("spec_invalid", "演示数据说明应为 JSON 对象。")
    unknown = sorted(set(spec) - {"year", "seed", "routes", "documents"})
    if unknown:
        raise InputError("spec_invalid", f"演示数据说明中有无法识别的项：{'、'.join(unknown)}。")
    year, seed, routes = spec.get("year"), spec.get("seed", 1), spec.get("routes") or {}
    if not isinstance(year, int) or not 2000 <= year <= today.year:
        raise InputError("spec_invalid", f"year 应为2000年至今年（{today.year}）之间的年份。")
    if not isinstance(seed, int):
        raise InputError("spec_invalid", "seed 应为整数。")
    bad = sorted(set(routes) - set(ROUTES))
    if bad or not all(isinstance(n, int) and n >= 0 for n in routes.values()):
        raise InputError("spec_invalid", f"routes 只能包含 {'、'.join(ROUTES)}，数量为非负整数。")
    documents = spec.get("documents", False)
    if not isinstance(documents, bool):
        raise InputError("spec_invalid", "documents 应为 true 或 false。")
    return year, seed, dict(routes), documents


class Writer:
    """Makes the texts and dates of one demonstration store."""

    def __init__(self, rng: random.Random, year: int, last_day: date, prefix: str):
        self.rng = rng
        self.year = year
        self.last_day = last_day
        self.prefix = prefix
        self.seq = 0
        self.secretary = self.name()
        self.staff = [self.name() for _ in range(4)]

    def name(self) -> str:
        return self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def clue(self, route: str, received: date) -> dict:
        several = PERSONS_ON_ROUTE.get(route, 1)
        village = several > 1 or self.rng.random() < 0.75
        unit = self.rng.choice(VILLAGES) + "村民委员会" if village else "青石镇" + self.rng.choice(STATIONS)
        posts = self.rng.sample(VILLAGE_POSTS[:5] if village else STATION_POSTS, several)
        people = [{"name": self.name(), "unit": unit.replace("村村", "村"), "post": post, "category": category,
                   "political_status": "中共党员"} for post, category in posts]
        kind, text, _ = self.rng.choice(ALLEGATIONS)
        named = "、".join(f"{p['post']}{p['name']}" for p in people)
        summary = f"反映{people[0]['unit']}{named}" + text.format(year=self.year - 1, money=self.rng.randrange(2, 60) * 500)
        source = self.rng.choice(SOURCES)
        real_name = source.startswith("信访") and self.rng.random() < 0.4
        clue = {"received_on": received.isoformat(), "source": source, "persons": people, "summary": summary,
                "categories": [kind], "incoming_no": f"信〔{self.year}〕{self.rng.randrange(1, 300)}号"}
        if real_name:
            clue["reporter"] = {"name": self.name(), "phone": f"139{self.rng.randrange(10**7, 10**8)}", "real_name": True}
        return clue

    def value(self, step_id: str, f, on: date, route: str, subject: str):
        if f.type == "date":
            return on.isoformat()
        if f.type == "number":
            return {"eligible": 12, "present": 10, "in_favour": 9}.get(f.id, 1)
        if f.type == "bool":
            return False
        if f.type == "person":
            return [{"name": self.name()}] if f.multiple else {"name": self.name()}
        if f.type == "choice":
            if step_id == "prelim_verify" and f.id == "finding":
                return FINDINGS.get(route, f.choices[0])
            if f.id == "approver_body":
                return "乡镇纪委"
            if f.id == "keeping_term":
                return "60年"
            return [f.choices[0]] if f.multiple else f.choices[0]
        if f.id == "investigators":  # 查审分离: the two teams never share a member ([R] 54)
            return self.staff[:2]
        if f.id == "reviewers":
            return self.staff[2:]
        if f.multiple:
            return self.rng.sample(self.staff, 2)
        several = TEXT_BY_FIELD_SEVERAL if "、" in subject else {}
        template = several.get(f.id) or TEXT_BY_FIELD.get(f.id, f"{f.label}：已按规定办理。")
        return template.format(officer=self.rng.choice(self.staff), name=subject, prefix=self.prefix, year=self.year,
                               seq=self.next_seq(), secretary=self.secretary)


def generate(store: Store, spec: dict, *, force: bool = False, today: date | None = None) -> DemoResult:
    today = today or date.today()
    year, seed, routes, with_documents = validate_spec(spec, today)
    with store.read() as s:
        real = s.exec(select(func.count()).select_from(Clue).where(Clue.is_demo == False)).one()  # noqa: E712
        prefix = cases.office_prefix(s, store)
    if real and not force:
        raise InputError("store_has_cases", f"数据库中已有{real}件真实线索，为免混淆不生成演示数据。确需生成请加 --force。")
    rules = ruleset.load(store)
    rng = random.Random(seed)
    last_day = min(date(year, 12, 31), today)
    writer = Writer(rng, year, last_day, prefix)
    plan = [route for route in ROUTES for _ in range(routes.get(route, 0))]
    rng.shuffle(plan)
    made: dict[str, list[str]] = {}
    for route in plan:
        made.setdefault(route, []).append(run_route(store, rules, writer, route, today, with_documents))
    return DemoResult(len(plan), {r: len(ids) for r, ids in made.items()}, made)


def run_route(store: Store, rules: ruleset.RuleSet, writer: Writer, route: str, today: date,
              with_documents: bool = False) -> str:
    rng = writer.rng
    steps = ROUTES[route]
    span = 4 * len(steps) + 10  # room for every step inside the year
    first = date(writer.year, 1, 2)
    latest_start = writer.last_day - timedelta(days=span)
    received = first + timedelta(days=rng.randrange(max(1, (latest_start - first).days)))
    clue = writer.clue(route, received)
    subject = clue["persons"][0]["name"]
    case_id = cases.register_clue(store, clue, today=today, demo=True, rules=rules).case_id
    on = received
    names = [p["name"] for p in clue["persons"]]
    for token in steps:
        if token[0] in "+-":
            person_token(store, rules, writer, case_id, token, names, on, today)
            continue
        on = min(on + timedelta(days=rng.randrange(1, 4)), writer.last_day)
        prepare_step(store, rules, writer, case_id, route, on, subject, today, clue)
        shown = cases.show_case(store, case_id, today=today, rules=rules)
        option = next(d for d in shown["decisions"] if d["id"] == token)
        action = {"type": "decide", "decision_id": token, "decided_on": on.isoformat()}
        if option["approver_role"]:
            action["approver"] = writer.secretary
        cases.act(store, case_id, action, today=today, rules=rules)
        if with_documents:
            render_step_documents(store, rules, case_id, shown["step"]["id"], on)
    if with_documents:
        render_step_documents(store, rules, case_id, cases.case_state(store, case_id).step_id, on)
    return case_id


def person_token(store, rules, writer: Writer, case_id: str, token: str, names: list[str], on: date,
                 today: date) -> None:
    """"+type[@n]": propose a sanction for the n-th person; "-outcome@n": end the case for them alone."""
    what, _, index = token[1:].partition("@")
    subject = names[int(index) - 1] if index else None
    if token[0] == "+":
        action = {"type": "record_sanction", "type_id": what}
        if subject:
            action["subject"] = subject
    else:
        action = {"type": "close_subject", "subject": subject, "outcome": what, "decided_on": on.isoformat(),
                  "approver": writer.secretary, "reason": CLEARED_REASONS[what]}
    cases.act(store, case_id, action, today=today, rules=rules)


def render_step_documents(store: Store, rules: ruleset.RuleSet, case_id: str, step_id: str, on: date) -> None:
    """Every document the step produces that the rules allow for the case (for each person, where
    it is a per-person document), made on the step's last day, once its decision is on record."""
    from app.services import documents

    for t in documents.case_templates(store, case_id, rules=rules):
        if t.step_id == step_id and not t.not_now:
            documents.render(store, case_id, t.template_id, today=on, rules=rules, subject=t.subject_id)


# a demonstration clue is never a 重复检举控告: its links would have to name a real earlier clue
NOT_A_REPEAT = {repeat_complaints.FLAG, repeat_complaints.LINKS}


def prepare_step(store, rules, writer: Writer, case_id: str, route: str, on: date, subject: str, today: date,
                 clue: dict | None = None) -> None:
    """Do what the current step asks: checklist, fields, a collective study, and for each person
    under investigation the facts, evidence, 事实见面 and the 定性 the later steps need."""
    state = cases.case_state(store, case_id)
    step = rules.workflow.steps[state.step_id]
    if step.id == "investigation" and clue is not None:
        record_findings(store, rules, writer, case_id, clue, on, today)
    if any("qualification" in d.requires for d in step.decisions):
        qualify(store, rules, case_id, (clue or {}).get("categories", [""])[0], today, article_of((clue or {}).get("summary", "")))
    for item in step.checklist:
        cases.act(store, case_id, {"type": "complete_item", "item_id": item.id}, today=today, rules=rules)
    named = "、".join(p.name for p in state.subjects if not p.outcome) or subject  # whom the case's own texts are about
    values = {f.id: writer.value(step.id, f, on, route, named) for f in step.fields
              if f"{step.id}.{f.id}" not in state.fields and f.id not in NOT_A_REPEAT}
    # a demonstration complainant raises no objection to the feedback ([J] 27): no response_* record; the 民主生活会
    # after a 谈话函询 ([R] 31) and the 回访教育 come months after closing, so they are still to come
    values = {k: v for k, v in values.items() if not (k in ("skip_reason", "revoke_reason", "return_reason", "referred_org", "new_evidence", "referred_to",
                                                           "response_on", "response_record", "response_explained", "life_meeting_on",
                                                           "revisit_on", "revisit_note"))}
    if values:
        cases.act(store, case_id, {"type": "set_fields", "values": values}, today=today, rules=rules)
    if any(d.requires and "study" in d.requires for d in step.decisions):
        attendees = [writer.secretary, *writer.staff[:2]]
        cases.act(store, case_id, {"type": "record_study", "held_on": on.isoformat(), "attendees": attendees,
                                   "conclusion": "经集体研究，同意承办人意见。"}, today=today, rules=rules)


def record_findings(store, rules, writer: Writer, case_id: str, clue: dict, on: date, today: date) -> None:
    """One piece of evidence, one established fact and the 事实见面 for each person still in the case."""
    shown = cases.show_case(store, case_id, today=today, rules=rules)
    for person in shown["subjects"]:
        if person["outcome"] or person["facts"]:
            continue
        act = lambda data: cases.act(store, case_id, {"subject": person["id"], **data}, today=today, rules=rules)  # noqa: E731
        act({"type": "set_subject", "values": demo_particulars(person["name"], writer.year, person["particulars"])})
        listed = cases.show_case(store, case_id, today=today, rules=rules)["subjects"]
        evidence = 1 + max((e["seq"] for p in listed for e in p["evidence"]), default=0)  # numbers run case-wide
        act({"type": "add_evidence", "kind": "书证", "title": f"{person['name']}经手的相关账目、凭证复印件",
             "source": f"{clue['persons'][0]['unit']}提供", "obtained_on": on.isoformat(), "pages": writer.rng.randrange(2, 12)})
        act({"type": "add_evidence", "kind": "被调查人陈述、供述和辩解", "title": f"{person['name']}谈话笔录",
             "source": "审查调查组谈话", "obtained_on": on.isoformat(), "pages": writer.rng.randrange(3, 9)})
        act({"type": "add_fact", "occurred": f"{writer.year - 1}年", "narrative": clue["summary"].removeprefix("反映") + "。",
             "evidence": [evidence, evidence + 1], "attitude": "本人对上述事实无异议，认识到错误。"})
        act({"type": "record_fact_meeting", "met_on": on.isoformat(), "statement": "对事实材料无异议。"})


def demo_particulars(name: str, year: int, known: dict) -> dict:
    """The 基本情况 a case records of a person (性别, 出生年月, 民族, 学历, 入党 and 参加工作时间), drawn
    from the name so the demo's other draws stay as they were; what is recorded already is kept."""
    rng = random.Random(name)
    born = year - rng.randrange(32, 58)
    values = {"gender": rng.choice(("男", "女")), "birth": f"{born}-{rng.randrange(1, 13):02d}", "ethnicity": "汉族",
              "education": rng.choice(("高中", "大专", "大学")), "work_started": f"{born + rng.randrange(18, 23)}-07"}
    if known.get("political_status", "") in ("", "中共党员"):
        values["party_joined"] = f"{born + rng.randrange(22, 30)}-{rng.randrange(1, 13):02d}"
    return {k: v for k, v in values.items() if not known.get(k)}


def article_of(summary: str) -> str:
    """The 分则 article of the demo allegation a clue's summary states ("" when none is named)."""
    return next((article for _, text, article in ALLEGATIONS if text.split("{")[0] in summary), "")


def qualify(store, rules, case_id: str, category: str, today: date, article: str = "") -> None:
    """The 定性 of each person proposed a 党纪 or 政务处分: the allegation's own article where its range
    holds what is proposed, else an article of the clue's 违纪类别 whose range does."""
    shown = cases.show_case(store, case_id, today=today, rules=rules)
    for person in shown["subjects"]:
        proposed = [x["type_id"] for x in person["sanctions"] if x["proposed"]
                    and rules.catalog.get(x["type_id"]).kind in ("party", "gov")]
        if person["outcome"] or person["qualification"] or not proposed:
            continue
        picks = []
        for kind in ("party", "gov"):
            wanted = {t for t in proposed if rules.catalog.get(t).kind == kind}
            if wanted:
                picks.append(article_for(rules, kind, wanted, category, article))
        cases.act(store, case_id, {"type": "set_qualification", "subject": person["id"], "articles": picks},
                  today=today, rules=rules)


def article_for(rules, kind: str, wanted: set[str], category: str, article: str = "") -> dict:
    fits = [(a, plot) for a in rules.articles if a.law == kind for plot, allowed in a.ranges.items()
            if wanted <= set(allowed)]
    same = [f for f in fits if f[0].id == article] or [f for f in fits if f[0].category == category] or fits
    article, plot = same[0]
    return {"article": article.id, "plot": plot}
