"""Finding and mapping the three tables in every layout real reports use.

Each fixture is a small, hand-written rendering of the official tables (the labels are the
published wording of 国办公开办函〔2019〕60号 / 〔2021〕30号) in one layout: HTML grid with
rowspan/colspan, pipe rows, one cell per line, whitespace rows, PDF-ish grids.
"""

from __future__ import annotations

import random
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govreports.parsing.grid import html_table_to_grid
from govreports.parsing.models import Grid, Paragraph
from govreports.parsing.tables import TablesResult, extract_tables
from govreports.spec import APPLICANT_COLUMNS as COLUMNS
from govreports.spec import REVIEW_COLUMNS
from tests.fuzz.reports import BALANCE_NOTE, RESULTS, application_rows  # the rows as published

HEADER_LINES = [
    [BALANCE_NOTE, "申请人情况"],
    ["自然人", "法人或其他组织", "总计"],
    ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"],
]


def values_for(index: int) -> list[int]:
    """Distinct numbers per row so a row mapped to the wrong key shows."""
    parts = [100 + index, index, 0, 0, index % 2, 0]
    return [*parts, sum(parts)]


def expected_applications(fmt: str) -> dict[str, dict[str, int]]:
    return {key: dict(zip(COLUMNS, values_for(i))) for i, (_, _, key) in enumerate(application_rows(fmt))}


def applications_html(fmt: str) -> str:
    """The official HTML: r3c3 corner cell, 三、本年度办理结果 rowspan, group rowspans."""
    rows = application_rows(fmt)
    results_span = sum(1 for groups, _, _ in rows if groups[:1] == (RESULTS,))
    out = [
        "<table>",
        f'<tr><td rowspan="3" colspan="3">{HEADER_LINES[0][0]}</td><td colspan="7">申请人情况</td></tr>',
        '<tr><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>',
        "<tr>" + "".join(f"<td>{c}</td>" for c in HEADER_LINES[2]) + "</tr>",
    ]
    seen: set[str] = set()
    for i, (groups, label, _) in enumerate(rows):
        cells = []
        if not groups:
            cells.append(f'<td colspan="3">{label}</td>')
        else:
            if RESULTS not in seen:
                seen.add(RESULTS)
                cells.append(f'<td rowspan="{results_span}">{RESULTS}</td>')
            if len(groups) == 2:
                group = groups[1]
                if group not in seen:
                    seen.add(group)
                    span = sum(1 for g, _, _ in rows if g[1:] == (group,))
                    cells.append(f'<td rowspan="{span}">{group}</td>')
                cells.append(f"<td>{label}</td>")
            else:
                cells.append(f'<td colspan="2">{label}</td>')
        cells.extend(f"<td>{v}</td>" for v in values_for(i))
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def applications_text(fmt: str, layout: str) -> list[Paragraph]:
    """The same table flattened to text, as page converters and PDF text layers print it."""
    lines: list[str] = []
    if layout == "pipe":
        lines += [" | ".join(cells) + " | |||||" for cells in HEADER_LINES]
    elif layout == "cell_per_line":
        lines += [cell for cells in HEADER_LINES for cell in cells]
    else:
        lines += [" ".join(cells) for cells in HEADER_LINES]
    seen: set[str] = set()
    for i, (groups, label, _) in enumerate(application_rows(fmt)):
        new_groups = [g for g in groups if g not in seen]
        seen.update(groups)
        values = [str(v) for v in values_for(i)]
        if layout == "pipe":  # flattened HTML: a group shares the line of its first sub-row
            lines.append(" | ".join([*new_groups, label, *values]) + " | | |")
        elif layout == "cell_per_line":
            lines += [*new_groups, label, *values]
        else:
            lines += new_groups
            lines.append(" ".join([label, *values]))
    return [Paragraph(line) for line in lines]


@pytest.mark.parametrize("fmt", ["2019", "2021"])
@pytest.mark.parametrize("layout", ["html", "pipe", "cell_per_line", "whitespace"])
def test_applications_table_is_mapped_by_label_in_every_layout(layout: str, fmt: str) -> None:
    if layout == "html":
        blocks = [html_table_to_grid(applications_html(fmt))]
    else:
        blocks = applications_text(fmt, layout)
    result = extract_tables(blocks)
    assert result.tables["applications"] == expected_applications(fmt)
    assert result.warnings == ()


