"""USB sync end to end on real stores: city → county → township set-up packages, a township case
reviewed by the county (乡案县审) and unblocked by the opinion that travels down, a clue the county
transfers down, and statistics the county forwards to the city. Everything through the CLI."""

from __future__ import annotations

import json
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from app.models import Case, Clue, StatisticsSnapshot
from app.paths import store_paths
from app.services import unlock
from app.sync import quarantine
from tests.integration.conftest import PASSWORD
from tests.integration.test_case_paths import TO_REVIEW, Walk


@dataclass
class Chain:
    city: Path
    county: Path
    township: Path
    stick: Path


@contextmanager
def opened(data: Path):
    store = unlock.unlock(store_paths(data), None, PASSWORD).store
    try:
        yield store
    finally:
        store.close()


def ok(result):
    assert result.code == 0, result.out + result.err
    return result.json


def init_with_package(run_cli, parent: Path, data: Path, code: str, name: str, level: str, stick: Path) -> None:
    ok(run_cli("--data-dir", parent, "office", "add", "--code", code, "--name", name, "--level", level, "--json"))
    package = stick / f"{code}_setup.jab"
    ok(run_cli("--data-dir", parent, "setup-package", "--for", code, "--out", package, "--json"))
    made = ok(run_cli("--data-dir", data, "init", "--setup-package", package, "--account", "管理员", "--kdf", "fast", "--json"))
    assert made["office_code"] == code and made["parent_fingerprint"]


def make_chain(tmp_path: Path, run_cli) -> Chain:
    stick = tmp_path / "stick"
    stick.mkdir()
    chain = Chain(tmp_path / "city", tmp_path / "county", tmp_path / "township", stick)
    ok(run_cli("--data-dir", chain.city, "init", "--office-code", "S01", "--office-name", "江州市纪委", "--level", "city",
               "--account", "管理员", "--kdf", "fast", "--json"))
    init_with_package(run_cli, chain.city, chain.county, "C01", "青山县纪委", "county", stick)
    init_with_package(run_cli, chain.county, chain.township, "T001", "青石镇纪委", "township", stick)
    return chain


def fingerprint(run_cli, data: Path) -> str:
    return ok(run_cli("--data-dir", data, "fingerprint", "--json"))["fingerprint"]


def export(run_cli, data: Path, to: str, out: Path, *extra: str) -> dict:
    return ok(run_cli("--data-dir", data, "export", "--to", to, "--out", out, *extra, "--json"))


def pair(run_cli, chain: Chain, sender: Path, receiver: Path, sender_code: str, receiver_code: str) -> None:
    """First bundle: refused until the receiver confirms the sender's fingerprint, then taken by the
    confirmation itself (issue 17: the operator does not import the same file twice)."""
    bundle = export(run_cli, sender, receiver_code, chain.stick)["bundle"]
    first = run_cli("--data-dir", receiver, "import", bundle, "--json")
    assert first.code == 2 and "指纹" in first.err
    assert first.json[0]["refused"] and first.json[0]["code"] == "fingerprint_unconfirmed"
    wrong = run_cli("--data-dir", receiver, "trust", sender_code, "--fingerprint", "12345 12345 12345 12345 12345 12345")
    assert wrong.code == 2
    trusted = ok(run_cli("--data-dir", receiver, "trust", sender_code, "--fingerprint", fingerprint(run_cli, sender), "--json"))
    assert [(r["file"], r["refused"]) for r in trusted["imported"]] == [(Path(bundle).name, False)]
    assert trusted["imported"][0]["new"] > 0
    assert quarantine.held(receiver) == []  # taken once its sender was confirmed: no longer held
    again = run_cli("--data-dir", receiver, "import", bundle, "--json")
    assert again.code == 2 and again.json[0]["code"] == "replay"


@pytest.fixture
def chain(tmp_path, run_cli) -> Chain:
    return make_chain(tmp_path, run_cli)


def walk_to_county_review(run_cli, township: Path, tmp_path: Path) -> str:
    walk = Walk().path(*TO_REVIEW, "+party_warning", "submit_county_review")
    result = ok(run_cli("--data-dir", township, "apply", "--file", walk.write(tmp_path), "--json"))
    return result["refs"]["c"]


