"""What a page says about itself, in every layout portals use for it."""

from __future__ import annotations

import pytest

from govreports.parsing.metadata import (
    agency_from_title,
    is_placeholder,
    read_label_lines,
    scan_label_line,
)
from govreports.parsing.report import ParsedReport, parse_report
from govreports.parsing.text import parse_date

TITLE = "南充市高坪区人民政府2018年政府信息公开工作年度报告"
BODY = (
    "<p>根据《中华人民共和国政府信息公开条例》规定，特向社会公布本报告。本报告所列数据的统计期限自2018年1月1日起至2018年12月31日止。</p>"
    "<p>一、概述</p><p>2018年，全区主动公开政府信息共计26332条。</p>"
)


def page(head: str = "", above: str = "", body: str = BODY) -> str:
    return (f"<html><head><meta charset='utf-8'>{head}</head><body><div class='nav'><a href='/'>首页</a></div>"
            f"{above}<div class='TRS_Editor'>{body}</div><div class='footer'>版权所有：某某区人民政府</div></body></html>")


def parse(html: str, **kwargs: object) -> ParsedReport:
    return parse_report(html, url="http://www.example.gov.cn/a/t20190312_1.html", **kwargs)  # type: ignore[arg-type]


def test_mandated_meta_tags_give_title_date_and_source() -> None:
    report = parse(page(
        f'<meta name="ArticleTitle" content="{TITLE}"><meta name="PubDate" content="2019-03-12 16:00">'
        '<meta name="ContentSource" content="区政府办"><meta name="SiteName" content="南充市高坪区人民政府">'
        '<meta name="SiteIDCode" content="5118030001"><meta name="ColumnName" content="政府信息公开年报">'
    ))
    assert (report.title, report.publish_date, report.publisher) == (TITLE, "2019-03-12", "区政府办")
    assert report.report_year == 2018 and report.agency == "南充市高坪区人民政府"
    assert report.site_meta == {"SiteName": "南充市高坪区人民政府", "SiteIDCode": "5118030001",
                                "ColumnName": "政府信息公开年报"}


def test_template_placeholders_in_meta_tags_are_ignored() -> None:
    report = parse(page(
        '<meta name="ArticleTitle" content="文章标题"><meta name="SiteName" content="网站名称">'
        '<meta name="SiteIDCode" content="政府网站标识码"><meta name="PubDate" content="${pubDate}">',
        above=f"<h1>{TITLE}</h1>",
    ))
    assert report.title == TITLE
    assert report.site_meta == {}
    assert report.publish_date is None
    assert all(is_placeholder(value) for value in ("网站名称", "  ", "${title}", "{{ title }}", None))
    assert not is_placeholder("南充市高坪区人民政府")


def test_js_var_fields_fill_title_and_date() -> None:
    report = parse(page(f"<script>var title = '{TITLE}';\nvar pubDate='2019-03-12';</script>"))
    assert report.title == TITLE and report.publish_date == "2019-03-12"


def test_two_column_label_table() -> None:
    above = ("<table><tr><td><b>索引号：</b></td><td>008762552/2019-01046</td></tr>"
             "<tr><td><b>发布机构：</b></td><td>区政府办</td></tr>"
             "<tr><td><b>主题分类：</b></td><td>政府信息公开年报</td></tr>"
             "<tr><td><b>文号：</b></td><td>高府办发〔2019〕3号</td></tr>"
             f"<tr><td><b>名称：</b></td><td>{TITLE}</td></tr>"
             "<tr><td><strong>成文日期：</strong></td><td>2019年03月10日</td></tr></table>")
    report = parse(page(above=above))
    assert report.index_no == "008762552/2019-01046"
    assert (report.publisher, report.topic, report.doc_no) == ("区政府办", "政府信息公开年报", "高府办发〔2019〕3号")
    assert report.title == TITLE and report.publish_date == "2019-03-10"


def test_four_column_label_table_with_odd_spaces_and_an_empty_doc_number() -> None:
    above = ("<table class='xxgk'><tr><td>索 引 号：</td><td> 008762552/ 2019-01046 </td><td>主题分类：</td>"
             "<td>政府信息公开年报</td></tr><tr><td>发布机构：</td><td>区政府办</td><td>发文日期：</td>"
             "<td>2019-03-12 16:00:58</td></tr><tr><td>文\u3000\u3000号：</td><td>&nbsp;</td>"
             f"<td>名\u3000\u3000称：</td><td>{TITLE}</td></tr></table>")
    report = parse(page(above=above))
    assert report.index_no == "008762552/2019-01046"
    assert report.doc_no is None
    assert (report.publisher, report.topic, report.publish_date, report.title) == (
        "区政府办", "政府信息公开年报", "2019-03-12", TITLE)