# ------------------------------------------------------------------------------ table 1

ACTIVE_2019_HTML = """
<table>
<tr><td colspan="4">第二十条第（一）项</td></tr>
<tr><td>信息内容</td><td>本年新<br>制作数量</td><td>本年新<br>公开数量</td><td>对外公开总数量</td></tr>
<tr><td>规章</td><td>13</td><td>13</td><td>524</td></tr>
<tr><td>规范性文件</td><td>60</td><td>58</td><td>368</td></tr>
<tr><td colspan="4">第二十条第（五）项</td></tr>
<tr><td>信息内容</td><td>上一年项目数量</td><td>本年增/减</td><td>处理决定数量</td></tr>
<tr><td>行政许可</td><td>207</td><td>-6</td><td>16200</td></tr>
<tr><td>其他对外管理服务事项</td><td>120</td><td>+5</td><td>4512</td></tr>
<tr><td colspan="4">第二十条第（六）项</td></tr>
<tr><td>信息内容</td><td>上一年项目数量</td><td>本年增/减</td><td>处理决定数量</td></tr>
<tr><td>行政处罚</td><td>1595</td><td>增13</td><td>87</td></tr>
<tr><td>行政强制</td><td>50</td><td>减2</td><td>19</td></tr>
<tr><td colspan="4">第二十条第（八）项</td></tr>
<tr><td>信息内容</td><td>上一年项目数量</td><td colspan="2">本年增/减</td></tr>
<tr><td>行政事业性收费</td><td colspan="2">39</td><td>0</td></tr>
<tr><td colspan="4">第二十条第（九）项</td></tr>
<tr><td>信息内容</td><td>采购项目数量</td><td colspan="2">采购总金额</td></tr>
<tr><td>政府集中采购</td><td>251</td><td colspan="2">251000元</td></tr>
</table>
"""


def test_2019_table1_as_one_merged_html_table_with_caption_rows_and_colspan_mismatch() -> None:
    # （八）: the header merges 本年增/减 over two columns, the data row merges 上一年项目数量
    # instead (Shanghai 2019) — values are taken by their order within the block.
    result = extract_tables([html_table_to_grid(ACTIVE_2019_HTML)])
    assert result.format == "2019"
    assert result.tables["active_disclosure"] == {
        "regulations": {"new_made": 13, "new_published": 13, "total_published": 524},
        "normative_documents": {"new_made": 60, "new_published": 58, "total_published": 368},
        "licensing": {"previous_items": 207, "change": -6, "decisions": 16200},
        "other_services": {"previous_items": 120, "change": 5, "decisions": 4512},
        "punishment": {"previous_items": 1595, "change": 13, "decisions": 87},
        "coercion": {"previous_items": 50, "change": -2, "decisions": 19},
        "admin_fees": {"previous_items": 39, "change": 0},
        "procurement": {"projects": 251, "amount_wan_yuan": 25.1, "amount_text": "251000元"},
    }


def test_2021_table1_as_four_small_tables() -> None:
    grids = [
        Grid((("第二十条第（一）项",) * 4, ("信息内容", "本年制发件数", "本年废止件数", "现行有效件数"),
              ("规章", "1", "0", "11"), ("行政规范性文件", "8", "26", "66"))),
        Grid((("第二十条第（五）项",) * 2, ("信息内容", "本年处理决定数量"), ("行政许可", "447228"))),
        Grid((("第二十条第（六）项",) * 2, ("信息内容", "本年处理决定数量"), ("行政处罚", "3985758"),
              ("行政强制", "88283"))),
        Grid((("第二十条第（八）项",) * 2, ("信息内容", "本年收费金额（单位：万元）"), ("行政事业性收费", "96171.6"))),
    ]
    result = extract_tables(grids)
    assert result.format == "2021"
    assert result.tables["active_disclosure"] == {
        "regulations": {"issued": 1, "repealed": 0, "in_force": 11},
        "normative_documents": {"issued": 8, "repealed": 26, "in_force": 66},
        "licensing": {"decisions": 447228},
        "punishment": {"decisions": 3985758},
        "coercion": {"decisions": 88283},
        "admin_fees": {"amount_wan_yuan": 96171.6},
    }
    assert result.warnings == ()


