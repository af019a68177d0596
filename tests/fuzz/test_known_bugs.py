"""Minimal reproductions of the parser bugs the fuzz suite found, kept as regression tests.

Each was a strict xfail until fixed: whitespace-split digits glued into one invented count
(numbers.clean_cell), unbounded digit runs handed to int() (numbers.parse_count/parse_change),
counts beyond int64 accepted, tables lost under markup nested past libxml2's depth limit
(html.html_to_document), and a lone surrogate raising out of OpenCC (text.simplify). The fuzz
properties now feed these inputs too (mutations.py: digit fillers, lone surrogates).
"""

from __future__ import annotations

import pyarrow as pa
import pytest

from govreports.parsing.models import Paragraph
from govreports.parsing.report import parse_report
from govreports.parsing.tables import extract_tables

NEW_RECEIVED = "一、本年新收政府信息公开申请数量"


def new_received_row(first_cell: str) -> list[Paragraph]:
    return [Paragraph(f"{NEW_RECEIVED} | {first_cell} | 0 | 0 | 0 | 0 | 0 | 0"),
            Paragraph("四、结转下年度继续办理 | 1 | 0 | 0 | 0 | 0 | 0 | 1")]


@pytest.mark.parametrize("cell", ["12 34", "1\u00a02", "7\u30008"])
def test_digits_split_by_whitespace_in_one_cell_are_not_glued_into_one_number(cell: str) -> None:
    result = extract_tables(new_received_row(cell))
    value = result.tables["applications"]["new_received"]["natural_person"]
    glued = int("".join(ch for ch in cell if ch.isdigit()))
    assert value != glued
    assert value is None  # unreadable, said so, and the other columns keep their places
    assert any("new_received.natural_person" in warning for warning in result.warnings)
    assert result.tables["applications"]["new_received"]["total"] == 0


def test_a_cell_of_ten_thousand_digits_loses_only_that_cell() -> None:
    result = extract_tables(new_received_row("1" * 10_000))
    assert not any("internal error" in warning for warning in result.warnings)
    assert result.tables["applications"]["carried_forward"]["total"] == 1
    assert result.tables["applications"]["new_received"]["natural_person"] is None


def test_a_count_beyond_int64_is_refused_with_a_warning() -> None:
    result = extract_tables(new_received_row("9" * 30))
    value = result.tables["applications"]["new_received"]["natural_person"]
    pa.array([value], pa.int64())  # what the dataset writer does with a count
    assert value is None
    assert any("natural_person" in warning for warning in result.warnings)


def test_a_table_under_300_unclosed_font_tags_is_read_or_its_loss_is_reported() -> None:
    table = ('<table><tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>'
             "<tr><td>规章</td><td>1</td><td>0</td><td>11</td></tr></table>")
    page = ('<html><body><div id="zoom"><p>' + "本机关认真贯彻落实政府信息公开条例。" * 3 + "</p>"
            + "<font>" * 300 + table + "<p>五、存在的主要问题及改进情况</p></div></body></html>")
    parsed = parse_report(page, url="http://127.0.0.1/report/t20240115_1.html")
    lost_with_a_warning = any("depth" in warning or "nest" in warning for warning in parsed.warnings)
    assert parsed.tables.get("active_disclosure", {}).get("regulations") == {"issued": 1, "repealed": 0,
                                                                               "in_force": 11} or lost_with_a_warning


def test_a_lone_surrogate_in_a_text_body_is_a_warning_not_an_exception() -> None:
    parsed = parse_report("\ud800某某市人民政府办公室2019年政府信息公开工作年度报告\n一、总体情况",
                          url="http://127.0.0.1/report/a.txt", media_type="text/plain")
    assert parsed.report_year == 2019
