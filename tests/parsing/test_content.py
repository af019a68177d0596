"""Main content of real-looking detail pages: the right container, in reading order, no chrome."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govreports.parsing.html import CONTENT_CONTAINERS, html_to_document
from govreports.parsing.metadata import is_chrome_line
from govreports.parsing.models import Grid, Paragraph
from govreports.parsing.report import parse_report
from govreports.spec import FORMATS

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real-reports"
ARTICLE = ("<p>一、总体情况</p><p>2019年，我区认真贯彻落实《条例》，全年主动公开政府信息共计2599条，依法办理政府信息公开申请23件。</p>"
           "<p>二、主动公开政府信息情况</p><p>本年度规范性文件公开工作稳步推进，群众满意度持续提升。</p>")


def texts(html: str) -> list[str]:
    return [block.text for block in html_to_document(html, "http://x.gov.cn/a.html").blocks
            if isinstance(block, Paragraph)]


def wrap(container: str, chrome: str = "", after: str = "") -> str:
    return f"<html><body>{chrome}{container}{after}</body></html>"


CONTAINERS = {
    ("id", "UCAP-CONTENT"): '<div id="UCAP-CONTENT">{}</div>',
    ("id", "Zoom"): '<div id="Zoom">{}</div>',
    ("id", "zoomcon"): '<div id="zoomcon" class="article-content">{}</div>',
    ("class", "TRS_Editor"): '<div class="TRS_Editor">{}</div>',
    ("class", "TRS_UEDITOR"): '<div class="view TRS_UEDITOR trs_paper_default">{}</div>',
    ("class", "trs_editor_view"): '<div class="trs_editor_view">{}</div>',
    ("class", "Custom_UnionStyle"): '<div class="Custom_UnionStyle">{}</div>',
    ("id", "ivs_content"): '<div id="ivs_content">{}</div>',
    ("id", "webeditorview"): '<div id="webeditorview">{}</div>',
    ("class", "webeditorview"): '<div class="webeditorview">{}</div>',
    ("class", "article-content"): '<div class="article-content">{}</div>',
    ("class", "article-content-body"): '<div class="article-content-body">{}</div>',
    ("class", "wzzw-article"): '<div class="wzzw-article">{}</div>',
    ("class", "show-content"): '<div class="show-content">{}</div>',
    ("class", "xxgk_content"): '<div class="xxgk_content">{}</div>',
    ("class", "zw-content"): '<div class="zw-content">{}</div>',
    ("class", "detail-content"): '<div class="detail-content">{}</div>',
}


def test_every_known_container_has_a_rendition() -> None:
    covered = [(attribute, names) for attribute, names in CONTENT_CONTAINERS
               if any(key_attribute == attribute and name in names for key_attribute, name in CONTAINERS)]
    assert covered == list(CONTENT_CONTAINERS)


@pytest.mark.parametrize("template", CONTAINERS.values(), ids=[f"{kind}={name}" for kind, name in CONTAINERS])
def test_known_container_is_the_body_and_the_decoy_column_is_not(template: str) -> None:
    decoy = "<div class='side'><p>相关新闻：区长主持召开常务会议研究部署重点工作，要求各部门抓好落实。</p></div>"
    lines = texts(wrap(template.format(ARTICLE), chrome=decoy))
    assert lines[0] == "一、总体情况" and "区长主持" not in " ".join(lines)
    assert len(lines) == 4


def test_page_without_a_known_container_is_read_by_text_density() -> None:
    nav = "<div class='menu'>" + "".join(f"<a href='/{i}'>栏目{i}</a>" for i in range(30)) + "</div>"
    html = wrap(f"<div class='mainbox'><div class='txt'>{ARTICLE}</div></div>", chrome=nav,
                after="<div class='bottom'><a href='/a'>关于我们</a><a href='/b'>网站地图</a></div>")
    document = html_to_document(html, "http://x.gov.cn/a.html")
    lines = [block.text for block in document.blocks if isinstance(block, Paragraph)]
    assert lines[0] == "一、总体情况" and not any("栏目" in line for line in lines)
    assert "html: content container chosen by text density" in document.warnings


@pytest.mark.parametrize(("kind", "markup", "leak"), [
    ("breadcrumb", "<div class='position'>您的位置：<a>首页</a> &gt; <a>政务公开</a></div>", "您的位置"),
    ("breadcrumb text", "<p>当前位置：首页 &gt; 政务公开 &gt; 年报</p>", "当前位置"),
    ("hit counter", "<p>发布时间：2019-03-12 浏览次数：<span>88</span></p>", "浏览次数"),
    ("click counter", "<p>点击数：102 人次</p>", "点击数"),
    ("print and close", "<p>【打印本页】【关闭窗口】</p>", "打印"),
    ("font size", "<div class='fontsize'>字号：<a>大</a> <a>中</a> <a>小</a></div>", "字号"),
    ("font size text", "<p>字体：[ 大 中 小 ]</p>", "字体"),
    ("share bar", "<div class='bdsharebuttonbox'>分享到：<a>微信</a><a>微博</a></div>", "分享到"),
    ("qr code", "<p>扫一扫在手机打开当前页</p>", "扫一扫"),
    ("pager", "<p>上一篇：某某通知</p><p>下一篇：某某公告</p>", "上一篇"),
    ("copyright", "<p>版权所有：某某区人民政府 冀ICP备09047917号</p>", "版权所有"),
    ("police record", "<p>川公网安备 51180302000123号</p>", "公网安备"),
    ("site code", "<p>网站标识码：5118030001</p>", "网站标识码"),
    ("sponsor", "<p>主办单位：某某区人民政府办公室 承办单位：某某中心</p>", "主办单位"),
    ("site map", "<p><a>站点地图</a> 联系电话：0470-8812282</p>", "站点地图"),
    ("link lists", "<p>国务院部门网站</p><p>地方政府网站</p>", "国务院部门网站"),
    # 湖北省人社厅 2021 (mirror): the breadcrumb named 信息公开年报 was read as the title
    ("breadcrumb", "<p>您现在所在的位置:&gt; 主页 &gt; 信息公开 &gt; 信息公开年报</p>", "您现在所在的位置"),
])
def test_chrome_inside_the_container_is_dropped(kind: str, markup: str, leak: str) -> None:
    html = wrap(f"<div id='zoom'>{markup}{ARTICLE}{markup}</div>")
    report = parse_report(html, url="http://x.gov.cn/a.html")
    assert leak not in report.text
    assert "全年主动公开政府信息共计2599条" in report.text


def test_report_prose_that_merely_mentions_a_website_is_kept() -> None:
    for line in ("本报告的电子版可在区政府门户网站“政府信息公开年度报告”专栏获取。",
                 "依托政府网站技术支持单位完成栏目改版。", "大力推进政务公开标准化规范化。"):
        assert not is_chrome_line(line), line


def test_word_pasted_markup_becomes_clean_paragraphs() -> None:
    word = ('<div class="TRS_Editor"><p class="MsoNormal" style="TEXT-INDENT: 32pt; MARGIN: 0pt; '
            'FONT-FAMILY: 仿宋_GB2312"><span style="FONT-SIZE: 16pt"><span lang="EN-US">2019</span>年，全区'
            '<span style="FONT-FAMILY: 仿宋_GB2312">主动公开</span>政府信息<span lang="EN-US">2599</span>条。'
            '<o:p></o:p></span></p><p>&nbsp;&nbsp;&nbsp;&nbsp;</p><p style="TEXT-ALIGN: center">'
            '<span style="FONT-FAMILY: 黑体">一、总体\n情况</span><o:p>&nbsp;</o:p></p></div>')
    assert texts(wrap(word)) == ["2019年，全区主动公开政府信息2599条。", "一、总体情况"]


def test_br_lines_are_separate_paragraphs() -> None:
    assert texts(wrap("<div id='zoom'>一、总体情况<br>全年主动公开政府信息2599条。<br/><br/>二、主动公开</div>")) == [
        "一、总体情况", "全年主动公开政府信息2599条。", "二、主动公开"]


def test_layout_table_around_the_article_is_walked_through_and_data_tables_become_grids() -> None:
    data = ("<table><tr><td>信息内容</td><td>本年新制作数量</td></tr><tr><td>规章</td><td>0</td></tr>"
            "<tr><td rowspan='2'>行政许可</td><td>3</td></tr><tr><td>4</td></tr></table>")
    html = wrap(f"<table width='100%'><tr><td><div class='main'>{ARTICLE}{data}</div></td></tr></table>")
    blocks = html_to_document(html, "http://x.gov.cn/a.html").blocks
    grids = [block for block in blocks if isinstance(block, Grid)]
    assert len(grids) == 1
    assert grids[0].rows[0] == ("信息内容", "本年新制作数量")
    assert grids[0].rows[3][0] == "行政许可"  # rowspan expanded
    assert isinstance(blocks[0], Paragraph) and blocks[0].text == "一、总体情况"


def test_label_table_inside_the_container_feeds_the_meta_not_the_body() -> None:
    labels = ("<table><tr><td>索引号：</td><td>11500107/2021-00012</td><td>发布机构：</td><td>区政府办公室</td></tr>"
              "<tr><td>发文日期：</td><td>2021-02-05</td><td>主题分类：</td><td>政务公开</td></tr></table>")
    report = parse_report(wrap(f"<div id='zoom'>{labels}{ARTICLE}</div>"), url="http://x.gov.cn/a.html")
    assert report.index_no == "11500107/2021-00012" and report.publisher == "区政府办公室"
    assert report.grid_count == 0 and "索引号" not in report.text


def test_scripts_styles_and_comments_never_reach_the_text() -> None:
    html = wrap(f"<div id='zoom'><style>p{{color:red}}</style><script>var a='x';</script><!-- 注释 -->{ARTICLE}</div>")
    text = parse_report(html, url="http://x.gov.cn/a.html").text
    assert "color" not in text and "var a" not in text and "注释" not in text


def test_broken_markup_and_empty_pages_do_not_raise() -> None:
    for html in ("", "   ", "<html><body><div id='zoom'><p>一、总体情况<table><tr><td>1</td>", "<<<>>>"):
        report = parse_report(html, url="http://x.gov.cn/a.html")
        assert isinstance(report.text, str)


CHROME_OF_PINGTAN = ("当前位置", "首页政务公开", "扫一扫", "版权所有", "ICP备", "网站标识码", "公安备案", "长者模式",
                     "友情链接", "主办单位", "微信 微博", "全真版 文字版", "SiteInfo", "浏览器")


@pytest.mark.parametrize(("name", "year", "report_format"), [("pingtan-2019.html", 2019, "2019"),
                                                            ("pingtan-2024.html", 2024, "2021")])
def test_real_pingtan_pages(name: str, year: int, report_format: str) -> None:
    report = parse_report((REAL / name).read_bytes(), url=f"https://www.pingtan.gov.cn/zwgk/{name}",
                          media_type="text/html")
    assert report.title == f"平潭综合实验区{year}年度政府信息公开工作年度报告"
    assert report.report_year == year and report.format == report_format
    assert report.agency == "平潭综合实验区"
    assert report.publisher in {"平潭县人民政府", "平潭综合实验区管委会办公室"}
    assert report.publish_date and report.publish_date.startswith(str(year + 1))
    assert report.site_meta["SiteIDCode"] == "3590000001"
    assert [section["heading"] for section in report.sections][:2] == ["一、总体情况", "二、主动公开政府信息情况"]
    assert report.grid_count == 3
    leaked = [word for word in CHROME_OF_PINGTAN if word in report.text]
    assert leaked == []
    assert "本报告所列数据" in report.text and "\xa0" not in report.text


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from(["<div>", "</div>", "<table>", "<tr>", "<td rowspan='9999'>", "</td>", "<p>",
                                 "一、总体情况", "索引号：", "点击数：3", "<br>", "<!--", "-->", "<script>", "&nbsp;",
                                 "<div id='zoom'>", "<h1>", "2019年", "报告", "|", "\u3000"]), max_size=60))
def test_any_tag_soup_parses_without_raising(parts: list[str]) -> None:
    report = parse_report("".join(parts), url="http://x.gov.cn/a.html")
    assert isinstance(report.text, str) and report.format in FORMATS


def test_text_extraction_of_a_page_loses_its_header_labels_and_footer() -> None:
    from govreports.parsing.plaintext import text_to_document

    text = ("政府信息公开\n您的位置:首页 - 政务公开 - 正文\n索 引 号 008762552/2019-01046 主题分类 政府信息公开年报\n"
            "发布机构 区政府办 发文日期 2019-03-12 16:00:58\n文  号\n名  称 某区2018年政府信息公开工作年度报告\n\n"
            "某区2018年政府信息公开工作年度报告\n来源:区政府办 \xa0 发布日期:2019-03-12 \xa0 点击数:102 人次\n"
            "一、概述\n2018年，全区主动公开政府信息共计26332条。\n \xa0 \n扫一扫在手机打开当前页\n"
            "版权所有:某区人民政府 冀ICP备09047917号 |\n![]() |\n")
    document = text_to_document(text)
    lines = [block.text for block in document.blocks if isinstance(block, Paragraph)]
    assert lines == ["某区2018年政府信息公开工作年度报告", "一、概述", "2018年，全区主动公开政府信息共计26332条。"]
    assert document.meta["index_no"] == "008762552/2019-01046" and document.meta["publisher"] == "区政府办"
    assert document.meta["title"] == "某区2018年政府信息公开工作年度报告" and "doc_no" not in document.meta
    assert document.meta["chrome_lines_dropped"] == "3"  # the breadcrumb went with the header


def test_dates_in_a_related_documents_list_far_below_the_article_are_not_this_reports() -> None:
    related = "".join(f"<li><span>发布日期：2017-0{i}-01</span><a>其他通知{i}</a></li>" for i in range(1, 10))
    html = wrap(f"<div id='zoom'>{ARTICLE}</div>", after="<div class='list'><p>延伸阅读</p>"
                + "<p>　</p>" * 3 + "".join(f"<p>更多信息{i}</p>" for i in range(12)) + f"<ul>{related}</ul></div>")
    report = parse_report(html, url="http://x.gov.cn/a.html")
    assert report.publish_date is None


DATA_TABLE = ("<table><tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>"
              "<tr><td>规章</td><td>1</td><td>0</td><td>11</td></tr></table>")


def deep_page(opening: str, closing: str, depth: int) -> str:
    return ('<html><body><div id="zoom"><p>' + "本机关认真贯彻落实政府信息公开条例。" * 3 + "</p>"
            + opening * depth + DATA_TABLE + closing * depth + "<p>五、存在的主要问题及改进情况</p></div></body></html>")


@pytest.mark.parametrize("depth", [300, 1500])
def test_a_table_under_hundreds_of_unclosed_font_tags_is_read_without_a_warning(depth: int) -> None:
    """Word-exported pages leave <font> open; past 255 levels libxml2 used to drop the rest silently."""
    document = html_to_document(deep_page("<font>", "", depth), "http://x.gov.cn/a.html")
    grids = [block for block in document.blocks if isinstance(block, Grid)]
    assert len(grids) == 1 and grids[0].rows[1] == ("规章", "1", "0", "11")
    assert isinstance(document.blocks[-1], Paragraph) and document.blocks[-1].text == "五、存在的主要问题及改进情况"
    assert document.warnings == ()


@pytest.mark.parametrize(("opening", "closing"), [("<font>", ""), ("<span>", "</span>"), ("<b><i>", "")])
def test_inline_tags_nested_past_the_parser_limit_are_flattened_with_a_warning(opening: str, closing: str) -> None:
    document = html_to_document(deep_page(opening, closing, 100_000), "http://x.gov.cn/a.html")
    grids = [block for block in document.blocks if isinstance(block, Grid)]
    assert len(grids) == 1 and grids[0].rows[1] == ("规章", "1", "0", "11")
    assert document.blocks[-1] == Paragraph("五、存在的主要问题及改进情况")
    assert any("nested deeper than 2048" in warning and "removed" in warning for warning in document.warnings)


def test_block_markup_nested_past_the_parser_limit_loses_the_rest_with_a_warning() -> None:
    document = html_to_document(deep_page("<div>", "</div>", 100_000), "http://x.gov.cn/a.html")
    assert document.blocks[0].text.startswith("本机关认真贯彻落实")  # what came before is kept
    assert any("nested deeper than 2048" in warning and "lost" in warning for warning in document.warnings)


def test_tables_nested_a_thousand_deep_are_walked_without_recursion_errors() -> None:
    """Layout tables wrapping layout tables: 3 elements a level, 1800 deep in all (recursion limit 1000)."""
    document = html_to_document(deep_page("<table><tr><td>", "</td></tr></table>", 600), "http://x.gov.cn/a.html")
    grids = [block for block in document.blocks if isinstance(block, Grid)]
    assert len(grids) == 1 and grids[0].rows[1] == ("规章", "1", "0", "11")


def test_text_the_parser_dropped_is_reported() -> None:
    """Whatever makes libxml2 give up, a tree far shorter than the markup's text is said to be."""
    from govreports.parsing import html as html_module

    page = deep_page("<font>", "", 10)
    lost = html_module._lost_text_warning(page + "<p>" + "后续正文内容。" * 100 + "</p>", html_module._parse(page)[0])
    assert lost is not None and "content was lost" in lost
    assert html_module._lost_text_warning(page, html_module._parse(page)[0]) is None


