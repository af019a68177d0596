"""Columns filled by a site-search or list API (issue 17, shape 2): detection from the column page,
the request each adapter makes, and how it reads and pages the answers.

Answers follow the shapes public crawlers of these platforms record (portal-patterns.md §4.2.4):
Fujian `/fjdzapp/search` form fields `channelid=229105, classsql=chnlid=…, page, prepage` and a
`docs` list; chinatax `getFileListByCodeId` → `results.data.results`; gov.cn feeds of `{URL, TITLE}`.
"""

from __future__ import annotations

import json

from govreports.listing.adapters import ADAPTERS, detect_adapter
from govreports.listing.adapters.search_api import site_search_url, with_page

FUJIAN_COLUMN = "https://www.fuqing.gov.cn/xxgk/zfxxgknb/index.html"
FUJIAN_PAGE = """<html><body><ul id="list"></ul><script>
var pageConf = {recordCount: '9', perPage: '4'};
$.ajax({url: '/fjdzapp/search', type: 'POST', data: {channelid: '229105', sortfield: '-docorderpri,-docreltime',
  classsql: 'chnlid=4910', classcol: 'publishyear', classnum: '100', classsort: '0', cache: 'true', page: 1, prepage: 4}});
</script></body></html>"""


def fujian_answer(page: int, titles: list[str], pages: int = 3) -> str:
    docs = [{"doctitle": title, "chnldocurl": f"https://www.fuqing.gov.cn/xxgk/zfxxgknb/202401/t20240115_{page}{n}.htm",
             "docreltime": "2024-01-15 09:30:00", "docid": 1747204718113529856} for n, title in enumerate(titles)]
    return json.dumps({"docs": docs, "pagecount": pages, "recordcount": 9, "page": page}, ensure_ascii=False)


def test_fujian_column_posts_its_channel_and_column_filter_to_fjdzapp_search() -> None:
    adapter = detect_adapter(FUJIAN_PAGE, FUJIAN_COLUMN)
    assert adapter.name == "fjdzapp"
    step = adapter.first_page(FUJIAN_PAGE, FUJIAN_COLUMN)
    request = step.next_request
    assert request is not None and request.method == "POST"
    assert request.url == "https://www.fuqing.gov.cn/fjdzapp/search"
    form = dict(request.formdata)
    assert form["channelid"] == "229105" and form["classsql"] == "chnlid=4910" and form["page"] == "1"
    assert step.declared_total == 9


def test_fujian_answers_are_paged_to_the_declared_page_count() -> None:
    adapter = ADAPTERS["fjdzapp"]
    request = adapter.first_page(FUJIAN_PAGE, FUJIAN_COLUMN).next_request
    assert request is not None
    first = adapter.next_page(fujian_answer(1, ["福清市2023年政府信息公开工作年度报告"]), request)
    assert first.entries[0].title == "福清市2023年政府信息公开工作年度报告"
    assert first.entries[0].date == "2024-01-15"
    assert first.next_request is not None and dict(first.next_request.formdata)["page"] == "2"
    last = adapter.next_page(fujian_answer(3, ["福清市2015年政府信息公开工作年度报告"]), first.next_request.__class__(
        url=request.url, page_no=3, method="POST", formdata=request.formdata, state=request.state))
    assert last.next_request is None
    empty = adapter.next_page(json.dumps({"docs": [], "pagecount": 0}), request)
    assert empty.stop == "empty_group"


KAIPU_COLUMN = "http://www.donghu.gov.cn/xxgk/zfxxgknb/index.html"
KAIPU_PAGE = ('<html><body><iframe src="/search4/s?siteCode=3601020001&amp;searchWord=&amp;channelId=7781'
              '&amp;pageNum=1" frameborder="0"></iframe><a href="/search4/s?siteCode=3601020001">站内搜索</a></body></html>')
KAIPU_RESULTS = """<html><body><ul>
<li><a href="/xxgk/zfxxgknb/202401/t20240118_1.html">南昌市东湖区人民政府2023年政府信息公开工作年度报告</a><span>2024-01-18</span></li>
<li><a href="/xxgk/zfxxgknb/202301/t20230120_2.html">南昌市东湖区人民政府2022年政府信息公开工作年度报告</a><span>2023-01-20</span></li>
</ul><div class="pager">共2页</div></body></html>"""