def test_review_opinion_round_trip_unblocks_the_township(chain, run_cli, tmp_path):
    case_id = walk_to_county_review(run_cli, chain.township, tmp_path)
    shown = ok(run_cli("--data-dir", chain.township, "case", "show", case_id, "--json"))
    assert shown["step"]["id"] == "county_review"
    entered = date.fromisoformat(shown["step"]["entered_on"])

    pair(run_cli, chain, chain.township, chain.county, "T001", "C01")
    queue = ok(run_cli("--data-dir", chain.county, "review", "queue", "--json"))
    assert [r["case_id"] for r in queue] == [case_id]
    assert queue[0]["office_code"] == "T001" and queue[0]["kind"] == "review"
    bad = run_cli("--data-dir", chain.county, "review", "opinion", case_id, "--number", "县纪审〔2026〕7号",
                  "--date", (entered + timedelta(days=2)).isoformat(), "--conclusion", "随便")
    assert bad.code == 2 and "同意" in bad.err
    opinion = ok(run_cli("--data-dir", chain.county, "review", "opinion", case_id, "--number", "县纪审〔2026〕7号",
                         "--date", (entered + timedelta(days=2)).isoformat(), "--conclusion", "同意",
                         "--text", "事实清楚，定性准确", "--json"))
    assert opinion["kind"] == "review"
    assert ok(run_cli("--data-dir", chain.county, "review", "queue", "--json")) == []

    # without the opinion the township cannot go on to the branch meeting
    blocked = tmp_path / "to_branch.json"
    blocked.write_text(json.dumps({"type": "decide", "decision_id": "to_branch", "decided_on": (entered + timedelta(days=5)).isoformat()}))
    assert run_cli("--data-dir", chain.township, "case", "act", case_id, "--file", blocked).code == 2

    down = export(run_cli, chain.county, "T001", chain.stick)
    assert down["seq"] == 1 and Path(down["bundle"]).name == "C01_T001_1.jab"
    preview = ok(run_cli("--data-dir", chain.township, "import", down["bundle"], "--dry-run", "--json"))
    assert preview[0]["new"] >= 1 and preview[0]["sender"] == "C01"
    assert ok(run_cli("--data-dir", chain.township, "case", "show", case_id, "--json"))["fields"].get(
        "county_review.county_opinion_no") is None
    taken = ok(run_cli("--data-dir", chain.township, "import", down["bundle"], "--json"))[0]
    assert taken["new"] == preview[0]["new"] and any("县纪审〔2026〕7号" in e for e in taken["effects"])
    fields = ok(run_cli("--data-dir", chain.township, "case", "show", case_id, "--json"))["fields"]
    assert fields["county_review.county_opinion_no"] == "县纪审〔2026〕7号"
    assert fields["county_review.county_opinion"] == "同意"
    assert fields["county_review.opinion_summary"] == "事实清楚，定性准确"

    for n, action in enumerate(({"type": "set_fields", "values": {"submitted_on": entered.isoformat()}},
                                {"type": "complete_item", "item_id": "materials_sent"})):
        step = tmp_path / f"step{n}.json"
        step.write_text(json.dumps(action))
        ok(run_cli("--data-dir", chain.township, "case", "act", case_id, "--file", step, "--json"))
    moved = ok(run_cli("--data-dir", chain.township, "case", "act", case_id, "--file", blocked, "--json"))
    assert moved["step"] == "branch_meeting"

    # importing the same bundle again is a replay: refused, nothing changes
    replay = run_cli("--data-dir", chain.township, "import", down["bundle"], "--json")
    assert replay.code == 2 and replay.json[0]["code"] == "replay"

    # the county's receipt acknowledged bundle 1, so bundle 2 carries only what changed since
    second = export(run_cli, chain.township, "C01", chain.stick)
    assert second["seq"] == 2
    with opened(chain.township) as store:
        from app.services import sync
        log = {(h.direction, h.seq): h for h in sync.history(store)}
    assert log[("out", 1)].acked and not log[("out", 2)].acked
    assert second["records"] < log[("out", 1)].records
    taken = ok(run_cli("--data-dir", chain.county, "import", second["bundle"], "--json"))[0]
    assert taken["updated"] >= 1 and taken["warnings"] == []
    with opened(chain.county) as store:
        with store.read() as s:
            assert s.get(Case, case_id).step_id == "branch_meeting"
    verified = ok(run_cli("--data-dir", chain.county, "verify", "--json"))
    assert verified["audit_chain"] == "ok"