def test_truncated_header_columns_are_inferred_from_the_block_and_format() -> None:
    lines = [
        "第二十条第(一)项 | ||||",
        "信息内容 | 本年新 | 本年新 | 对外公开总数量 | |",
        "规章 | 1 | 2 | 3 | |",
        "规范性文件 | 151 | 150 | 900 | |",
    ]
    result = extract_tables([Paragraph(line) for line in lines])
    assert result.format == "2019"
    assert result.tables["active_disclosure"] == {
        "regulations": {"new_made": 1, "new_published": 2, "total_published": 3},
        "normative_documents": {"new_made": 151, "new_published": 150, "total_published": 900},
    }


def test_whitespace_rows_without_headers_fall_back_to_the_format_order_with_a_warning() -> None:
    lines = [
        "第二十条第（五）项",
        "行政许可 207 -6 16200",
        "其他对外管理服务事项 120 +5 4512",
        "第二十条第（九）项",
        "政府集中采购 251 4.08亿元",
    ]
    result = extract_tables([Paragraph(line) for line in lines])
    assert result.format == "2019"  # 其他对外管理服务事项 and 政府集中采购 exist only in 2019
    assert result.tables["active_disclosure"] == {
        "licensing": {"previous_items": 207, "change": -6, "decisions": 16200},
        "other_services": {"previous_items": 120, "change": 5, "decisions": 4512},
        "procurement": {"projects": 251, "amount_wan_yuan": 40800, "amount_text": "4.08亿元"},
    }
    assert any("licensing: no column header" in w for w in result.warnings)


def test_unknown_provincial_row_is_reported_not_mapped() -> None:
    lines = [
        "第二十条第（一）项",
        "信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量",
        "规章 | 0 | 0 | 0",
        "其他主动公开文件 | 7 | 7 | 70",  # Hubei 2020 adds this row
        "规范性文件 | 5 | 5 | 50",
    ]
    result = extract_tables([Paragraph(line) for line in lines])
    assert result.tables["active_disclosure"]["normative_documents"] == {
        "new_made": 5, "new_published": 5, "total_published": 50,
    }
    assert any("其他主动公开文件" in w for w in result.warnings)


# ------------------------------------------------------------------------------ table 3

def test_review_table_with_lost_header_uses_the_fifteen_number_order() -> None:
    # seed 004: the header cells are gone, only stray 总计 / group words and 15 numbers remain
    lines = [
        "四、政府信息公开行政复议、行政诉讼情况",
        "行政复议",
        "行    政    诉    讼",
        "总计",
        "未经复议直接起诉",
        "复议后起诉",
        "总计",
        "总计",
        *["1", "1", "1", "0", "3", "1", "0", "0", "1", "2", "0", "0", "0", "0", "0"],
        "五、存在的主要问题及改进情况",
        "加强培训。",
    ]
    result = extract_tables([Paragraph(line) for line in lines])
    assert result.tables["review_litigation"] == {
        "review": {"upheld": 1, "corrected": 1, "other": 1, "pending": 0, "total": 3},
        "litigation_direct": {"upheld": 1, "corrected": 0, "other": 0, "pending": 1, "total": 2},
        "litigation_after_review": {"upheld": 0, "corrected": 0, "other": 0, "pending": 0, "total": 0},
    }


def test_review_table_html_with_group_headers() -> None:
    html = """<table>
    <tr><td colspan="5">行政复议</td><td colspan="10">行政诉讼</td></tr>
    <tr><td rowspan="2">结果维持</td><td rowspan="2">结果纠正</td><td rowspan="2">其他结果</td>
        <td rowspan="2">尚未审结</td><td rowspan="2">总计</td>
        <td colspan="5">未经复议直接起诉</td><td colspan="5">复议后起诉</td></tr>
    <tr>""" + "<td>结果维持</td><td>结果纠正</td><td>其他结果</td><td>尚未审结</td><td>总计</td>" * 2 + """</tr>
    <tr>""" + "".join(f"<td>{v}</td>" for v in ["2", "1", "3", "1", "7", "0", "0", "0", "0", "0", "13", "2", "4", "0", "19"]) + """</tr>
    </table>"""
    result = extract_tables([html_table_to_grid(html)])
    assert result.tables["review_litigation"]["review"] == {"upheld": 2, "corrected": 1, "other": 3, "pending": 1, "total": 7}
    assert result.tables["review_litigation"]["litigation_after_review"]["total"] == 19
    assert result.warnings == ()


