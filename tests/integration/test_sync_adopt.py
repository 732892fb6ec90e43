"""Issue 17 point 10: a township set up with plain `init` (before the county's set-up package
arrived) adopts the package later, keeps every case with its history, and pairs with the county
(docs/BUNDLE.md §2a). Refusals leave the township's store exactly as it was."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select

from app.errors import AppError
from app.models import AuditEvent, Case, Office, OfficeKey, StepRecord
from app.services import offices
from app.sync import quarantine
from tests.integration.test_sync_poison import assert_same, contents
from tests.integration.test_sync_roundtrip import export, fingerprint, ok, opened, walk_to_county_review


def plain_init(run_cli, data: Path, code: str, name: str, level: str, parent: str | None) -> None:
    args = ["--data-dir", data, "init", "--office-code", code, "--office-name", name, "--level", level,
            "--account", "管理员", "--kdf", "fast", "--json"]
    ok(run_cli(*args, *(["--parent-code", parent] if parent else [])))


@pytest.fixture
def world(tmp_path, run_cli):
    """A county with set-up packages for T001 and T002, and T001 set up on its own beforehand."""
    county, township, stick = tmp_path / "county", tmp_path / "township", tmp_path / "stick"
    stick.mkdir()
    plain_init(run_cli, county, "C01", "青山县纪委", "county", "S01")
    for code, name in (("T001", "青石镇纪委"), ("T002", "白沙镇纪委")):
        ok(run_cli("--data-dir", county, "office", "add", "--code", code, "--name", name, "--level", "township", "--json"))
        ok(run_cli("--data-dir", county, "setup-package", "--for", code, "--out", stick / f"{code}_setup.jab", "--json"))
    plain_init(run_cli, township, "T001", "青石镇纪委", "township", "C01")
    return county, township, stick


def test_township_adopts_the_package_and_its_case_travels_up(world, run_cli, tmp_path):
    county, township, stick = world
    case_id = walk_to_county_review(run_cli, township, tmp_path)
    with opened(township) as store:
        own_id = store.office.id
        with store.read() as s:
            history = s.get(Case, case_id).state["history"]
            steps = len(s.exec(select(StepRecord).where(StepRecord.case_id == case_id)).all())
            events = len(s.exec(select(AuditEvent).where(AuditEvent.office_id == own_id)).all())
    with opened(county) as store, store.read() as s:
        registry_id = s.exec(select(Office).where(Office.code == "T001")).one().id
    assert registry_id != own_id  # the two stores chose their ids independently

    # the county transfers a clue to T001 before it ever heard from the township's store
    clue = tmp_path / "clue.json"
    clue.write_text(json.dumps({
        "received_on": date.today().isoformat(), "source": "信访举报（来信）",
        "reporter": {"name": "举报人乙", "phone": "13800000000", "real_name": True},
        "persons": [{"name": "赵德明", "unit": "青石镇农业服务中心", "post": "主任"}],
        "summary": "反映赵德明虚报冒领惠农补贴", "categories": ["违反廉洁纪律"]}, ensure_ascii=False), encoding="utf-8")
    ok(run_cli("--data-dir", county, "transfer", "add", "--to", "T001", "--file", clue, "--json"))

    # before: the export says what to do (not "office add", which a township cannot use)
    before = run_cli("--data-dir", township, "export", "--to", "C01", "--out", stick)
    assert before.code != 0 and "office adopt" in before.err

    adopted = ok(run_cli("--data-dir", township, "office", "adopt", "--package", stick / "T001_setup.jab", "--json"))
    assert adopted["office_id"] == own_id and adopted["registry_office_id"] == registry_id
    assert adopted["parent_code"] == "C01" and adopted["parent_fingerprint"] == fingerprint(run_cli, county)
    with opened(township) as store, store.read() as s:
        assert s.get(OfficeKey, adopted["parent_office_id"]).state == "trusted"
        assert s.get(Case, case_id).owner_office_id == own_id  # nothing re-keyed

    bundle = export(run_cli, township, "C01", stick)["bundle"]
    first = run_cli("--data-dir", county, "import", bundle, "--json")
    assert first.code == 2 and first.json[0]["code"] == "fingerprint_unconfirmed" and "设置包" in first.err
    listed = {r["code"]: r for r in ok(run_cli("--data-dir", county, "office", "list", "--json"))}
    assert listed["T001"]["pending_fingerprint"] == fingerprint(run_cli, township)
    wrong = run_cli("--data-dir", county, "trust", "T001", "--fingerprint", "12345 12345 12345 12345 12345 12345")
    assert wrong.code == 2
    trusted = ok(run_cli("--data-dir", county, "trust", "T001", "--fingerprint", fingerprint(run_cli, township), "--json"))
    assert trusted["office_id"] == own_id  # the registry entry now names the township's own store
    assert [(r["refused"], r["new"] > 0) for r in trusted["imported"]] == [(False, True)]
    assert quarantine.held(county) == []

    with opened(county) as store, store.read() as s:
        case = s.get(Case, case_id)
        assert case is not None and case.owner_office_id == own_id and case.state["history"] == history
        assert len(s.exec(select(StepRecord).where(StepRecord.case_id == case_id)).all()) == steps
        assert len(s.exec(select(AuditEvent).where(AuditEvent.office_id == own_id)).all()) >= events
        assert s.get(Office, registry_id) is None
        joined = s.get(Office, own_id)
        assert joined.version >= 1 and joined.owner_office_id == own_id  # the township's own record, as it sent it
        assert [o.id for o in s.exec(select(Office).where(Office.code == "T001")).all()] == [own_id]
    queue = ok(run_cli("--data-dir", county, "review", "queue", "--json"))
    assert [(r["case_id"], r["office_code"]) for r in queue] == [(case_id, "T001")]
    ok(run_cli("--data-dir", county, "verify", "--json"))

    # and back down: the county's bundle is addressed to the township's own id
    down = export(run_cli, county, "T001", stick)
    taken = ok(run_cli("--data-dir", township, "import", down["bundle"], "--json"))[0]
    assert not taken["refused"] and any("上级转办" in e for e in taken["effects"])  # the transfer followed the entry
    assert len(ok(run_cli("--data-dir", township, "case", "list", "--json"))) == 2
    again = ok(run_cli("--data-dir", township, "office", "list", "--json"))
    assert [r["code"] for r in again if r["key_state"] == "trusted"] == ["C01"]
    ok(run_cli("--data-dir", township, "verify", "--json"))


def refused_unchanged(data: Path, package: Path, code: str, *words: str) -> str:
    with opened(data) as store:
        before = contents(store)
        with pytest.raises(AppError) as caught:
            offices.adopt_setup_package(store, package)
        assert_same(before, contents(store))
    assert caught.value.code == code, caught.value.message
    for word in words:
        assert word in caught.value.message
    return caught.value.message


def test_wrong_name_is_refused_naming_both(tmp_path, run_cli, world):
    county, _, stick = world
    other = tmp_path / "other"
    plain_init(run_cli, other, "T001", "青石乡纪委", "township", "C01")
    refused_unchanged(other, stick / "T001_setup.jab", "setup_package_mismatch", "青石乡纪委", "青石镇纪委", "数据库未改动")
    cli = run_cli("--data-dir", other, "office", "adopt", "--package", stick / "T001_setup.jab")
    assert cli.code != 0 and "青石乡纪委" in cli.err


def test_wrong_code_is_refused_naming_both(tmp_path, run_cli, world):
    _, _, stick = world
    other = tmp_path / "other"
    plain_init(run_cli, other, "T009", "青石镇纪委", "township", "C01")
    refused_unchanged(other, stick / "T001_setup.jab", "setup_package_mismatch", "T009", "T001")


def test_package_for_another_office_is_refused(world):
    _, township, stick = world
    refused_unchanged(township, stick / "T002_setup.jab", "setup_package_mismatch", "白沙镇纪委", "青石镇纪委")


def test_tampered_package_is_refused(world, tmp_path):
    _, township, stick = world
    data = bytearray((stick / "T001_setup.jab").read_bytes())
    data[40] ^= 0x01  # inside the signed manifest
    tampered = tmp_path / "C01_T001_setup.jab"
    tampered.write_bytes(bytes(data))
    message = refused_unchanged(township, tampered, "bad_signature")
    assert message


def test_township_that_already_has_a_parent_is_refused(world, run_cli, tmp_path):
    county, township, stick = world
    ok(run_cli("--data-dir", township, "office", "adopt", "--package", stick / "T001_setup.jab", "--json"))
    refused_unchanged(township, stick / "T001_setup.jab", "already_paired", "青山县纪委", "数据库未改动")
    # set up from the package at init: paired from the start
    made = tmp_path / "made"
    ok(run_cli("--data-dir", made, "init", "--setup-package", stick / "T002_setup.jab", "--account", "管理员",
               "--kdf", "fast", "--json"))
    refused_unchanged(made, stick / "T002_setup.jab", "already_paired")


def test_parent_code_typed_differently_follows_the_package(world, run_cli, tmp_path):
    county, _, stick = world
    other = tmp_path / "other"
    plain_init(run_cli, other, "T002", "白沙镇纪委", "township", "C99")
    adopted = ok(run_cli("--data-dir", other, "office", "adopt", "--package", stick / "T002_setup.jab", "--json"))
    assert any("C99" in w and "C01" in w for w in adopted["warnings"])
    bundle = export(run_cli, other, "C01", stick)["bundle"]
    assert Path(bundle).name == "T002_C01_1.jab"


def test_a_second_store_cannot_take_over_a_joined_entry(world, run_cli, tmp_path):
    county, township, stick = world
    ok(run_cli("--data-dir", township, "office", "adopt", "--package", stick / "T001_setup.jab", "--json"))
    bundle = export(run_cli, township, "C01", stick)["bundle"]
    assert run_cli("--data-dir", county, "import", bundle).code == 2
    ok(run_cli("--data-dir", county, "trust", "T001", "--fingerprint", fingerprint(run_cli, township), "--json"))
    # an impostor set up with the same code and name, holding the same (unencrypted) package
    impostor = tmp_path / "impostor"
    plain_init(run_cli, impostor, "T001", "青石镇纪委", "township", "C01")
    ok(run_cli("--data-dir", impostor, "office", "adopt", "--package", stick / "T001_setup.jab", "--json"))
    forged = export(run_cli, impostor, "C01", tmp_path)["bundle"]
    refused = run_cli("--data-dir", county, "import", forged, "--json")
    assert refused.code == 2 and refused.json[0]["code"] == "unknown_sender"
