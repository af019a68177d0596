"""Real saved list pages of 政府信息公开年报 columns (tests/fixtures/listing/real/manifest.json: source
repository, path, commit and address of each, with entries read by hand): every record found with its
title, URL and printed date, reports told from the rest, and the walk continued the way the site pages.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from govreports.listing.adapters import detect_adapter
from govreports.listing.candidates import judge_title

REAL = Path(__file__).resolve().parent.parent / "fixtures" / "listing" / "real"
MANIFEST: list[dict[str, Any]] = json.loads((REAL / "manifest.json").read_text(encoding="utf-8"))
CASES = {case["file"]: case for case in MANIFEST}


def _first_step(name: str):  # type: ignore[no-untyped-def]
    case = CASES[name]
    html = (REAL / name).read_text(encoding="utf-8")
    adapter = detect_adapter(html, case["column_url"])
    return case, adapter, adapter.first_page(html, case["column_url"])


@pytest.mark.parametrize("name", sorted(CASES))
def test_real_list_page_records_are_found_with_title_url_and_date(name: str) -> None:
    case, adapter, step = _first_step(name)
    assert adapter.name == case["adapter"]
    found = [(entry.url, entry.title, entry.date) for entry in step.entries]
    assert found == [(entry["url"], entry["title"], entry["date"]) for entry in case["entries"]]


@pytest.mark.parametrize("name", sorted(CASES))
def test_real_list_page_reports_are_told_from_meetings_news_and_infographics(name: str) -> None:
    case, _, step = _first_step(name)
    expected = {entry["url"]: (entry["report"], entry.get("report_year")) for entry in case["entries"]}
    for entry in (*step.entries, *step.links):
        verdict = judge_title(entry.title, entry.url)
        if entry.url in expected:
            assert (verdict.keep, verdict.year if verdict.keep else None) == expected[entry.url], entry.title
        else:
            assert not verdict.keep, f"navigation link kept as a report: {entry.title} {entry.url}"


def test_ordos_trs_table_list_pages_by_its_bare_count_page_variable() -> None:
    case, _, step = _first_step("ordos_egb_xxgknb.html")
    assert step.declared_pages == case["declared_pages"]
    assert step.next_request is not None and step.next_request.url == case["next_page"]


def test_pingtan_dl_rows_take_the_date_from_the_cell_after_the_title() -> None:
    """Fujian's TRS template prints each record as <dl><dd>link</dd><dd>date</dd></dl>."""
    _, _, step = _first_step("pingtan_zfxxgknb.html")
    assert all(entry.date for entry in step.entries)


def test_pingtan_list2_trsapi_column_continues_past_its_static_page_through_fjdzapp() -> None:
    """The static page prints 10 of the 20 documents; the rest come only from /fjdzapp/search, asked
    with the channel resolved from SiteInfo.searchId and from the page after the static one."""
    case, _, step = _first_step("pingtan_zfxxgknb.html")
    assert step.declared_total == case["declared_total"]
    following = step.next_request
    assert following is not None
    expected = case["next_request"]
    assert (following.url, following.method, dict(following.formdata)) == (
        expected["url"], expected["method"], expected["form"])


def test_pingtan_second_page_titles_are_judged_by_hand() -> None:
    titles = CASES["pingtan_zfxxgknb.html"]["second_page_titles"]["titles"]
    url = "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/201412/t20141201_80787.htm"
    assert {title: judge_title(title, url).keep for title in titles} == titles


def test_a_title_cell_followed_by_a_date_cell_in_dt_dd_pairs() -> None:
    from govreports.listing.entries import extract_entries

    html = ('<dl><dt><a href="/a/202401/t20240115_1.html">某县2023年政府信息公开工作年度报告</a></dt>'
            "<dd>2024-01-15</dd><dt><a href=\"/a/202301/t20230116_2.html\">某县2022年政府信息公开工作年度报告</a>"
            "</dt><!-- x --><dd>2023-01-16</dd></dl>")
    entries = extract_entries(html, "http://www.example.gov.cn/a/")
    assert [entry.date for entry in entries] == ["2024-01-15", "2023-01-16"]
