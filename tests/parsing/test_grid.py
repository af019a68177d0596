"""HTML tables → Grid: merged cells repeated, cell text cleaned, hostile spans clamped."""

from __future__ import annotations

import time
from pathlib import Path

import lxml.html
import pytest

from govreports.parsing.grid import MAX_COLUMNS, MAX_ROWS, _walked_cell_text, cell_text, html_table_to_grid

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real-reports"

APPLICATIONS_HEADER = """
<table>
  <tr><td rowspan="3" colspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>
      <td colspan="7">申请人情况</td></tr>
  <tr><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>
  <tr><td>商业企业</td><td>科研机构</td><td>社会公益<br>组织</td><td>法律服务<p>机构</p></td><td>其他</td></tr>
  <tr><td colspan="3">一、本年新收政府信息公开申请数量</td>
      <td>5</td><td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>6</td></tr>
</table>
"""


def test_r3c3_corner_cell_and_header_groups_repeat_in_every_covered_cell() -> None:
    grid = html_table_to_grid(APPLICATIONS_HEADER)
    assert len(grid.rows) == 4
    assert all(len(row) == 10 for row in grid.rows)
    corner = grid.rows[0][0]
    assert corner.startswith("（本列数据的勾稽关系为")
    assert [row[c] for row in grid.rows[:3] for c in range(3)] == [corner] * 9
    assert grid.rows[0][3:] == ("申请人情况",) * 7
    assert grid.rows[1][3:] == ("自然人",) + ("法人或其他组织",) * 5 + ("总计",)
    assert grid.rows[2][3:] == ("自然人", "商业企业", "科研机构", "社会公益 组织", "法律服务 机构", "其他", "总计")
    assert grid.rows[3] == ("一、本年新收政府信息公开申请数量",) * 3 + ("5", "1", "0", "0", "0", "0", "6")


def test_cell_text_joins_paragraphs_and_drops_nbsp_and_ideographic_spaces() -> None:
    grid = html_table_to_grid(
        "<table><tr><td><p>本年新</p><p>制作数量</p></td><td>&nbsp;0&nbsp;&nbsp;</td>"
        "<td>\u3000行政\u3000许可 </td><td><span>1</span><script>var x=1;</script><!-- c --><span>2</span></td></tr></table>"
    )
    assert grid.rows == (("本年新 制作数量", "0", "行政 许可", "12"),)


def test_nested_table_text_is_flattened_into_its_cell_and_its_rows_are_not_the_outer_rows() -> None:
    grid = html_table_to_grid(
        "<table><tbody><tr><td>外</td><td><table><tr><td>内1</td></tr><tr><td>内2</td></tr></table></td></tr>"
        "<tr><td>下</td><td>9</td></tr></tbody></table>"
    )
    assert grid.rows == (("外", "内1 内2"), ("下", "9"))


def test_rowspan_past_the_last_row_is_clipped_and_ragged_rows_are_padded() -> None:
    grid = html_table_to_grid(
        "<table><tr><td rowspan='9'>a</td><td>b</td><td>c</td></tr><tr><td>d</td></tr></table>"
    )
    assert grid.rows == (("a", "b", "c"), ("a", "d", ""))


def test_junk_span_attributes_are_read_leniently() -> None:
    grid = html_table_to_grid(
        "<table><tr><td colspan='２'>x</td><td colspan='abc'>y</td><td colspan='0'>z</td></tr></table>"
    )
    assert grid.rows == (("x", "x", "y", "z"),)


def test_hostile_colspan_is_clamped_with_a_warning_and_stays_fast() -> None:
    warnings: list[str] = []
    started = time.perf_counter()
    grid = html_table_to_grid(
        "<table><tr><td colspan='100000'>boom</td></tr><tr><td rowspan='99999999'>a</td><td>b</td></tr></table>",
        warnings,
    )
    assert time.perf_counter() - started < 1.0
    assert len(grid.rows) == 2
    assert len(grid.rows[0]) == MAX_COLUMNS
    assert grid.rows[1][:2] == ("a", "b")
    assert any("clamped" in w for w in warnings)


def test_every_row_with_a_huge_colspan_is_cut_to_the_cell_budget() -> None:
    warnings: list[str] = []
    rows = "".join("<tr><td colspan='1000'>x</td></tr>" for _ in range(2000))
    started = time.perf_counter()
    grid = html_table_to_grid(f"<table>{rows}</table>", warnings)
    assert time.perf_counter() - started < 5.0
    assert sum(len(r) for r in grid.rows) <= 500_000
    assert warnings


def test_too_many_rows_are_cut_with_a_warning() -> None:
    warnings: list[str] = []
    grid = html_table_to_grid("<table>" + "<tr><td>1</td></tr>" * (MAX_ROWS + 10) + "</table>", warnings)
    assert len(grid.rows) == MAX_ROWS
    assert any("rows" in w for w in warnings)


def test_no_table_gives_an_empty_grid_and_a_warning() -> None:
    warnings: list[str] = []
    assert html_table_to_grid("<p>not a table</p>", warnings).rows == ()
    assert html_table_to_grid("", warnings).rows == ()
    assert len(warnings) == 2


def test_pingtan_2024_applications_table_keeps_the_22_row_results_header() -> None:
    root = lxml.html.fromstring((REAL / "pingtan-2024.html").read_text(encoding="utf-8"))
    element = root.xpath("//table")[1]
    grid = html_table_to_grid(element)
    assert len(grid.rows) == 28 and {len(r) for r in grid.rows} == {10}
    results_rows = [r for r in grid.rows if r[0] == "三、本 年度办 理结果"]  # split over three <p>s
    assert len(results_rows) == 22
    assert grid.rows[5][:4] == ("三、本 年度办 理结果", "（一）予以公开", "（一）予以公开", "71")


@pytest.mark.parametrize("name", sorted(path.name for path in REAL.glob("*.html")))
def test_word_pasted_cells_read_without_the_walk_give_the_walked_text(name: str) -> None:
    """Word-pasted pages (shuyang-fgj-2023: <p><span>26</span><span><o:p></o:p></span></p> in every
    cell) are read by cell_text's fast path; on every cell of every real page it must agree with the walk."""
    root = lxml.html.fromstring((REAL / name).read_text(encoding="utf-8"))
    cells = root.xpath("//td | //th")
    assert cells
    assert [cell_text(td) for td in cells] == [_walked_cell_text(td) for td in cells]
