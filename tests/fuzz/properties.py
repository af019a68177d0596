"""The properties every parser run must have, as plain functions over generated input.

The ordinary tests (test_roundtrip.py, test_damage.py) and the slow campaign (test_campaign.py)
run the same functions with different budgets.
"""

from __future__ import annotations

from typing import Any, Sequence

from hypothesis import assume
from hypothesis import strategies as st

from govreports.parsing.grid import html_table_to_grid
from govreports.parsing.limits import HardTimeLimit, hard_time_limit
from govreports.parsing.models import Block, Grid, Paragraph
from govreports.parsing.report import parse_report
from govreports.parsing.tables import extract_tables
from tests.fuzz.budget import HANG_SECONDS
from tests.fuzz.mutations import Mutation, Page, pages, table_mutations
from tests.fuzz.oracle import invented_numbers, shape_problems
from tests.fuzz.reports import LAYOUTS, Report, body_parts, render_page, reports

# a giant cell repeated by a giant row repeat would make a gigabyte page: more than any download
# (DOWNLOAD_MAXSIZE is 64 MB) and more than the box has to spare; such cases are discarded
MAX_REPORT_CHARS = 4_000_000

# warnings that mean a component crashed and the report lost what it held
CRASH_WARNINGS = ("internal error", "table mapping failed", "conversion failed", "could not be read as a grid")


def bounded(call: Any, *args: Any, **kwargs: Any) -> Any:
    """Run `call`, turning a hang into a test failure instead of a stuck test run."""
    try:
        with hard_time_limit(HANG_SECONDS):
            return call(*args, **kwargs)
    except HardTimeLimit as hang:
        raise AssertionError(f"{getattr(call, '__name__', call)} did not return: {hang}") from None


def report_chars(report: Report) -> int:
    return sum(len(cell.text) for table in report.tables for row in table.rows for cell in row)


def blocks_for(report: Report, layout: str) -> list[Block]:
    """The blocks the table mapper sees: HTML tables as Grids, everything else as Paragraphs."""
    blocks: list[Block] = []
    for part in body_parts(report, layout):
        if layout == "html" and part.startswith("<table"):
            blocks.append(html_table_to_grid(part))
        elif layout == "html":
            blocks.append(Paragraph(part.removeprefix("<p>").removesuffix("</p>")))
        else:
            blocks.append(Paragraph(part))
    return blocks


def blocks_text(blocks: Sequence[Block]) -> str:
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, Grid):
            lines.extend(" | ".join(str(cell) for cell in row) for row in block.rows)
        else:
            lines.append(block.text)
    return "\n".join(lines)


def crashes(warnings: Sequence[str]) -> list[str]:
    return [w for w in warnings if any(marker in w for marker in CRASH_WARNINGS)]


def page_url(layout: str) -> str:
    return "http://127.0.0.1/report/t20240115_1.html" if layout == "html" else "http://127.0.0.1/report/a.txt"


# ------------------------------------------------------------------------------ strategies

roundtrip_cases = st.tuples(reports(), st.sampled_from(LAYOUTS))
damaged_table_cases = st.tuples(reports(), st.sampled_from(LAYOUTS), st.lists(table_mutations(), min_size=1, max_size=4))


@st.composite
def damaged_page_cases(draw: st.DrawFn) -> tuple[Page, str, list[str]]:
    report = draw(reports())
    layout = draw(st.sampled_from(LAYOUTS))
    mutations = draw(st.lists(table_mutations(), max_size=2))
    for mutation in mutations:
        report = mutation.apply(report)
    assume(report_chars(report) <= MAX_REPORT_CHARS)
    page, kind = draw(pages(report, layout))
    return page, layout, [m.name for m in mutations] + [kind]


_WORDS = st.sampled_from(
    ["", "0", "12", "-", "/", "增3", "减3", "+7", "4.08亿元", "251000元", "96171.6", "总计", "其他", "行政许可", "规章",
     "信息内容", "本年新", "本年制发件数", "上一年项目数量", "本年增/减", "（六）其他处理", "3.其他", "1.属于国家秘密",
     "（四）无", "法提供", "第二十条第（一）项", "第二十条第（九）项", "政府集中采购", "行政复议", "自然人",
     "一、本年新收政府信息公开申请数量", "四、结转下年度继续办理", "三、本年度办理结果", "（七）总计", "五、存在的主要问题",
     "结果维持", "尚未审结", "- 4 -", "第 3 页", "随便什么。", "本年收费金额（单位：万元）", "行政事业性收费"]
)
_CELL = st.one_of(_WORDS, st.text(max_size=10))
random_blocks = st.lists(
    st.one_of(
        st.lists(st.lists(_CELL, max_size=20), max_size=30).map(lambda rows: Grid(tuple(tuple(r) for r in rows))),
        st.lists(_CELL, max_size=25).flatmap(
            lambda cells: st.sampled_from((" | ", " ", "\n", "\t", "｜")).map(lambda sep: Paragraph(sep.join(cells)))
        ),
    ),
    max_size=12,
)


# ------------------------------------------------------------------------------ properties


def roundtrip_extract(case: tuple[Report, str]) -> None:
    """Consistent generated tables come back exactly from the blocks of every layout."""
    report, layout = case
    result = bounded(extract_tables, blocks_for(report, layout))
    assert result.tables == report.expected, (layout, result.warnings)
    if "active_disclosure" in report.expected:
        assert result.format == report.fmt


def roundtrip_parse(case: tuple[Report, str]) -> None:
    """… and through parse_report from a whole page (HTML, or a text file for the text layouts)."""
    report, layout = case
    media_type = "text/html" if layout == "html" else "text/plain"
    parsed = bounded(parse_report, render_page(report, layout).encode("utf-8"), url=page_url(layout),
                     media_type=media_type)
    assert parsed.tables == report.expected, (layout, parsed.warnings)
    assert parsed.report_year == report.year
    assert parsed.format == report.fmt
    assert not crashes(parsed.warnings)


def damaged_tables(case: tuple[Report, str, list[Mutation]]) -> None:
    """Damaged tables never crash the mapper, keep the spec's shape, and invent no number."""
    report, layout, mutations = case
    for mutation in mutations:
        report = mutation.apply(report)
    assume(report_chars(report) <= MAX_REPORT_CHARS)
    blocks = blocks_for(report, layout)
    result = bounded(extract_tables, blocks)
    assert not crashes(result.warnings), [m.name for m in mutations]
    assert not shape_problems(result.tables)
    source = blocks_text(blocks) if layout != "html" else render_page(report, layout)
    assert not invented_numbers(result.tables, source, result.details), [m.name for m in mutations]


def damaged_pages(case: tuple[Page, str, list[str]]) -> None:
    """Damaged pages (bytes or text) never raise out of parse_report, hang, or invent a number."""
    page, layout, what = case
    parsed = bounded(parse_report, page.body, url=page.url, media_type=page.media_type)
    assert not crashes(parsed.warnings), what
    assert not shape_problems(parsed.tables), what
    assert not invented_numbers(parsed.tables, page.source, parsed.warning_details), what
    assert parsed.format in ("pre2019", "2019", "2021", "unknown")


def random_block_soup(blocks: list[Block]) -> None:
    """Any mix of grids and lines of table words: no crash, spec shape, no invented number."""
    result = bounded(extract_tables, blocks)
    assert not crashes(result.warnings)
    assert not shape_problems(result.tables)
    assert not invented_numbers(result.tables, blocks_text(blocks), result.details)
