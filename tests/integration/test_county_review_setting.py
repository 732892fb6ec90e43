"""乡案县审 as a local practice the office sets: off, the township approves its own cases directly.

The users' commissions write of it as one of the modes a county may adopt “结合本地实际” (“各县(区)也可以结合本地实际,
探索提级办理、交叉办理、跟踪督办、乡案县审等多种办案模式”, shared/context/001). Without it the township approves within its
own power (《中国共产党处分违纪党员批准权限和程序规定》第三十八条: 警告、严重警告 by the 乡镇纪委; 第二十八条: 撤销党内职务、
留党察看 by the 乡镇党委) after the 支部党员大会; beyond it, 乡镇报批 stays.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.paths import store_paths
from app.services import settings, unlock

from tests.integration.conftest import PASSWORD
from tests.integration.test_case_paths import TO_REVIEW, Walk, run_walk


def set_practice(data, practised) -> None:
    store = unlock.unlock(store_paths(data), None, PASSWORD).store
    try:
        settings.save(store, replace(settings.load(store), county_review_practised=practised))
    finally:
        store.close()


def refused(walk: Walk, township, run_cli, tmp_path) -> str:
    result = run_cli("--data-dir", township, "apply", "--file", walk.write(tmp_path), "--json")
    assert result.code == 2, result.out
    return result.err


def test_by_default_the_review_goes_to_the_county(township, run_cli, tmp_path):
    walk = Walk().path(*TO_REVIEW, "+party_warning", "to_branch_direct")
    assert "to_branch_direct" in refused(walk, township, run_cli, tmp_path)


def test_without_county_review_the_township_approves_after_the_branch_meeting(township, run_cli, tmp_path):
    set_practice(township, False)
    walk = Walk().path(*TO_REVIEW, "+party_warning", "to_branch_direct", "to_township_approval", "approve")
    shown = run_walk(walk, township, run_cli, tmp_path)
    assert shown["step"]["id"] == "announce"
    assert "county_review" not in [h["step"] for h in shown["history"]]
    [sanction] = shown["sanctions"]
    assert sanction["name"] == "警告" and sanction["decided_on"] is not None


def test_without_county_review_there_is_no_county_review_route(township, run_cli, tmp_path):
    set_practice(township, False)
    assert "submit_county_review" in refused(Walk().path(*TO_REVIEW, "+party_warning", "submit_county_review"),
                                             township, run_cli, tmp_path)


def test_beyond_township_power_the_case_still_goes_up(township, run_cli, tmp_path):
    # 开除党籍 须经县级以上纪委审查批准 ([P] 第十四条): 乡镇报批, setting or not
    set_practice(township, False)
    assert "乡镇报批" in refused(Walk().path(*TO_REVIEW, "+party_expulsion", "to_branch_direct"), township, run_cli, tmp_path)
    shown = run_walk(Walk().path(*TO_REVIEW, "+party_expulsion", "submit_county_consult"), township, run_cli, tmp_path)
    assert shown["step"]["id"] == "county_consult"


@pytest.mark.parametrize("bad", ["否", 0, None])
def test_a_bad_value_is_refused_and_the_practice_kept(bad, township):
    set_practice(township, False)
    store = unlock.unlock(store_paths(township), None, PASSWORD).store
    try:
        with pytest.raises(settings.InputError) as caught:
            settings.save(store, replace(settings.load(store), county_review_practised=bad))
        assert "本县实行乡案县审" in caught.value.message
        assert settings.load(store).county_review_practised is False
    finally:
        store.close()