def test_transfer_down_becomes_a_township_case_with_its_deadline(chain, run_cli, tmp_path):
    pair(run_cli, chain, chain.township, chain.county, "T001", "C01")
    clue = tmp_path / "clue.json"
    clue.write_text(json.dumps({
        "received_on": date.today().isoformat(), "source": "信访举报（来信）",
        "reporter": {"name": "举报人乙", "phone": "13800000000", "real_name": True},
        "persons": [{"name": "赵德明", "unit": "青石镇农业服务中心", "post": "主任"}],
        "summary": "反映赵德明虚报冒领惠农补贴", "categories": ["违反廉洁纪律"]}, ensure_ascii=False), encoding="utf-8")
    refused = run_cli("--data-dir", chain.county, "transfer", "add", "--to", "S01", "--file", clue)
    assert refused.code == 2
    # a formal 发函交办 ([J] 第二十条): 3 months to finish and report ([J] 第二十一条)
    made = ok(run_cli("--data-dir", chain.county, "transfer", "add", "--to", "T001", "--file", clue, "--mode", "交办",
                      "--note", "请于三个月内办结并报告结果", "--json"))
    down = export(run_cli, chain.county, "T001", chain.stick)
    taken = ok(run_cli("--data-dir", chain.township, "import", down["bundle"], "--json"))[0]
    assert any("上级交办" in e and "3个月内办结" in e for e in taken["effects"])
    rows = ok(run_cli("--data-dir", chain.township, "case", "list", "--json"))
    assert len(rows) == 1 and rows[0]["source"] == "上级交办"
    shown = ok(run_cli("--data-dir", chain.township, "case", "show", rows[0]["case_id"], "--json"))
    deadline = next(d for d in shown["deadlines"] if d["id"] == "assigned_case")
    assert deadline["start"] == date.today().isoformat()
    assert shown["fields"]["intake_register.incoming_no"] == made["clue_number"]
    # a second import of a newer bundle from the county does not register the transfer twice
    again = export(run_cli, chain.county, "T001", chain.stick, "--full")
    ok(run_cli("--data-dir", chain.township, "import", again["bundle"], "--json"))
    assert len(ok(run_cli("--data-dir", chain.township, "case", "list", "--json"))) == 1
    # the township's case goes up; the county sees which case its transfer became
    up = export(run_cli, chain.township, "C01", chain.stick)
    ok(run_cli("--data-dir", chain.county, "import", up["bundle"], "--json"))
    listed = ok(run_cli("--data-dir", chain.county, "transfer", "list", "--json"))
    assert listed[0]["township_case"] == rows[0]["number"]


def test_county_sends_only_statistics_to_the_city(chain, run_cli, tmp_path):
    walk_to_county_review(run_cli, chain.township, tmp_path)
    pair(run_cli, chain, chain.township, chain.county, "T001", "C01")
    with opened(chain.county) as store:
        with store.write() as s:
            s.add(StatisticsSnapshot(owner_office_id=store.office.id, office_code="T001", office_name="青石镇纪委",
                                     level="township", parent_code="C01", period_from=date(2026, 1, 1),
                                     period_to=date(2026, 6, 30), indicators={"cases_filed": 1, "clues_received": 1},
                                     computed_on=date.today()))
    pair(run_cli, chain, chain.county, chain.city, "C01", "S01")
    with opened(chain.county) as store:
        with store.read() as s:
            made = {(x.office_code, x.period_from, x.period_to): x.indicators for x in s.exec(select(StatisticsSnapshot)).all()}
    with opened(chain.city) as store:
        with store.read() as s:
            snaps = s.exec(select(StatisticsSnapshot)).all()
            # the export made the snapshots itself (issue 15): the stale row went recomputed, with the rest
            assert {(x.office_code, x.period_from, x.period_to): x.indicators for x in snaps} == made
            stale = made[("T001", date(2026, 1, 1), date(2026, 6, 30))]
            assert "cases_filed" not in stale and {code for code, _, _ in made} == {"C01", "T001"}
            assert s.exec(select(Case)).all() == [] and s.exec(select(Clue)).all() == []
    offices = {r["code"]: r for r in ok(run_cli("--data-dir", chain.city, "office", "list", "--json"))}
    assert set(offices) == {"S01", "C01", "T001"} and offices["C01"]["last_in_seq"] == 1


