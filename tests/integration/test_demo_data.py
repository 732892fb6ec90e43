"""`demo-data`: cases made through the real services, one route each, reproducible per seed."""

from __future__ import annotations

import json

ROUTE_END = {
    "closed_directly": ("archived", {"disposition", "archive"}),
    "talk_inquiry_closed": ("archived", {"talk", "archive"}),
    "shelved": ("shelved", {"shelved"}),
    "verification_closed": ("archived", {"prelim", "archive"}),
    "verification_form1": ("archived", {"prelim", "form1", "archive"}),
    "filed_open": ("investigation", {"prelim", "filing"}),
    "filed_sanctioned": ("execution", {"prelim", "filing", "review", "decision"}),
}
SPEC = {"year": 2026, "seed": 7, "routes": {route: 2 for route in ROUTE_END}, "documents": False}


def make(run_cli, data, spec=SPEC, *flags):
    path = data.parent / "spec.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    return run_cli("--data-dir", data, "demo-data", "--spec", path, *flags, "--json")


def test_each_route_gives_cases_in_the_expected_state(township, run_cli):
    made = make(run_cli, township)
    assert made.code == 0, made.err
    assert made.json["cases"] == 14 and made.json["routes"] == {route: 2 for route in ROUTE_END}
    for route, ids in made.json["case_ids"].items():
        final_step, stages = ROUTE_END[route]
        for case_id in ids:
            shown = run_cli("--data-dir", township, "case", "show", case_id, "--json").json
            assert shown["step"]["id"] == final_step, route
            assert stages <= {s["id"] for s in shown["stage_path"]}, route
            for h in shown["history"]:
                assert h["decided_on"].startswith("2026-")
            if route == "filed_sanctioned":
                assert [s["name"] for s in shown["sanctions"]] == ["警告"]
                assert shown["sanctions"][0]["decided_on"] is not None
            if route == "verification_form1":
                assert [s["name"] for s in shown["sanctions"]] == ["提醒谈话"]
    assert run_cli("--data-dir", township, "verify", "--json").json["audit_chain"] == "ok"


def comparable(run_cli, data):
    rows = run_cli("--data-dir", data, "case", "list", "--json").json
    return sorted((r["number"], r["persons"], r["source"], r["step"], r["received_on"]) for r in rows)


def test_same_seed_same_cases(tmp_path, run_cli):
    stores = []
    for name in ("a", "b"):
        data = tmp_path / name
        assert run_cli("--data-dir", data, "init", "--office-code", "T001", "--office-name", "青石镇纪委", "--office-abbr",
                       "青石", "--level", "township", "--parent-code", "C01", "--account", "张书记", "--kdf", "fast").code == 0
        small = {"year": 2026, "seed": 3, "routes": {"closed_directly": 1, "filed_sanctioned": 1, "shelved": 1}}
        assert make(run_cli, data, small).code == 0
        stores.append(comparable(run_cli, data))
    assert stores[0] == stores[1]
    assert any(number.startswith("青石纪立〔2026〕") for number, *_ in stores[0])


def test_refuses_a_store_with_real_cases_unless_forced(township, run_cli, tmp_path):
    clue = tmp_path / "clue.json"
    clue.write_text(json.dumps({"received_on": "2026-03-02", "source": "自行发现", "persons": [{"name": "甲", "unit": "乙村"}],
                                "summary": "真实线索"}, ensure_ascii=False), encoding="utf-8")
    assert run_cli("--data-dir", township, "clue", "add", "--file", clue).code == 0
    small = {"year": 2026, "seed": 1, "routes": {"closed_directly": 1}}
    refused = make(run_cli, township, small)
    assert refused.code == 2 and "--force" in refused.err
    assert len(run_cli("--data-dir", township, "case", "list", "--json").json) == 1
    assert make(run_cli, township, small, "--force").code == 0
    assert len(run_cli("--data-dir", township, "case", "list", "--json").json) == 2


def test_bad_spec_is_refused(township, run_cli):
    for spec, words in [({"year": 1999}, "year"), ({"year": 2026, "routes": {"flying": 1}}, "routes"),
                        ({"year": 2026, "routes": {"shelved": -1}}, "routes")]:
        result = make(run_cli, township, spec)
        assert result.code == 2 and words in result.err