def test_kaipu_site_search_list_is_walked_by_page_number() -> None:
    assert site_search_url(KAIPU_PAGE, KAIPU_COLUMN) == (
        "http://www.donghu.gov.cn/search4/s?siteCode=3601020001&searchWord=&channelId=7781&pageNum=1")
    adapter = detect_adapter(KAIPU_PAGE, KAIPU_COLUMN)
    assert adapter.name == "site_search"
    request = adapter.first_page(KAIPU_PAGE, KAIPU_COLUMN).next_request
    assert request is not None and request.page_no == 1
    step = adapter.next_page(KAIPU_RESULTS, request)
    assert [entry.date for entry in step.entries] == ["2024-01-18", "2023-01-20"]
    assert step.next_request is not None and step.next_request.url.endswith("pageNum=2")
    second = adapter.next_page(KAIPU_RESULTS, step.next_request)
    assert second.next_request is None  # 共2页
    assert with_page("http://x/s?pageNum=1&siteCode=1", 5) == "http://x/s?pageNum=5&siteCode=1"


TAX_COLUMN = "https://www.chuanying.gov.cn/xxgk/gknb/index.html"
TAX_PAGE = ('<html><body><script>var channelId = "29a88b67e4b149cfa9fac7919dfb08a5"; var codeId = "";'
            "$.post('/getFileListByCodeId', {channelId: channelId, codeId: codeId, page: 1, size: 20});</script></body></html>")


def test_chinatax_style_channel_posts_get_file_list_by_code_id() -> None:
    adapter = detect_adapter(TAX_PAGE, TAX_COLUMN)
    assert adapter.name == "code_id_list"
    request = adapter.first_page(TAX_PAGE, TAX_COLUMN).next_request
    assert request is not None and request.method == "POST" and request.url.endswith("/getFileListByCodeId")
    assert dict(request.formdata)["channelId"] == "29a88b67e4b149cfa9fac7919dfb08a5"
    answer = {"code": 200, "results": {"data": {"total": 21, "page": 1, "size": 20, "results": [
        {"title": "吉林市船营区2023年政府信息公开工作年度报告", "url": "https://www.chuanying.gov.cn/c1/content.html",
         "writtendate": "2024-01-12"}]}}}
    step = adapter.next_page(json.dumps(answer, ensure_ascii=False), request)
    assert step.declared_total == 21 and step.declared_pages == 2
    assert step.entries[0].url == "https://www.chuanying.gov.cn/c1/content.html"
    assert step.next_request is not None and dict(step.next_request.formdata)["page"] == "2"


GOV_COLUMN = "https://www.gov.cn/zhengce/zuixin/index.htm"


def test_gov_cn_json_column_feed_is_one_request() -> None:
    page = "<html><body><script>$.getJSON('./ZUIXINZHENGCE.json', function (d) { draw(d); });</script></body></html>"
    adapter = detect_adapter(page, GOV_COLUMN)
    assert adapter.name == "json_feed"
    request = adapter.first_page(page, GOV_COLUMN).next_request
    assert request is not None and request.url == "https://www.gov.cn/zhengce/zuixin/ZUIXINZHENGCE.json"
    feed = [{"TITLE": "国务院办公厅2023年政府信息公开工作年度报告",
             "URL": "https://www.gov.cn/zhengce/content/202403/content_6941234.htm", "DOCRELPUBTIME": "2024-03-28"}]
    step = adapter.next_page(json.dumps(feed, ensure_ascii=False), request)
    assert [(entry.url, entry.date) for entry in step.entries] == [(feed[0]["URL"], "2024-03-28")]
    assert step.next_request is None


def test_an_api_with_query_parameters_is_not_taken_for_a_static_feed() -> None:
    page = "<html><body><ul id='l'></ul><script>fetch('/api/list.json?channel=gzbg').then(r => r.json());</script></body></html>"
    assert detect_adapter(page, GOV_COLUMN).name == "plain"


def test_a_page_listing_its_own_records_is_not_taken_for_an_api_column() -> None:
    page = ('<html><body><ul><li><a href="/xxgk/t20240115_1.html">福清市2023年政府信息公开工作年度报告</a>'
            "<span>2024-01-15</span></li></ul><script>$.getJSON('/static/i18n/zh.json');</script>"
            '<iframe src="/search4/s?siteCode=3501810001&amp;searchWord=&amp;pageNum=1"></iframe></body></html>')
    assert detect_adapter(page, GOV_COLUMN).name == "plain"
