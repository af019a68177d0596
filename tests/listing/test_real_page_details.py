"""Details of real pages (issue 17, shape 5): labels split by <br>, metadata in comments, and which
date a report gets. The classifier that says "not a report" is the accuracy issue's."""

from __future__ import annotations

from govreports.listing.discovery import column_links
from govreports.listing.entries import extract_entries
from govreports.parsing.report import parse_report

HOME = "http://www.pingyi.gov.cn/"


def test_a_link_label_split_by_br_and_whitespace_is_one_label() -> None:
    html = ('<ul><li><a href="/zwgk/zfxxgknb/index.html">政府信息<br> 公开年报</a></li>'
            '<li><a href="/zwgk/202401/t20240115_1.html">平邑县2023年政府信息<br>\n   公开工作年度报告</a>'
            "<span>2024-01-20</span></li></ul>")
    entries = extract_entries(html, HOME)
    assert [entry.title for entry in entries] == ["政府信息公开年报", "平邑县2023年政府信息公开工作年度报告"]
    assert column_links(html, HOME)[0].url == "http://www.pingyi.gov.cn/zwgk/zfxxgknb/index.html"
    english = extract_entries('<a href="/a/t20240101_1.html">Annual<br>report 2023</a>', HOME)
    assert english[0].title == "Annual report 2023"   # words in other scripts keep their space


PAGE = """<html><head><meta charset="utf-8"><title>平邑县人民政府2023年政府信息公开工作年度报告</title>
<!-- <meta name="PubDate" content="2010-01-01 08:00"> -->
<script>
// var pubDate = '2011-02-02';
/* var title = '旧标题2009年政府信息公开工作年度报告'; */
var source = '平邑县人民政府办公室'; var cdn = '//static.pingyi.gov.cn/a.js';
</script></head><body>
<!-- <div class="xxgk"><table><tr><td>发布日期：</td><td>2012-03-03</td></tr>
<tr><td>索引号：</td><td>000/2012-00001</td></tr></table></div> -->
<!--发布日期：2013-04-04 来源：旧系统-->
<div class="article-content"><h1>平邑县人民政府2023年政府信息公开工作年度报告</h1>
<p>本报告根据《中华人民共和国政府信息公开条例》编制。2023年，平邑县人民政府坚持以公开为常态。</p>
<p>一、总体情况</p><p>全年主动公开政府信息1200条。</p></div></body></html>"""


def test_metadata_lines_inside_html_and_script_comments_are_never_read() -> None:
    report = parse_report(PAGE.encode(), url="http://www.pingyi.gov.cn/zwgk/202401/t20240105_1.html")
    assert report.title == "平邑县人民政府2023年政府信息公开工作年度报告"
    assert report.publish_date is None and report.index_no is None
    assert report.publisher == "平邑县人民政府办公室"


def test_the_printed_list_date_wins_over_the_date_in_the_url() -> None:
    report = parse_report(PAGE.encode(), url="http://www.pingyi.gov.cn/zwgk/202401/t20240105_1.html",
                          hints={"list_date": "2024-01-20", "link_text": "平邑县人民政府2023年政府信息公开工作年度报告"})
    assert report.publish_date == "2024-01-20"
