"""Reports published as attachments come out as the same item as the page version.

The five seed reports as PDF, DOCX and (seed 004) Word 97 DOC, and the three real Jiangsu PDFs,
go through `parse_report` exactly as a crawled attachment does; every value the seeds' and the
manifest's hand-checked answers name must come out.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from govreports.parsing.attachments import find_attachment_links, merge_page_and_attachments
from govreports.parsing.report import parse_report

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ATTACHMENTS = FIXTURES / "attachments"
REAL = FIXTURES / "real-reports"
EXPECTED = json.loads((FIXTURES / "seeds" / "expected.json").read_text(encoding="utf-8"))
MANIFEST = json.loads((REAL / "manifest.json").read_text(encoding="utf-8"))
APPLICATION_COLUMNS = (
    "natural_person", "commercial_enterprise", "research_institution", "public_welfare_org",
    "legal_service_org", "other_org", "total",
)
REVIEW_COLUMNS = ("upheld", "corrected", "other", "pending", "total")
# what a file attached to a page can know: no page metadata (index_no, publisher...) travels with it
ATTACHMENT_KEYS = ("title", "report_year", "format", "tables", "figures")
SEEDS = sorted(name.removesuffix(".txt") for name in EXPECTED if not name.startswith("_"))


def value_at(report: Any, dotted: str) -> Any:
    head, *rest = dotted.split(".")
    value: Any = getattr(report, head)
    for key in rest:
        if not isinstance(value, dict) or key not in value:
            return "<missing>"
        value = value[key]
    return value


def comparable(expected: Any, actual: Any) -> Any:
    """Seed answers list a row's columns in spec order; the item holds them by key."""
    if isinstance(expected, list) and isinstance(actual, dict):
        columns = APPLICATION_COLUMNS if len(expected) == 7 else REVIEW_COLUMNS
        return [actual.get(column, "<missing>") for column in columns]
    if isinstance(expected, dict) and isinstance(actual, dict):
        return {key: actual.get(key, "<missing>") for key in expected}
    return actual


def mismatches(report: Any, expected: dict[str, Any], keys: tuple[str, ...] | None = None) -> list[str]:
    wrong = []
    for dotted, want in expected.items():
        if keys is not None and dotted.split(".")[0] not in keys:
            continue
        got = comparable(want, value_at(report, dotted))
        if got != want:
            wrong.append(f"{dotted}: expected {want!r}, got {got!r}")
    return wrong


def seed_cases() -> list[Any]:
    cases = []
    for seed in SEEDS:
        for suffix in (".pdf", ".docx"):
            cases.append(pytest.param(seed, suffix, id=f"{seed[:3]}{suffix}"))
    cases.append(
        pytest.param(
            "004_7d9c962fed462d95",
            ".doc",
            id="004.doc",
            marks=pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed"),
        )
    )
    return cases


@pytest.mark.parametrize(("seed", "suffix"), seed_cases())
def test_seed_report_as_attachment_yields_the_expected_values(seed: str, suffix: str) -> None:
    path = ATTACHMENTS / f"{seed}{suffix}"
    report = parse_report(path.read_bytes(), url=f"http://www.example.gov.cn/files/{path.name}")
    assert mismatches(report, EXPECTED[f"{seed}.txt"], ATTACHMENT_KEYS) == []


@pytest.mark.parametrize(
    "entry", [entry for entry in MANIFEST["files"] if entry["file"].endswith(".pdf")], ids=lambda entry: entry["file"]
)
def test_real_report_pdf_yields_every_hand_checked_value(entry: dict[str, Any]) -> None:
    data = (REAL / entry["file"]).read_bytes()
    report = parse_report(data, url=f"http://www.huaian.gov.cn/attach/{entry['file']}", media_type="application/octet-stream")
    assert report.media_type == "application/pdf"
    assert mismatches(report, entry["expected"]) == []
    assert (report.title, report.report_year, report.format) == (entry["title"], entry["report_year"], entry["format"])


def test_attachment_only_page_becomes_one_item_with_the_page_url_and_the_pdf_data() -> None:
    page_url = "http://www.hongze.gov.cn/hzq/zfxxgknb/202501/t20250120_1.html"
    page_html = (
        "<html><head><title>淮安市洪泽区人民政府2024年政府信息公开工作年度报告</title></head><body>"
        "<div class='content'><h1>淮安市洪泽区人民政府2024年政府信息公开工作年度报告</h1>"
        "<p>附件：<a href='./P020250120123456789012.pdf'>淮安市洪泽区人民政府2024年政府信息公开工作年度报告.pdf</a></p>"
        "</div></body></html>"
    )
    [link] = find_attachment_links(page_html, page_url)
    assert link.url == "http://www.hongze.gov.cn/hzq/zfxxgknb/202501/P020250120123456789012.pdf"
    body = (REAL / "hongze-2024.pdf").read_bytes()
    page = parse_report(page_html.encode(), url=page_url, media_type="text/html")
    attachment = parse_report(body, url=link.url)
    merged = merge_page_and_attachments(page, [({"url": link.url, "name": link.name, "body": body}, attachment)])
    assert merged.source == link.url
    assert merged.report.tables == attachment.tables
    assert merged.report.tables["applications"]["new_received"]["total"] == 95
    assert merged.report.title == "淮安市洪泽区人民政府2024年政府信息公开工作年度报告"
    assert merged.attachments == [
        {
            "url": link.url,
            "name": "淮安市洪泽区人民政府2024年政府信息公开工作年度报告.pdf",
            "media_type": "application/pdf",
            "sha256": MANIFEST["files"][1]["sha256"],
            "parsed": True,
        }
    ]
    assert any("report body taken from" in warning for warning in merged.report.warnings)


def test_scanned_attachment_of_a_link_only_page_is_reported_not_dropped() -> None:
    page_html = "<html><body><h1>某县2023年政府信息公开工作年度报告（图片版）</h1><a href='/nb.pdf'>年报</a></body></html>"
    page = parse_report(page_html.encode(), url="http://x.gov.cn/a.html", media_type="text/html")
    body = (ATTACHMENTS / "scanned.pdf").read_bytes()
    scanned = parse_report(body, url="http://x.gov.cn/nb.pdf")
    merged = merge_page_and_attachments(page, [({"url": "http://x.gov.cn/nb.pdf", "name": "年报", "body": body}, scanned)])
    assert merged.source == "page"
    assert merged.attachments[0]["parsed"] is False
    assert any("scanned: no text layer (2 pages)" in warning for warning in merged.report.warnings)
