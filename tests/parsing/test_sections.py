"""Top-level sections: headings as published, table row labels never taken for headings."""

from __future__ import annotations

from govreports.parsing.models import Grid, Paragraph
from govreports.parsing.sections import is_heading, split_sections


def paragraphs(*lines: str) -> list[Paragraph]:
    return [Paragraph(line) for line in lines]


def test_sections_of_a_2019_format_report_with_their_text() -> None:
    blocks = paragraphs("根据条例编制本报告。", "一、总体情况", "2019年，我区依法公开。", "（一）主动公开",
                        "全年公开2599条。", "二、主动公开政府信息情况", "见下表。")
    sections = split_sections(blocks)
    assert [s["heading"] for s in sections] == ["一、总体情况", "二、主动公开政府信息情况"]
    assert sections[0]["text"] == "2019年，我区依法公开。\n（一）主动公开\n全年公开2599条。"
    assert sections[1]["text"] == "见下表。"


def test_application_table_rows_in_text_layouts_are_not_headings() -> None:
    one_cell_per_line = paragraphs("三、收到和处理政府信息公开申请情况", "一、本年新收政府信息公开申请数量", "83", "16",
                                   "二、上年结转政府信息公开申请数量", "6", "三、本年度办理结果", "(一)予以公开", "58",
                                   "四、结转下年度继续办理", "1", "四、政府信息公开行政复议、行政诉讼情况", "行政复议")
    headings = [s["heading"] for s in split_sections(one_cell_per_line)]
    assert headings == ["三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况"]
    assert not is_heading("三、本年度办理结果 | (一)予以公开 | 2 | 0 | 0 | 0 | 0 | 0 | 2")
    assert not is_heading("一、本年新收政府信息公开申请数量")


def test_grids_belong_to_their_section_as_text_rows() -> None:
    blocks = [Paragraph("二、主动公开政府信息情况"), Grid(rows=(("一、规章", "0"), ("规范性文件", "151"))),
              Paragraph("三、收到和处理政府信息公开申请情况")]
    sections = split_sections(blocks)
    assert sections[0]["text"] == "一、规章 | 0\n规范性文件 | 151"
    assert len(sections) == 2


def test_traditional_headings_are_kept_as_published() -> None:
    sections = split_sections(paragraphs("一、總體情況", "本年度依法公開。", "二、主動公開政府信息情況"))
    assert [s["heading"] for s in sections] == ["一、總體情況", "二、主動公開政府信息情況"]


def test_older_heading_variants() -> None:
    for line in ("第一部分 概述", "第二部分：主动公开政府信息情况", "三．依申请公开情况", "四. 收费及减免情况"):
        assert is_heading(line), line


def test_sentences_and_enumerations_are_not_headings() -> None:
    for line in ("一是加强组织领导。", "一、加强领导。二、完善制度。", "(一)强化组织领导,形成工作合力",
                 "1、乡镇和市直单位政务公开工作专业性强。", "一、" + "很长的标题" * 12):
        assert not is_heading(line), line


def test_a_report_without_headings_has_no_sections() -> None:
    assert split_sections(paragraphs("本年度无依申请公开。", "无其他需报告事项")) == []


def test_section_text_writes_each_table_cell_once_with_rows_on_their_own_lines() -> None:
    """Issue 15: a spanned caption repeated in every slot it covers is written once."""
    grid = Grid(rows=(
        ("第二十条第（一）项", "第二十条第（一）项", "第二十条第（一）项", "第二十条第（一）项"),
        ("信息内容", "本年制发件数", "本年废止件数", "现行有效件数"),
        ("规章", "0", "0", "0"),
        ("三、本年度办理结果", "（一）予以公开", "2", "2"),
        ("三、本年度办理结果", "（二）部分公开", "0", "0"),
    ))
    sections = split_sections([Paragraph("二、主动公开政府信息情况"), grid])
    assert sections[0]["text"].splitlines() == [
        "第二十条第（一）项",
        "信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数",
        "规章 | 0 | 0 | 0",
        "三、本年度办理结果 | （一）予以公开 | 2 | 2",
        "（二）部分公开 | 0 | 0",
    ]
