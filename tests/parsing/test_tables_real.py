"""Real published reports (tests/fixtures/real-reports): every `tables.*` value of manifest.json.

HTML: each <table> through html_table_to_grid. PDF: pdfplumber's grids (as the PDF extractor hands
them over: None cells, stacked letters, tables split across pages) and, separately, the PDF's
plain text layer (values printed before wrapped labels). DOCX: the blank 2021 template.
"""

from __future__ import annotations

import json
import time
from functools import cache
from pathlib import Path
from typing import Any

import docx
import lxml.html
import pdfplumber
import pytest

from govreports.checks import run_checks
from govreports.parsing.grid import html_table_to_grid
from govreports.parsing.models import Block, Grid, Paragraph
from govreports.parsing.tables import extract_tables

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real-reports"
MANIFEST = {entry["file"]: entry for entry in json.loads((REAL / "manifest.json").read_text(encoding="utf-8"))["files"]}


@cache
def html_blocks(name: str) -> tuple[Block, ...]:
    root = lxml.html.fromstring((REAL / name).read_text(encoding="utf-8"))
    return tuple(html_table_to_grid(table) for table in root.xpath("//table"))


@cache
def pdf_grid_blocks(name: str) -> tuple[Block, ...]:
    grids: list[Block] = []
    with pdfplumber.open(REAL / name) as pdf:
        for page in pdf.pages:
            for table in page.extract_tables():
                grids.append(Grid(tuple(tuple(row) for row in table), source="pdf"))  # None cells kept
    return tuple(grids)


@cache
def pdf_text_blocks(name: str) -> tuple[Block, ...]:
    with pdfplumber.open(REAL / name) as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
    return tuple(Paragraph(line) for line in text.splitlines())


def lookup(tables: dict, dotted: str) -> Any:
    value: Any = tables
    for part in dotted.split(".")[1:]:
        value = value.get(part) if isinstance(value, dict) else None
    return value


CASES = [
    pytest.param(name, source, key, value, id=f"{name}-{source}-{key.removeprefix('tables.')}")
    for name, entry in MANIFEST.items()
    for source in (("html",) if name.endswith(".html") else ("pdf_grids", "pdf_text") if name.endswith(".pdf") else ())
    for key, value in entry["expected"].items()
    if key.startswith("tables.")
]


def blocks_for(name: str, source: str) -> tuple[Block, ...]:
    return {"html": html_blocks, "pdf_grids": pdf_grid_blocks, "pdf_text": pdf_text_blocks}[source](name)


@pytest.mark.parametrize(("name", "source", "key", "value"), CASES)
def test_real_report_table_value_matches_manifest(name: str, source: str, key: str, value: Any) -> None:
    result = extract_tables(blocks_for(name, source))
    assert lookup(result.tables, key) == value


@pytest.mark.parametrize(
    ("name", "source"),
    [(n, s) for n in MANIFEST for s in (("html",) if n.endswith(".html") else ("pdf_grids", "pdf_text") if n.endswith(".pdf") else ())],
)
def test_real_report_format_all_rows_and_fast(name: str, source: str) -> None:
    blocks = blocks_for(name, source)
    extract_tables(blocks)  # warm the label caches
    started = time.perf_counter()
    result = extract_tables(blocks)
    assert time.perf_counter() - started < 0.25
    assert result.format == MANIFEST[name]["format"]
    expected_warnings = MANIFEST[name].get("expected_warnings", [])  # what the page prints (e.g. blank columns)
    assert [w for w in result.warnings if not w.startswith(tuple(expected_warnings))] == []
    assert len(result.warnings) == len(expected_warnings)
    applications = result.tables["applications"]
    assert len(applications) in (23, 25)  # every row of the 2019 or 2021 shape of （六）
    assert set(result.tables) == {"active_disclosure", "applications", "review_litigation"}


def test_pingtan_2019_procurement_money_in_yuan_becomes_wan_yuan() -> None:
    procurement = extract_tables(html_blocks("pingtan-2019.html")).tables["active_disclosure"]["procurement"]
    assert procurement == {"projects": 135, "amount_wan_yuan": 7539.443252, "amount_text": "75394432.52元"}


def test_pingtan_2024_other_handling_has_the_three_2021_sub_rows() -> None:
    applications = extract_tables(html_blocks("pingtan-2024.html")).tables["applications"]
    assert applications["other_no_correction"]["total"] == 1
    assert applications["other_fee_unpaid"]["total"] == 0
    assert applications["other_other"] == {
        "natural_person": 1, "commercial_enterprise": 1, "research_institution": 0, "public_welfare_org": 0,
        "legal_service_org": 0, "other_org": 0, "total": 2,
    }
    assert "other_handling" not in applications


@pytest.mark.parametrize("source", ["pdf_grids", "pdf_text"])
def test_hongze_2023_review_totals_are_flagged_as_printed(source: str) -> None:
    result = extract_tables(blocks_for("hongze-2023.pdf", source))
    checks = {c["rule"]: c for c in run_checks(result.tables, {}, result.format or "2021")}
    assert checks["review_litigation.sum.review"]["ok"] is False
    assert "= 11 ≠ 总计 0" in checks["review_litigation.sum.review"]["message"]
    assert checks["review_litigation.sum.litigation_after_review"]["ok"] is False
    assert checks["review_litigation.sum.litigation_direct"]["ok"] is True


@pytest.mark.parametrize("name", ["huaian-2024.pdf", "hongze-2024.pdf", "pingtan-2024.html", "pingtan-2019.html",
                                  "pingtan-2023.html", "pingtan-2025.html"])
def test_consistent_real_reports_pass_every_hard_check(name: str) -> None:
    result = extract_tables(blocks_for(name, "html" if name.endswith(".html") else "pdf_grids"))
    checks = run_checks(result.tables, {}, result.format or "")
    assert [c["message"] for c in checks if c["ok"] is not True] == []
    assert len(checks) >= 40


def test_shuyang_2023_blank_legal_person_columns_are_null_and_every_check_that_can_run_passes() -> None:
    """A county bureau's page fills only 自然人 and 总计: the five 法人 columns are blank, not zeros."""
    result = extract_tables(html_blocks("shuyang-fgj-2023.html"))
    granted = result.tables["applications"]["granted"]
    assert granted == {"natural_person": 26, "commercial_enterprise": None, "research_institution": None,
                       "public_welfare_org": None, "legal_service_org": None, "other_org": None, "total": 26}
    checks = run_checks(result.tables, {}, result.format or "")
    assert [c["message"] for c in checks if c["ok"] is not True] == []
    assert any(c["rule"] == "applications.balance.natural_person" for c in checks)


def test_huaian_prose_litigation_total_agrees_with_both_lawsuit_groups() -> None:
    result = extract_tables(pdf_grid_blocks("huaian-2024.pdf"))
    checks = {c["rule"]: c for c in run_checks(result.tables, {"litigation_total": 46, "review_total": 351}, "2021")}
    assert checks["prose_vs_table.litigation_total"]["ok"] is True
    assert checks["prose_vs_table.review_total"]["ok"] is True


def test_blank_word_template_reports_no_data_instead_of_zeros() -> None:
    document = docx.Document(str(REAL / "template-2021-blank.docx"))
    grids = [Grid(tuple(tuple(cell.text for cell in row.cells) for row in table.rows), source="docx") for table in document.tables]
    result = extract_tables(grids)
    assert result.tables == {}
    assert result.format == "2021"
    assert sorted(w.split(":")[0] for w in result.warnings) == ["active_disclosure", "applications", "review_litigation"]
    assert all("every cell is blank" in w for w in result.warnings)
