"""Attacks on cases.approver_problem: the 立案 approved in the name of the 纪委's own account."""

from __future__ import annotations

import json

import pytest

from tests.integration.test_case_paths import Walk


@pytest.mark.parametrize("approver", ["张书记\u200b", "张 书记", "张书记（代）", "张书记\u3000"],
                         ids=["zero-width", "inner-space", "suffix", "ideographic-space"])
def test_the_commissions_account_cannot_approve_filing_under_a_variant_of_its_name(township, run_cli, tmp_path, approver):
    walk = Walk().path("accept", "to_prelim", "propose_filing").decide("file")
    walk.lines[-1]["approver"] = approver
    result = run_cli("--data-dir", township, "apply", "--file", walk.write(tmp_path), "--json")
    assert result.code == 2, f"以“{approver!r}”（本纪委账户“张书记”的变体）批准了立案"


def test_a_name_that_is_no_account_of_the_commission_approves_filing(township, run_cli, tmp_path):
    walk = Walk().path("accept", "to_prelim", "propose_filing").decide("file")
    walk.lines[-1]["approver"] = "ＺＨＡＮＧ"  # width-folded it is "ZHANG": no account of the 纪委
    result = run_cli("--data-dir", township, "apply", "--file", walk.write(tmp_path), "--json")
    assert result.code == 0, result.out + result.err
