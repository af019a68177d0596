"""The identities of the national tables: named rules, numbers in the messages, no false passes."""

from __future__ import annotations

import copy

from govreports.checks import run_checks
from govreports.spec import APPLICANT_COLUMNS as COLUMNS
from govreports.spec import RESULT_ROWS_2019 as LEAVES_2019


def row(*values: int | None) -> dict[str, int | None]:
    return dict(zip(COLUMNS, values, strict=True))


def zero() -> dict[str, int | None]:
    return row(0, 0, 0, 0, 0, 0, 0)


def consistent_2019_applications() -> dict:
    """Shanghai 2019 style: 859 new + 18 carried = 805 answered + 72 carried forward (自然人 only)."""
    table = {key: zero() for key in LEAVES_2019}
    table["granted"] = row(500, 0, 0, 0, 0, 0, 500)
    table["unable_not_held"] = row(305, 0, 0, 0, 0, 0, 305)
    table["new_received"] = row(859, 0, 0, 0, 0, 0, 859)
    table["carried_over"] = row(18, 0, 0, 0, 0, 0, 18)
    table["results_total"] = row(805, 0, 0, 0, 0, 0, 805)
    table["carried_forward"] = row(72, 0, 0, 0, 0, 0, 72)
    return table


def by_rule(checks: list[dict]) -> dict[str, dict]:
    return {check["rule"]: check for check in checks}


def test_a_consistent_table_passes_every_rule_with_the_spec_names() -> None:
    checks = run_checks({"applications": consistent_2019_applications()}, {}, "2019")
    rules = by_rule(checks)
    assert all(check["ok"] is True for check in checks)
    assert {f"applications.balance.{c}" for c in COLUMNS} <= set(rules)
    assert {f"applications.results_sum.{c}" for c in COLUMNS} <= set(rules)
    assert "applications.row_sum.granted" in rules and "applications.row_sum.carried_forward" in rules
    assert rules["applications.balance.natural_person"]["message"] == (
        "自然人 column: 859 new + 18 carried over = 877 = 805 results + 72 carried forward = 877"
    )
    assert all(set(check) == {"rule", "ok", "message"} for check in checks)


def test_balance_failure_names_the_numbers() -> None:
    table = consistent_2019_applications()
    table["carried_forward"] = row(1, 0, 0, 0, 0, 0, 1)
    failing = [c for c in run_checks({"applications": table}, {}, "2019") if c["ok"] is False]
    rules = by_rule(failing)
    assert set(rules) == {"applications.balance.natural_person", "applications.balance.total"}
    assert rules["applications.balance.natural_person"]["message"] == (
        "自然人 column: 859 new + 18 carried over = 877 ≠ 805 results + 1 carried forward = 806"
    )


def test_results_sum_and_row_sum_failures() -> None:
    table = consistent_2019_applications()
    table["denied_state_secret"] = row(0, 2, 0, 0, 0, 0, 3)  # parts 2, total 3; column 商业企业 now 2 ≠ 0
    failing = by_rule([c for c in run_checks({"applications": table}, {}, "2019") if c["ok"] is False])
    assert "applications.row_sum.denied_state_secret" in failing
    assert "0 + 2 + 0 + 0 + 0 + 0 = 2 ≠ 总计 3" in failing["applications.row_sum.denied_state_secret"]["message"]
    assert "applications.results_sum.commercial_enterprise" in failing
    assert "the 19 result rows sum to 2 ≠ 总计 0" in failing["applications.results_sum.commercial_enterprise"]["message"]


def test_2021_shape_sums_the_three_other_sub_rows() -> None:
    table = consistent_2019_applications()
    del table["other_handling"]
    table["other_no_correction"] = zero()
    table["other_fee_unpaid"] = zero()
    table["other_other"] = zero()
    checks = run_checks({"applications": table}, {}, "2021")
    results_sum = [c for c in checks if c["rule"].startswith("applications.results_sum.")]
    assert len(results_sum) == 7 and all(c["ok"] for c in results_sum)
    assert "the 21 result rows" in results_sum[0]["message"]


def test_missing_inputs_are_left_out_never_reported_as_passing() -> None:
    table = consistent_2019_applications()
    table["new_received"]["natural_person"] = None  # a blank cell
    table["granted"]["total"] = None
    del table["unable_still_unclear"]  # a row not found
    rules = by_rule(run_checks({"applications": table}, {}, "2019"))
    assert "applications.balance.natural_person" not in rules
    assert "applications.balance.commercial_enterprise" in rules
    assert "applications.row_sum.new_received" not in rules
    assert "applications.row_sum.granted" not in rules
    assert not any(rule.startswith("applications.results_sum.") for rule in rules)


