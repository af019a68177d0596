"""The five seed reports, as text extractions and as portal pages, give the values of expected.json.

Identity, figures, sections and chrome-free text are this parser's own; table keys come from the
table mapper (skipped until govreports.parsing.tables exists) and checks_failing from the checks.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from govreports.parsing.report import ParsedReport, parse_report
from govreports_farm.expectations import mismatches

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EXPECTED: dict[str, dict[str, Any]] = {
    name: want
    for name, want in json.loads((FIXTURES / "seeds" / "expected.json").read_text(encoding="utf-8")).items()
    if not name.startswith("_")
}
PAGES: dict[str, dict[str, str]] = json.loads((FIXTURES / "pages" / "pages.json").read_text(encoding="utf-8"))
CASES = [pytest.param(name, source, id=f"{name[:3]}-{source}") for name in EXPECTED for source in ("text", "html")]
TABLE_CASES = [case for case in CASES if any(key.startswith("tables.") for key in EXPECTED[case.values[0]])]


def parse_seed(name: str, source: str) -> ParsedReport:
    if source == "text":
        body = (FIXTURES / "seeds" / name).read_bytes()
        return parse_report(body, url=f"file:///fixtures/seeds/{name}", media_type="text/plain")
    page = PAGES[name]
    body = (FIXTURES / "pages" / page["file"]).read_bytes()
    return parse_report(body, url=page["url"], media_type=page["media_type"])


def as_item(report: ParsedReport) -> dict[str, Any]:
    return dataclasses.asdict(report)


@pytest.mark.parametrize(("name", "source"), CASES)
def test_seed_identity_figures_sections_and_clean_text(name: str, source: str) -> None:
    want = {key: value for key, value in EXPECTED[name].items()
            if not key.startswith("tables.") and key != "checks_failing"}
    report = parse_seed(name, source)
    assert mismatches(as_item(report), want) == []


@pytest.mark.parametrize(("name", "source"), TABLE_CASES)
def test_seed_tables_are_mapped(name: str, source: str) -> None:
    pytest.importorskip("govreports.parsing.tables", reason="table mapper (TABLES) not merged yet")
    want = {key: value for key, value in EXPECTED[name].items() if key.startswith("tables.")}
    report = parse_seed(name, source)
    assert mismatches(as_item(report), want) == []


@pytest.mark.parametrize(("name", "source"), CASES)
def test_seed_checks_fail_exactly_where_expected(name: str, source: str) -> None:
    pytest.importorskip("govreports.parsing.tables", reason="table mapper (TABLES) not merged yet")
    checks = pytest.importorskip("govreports.checks", reason="checks (TABLES) not merged yet")
    if not hasattr(checks, "run_checks"):
        pytest.skip("govreports.checks.run_checks not available yet")
    report = parse_seed(name, source)
    item = {**as_item(report), "checks": checks.run_checks(report.tables, report.figures, report.format)}
    assert mismatches(item, {"checks_failing": EXPECTED[name]["checks_failing"]}) == []


def test_gbk_page_declared_as_gb2312_is_decoded_as_gb18030() -> None:
    page = PAGES["001_210389a21b6a26dd.txt"]
    body = (FIXTURES / "pages" / page["file"]).read_bytes()
    assert b'charset="gb2312"' in body
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    report = parse_seed("001_210389a21b6a26dd.txt", "html")
    assert report.encoding == "gb18030"
    assert "资兴市" in report.text and "\ufffd" not in report.text


def test_traditional_page_keeps_its_script_and_pinyin_glosses_do_not_leak_into_the_title() -> None:
    report = parse_seed("003_d58dcb8ff1b8f53b.txt", "html")
    assert report.script == "hant"
    assert "(" not in report.title
    assert "巴彥嵯崗蘇木" in report.text


def test_every_page_rendition_holds_real_tables_for_the_statistics() -> None:
    for name in ("002_936b004d97e1931c.txt", "003_d58dcb8ff1b8f53b.txt", "004_7d9c962fed462d95.txt"):
        assert parse_seed(name, "html").grid_count == 3, name
    assert parse_seed("000_5ba05a78ac51eaa2.txt", "html").grid_count == 0