def test_gov_cn_block_with_ideographic_space_padded_labels() -> None:
    above = ("<div class='pages-date'><ul>"
             "<li><b>索 引 号：</b><span>000014349/2020-00072</span></li>"
             "<li><b>主题分类：</b><span>科技、教育\\科技</span></li>"
             "<li><b>发文机关：</b><span>国务院办公厅</span></li>"
             "<li><b>成文日期：</b><span>2020年07月23日</span></li>"
             f"<li><b>标\u3000\u3000题：</b><span>{TITLE}</span></li>"
             "<li><b>发文字号：</b><span>国办发〔2020〕26号</span></li>"
             "<li><b>发布日期：</b><span>2020年07月30日</span></li>"
             "<li><b>主 题 词：</b><span></span></li></ul></div>")
    report = parse(page(above=above))
    assert report.index_no == "000014349/2020-00072"
    assert report.publisher == "国务院办公厅" and report.doc_no == "国办发〔2020〕26号"
    assert report.title == TITLE
    assert report.publish_date == "2020-07-30"  # 发布日期, not the 成文日期


def test_source_date_hits_line_gives_publisher_and_date_and_stays_out_of_text() -> None:
    above = (f"<h1>{TITLE}</h1><div class='info'><span>来源：区政府办</span>\n<span>发布日期：2019-03-12</span>"
             "<span>点击数：<em>102</em> 人次</span></div>")
    report = parse(page(above=above))
    assert report.publisher == "区政府办" and report.publish_date == "2019-03-12"
    assert "点击数" not in report.text


@pytest.mark.parametrize("tag", ["本站原创", "原创", "本网", "转载"])
def test_a_source_that_is_the_sites_own_tag_is_no_publisher(tag: str) -> None:
    """'来源：本站原创' says the article is the site's own (遂溪县建新镇 2018), not which organ published it."""
    above = f"<h1>{TITLE}</h1><div class='info'><span>来源：{tag}</span>\n<span>发布日期：2019-03-12</span></div>"
    report = parse(page(above=above))
    assert report.publisher is None and report.publish_date == "2019-03-12"


def test_pipe_separated_label_line_keeps_empty_fields_empty() -> None:
    hits, before = scan_label_line("发文日期: 2020-02-19 | 发布机构:政府办公室 | 文号: |")
    assert before == ""
    assert [(hit.key, hit.value) for hit in hits] == [
        ("issued", "2020-02-19"), ("publisher", "政府办公室"), ("doc_no", None)]


def test_labels_inside_prose_are_not_metadata() -> None:
    meta, used = read_label_lines(["根据来源：网络的信息，我区名称：某某", "索引号：123"])
    assert meta == {"index_no": "123"} and used == {1}


def test_traditional_labels_are_read_and_values_keep_their_script() -> None:
    meta, _ = read_label_lines(["發布機構：巴彥嵯崗蘇木人民政府辦公室", "索 引 號：1507-2021-01"])
    assert meta == {"publisher": "巴彥嵯崗蘇木人民政府辦公室", "index_no": "1507-2021-01"}


@pytest.mark.parametrize(("raw", "iso"), [
    ("2019-03-12 16:00:58", "2019-03-12"), ("2020年2月19日", "2020-02-19"), ("日期：2021/2/5", "2021-02-05"),
    ("２０２０年０７月３０日", "2020-07-30"), ("2019-02-30", None), ("无", None), (None, None),
    ("2024-02-31 更新 2024-03-01", "2024-03-01"),  # an impossible date is skipped, not taken
])
def test_dates_in_every_published_form(raw: str | None, iso: str | None) -> None:
    assert parse_date(raw) == iso


def test_report_year_is_the_year_reported_on_not_the_publish_year() -> None:
    body = ("<p>根据条例，现将本机关年度信息公开情况报告如下。本报告中所列数据的统计期限自2018年1月1日起至2018年12月31日止。</p>"
            "<p>2019年，我们将继续努力。</p>")
    report = parse(page('<meta name="PubDate" content="2019-03-12">', body=body),
                   hints={"link_text": "区政府信息公开工作年度报告"})
    assert report.publish_date == "2019-03-12"
    assert report.report_year == 2018
    assert report.format == "pre2019"


def test_title_named_in_the_intro_when_the_page_has_none() -> None:
    body = "<p>现公布鄂溫克族自治旗巴彥嵯崗蘇木2020年政府信息公開工作年度報告。本年度報告中所列數據統計期限從2020年1月1日到12月31日止。</p>"
    report = parse(page(body=body))
    assert report.title == "鄂溫克族自治旗巴彥嵯崗蘇木2020年政府信息公開工作年度報告"
    assert report.report_year == 2020 and report.format == "2019" and report.script == "hant"