@pytest.mark.parametrize("markup", [
    "<p>正文</p>", "a > <b>c</b>", "x <y </p> z > w", "1 >< 2", "<a>< b", "> <", "<<>>", "a<b", "a>b",
    "<td>\u3000 1 </td>\n<td>\u200b</td>", "<p>正文</p>\n  <p>继续</p>", "</span></p></td><td>< 5",
])
def test_the_cheap_text_bound_is_never_below_the_tag_free_text(markup: str) -> None:
    """The lost-text check may stop at the bound only because it is an upper bound on the text."""
    from govreports.parsing import html as html_module

    exact = html_module._text_chars(html_module._MARKUP_TAG.sub("", markup))
    assert html_module._text_chars_bound(markup.encode()) >= exact


@pytest.mark.parametrize("name", ["pingtan-2019.html", "pingtan-2024.html"])
def test_real_pages_raise_no_lost_content_warning(name: str) -> None:
    document = html_to_document((REAL / name).read_bytes().decode("utf-8", "replace"), "http://x.gov.cn/a.html")
    assert not any("lost" in warning or "nested" in warning for warning in document.warnings)


@pytest.mark.parametrize("meta", ['<meta charset="gbk">', '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">',
                                  '<?xml version="1.0" encoding="gbk"?>'])
def test_the_page_read_from_its_utf8_bytes_is_the_page_read_from_its_text(meta: str) -> None:
    html = (f"{meta}<html><head><title>平潭综合实验区2019年度政府信息公开工作年度报告</title></head><body>"
            f"<div id='zoom'>{ARTICLE}<table><tr><td>（一）予以公开</td><td>１２</td></tr></table></div></body></html>")
    url = "http://x.gov.cn/a.html"
    assert html_to_document(html, url, utf8=html.encode()) == html_to_document(html, url)
