"""Hypothesis strategies for the three statistics tables of a report, and their renderings.

A generated `Report` holds the national 2019 or 2021 tables (docs/report-format.md) filled with
random but consistent numbers (row sums, results sum, 勾稽关系), the values the parser must give
back (`expected`, in spec keys), and the printed layout as rows of cells with rowspan/colspan.
The same rows render as an HTML table (spans kept) or flattened to text the way page converters
and PDF text layers print it: pipe rows, one cell per line, or whitespace-separated rows (a cell
spanning rows is printed once, on the line of the first row it covers).

This is an independent rendering written from the spec, not the farm's or the parser's code.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from html import escape
from typing import Any

from hypothesis import strategies as st

APPLICANT_COLUMNS = (
    "natural_person", "commercial_enterprise", "research_institution", "public_welfare_org",
    "legal_service_org", "other_org", "total",
)
REVIEW_GROUPS = ("review", "litigation_direct", "litigation_after_review")
REVIEW_COLUMNS = ("upheld", "corrected", "other", "pending", "total")
LAYOUTS = ("html", "pipe", "cell_per_line", "whitespace")

RESULTS = "三、本年度办理结果"
DENIED = "（三）不予公开"
UNABLE = "（四）无法提供"
NOT_PROCESSED = "（五）不予处理"
OTHER = "（六）其他处理"
# (groups the row sits in, printed label, key)
_HEAD_ROWS = (
    ((), "一、本年新收政府信息公开申请数量", "new_received"),
    ((), "二、上年结转政府信息公开申请数量", "carried_over"),
)
_RESULT_ROWS = (
    ((RESULTS,), "（一）予以公开", "granted"),
    ((RESULTS,), "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "partially_granted"),
    ((RESULTS, DENIED), "1.属于国家秘密", "denied_state_secret"),
    ((RESULTS, DENIED), "2.其他法律行政法规禁止公开", "denied_law_prohibited"),
    ((RESULTS, DENIED), "3.危及“三安全一稳定”", "denied_security_stability"),
    ((RESULTS, DENIED), "4.保护第三方合法权益", "denied_third_party"),
    ((RESULTS, DENIED), "5.属于三类内部事务信息", "denied_internal_affairs"),
    ((RESULTS, DENIED), "6.属于四类过程性信息", "denied_process_info"),
    ((RESULTS, DENIED), "7.属于行政执法案卷", "denied_enforcement_file"),
    ((RESULTS, DENIED), "8.属于行政查询事项", "denied_admin_query"),
    ((RESULTS, UNABLE), "1.本机关不掌握相关政府信息", "unable_not_held"),
    ((RESULTS, UNABLE), "2.没有现成信息需要另行制作", "unable_needs_creation"),
    ((RESULTS, UNABLE), "3.补正后申请内容仍不明确", "unable_still_unclear"),
    ((RESULTS, NOT_PROCESSED), "1.信访举报投诉类申请", "not_processed_petition"),
    ((RESULTS, NOT_PROCESSED), "2.重复申请", "not_processed_duplicate"),
    ((RESULTS, NOT_PROCESSED), "3.要求提供公开出版物", "not_processed_publication"),
    ((RESULTS, NOT_PROCESSED), "4.无正当理由大量反复申请", "not_processed_excessive"),
    ((RESULTS, NOT_PROCESSED), "5.要求行政机关确认或重新出具已获取信息", "not_processed_confirmation"),
)
_OTHER_2019 = (((RESULTS,), "（六）其他处理", "other_handling"),)
_OTHER_2021 = (
    ((RESULTS, OTHER), "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "other_no_correction"),
    ((RESULTS, OTHER), "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "other_fee_unpaid"),
    ((RESULTS, OTHER), "3.其他", "other_other"),
)
_TOTAL_ROW = ((RESULTS,), "（七）总计", "results_total")
_FORWARD_ROW = ((), "四、结转下年度继续办理", "carried_forward")
BALANCE_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
HEADINGS = {
    "active_disclosure": "二、主动公开政府信息情况",
    "applications": "三、收到和处理政府信息公开申请情况",
    "review_litigation": "四、政府信息公开行政复议、行政诉讼情况",
}


def application_rows(fmt: str) -> tuple[tuple[tuple[str, ...], str, str], ...]:
    other = _OTHER_2021 if fmt == "2021" else _OTHER_2019
    return (*_HEAD_ROWS, *_RESULT_ROWS, *other, _TOTAL_ROW, _FORWARD_ROW)


@dataclass(frozen=True)
class Cell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    value: bool = False  # a number cell: what garbage mutations aim at


Row = tuple[Cell, ...]


@dataclass(frozen=True)
class Table:
    name: str  # the spec table it prints (several tables may print active_disclosure)
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Report:
    fmt: str  # "2019" | "2021"
    year: int
    tables: tuple[Table, ...]
    expected: dict[str, Any]  # what extract_tables must return, in spec keys
    prose: tuple[str, ...]  # paragraphs printed before the tables


# ---------------------------------------------------------------------------- numbers

counts = st.one_of(st.integers(0, 30), st.integers(0, 2_000_000))


def plain_number(value: Decimal) -> int | float:
    """How the spec represents a money value: an int when integral, else a float."""
    if value == value.to_integral_value():
        return int(value)
    return float(format(value.normalize(), "f"))


@st.composite
def signed_change(draw: st.DrawFn) -> tuple[int, str]:
    """A 本年增/减 value and how it is printed ("+5", "-6", "增13", "减2", "7", "0")."""
    value = draw(st.integers(-5000, 5000))
    style = draw(st.sampled_from(("sign", "chinese", "plain")))
    if value == 0:
        return 0, "0"
    if style == "chinese":
        return value, ("增" if value > 0 else "减") + str(abs(value))
    if style == "plain" and value > 0:
        return value, str(value)
    return value, f"{value:+d}"


@st.composite
def money(draw: st.DrawFn, *, bare_unit_is_wan: bool = True) -> tuple[int | float, str]:
    """An amount in 万元 and its printed cell: "76320.9万元", "251000元", "4.08亿元" or bare."""
    style = draw(st.sampled_from(("wan", "yuan", "yi", "bare") if bare_unit_is_wan else ("bare",)))
    if style == "yuan":
        yuan = draw(st.integers(0, 10**9))
        return plain_number(Decimal(yuan) / 10000), f"{yuan}元"
    cents = draw(st.integers(0, 10**8))
    amount = Decimal(cents) / 100
    text = format(amount.normalize(), "f") if amount else "0"
    if style == "yi":
        return plain_number(amount * 10000), f"{text}亿元"
    if style == "wan":
        return plain_number(amount), f"{text}万元"
    return plain_number(amount), text


# ---------------------------------------------------------------------------- table 1


def _caption(text: str, width: int) -> Row:
    return (Cell(text, colspan=width),)


def _values(*texts: str, last_span: int = 1) -> tuple[Cell, ...]:
    cells = [Cell(text, value=True) for text in texts]
    if last_span > 1:
        cells[-1] = Cell(cells[-1].text, colspan=last_span, value=True)
    return tuple(cells)


@st.composite
def active_2019(draw: st.DrawFn) -> tuple[list[tuple[Row, ...]], dict[str, Any]]:
    blocks: list[tuple[Row, ...]] = []
    expected: dict[str, Any] = {}
    rows: list[Row] = [_caption("第二十条第（一）项", 4),
                       tuple(Cell(t) for t in ("信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"))]
    for key, label in (("regulations", "规章"), ("normative_documents", "规范性文件")):
        made, published, total = draw(counts), draw(counts), draw(counts)
        expected[key] = {"new_made": made, "new_published": published, "total_published": total}
        rows.append((Cell(label), *_values(str(made), str(published), str(total))))
    blocks.append(tuple(rows))
    header = tuple(Cell(t) for t in ("信息内容", "上一年项目数量", "本年增/减", "处理决定数量"))
    for caption, members in (
        ("第二十条第（五）项", (("licensing", "行政许可"), ("other_services", "其他对外管理服务事项"))),
        ("第二十条第（六）项", (("punishment", "行政处罚"), ("coercion", "行政强制"))),
    ):
        rows = [_caption(caption, 4), header]
        for key, label in members:
            previous, decisions = draw(counts), draw(counts)
            change, change_text = draw(signed_change())
            expected[key] = {"previous_items": previous, "change": change, "decisions": decisions}
            rows.append((Cell(label), *_values(str(previous), change_text, str(decisions))))
        blocks.append(tuple(rows))
    previous = draw(counts)
    change, change_text = draw(signed_change())
    expected["admin_fees"] = {"previous_items": previous, "change": change}
    blocks.append((
        _caption("第二十条第（八）项", 4),
        (Cell("信息内容"), Cell("上一年项目数量"), Cell("本年增/减", colspan=2)),
        (Cell("行政事业性收费"), *_values(str(previous), change_text, last_span=2)),
    ))
    projects = draw(counts)
    amount, amount_text = draw(money())
    expected["procurement"] = {"projects": projects, "amount_wan_yuan": amount, "amount_text": amount_text}
    blocks.append((
        _caption("第二十条第（九）项", 4),
        (Cell("信息内容"), Cell("采购项目数量"), Cell("采购总金额", colspan=2)),
        (Cell("政府集中采购"), *_values(str(projects), amount_text, last_span=2)),
    ))
    return blocks, expected


@st.composite
def active_2021(draw: st.DrawFn) -> tuple[list[tuple[Row, ...]], dict[str, Any]]:
    blocks: list[tuple[Row, ...]] = []
    expected: dict[str, Any] = {}
    rows: list[Row] = [_caption("第二十条第（一）项", 4),
                       tuple(Cell(t) for t in ("信息内容", "本年制发件数", "本年废止件数", "现行有效件数"))]
    for key, label in (("regulations", "规章"), ("normative_documents", "行政规范性文件")):
        issued, repealed, in_force = draw(counts), draw(counts), draw(counts)
        expected[key] = {"issued": issued, "repealed": repealed, "in_force": in_force}
        rows.append((Cell(label), *_values(str(issued), str(repealed), str(in_force))))
    blocks.append(tuple(rows))
    for caption, members in (
        ("第二十条第（五）项", (("licensing", "行政许可"),)),
        ("第二十条第（六）项", (("punishment", "行政处罚"), ("coercion", "行政强制"))),
    ):
        rows = [_caption(caption, 4), (Cell("信息内容"), Cell("本年处理决定数量", colspan=3))]
        for key, label in members:
            decisions = draw(counts)
            expected[key] = {"decisions": decisions}
            rows.append((Cell(label), *_values(str(decisions), last_span=3)))
        blocks.append(tuple(rows))
    amount, amount_text = draw(money(bare_unit_is_wan=False))
    expected["admin_fees"] = {"amount_wan_yuan": amount}
    blocks.append((
        _caption("第二十条第（八）项", 4),
        (Cell("信息内容"), Cell("本年收费金额（单位：万元）", colspan=3)),
        (Cell("行政事业性收费"), *_values(amount_text, last_span=3)),
    ))
    return blocks, expected


# ---------------------------------------------------------------------------- table 2


@st.composite
def applications(draw: st.DrawFn, fmt: str) -> tuple[tuple[Row, ...], dict[str, Any]]:
    """Table 2 with consistent numbers: row totals, results total, the stated 勾稽关系."""
    layout = application_rows(fmt)
    result_keys = [key for _, _, key in layout if key not in ("new_received", "carried_over", "results_total",
                                                              "carried_forward")]
    parts: dict[str, list[int]] = {key: [draw(counts) for _ in range(6)] for key in result_keys}
    parts["results_total"] = [sum(parts[key][c] for key in result_keys) for c in range(6)]
    parts["carried_forward"] = [draw(counts) for _ in range(6)]
    carried_over = []
    for c in range(6):
        available = parts["results_total"][c] + parts["carried_forward"][c]
        carried_over.append(draw(st.integers(0, available)))
    parts["carried_over"] = carried_over
    parts["new_received"] = [parts["results_total"][c] + parts["carried_forward"][c] - carried_over[c]
                             for c in range(6)]
    expected = {key: dict(zip(APPLICANT_COLUMNS, [*parts[key], sum(parts[key])])) for _, _, key in layout}

    rows: list[Row] = [
        (Cell(BALANCE_NOTE, rowspan=3, colspan=3), Cell("申请人情况", colspan=7)),
        (Cell("自然人", rowspan=2), Cell("法人或其他组织", colspan=5), Cell("总计", rowspan=2)),
        tuple(Cell(t) for t in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")),
    ]
    results_span = sum(1 for groups, _, _ in layout if groups[:1] == (RESULTS,))
    seen: set[str] = set()
    for groups, label, key in layout:
        cells: list[Cell] = []
        if not groups:
            cells.append(Cell(label, colspan=3))
        else:
            if RESULTS not in seen:
                seen.add(RESULTS)
                cells.append(Cell(RESULTS, rowspan=results_span))
            if len(groups) == 2:
                if groups[1] not in seen:
                    seen.add(groups[1])
                    cells.append(Cell(groups[1], rowspan=sum(1 for g, _, _ in layout if g[1:] == groups[1:])))
                cells.append(Cell(label))
            else:
                cells.append(Cell(label, colspan=2))
        cells.extend(Cell(str(v), value=True) for v in expected[key].values())
        rows.append(tuple(cells))
    return tuple(rows), expected


# ---------------------------------------------------------------------------- table 3


@st.composite
def review_litigation(draw: st.DrawFn) -> tuple[tuple[Row, ...], dict[str, Any]]:
    expected: dict[str, Any] = {}
    numbers: list[int] = []
    for group in REVIEW_GROUPS:
        parts = [draw(counts) for _ in range(4)]
        group_values = [*parts, sum(parts)]
        expected[group] = dict(zip(REVIEW_COLUMNS, group_values))
        numbers.extend(group_values)
    outcome = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
    rows: tuple[Row, ...] = (
        (Cell("行政复议", colspan=5), Cell("行政诉讼", colspan=10)),
        (*(Cell(t, rowspan=2) for t in outcome), Cell("未经复议直接起诉", colspan=5), Cell("复议后起诉", colspan=5)),
        tuple(Cell(t) for t in outcome * 2),
        tuple(Cell(str(v), value=True) for v in numbers),
    )
    return rows, expected


# ---------------------------------------------------------------------------- the report


@st.composite
def reports(draw: st.DrawFn) -> Report:
    """A report printing a non-empty subset of the three tables, in the 2019 or 2021 format."""
    fmt = draw(st.sampled_from(("2019", "2021")))
    year = draw(st.integers(2019, 2020) if fmt == "2019" else st.integers(2021, 2025))
    include = draw(st.sets(st.sampled_from(("active_disclosure", "applications", "review_litigation")), min_size=1))
    tables: list[Table] = []
    expected: dict[str, Any] = {}
    if "active_disclosure" in include:
        blocks, expected["active_disclosure"] = draw(active_2021() if fmt == "2021" else active_2019())
        if draw(st.booleans()):  # one merged table (captions as full-width rows) or one per block
            tables.append(Table("active_disclosure", tuple(row for block in blocks for row in block)))
        else:
            tables.extend(Table("active_disclosure", block) for block in blocks)
    if "applications" in include:
        rows, expected["applications"] = draw(applications(fmt))
        tables.append(Table("applications", rows))
    if "review_litigation" in include:
        rows, expected["review_litigation"] = draw(review_litigation())
        tables.append(Table("review_litigation", rows))
    received = draw(counts)
    prose = (
        "一、总体情况",
        f"{year}年，本机关认真贯彻落实《中华人民共和国政府信息公开条例》，全年共收到政府信息公开申请{received}件。",
    )
    return Report(fmt=fmt, year=year, tables=tuple(tables), expected=expected, prose=prose)


# ---------------------------------------------------------------------------- rendering


def table_html(table: Table) -> str:
    lines = ['<table border="1" cellspacing="0">']
    for row in table.rows:
        cells = []
        for cell in row:
            spans = "".join(
                f' {name}="{value}"' for name, value in (("rowspan", cell.rowspan), ("colspan", cell.colspan))
                if value != 1
            )
            cells.append(f"<td{spans}>{escape(cell.text)}</td>")
        lines.append("<tr>" + "".join(cells) + "</tr>")
    lines.append("</table>")
    return "\n".join(lines)


def table_lines(table: Table, layout: str) -> list[str]:
    """A table flattened to text lines; a cell spanning rows is printed on its first row only."""
    lines: list[str] = []
    for row in table.rows:
        texts = [cell.text for cell in row]
        if layout == "pipe":
            lines.append(" | ".join(texts) + " |")
        elif layout == "cell_per_line":
            lines.extend(texts)
        else:  # whitespace: group cells (spanning rows, before the row's own label) on lines of their own
            groups = 0
            while groups < len(row) - 1 and row[groups].rowspan > 1 and not row[groups].value and any(
                cell.value for cell in row
            ):
                groups += 1
            lines.extend(texts[:groups])
            lines.append(" ".join(texts[groups:]))
    return lines


def title_of(report: Report) -> str:
    return f"某某市人民政府办公室{report.year}年政府信息公开工作年度报告"


def body_parts(report: Report, layout: str) -> list[str]:
    """The report body as HTML fragments (html) or text lines (text layouts), in reading order."""
    parts: list[str] = []
    html = layout == "html"
    paragraph = (lambda text: f"<p>{escape(text)}</p>") if html else (lambda text: text)
    parts.extend(paragraph(text) for text in report.prose)
    printed: set[str] = set()
    for table in report.tables:
        if table.name not in printed:
            printed.add(table.name)
            parts.append(paragraph(HEADINGS[table.name]))
        if html:
            parts.append(table_html(table))
        else:
            parts.extend(table_lines(table, layout))
    parts.append(paragraph("五、存在的主要问题及改进情况"))
    parts.append(paragraph("政府信息公开工作仍存在不足，下一步将加强培训。"))
    return parts


def render_page(report: Report, layout: str, body: list[str] | None = None) -> str:
    """A whole detail page (html) or text file (text layouts) carrying the report."""
    parts = body_parts(report, layout) if body is None else body
    title = title_of(report)
    if layout == "html":
        return (
            '<!DOCTYPE html><html><head><meta charset="utf-8">'
            f'<meta name="ArticleTitle" content="{escape(title)}"><title>{escape(title)}</title></head>'
            f'<body><div class="header">首页 &gt; 政府信息公开</div><h1>{escape(title)}</h1>'
            f'<div id="zoom">{"".join(parts)}</div><div class="footer">版权所有</div></body></html>'
        )
    return "\n".join([title, *parts])