def test_last_years_report_named_among_published_items_is_not_the_report_year() -> None:
    """南京 绿化园林局 2019: "公开了…财政信息…及2018年度信息公开工作报告" names the report published
    in the year, not this one; "2019年度我局共收到14件依申请公开" is the year reported on."""
    body = ("<p>一、总体情况</p><p>在网站上主动公开信息493条，公开了人事信息、财政信息及2018年度信息公开工作报告。</p>"
            "<p>2019年度我局共收到14件依申请公开，按要求按时予以答复。</p>")
    assert parse(page(body=body)).report_year == 2019
    # the report announced as itself still names the year ("现公布2019年度…报告")
    assert parse(page(body="<p>现公布2019年度政府信息公开工作年度报告。2018年我局…</p>")).report_year == 2019


def test_titles_announced_with_te_gongbu_and_compiled_reports() -> None:
    """"特公布2022年温州市人力资源和社会保障局信息公开工作年度报告" (温州 人社局 2022) announces the title as
    现公布 does; "…局编制了2021年政府信息公开年度报告" names the report compiled."""
    body = "<p>根据条例要求，特公布2022年温州市人力资源和社会保障局信息公开工作年度报告。本报告包括总体情况等部分。</p>"
    assert parse(page(body=body)).title == "2022年温州市人力资源和社会保障局信息公开工作年度报告"
    body = "<p>根据条例和省、市有关要求，某市自然资源和规划局编制了2021年政府信息公开年度报告。报告由六个部分组成。</p>"
    assert parse(page(body=body)).title == "2021年政府信息公开年度报告"


def test_list_page_hints_fill_only_what_the_page_does_not_say() -> None:
    hints = {"link_text": "某区2019年政府信息公开工作年度报告", "list_date": "2020-01-20"}
    bare = parse(page(body="<p>一、总体情况</p><p>本年度我区依法公开政府信息。</p>"), hints=hints)
    assert bare.title == hints["link_text"] and bare.publish_date == "2020-01-20" and bare.report_year == 2019
    full = parse(page(f'<meta name="ArticleTitle" content="{TITLE}"><meta name="PubDate" content="2019-03-12">'),
                 hints=hints)
    assert full.title == TITLE and full.publish_date == "2019-03-12"


def test_h1_that_is_only_the_site_name_is_not_the_title() -> None:
    report = parse(page(above="<h1>南充市高坪区人民政府</h1><div class='bt'>" + TITLE + "</div>",
                        body=f"<p>{TITLE}</p>" + BODY))
    assert report.title == TITLE


@pytest.mark.parametrize(("title", "agency"), [
    (TITLE, "南充市高坪区人民政府"),
    ("资兴市2017年度政府信息公开工作报告", "资兴市人民政府"),
    ("张家口市宣化区政府信息公开工作年度报告(2019年)", "张家口市宣化区人民政府"),
    ("鄂溫克族自治旗巴彥嵯崗蘇木2020年政府信息公開工作年度報告", "鄂温克族自治旗巴彦嵯岗苏木"),
    ("平潭综合实验区2019年度政府信息公开工作年度报告", "平潭综合实验区"),
    ("某某县统计局2019年政府信息公开工作年度报告", "某某县统计局"),
    ("某市人民政府办公室关于2019年政府信息公开工作年度报告", "某市人民政府办公室"),
    ("2019年政府信息公开工作年度报告", None),
    ("政府信息公开工作年度报告", None),
])
def test_agency_is_the_organ_the_title_names(title: str, agency: str | None) -> None:
    assert agency_from_title(title) == agency


def test_a_page_without_any_identity_warns_instead_of_guessing() -> None:
    report = parse("<html><body><div>无关内容</div></body></html>")
    assert report.title == "" and report.report_year is None and report.format == "unknown"
    assert "metadata: no title found" in report.warnings


# --- issue 15: metadata labels never become values -----------------------------------------------
@pytest.mark.parametrize("lines", [
    ["文号：", "关键词", "政务公开"],  # an empty 文号 cell followed by the 关键词 label cell
    ["文号", "主题词", "年报"],
    ["文 号 | 有 效 性 |"],  # the real line of 泰州 2017 (tests/fixtures/real-world/taizhou-2017.txt)
    ["文号 关键词 政务公开"],
])
def test_an_empty_doc_no_stays_null_and_never_takes_the_next_label(lines: list[str]) -> None:
    meta, _ = read_label_lines(lines)
    assert "doc_no" not in meta


def test_index_number_stops_at_the_next_label_of_a_pipe_row() -> None:
    meta, _ = read_label_lines(["索 引 号 | 014416330/2018-04736 | 分 类 | 政府信息公开年报 综合政务 |"])
    assert meta["index_no"] == "014416330/2018-04736"