# ------------------------------------------------------------------------------ blanks, scripts, PDFs

def test_blank_cells_become_null_with_a_warning_naming_table_row_and_column() -> None:
    html = applications_html("2019").replace("<td>100</td>", "<td>&nbsp;</td>", 1).replace(
        "<td>1</td><td>0</td><td>0</td><td>1</td><td>0</td><td>103</td>",
        "<td>1</td><td>0</td><td>0</td><td>1</td><td>0</td><td>/</td>", 1,
    )
    result = extract_tables([html_table_to_grid(html)])
    applications = result.tables["applications"]
    assert applications["new_received"]["natural_person"] is None
    assert applications["carried_over"]["total"] is None
    assert applications["carried_over"]["natural_person"] == 101
    assert any("applications.new_received.natural_person" in w and "blank" in w for w in result.warnings)
    assert any("applications.carried_over.total" in w and "blank" in w for w in result.warnings)
    assert 0 not in (applications["new_received"]["natural_person"], applications["carried_over"]["total"])


def test_traditional_mirror_with_pinyin_glosses_and_taiwan_words() -> None:
    lines = [
        "第二十條第(一)項 | |||||",
        "信息內容 | 本年新制作數(shù)量 | 本年新公開數(shù)量 | 對外公開總數(shù)量 | ||",
        "規(guī)章 | 0 | 0 | 0 | ||",
        "規範性檔案 | 4 | 4 | 9 | ||",
        "第二十條第(五)項 | |||||",
        "信息內容 | 上一年項目數(shù)量 | 本年增/減 | 處理決定數(shù)量 | ||",
        "行政許可 | 0 | 增13 | 0 | ||",
        "一、本年新收政府信息公開申請數(shù)量 | 2 | 0 | 0 | 0 | 0 | 0 | 2 | ||",
        "二、上年結轉政府信息公開申請數(shù)量 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | ||",
        "四、結轉下年度繼續(xù)辦理 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |",
    ]
    result = extract_tables([Paragraph(line) for line in lines])
    assert result.format == "2019"
    assert result.tables["active_disclosure"]["normative_documents"] == {"new_made": 4, "new_published": 4, "total_published": 9}
    assert result.tables["active_disclosure"]["licensing"] == {"previous_items": 0, "change": 13, "decisions": 0}
    assert result.tables["applications"]["new_received"]["total"] == 2
    assert result.tables["applications"]["carried_forward"]["natural_person"] == 1


def _pdf_grids() -> list[Grid]:
    """pdfplumber-style grids of a 2021 table 2 split over two pages inside （四）无法提供."""
    page_one = (
        ("（本列数据的勾稽关系为：第一项加第二项之和，\n等于第三项加第四项之和）", None, None, "申请人情况", None, None, None, None, None, None),
        (None, None, None, "自然人", "法人或其他组织", None, None, None, None, "总 计"),
        (None, None, None, None, "商 业 企\n业", "科研机\n构", "社会公益\n组织", "法律服务\n机构", "其他", None),
        ("一、本年新收政府信息公开申请数量", None, None, "3001", "53", "0", "0", "61", "4", "3119"),
        ("二、上年结转政府信息公开申请数量", None, None, "34", "0", "0", "0", "0", "0", "34"),
        ("三、\n本\n年\n度\n办\n理\n结\n果", "（一）予以公开", None, "1288", "21", "0", "0", "50", "3", "1362"),
        (None, "（二）部分公开（区分处理的，只计这一情\n形，不计其他情形）", None, "447", "7", "0", "0", "0", "0", "454"),
        (None, "（三）不\n予公开", "1、属于国家秘密", "2", "0", "0", "0", "0", "0", "2"),
        (None, None, "2.其他法律行政止公开", "30", "1", "0", "0", "0", "0", "31"),
        (None, "（四）无", "1.本机关不掌握相关政府信息", "746", "12", "0", "0", "10", "1", "769"),
    )
    page_two = (
        ("", "法提供", "2.没有现成信息需要另行制作", "11", "0", "0", "0", "0", "0", "11"),
        (None, "（六）其\n他处理", "", "9", "0", "0", "0", "0", "0", "9"),
        (None, "（七）总计", None, "2932", "53", "0", "0", "61", "4", "3050"),
        ("四、结转下年度继续办理", None, None, "103", "0", "0", "0", "0", "0", "103"),
    )
    return [Grid(page_one, source="pdf"), Grid(page_two, source="pdf")]  # type: ignore[arg-type]