def test_cancelled_export_writes_nothing_and_offices_are_checked(chain, run_cli, tmp_path):
    from app.services import sync
    from app.sync.container import Cancelled

    walk_to_county_review(run_cli, chain.township, tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    with opened(chain.township) as store:
        calls = []

        def cancel_after_reading():
            calls.append(1)
            return len(calls) > 1

        with pytest.raises(Cancelled):
            sync.export(store, "C01", out, progress=lambda *a: None, cancelled=cancel_after_reading)
        assert list(out.iterdir()) == [] and sync.history(store) == []
    refused = run_cli("--data-dir", chain.township, "office", "add", "--code", "T9", "--name", "某镇", "--level", "township")
    assert refused.code == 3 or refused.code == 2
    assert "县纪委或市纪委" in refused.err or "管理员" in refused.err
    missing = run_cli("--data-dir", chain.county, "export", "--to", "T404", "--out", out)
    assert missing.code == 2 and "T404" in missing.err
    unconfirmed = run_cli("--data-dir", chain.county, "export", "--to", "T001", "--out", out)
    assert unconfirmed.code == 2 and "指纹" in unconfirmed.err
    listed = ok(run_cli("--data-dir", chain.county, "office", "list", "--json"))
    township = next(r for r in listed if r["code"] == "T001")
    assert township["key_state"] == "none" and township["parent_code"] == "C01"
    assert ok(run_cli("--data-dir", chain.county, "fingerprint", "--json"))["office_code"] == "C01"
    no_package = run_cli("--data-dir", tmp_path / "x", "init", "--account", "甲", "--kdf", "fast")
    assert no_package.code == 2


def test_templates_travel_down_only_when_they_pass_lint(chain, run_cli, tmp_path):
    import base64

    from app.documents.manifest import parse_manifest
    from app.documents.registry import shipped_dir
    from app.models import Setting
    from app.services.documents import TEMPLATE_KEY_PREFIX, entry_dict

    pair(run_cli, chain, chain.township, chain.county, "T001", "C01")
    entry = parse_manifest((shipped_dir() / "manifest.toml").read_text("utf-8"))["clue_register_form"]
    good = {"entry": {**entry_dict(entry), "version": "2026.9"},
            "docx": base64.b64encode((shipped_dir() / entry.file).read_bytes()).decode()}
    with opened(chain.county) as store, store.write() as s:
        s.add(Setting(key=TEMPLATE_KEY_PREFIX + "clue_register_form", value=good))
    down = export(run_cli, chain.county, "T001", chain.stick)
    taken = ok(run_cli("--data-dir", chain.township, "import", down["bundle"], "--json"))[0]
    assert any("模板" in e for e in taken["effects"])
    with opened(chain.township) as store, store.read() as s:
        assert s.get(Setting, TEMPLATE_KEY_PREFIX + "clue_register_form").value["entry"]["version"] == "2026.9"

    bad = {"entry": {**entry_dict(entry), "version": "2026.10"}, "docx": base64.b64encode(b"not a docx").decode()}
    with opened(chain.county) as store, store.write() as s:
        row = s.get(Setting, TEMPLATE_KEY_PREFIX + "clue_register_form")
        row.value = bad
        s.add(row)
    down = export(run_cli, chain.county, "T001", chain.stick)
    refused = run_cli("--data-dir", chain.township, "import", down["bundle"], "--json")
    assert refused.code == 2 and refused.json[0]["code"] == "templates_refused"
    with opened(chain.township) as store, store.read() as s:
        assert s.get(Setting, TEMPLATE_KEY_PREFIX + "clue_register_form").value["entry"]["version"] == "2026.9"


NEW_WHAT = "县纪委统一要求：每一件反映都要当天编号登记，并判断管辖和是否受理。"


def county_rules(tmp_path: Path) -> Path:
    """A county's own workflow.toml: the shipped one with another version and one step's guidance changed."""
    from app.paths import resources_dir

    text = (resources_dir() / "rules" / "workflow.toml").read_text("utf-8")
    old_what = text.split('[steps.intake_register.guidance]\nwhat = "', 1)[1].split('"', 1)[0]
    changed = text.replace('version = "2026.2"', 'version = "2026.9"', 1).replace(old_what, NEW_WHAT, 1)
    assert changed.count(NEW_WHAT) == 1 and 'version = "2026.9"' in changed
    folder = tmp_path / "county_rules"
    folder.mkdir(exist_ok=True)
    path = folder / "workflow.toml"
    path.write_text(changed, encoding="utf-8")
    return path


def rules_of(data: Path):
    from app.services import ruleset

    with opened(data) as store:
        return ruleset.load(store).workflow


def test_county_rules_travel_down_and_broken_ones_are_not_accepted(chain, run_cli, tmp_path, monkeypatch):
    from app.models import Setting
    from app.services.ruleset import RULES_KEY_PREFIX

    pair(run_cli, chain, chain.township, chain.county, "T001", "C01")
    broken = tmp_path / "broken" / "workflow.toml"
    broken.parent.mkdir()
    broken.write_text('[workflow]\nid = "x"\n', encoding="utf-8")
    refused = run_cli("--data-dir", chain.county, "rules", "install", broken)
    assert refused.code == 2 and "workflow.toml" in refused.err
    assert run_cli("--data-dir", chain.county, "rules", "install", tmp_path / "other.toml").code == 2

    installed = ok(run_cli("--data-dir", chain.county, "rules", "install", county_rules(tmp_path), "--json"))
    assert installed == {"file": "workflow.toml", "version": "2026.9", "changed": True}
    assert rules_of(chain.county).version == "2026.9"
    assert rules_of(chain.township).version == "2026.2"

    down = export(run_cli, chain.county, "T001", chain.stick)
    taken = ok(run_cli("--data-dir", chain.township, "import", down["bundle"], "--json"))[0]
    assert any("workflow.toml" in e and "2026.9" in e for e in taken["effects"]), taken
    workflow = rules_of(chain.township)
    assert workflow.version == "2026.9" and workflow.steps["intake_register"].guidance.what == NEW_WHAT
    with opened(chain.township) as store, store.read() as s:
        assert s.get(Setting, RULES_KEY_PREFIX + "workflow.toml") is not None
        assert s.get(Setting, RULES_KEY_PREFIX + "sanctions.toml") is None  # same as shipped: nothing stored

    # a county (an older or faulty build) that sends a broken rules text: the township keeps its rules and
    # the rest of the bundle still applies
    from app.services import ruleset, sync

    with opened(chain.county) as store:
        texts = ruleset.effective_texts
        monkeypatch.setattr(ruleset, "effective_texts", lambda s: {
            **texts(s), "workflow.toml": texts(s)["workflow.toml"].replace('version = "2026.9"', 'version = 7', 1)})
        down = {"bundle": sync.export(store, "T001", chain.stick).bundle}
        monkeypatch.undo()
    taken = ok(run_cli("--data-dir", chain.township, "import", down["bundle"], "--json"))[0]
    assert not taken["refused"] and any("workflow.toml" in w and "未接受" in w for w in taken["warnings"]), taken
    assert rules_of(chain.township).version == "2026.9"


def test_rules_that_would_strand_an_open_case_are_refused(chain, run_cli, tmp_path):
    case_id = walk_to_county_review(run_cli, chain.township, tmp_path)
    pair(run_cli, chain, chain.township, chain.county, "T001", "C01")
    rules = county_rules(tmp_path)
    ok(run_cli("--data-dir", chain.county, "rules", "install", rules, "--json"))
    # the township's open case sits at a step the county's rules no longer have
    with opened(chain.township) as store, store.write() as s:
        case = s.get(Case, case_id)
        case.step_id = "retired_step"
        s.add(case)
    down = export(run_cli, chain.county, "T001", chain.stick)
    taken = ok(run_cli("--data-dir", chain.township, "import", down["bundle"], "--json"))[0]
    assert any("retired_step" in w and "未结案件" in w for w in taken["warnings"]), taken
    assert rules_of(chain.township).version == "2026.2"


def test_set_up_package_carries_the_county_rules(chain, run_cli, tmp_path):
    ok(run_cli("--data-dir", chain.county, "rules", "install", county_rules(tmp_path), "--json"))
    township = tmp_path / "township2"
    init_with_package(run_cli, chain.county, township, "T002", "青河镇纪委", "township", chain.stick)
    workflow = rules_of(township)
    assert workflow.version == "2026.9" and workflow.steps["intake_register"].guidance.what == NEW_WHAT


def test_plain_payloads_stay_in_the_data_folder_and_what_killed_runs_left_is_cleared(chain, run_cli, tmp_path, monkeypatch):
    """The unencrypted payload of an export or import never touches the system temp folder, and what a
    killed run left in the store's own working folder is gone once the store is opened again."""
    system_tmp = tmp_path / "system-tmp"
    system_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_tmp))
    township_work = store_paths(chain.township).sync_work
    left = township_work / "jiantong-sync-killed"
    left.mkdir(parents=True)
    (left / "payload.zip").write_bytes(b"records a killed export had packed")
    walk_to_county_review(run_cli, chain.township, tmp_path)
    assert not left.exists()

    export(run_cli, chain.township, "C01", chain.stick)
    assert not township_work.exists()  # export encrypts into the stick's file as it packs: no working files
    pair(run_cli, chain, chain.township, chain.county, "T001", "C01")
    county_work = store_paths(chain.county).sync_work
    assert not county_work.exists() or list(county_work.iterdir()) == []
    assert list(system_tmp.iterdir()) == []