def test_review_litigation_group_sums() -> None:
    review = {
        "review": {"upheld": 72, "corrected": 64, "other": 178, "pending": 37, "total": 351},
        "litigation_direct": {"upheld": 13, "corrected": 4, "other": 8, "pending": 1, "total": 26},
        "litigation_after_review": {"upheld": 5, "corrected": 0, "other": 0, "pending": 0, "total": 0},
    }
    rules = by_rule(run_checks({"review_litigation": review}, {}, "2021"))
    assert rules["review_litigation.sum.review"]["ok"] is True
    assert rules["review_litigation.sum.litigation_direct"]["ok"] is True
    assert rules["review_litigation.sum.litigation_after_review"]["ok"] is False
    assert rules["review_litigation.sum.litigation_after_review"]["message"] == (
        "行政诉讼·复议后起诉: 维持 5 + 纠正 0 + 其他 0 + 尚未审结 0 = 5 ≠ 总计 0"
    )
    review["review"]["pending"] = None
    assert "review_litigation.sum.review" not in by_rule(run_checks({"review_litigation": review}, {}, "2021"))


def test_active_disclosure_rules_follow_the_columns_of_each_format() -> None:
    active_2019 = {
        "regulations": {"new_made": 13, "new_published": 13, "total_published": 524},
        "normative_documents": {"new_made": 60, "new_published": 61, "total_published": 50},
    }
    rules = by_rule(run_checks({"active_disclosure": active_2019}, {}, "2019"))
    assert rules["active_disclosure.published_le_total.regulations"]["ok"] is True
    assert rules["active_disclosure.published_le_total.normative_documents"]["ok"] is False
    active_2021 = {
        "regulations": {"issued": 1, "repealed": 0, "in_force": 11},
        "normative_documents": {"issued": 30, "repealed": 26, "in_force": 3},
    }
    rules = by_rule(run_checks({"active_disclosure": active_2021}, {}, "2021"))
    assert rules["active_disclosure.issued_le.regulations"]["ok"] is True
    assert rules["active_disclosure.issued_le.normative_documents"] == {
        "rule": "active_disclosure.issued_le.normative_documents",
        "ok": False,
        "message": "normative_documents: 本年制发 30 > 现行有效 3 + 本年废止 26 = 29",
    }
    active_2021["regulations"]["repealed"] = None
    assert "active_disclosure.issued_le.regulations" not in by_rule(run_checks({"active_disclosure": active_2021}, {}, "2021"))


def test_prose_figures_agree_softly_with_the_tables() -> None:
    tables = {
        "applications": consistent_2019_applications(),
        "review_litigation": {
            "review": {"upheld": 1, "corrected": 0, "other": 0, "pending": 0, "total": 1},
            "litigation_direct": {"upheld": 20, "corrected": 1, "other": 5, "pending": 0, "total": 26},
            "litigation_after_review": {"upheld": 12, "corrected": 1, "other": 1, "pending": 6, "total": 20},
        },
    }
    # a prose "收到…申请 877 件" may include the 18 carried over: still agreeing
    rules = by_rule(run_checks(tables, {"applications_received": 877, "applications_completed": 805,
                                        "review_total": 2, "litigation_total": 46, "active_total": 99}, "2019"))
    assert rules["prose_vs_table.applications_received"]["ok"] is True
    assert rules["prose_vs_table.applications_completed"]["ok"] is True
    assert rules["prose_vs_table.review_total"]["ok"] is False
    assert rules["prose_vs_table.review_total"]["message"] == "prose says 2 administrative reviews; table 行政复议总计 1"
    assert rules["prose_vs_table.litigation_total"]["ok"] is True
    assert not any(rule.startswith("prose_vs_table.active_total") for rule in rules)
    wrong = by_rule(run_checks(tables, {"applications_received": 900}, "2019"))["prose_vs_table.applications_received"]
    assert wrong["ok"] is False and "900" in wrong["message"] and "859" in wrong["message"]


def test_pre2019_reports_without_tables_have_no_table_checks() -> None:
    assert run_checks({}, {"applications_received": 6, "review_total": 12}, "pre2019") == []


def test_garbage_values_never_raise_and_never_pass() -> None:
    tables = {
        "applications": {"new_received": {"natural_person": "3", "total": True}, "granted": None, "x": [1]},
        "review_litigation": {"review": "oops", "litigation_direct": {"upheld": 1.5, "total": None}},
        "active_disclosure": {"regulations": {"issued": -1, "repealed": "a", "in_force": 3}},
    }
    before = copy.deepcopy(tables)
    assert run_checks(tables, {"review_total": "12"}, "unknown") == []
    assert run_checks(None, None, None) == []  # type: ignore[arg-type]
    assert tables == before  # checks never correct a published number