def test_pdf_grids_split_across_pages_continue_the_same_table() -> None:
    result = extract_tables(_pdf_grids())
    applications = result.tables["applications"]
    assert applications["new_received"] == dict(zip(COLUMNS, [3001, 53, 0, 0, 61, 4, 3119]))
    assert applications["denied_state_secret"]["total"] == 2
    assert applications["denied_law_prohibited"]["total"] == 31  # typo "行政止公开" tolerated
    assert applications["unable_not_held"]["total"] == 769  # group label cut "（四）无" / "法提供"
    assert applications["unable_needs_creation"]["total"] == 11
    assert applications["other_handling"] == dict(zip(COLUMNS, [9, 0, 0, 0, 0, 0, 9]))  # blank label gap dropped
    assert applications["results_total"]["total"] == 3050
    assert applications["carried_forward"]["natural_person"] == 103


def test_page_starting_with_the_carried_forward_row_continues_table_two() -> None:
    lines = [
        "（七）总计 3 0 0 0 0 0 3",
        "- 4 -",
        "四、结转下年度继续办理 0 0 0 0 0 0 0",
    ]
    result = extract_tables([Paragraph("\n".join(lines))])
    assert result.tables["applications"]["carried_forward"] == dict.fromkeys(COLUMNS, 0)
    assert result.tables["applications"]["results_total"]["total"] == 3


def test_values_printed_before_their_wrapped_labels_in_pdf_text() -> None:
    # hongze-2024 text layer: some rows print their numbers on the line above the label
    text = """（二）部分公开（区分处理的，只计这一情 形，不
9 0 0 0 0 0 9
计其他情形）
4 0 0 0 0 0 4
1.属于国家秘密
三
、 2.其他法律行政止公开 0 0 0 0 0 0 0
本
1 0 0 0 0 0 1
年 3.危及“三安全一稳定”
度
办 4.保护第三方合法权益 0 0 0 0 0 0 0"""
    result = extract_tables([Paragraph(text)])
    applications = result.tables["applications"]
    assert applications["partially_granted"]["total"] == 9
    assert applications["denied_state_secret"]["total"] == 4
    assert applications["denied_law_prohibited"]["total"] == 0
    assert applications["denied_security_stability"]["total"] == 1
    assert applications["denied_third_party"]["total"] == 0


def test_repeated_results_header_and_2021_era_single_other_row() -> None:
    # pingtan-2019 repeats 三、本年度办理结果 mid-table; hongze 2023/2024 keep the single （六） row
    lines = [
        "三、本年度办理结果 | （一）予以公开 | 7 | 0 | 0 | 0 | 0 | 0 | 7",
        "三、本年度办理结果 | （四）无法提供 | 1.本机关不掌握相关政府信息 | 7 | 0 | 0 | 0 | 0 | 0 | 7",
        "2.没有现成信息需要另行制作 | 0 | 0 | 0 | 0 | 0 | 0 | 0",
        "（六）其他处理 | 2 | 0 | 0 | 0 | 0 | 0 | 2",
        "（七）总计 | 16 | 0 | 0 | 0 | 0 | 0 | 16",
        "本年处理决定数量",
    ]
    result = extract_tables([Paragraph(line) for line in lines])
    applications = result.tables["applications"]
    assert applications["granted"]["total"] == 7
    assert applications["unable_not_held"]["natural_person"] == 7
    assert applications["unable_needs_creation"]["total"] == 0
    assert applications["other_handling"]["total"] == 2
    assert "other_other" not in applications
    assert result.format == "2021"


def test_2021_other_group_label_on_its_own_line_is_not_a_row() -> None:
    lines = [
        "（六）其他处理",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        *["1", "0", "0", "0", "0", "0", "1"],
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        *["0", "0", "0", "0", "0", "0", "0"],
        "3.其他",
        *["1", "1", "0", "0", "0", "0", "2"],
    ]
    applications = extract_tables([Paragraph(line) for line in lines]).tables["applications"]
    assert "other_handling" not in applications
    assert applications["other_no_correction"]["total"] == 1
    assert applications["other_fee_unpaid"]["total"] == 0
    assert applications["other_other"] == dict(zip(COLUMNS, [1, 1, 0, 0, 0, 0, 2]))


