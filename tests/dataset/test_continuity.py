"""Cross-year checks: they fire on the agency whose consecutive reports disagree, and only there."""

from __future__ import annotations

from pathlib import Path

from govreports.dataset import build_dataset
from govreports.dataset.continuity import agency_key, continuity_checks
from tests.dataset.reports import GAOPING, JIULONGPO, XUANHUA, report_2019, report_2021, write_feed


def _chain_2021(site: dict, years: range, *, in_force_start: int = 60) -> list[dict]:
    """Consecutive 2021-format reports that agree year to year (carried items and 现行有效)."""
    reports, carried, in_force = [], 2, in_force_start
    for year in years:
        in_force = in_force + 8 - 2
        item = report_2021(site, year, carried_over=carried, in_force=in_force)
        carried = item["tables"]["applications"]["carried_forward"]["total"]
        reports.append(item)
    return reports


def test_consistent_years_pass_every_continuity_check() -> None:
    checks = continuity_checks(_chain_2021(GAOPING, range(2021, 2025)))
    assert {c.rule for c in checks} == {"continuity.carried_over", "continuity.in_force.regulations",
                                        "continuity.in_force.normative_documents"}
    assert len(checks) == 9 and all(c.ok for c in checks)


def test_broken_carry_over_fires_only_on_that_agency_and_year(tmp_path: Path) -> None:
    gaoping = _chain_2021(GAOPING, range(2021, 2024))
    jiulongpo = _chain_2021(JIULONGPO, range(2021, 2024))
    # 高坪 2023 says 11 applications were carried over from 2022, which carried forward 10
    gaoping[2]["tables"]["applications"]["carried_over"]["total"] = 11
    dataset = build_dataset([write_feed(tmp_path / "feed.jsonl", gaoping + jiulongpo)])
    failing = [c for c in dataset.checks if not c.ok]
    assert [(c.rule, c.site, c.previous_year, c.current_year) for c in failing] == [
        ("continuity.carried_over", "511803", 2022, 2023)
    ]
    check = failing[0]
    assert check.message == "南充市高坪区人民政府: 2023 上年结转 (carried over) 11 ≠ 2022 结转下年度 (carried forward) 10"
    assert (check.previous_id, check.current_id) == (gaoping[1]["id"], gaoping[2]["id"])
    assert (check.previous_url, check.current_url) == (gaoping[1]["url"], gaoping[2]["url"])
    flagged = {row["id"]: row["continuity_failing"] for row in dataset.rows if row["continuity_failing"]}
    assert flagged == {gaoping[2]["id"]: "continuity.carried_over"}


def test_in_force_identity_names_the_numbers() -> None:
    reports = _chain_2021(GAOPING, range(2022, 2024))
    reports[1]["tables"]["active_disclosure"]["normative_documents"]["in_force"] = 70
    failing = [c for c in continuity_checks(reports) if not c.ok]
    assert [c.rule for c in failing] == ["continuity.in_force.normative_documents"]
    assert failing[0].message == ("南充市高坪区人民政府 normative_documents: 2023 现行有效 70 ≠ 2022 现行有效 66 "
                                  "+ 2023 制发 8 − 废止 2 = 72")


def test_only_consecutive_years_are_compared() -> None:
    reports = [report_2021(GAOPING, 2021, carried_forward=5), report_2021(GAOPING, 2023, carried_over=9)]
    assert continuity_checks(reports) == []


def test_missing_inputs_give_no_check_rather_than_a_pass() -> None:
    before = report_2021(GAOPING, 2021)
    after = report_2021(GAOPING, 2022)
    after["tables"]["applications"]["carried_over"]["total"] = None  # blank cell
    del after["tables"]["active_disclosure"]["normative_documents"]["repealed"]
    rules = [c.rule for c in continuity_checks([before, after])]
    assert rules == ["continuity.in_force.regulations"]


def test_in_force_is_not_compared_across_the_2019_and_2021_formats() -> None:
    old = report_2019(GAOPING, 2020)
    new = report_2021(GAOPING, 2021, carried_over=old["tables"]["applications"]["carried_forward"]["total"])
    checks = continuity_checks([old, new])
    assert [(c.rule, c.ok) for c in checks] == [("continuity.carried_over", True)]


def test_same_agency_name_on_two_portals_is_two_agencies() -> None:
    on_gaoping = report_2021(GAOPING, 2021, agency="区财政局", carried_forward=4)
    on_xuanhua = report_2021(XUANHUA, 2022, agency="区财政局", carried_over=0)
    assert continuity_checks([on_gaoping, on_xuanhua]) == []


def test_agency_names_match_across_script_spacing_and_trailing_notes() -> None:
    simplified = report_2021(GAOPING, 2021, agency="南充市高坪区人民政府")
    traditional = report_2021(GAOPING, 2022, agency="南充市高坪區人民政府（區政府辦公室編制）")
    spaced = report_2021(GAOPING, 2023, agency="南充市高坪区 人民政府")
    assert agency_key(simplified) == agency_key(traditional) == agency_key(spaced) == ("511803", "南充市高坪区人民政府")


def test_publisher_stands_in_when_the_report_names_no_agency() -> None:
    first = report_2021(GAOPING, 2021, agency=None, publisher="区政府办", carried_forward=4)
    second = report_2021(GAOPING, 2022, agency=None, publisher="区政府办", carried_over=3, in_force=72)
    nameless = report_2021(GAOPING, 2023, agency=None, publisher=None)
    assert agency_key(nameless) is None
    failing = [c for c in continuity_checks([first, second, nameless]) if not c.ok]
    assert [(c.rule, c.agency) for c in failing] == [("continuity.carried_over", "区政府办")]