def test_a_table_printed_twice_keeps_the_first_and_warns_about_the_difference() -> None:
    lines = [
        "一、本年新收政府信息公开申请数量 | 3 | 0 | 0 | 0 | 0 | 0 | 3",
        "一、本年新收政府信息公开申请数量 | 4 | 0 | 0 | 0 | 0 | 0 | 4",
    ]
    result = extract_tables([Paragraph(line) for line in lines])
    assert result.tables["applications"]["new_received"]["total"] == 3
    assert any("printed twice" in w for w in result.warnings)


def test_short_rows_are_padded_with_null_and_reported() -> None:
    result = extract_tables([Paragraph("一、本年新收政府信息公开申请数量 | 3 | 0 | 0")])
    row = result.tables["applications"]["new_received"]
    assert row["natural_person"] == 3 and row["total"] is None
    assert any("3 value cells for 7 columns" in w for w in result.warnings)


# ------------------------------------------------------------------------------ format and absence

def test_format_comes_from_labels_and_mixed_labels_are_reported() -> None:
    assert extract_tables([Paragraph("信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数")]).format == "2021"
    assert extract_tables([Paragraph("信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量")]).format == "2019"
    mixed = extract_tables([Paragraph("本年制发件数"), Paragraph("上一年项目数量"), Paragraph("对外公开总数量")])
    assert mixed.format == "2019" and any("both formats" in w for w in mixed.warnings)


def test_prose_only_report_has_no_tables_and_no_format() -> None:
    text = (
        "五、因政府信息公开申请行政复议和提起行政诉讼的情况\n"
        "2018年,因政府信息公开申请的行政复议12件,其中被依法纠错4件,其他情形8件。\n"
        "行政许可事项办理 3 件"
    )
    result = extract_tables([Paragraph(text)])
    assert result == TablesResult(tables={}, format=None, warnings=())


# ------------------------------------------------------------------------------ garbage in

CELL_ALPHABET = st.sampled_from(
    ["", "0", "12", "-", "/", "增3", "4.08亿元", "总计", "其他", "行政许可", "规章", "信息内容", "本年新",
     "（六）其他处理", "3.其他", "1.属于国家秘密", "（四）无", "法提供", "第二十条第（一）项", "行政复议",
     "自然人", "四、结转下年度继续办理", "三、本年度办理结果", "五、存在的主要问题", "随便什么。", None]
) | st.text(max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(
            st.lists(st.lists(CELL_ALPHABET, max_size=12), max_size=12).map(
                lambda rows: Grid(tuple(tuple(r) for r in rows))  # type: ignore[arg-type]
            ),
            st.lists(CELL_ALPHABET.filter(lambda c: c is not None), max_size=10).map(
                lambda cells: Paragraph(" | ".join(cells) if len(cells) % 2 else " ".join(cells))  # type: ignore[arg-type]
            ),
        ),
        max_size=8,
    )
)
def test_random_blocks_never_raise_and_only_spec_keys_come_out(blocks: list) -> None:
    result = extract_tables(blocks)
    assert set(result.tables) <= {"active_disclosure", "applications", "review_litigation"}
    for row in result.tables.get("applications", {}).values():
        assert list(row) == list(COLUMNS)
        assert all(v is None or (isinstance(v, int) and v >= 0) for v in row.values())
    for group in result.tables.get("review_litigation", {}).values():
        assert list(group) == list(REVIEW_COLUMNS)
    assert not any("internal error" in w for w in result.warnings)


def test_huge_random_grid_is_handled_fast_with_warnings() -> None:
    rng = random.Random(7)
    words = ["0", "7", "行政许可", "总计", "自然人", "x" * 50, "", "（七）总计", "3.其他"]
    grid = Grid(tuple(tuple(rng.choice(words) for _ in range(120)) for _ in range(1000)))
    started = time.perf_counter()
    result = extract_tables([grid, Paragraph("行政许可 1 2 3\n" * 2000)])
    assert time.perf_counter() - started < 3.0
    assert any("cut to" in w for w in result.warnings)
    assert not any("internal error" in w for w in result.warnings)


def test_a_grid_cell_holding_two_stacked_numbers_is_null_and_the_row_keeps_its_columns() -> None:
    """"12<br>34" (or a PDF cell spanning two rows) is two numbers: never the invented 1234."""
    table = ("<table><tr><td>一、本年新收政府信息公开申请数量</td><td>5</td><td>12<br>34</td><td>0</td>"
             "<td>0</td><td>0</td><td>0</td><td>5</td></tr>"
             "<tr><td>四、结转下年度继续办理</td><td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>1</td></tr>"
             "</table>")
    result = extract_tables([html_table_to_grid(table)])
    new_received = result.tables["applications"]["new_received"]
    assert new_received["natural_person"] == 5
    assert new_received["commercial_enterprise"] is None
    assert new_received["total"] == 5
    assert any("new_received.commercial_enterprise" in warning and "12 34" in warning for warning in result.warnings)


def test_a_count_too_long_for_int64_in_a_review_row_is_null_with_a_warning() -> None:
    values = ["0"] * 15
    values[4] = "9" * 20
    result = extract_tables([Paragraph("行政复议 | 行政诉讼"), Paragraph(" ".join(values))])
    review = result.tables["review_litigation"]
    assert review["review"]["total"] is None
    assert review["review"]["upheld"] == 0
    assert any("review_litigation.review.total" in warning and "as a count" in warning for warning in result.warnings)


# ------------------------------------------------------------------ scanned grids (OCR)
def _ocr_table2(*rows: tuple[str, ...]) -> list[Grid]:
    header = (("（本列数据的勾稽关系…）",) * 3 + ("申请人情况",) * 7,
              ("（本列数据的勾稽关系…）",) * 3 + ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"))
    return [Grid((*header, *rows), source="ocr")]


def test_a_scrap_ocr_read_in_a_value_cell_keeps_its_column() -> None:
    """Real renditions of 平潭 2024 and 淮安 2024 sealed and scanned (RapidOCR): '。' and '，' in the
    first value cell, 'A' and '二' after a number. As labels they dropped the cell (the row's numbers
    moved one column left: 1 read as 其他) or, for '。', ended the table as prose."""
    label = ("三、本年度办理结果", "（六）其他处理")
    result = extract_tables(_ocr_table2(
        (*label, "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "，", "0", "0", "", "0", "0", "1"),
        (*label, "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "。", "0", "0", "。", "0", "0", "0"),
        (*label, "3.其他", "2", "A", "0", "二", "0", "0", "2"),
    ))
    rows = result.tables["applications"]
    assert rows["other_no_correction"] == {"natural_person": None, "commercial_enterprise": 0, "research_institution": 0,
                                           "public_welfare_org": None, "legal_service_org": 0, "other_org": 0, "total": 1}
    assert rows["other_fee_unpaid"]["total"] == 0 and rows["other_fee_unpaid"]["natural_person"] is None
    assert rows["other_other"] == {"natural_person": 2, "commercial_enterprise": None, "research_institution": 0,
                                   "public_welfare_org": None, "legal_service_org": 0, "other_org": 0, "total": 2}


def test_specks_beside_an_ocr_count_are_not_digits_and_say_so() -> None:
    """淮安 2024, pale speckled scan: '3119.', '-34..', '.0', '4:' are 3119, 34, 0 and 4 in their own
    columns (a count has no point, colon or sign), named in one warning; a text-layer grid's '3119.'
    is not touched."""
    rows = (("一、本年新收政府信息公开申请数量",) * 3 + ("3001", "53", "0", "0", "61", "4:", "3119."),
            ("二、上年结转政府信息公开申请数量",) * 3 + ("-34..", "0", "0", ".0", "0", "0", "34"))
    result = extract_tables(_ocr_table2(*rows))
    table = result.tables["applications"]
    assert table["new_received"] == {"natural_person": 3001, "commercial_enterprise": 53, "research_institution": 0,
                                     "public_welfare_org": 0, "legal_service_org": 61, "other_org": 4, "total": 3119}
    assert table["carried_over"]["natural_person"] == 34 and table["carried_over"]["public_welfare_org"] == 0
    assert any("4 OCR count cell(s) read without the specks" in warning for warning in result.warnings)
    [grid] = _ocr_table2(*rows)
    text_layer = extract_tables([Grid(grid.rows, source="pdf")]).tables["applications"]
    assert text_layer["new_received"]["total"] is None
