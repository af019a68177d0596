"""Each CMS adapter on the list shapes real portals serve (docs/research/portal-patterns.md §4.2)."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

from govreports.listing.adapters import ADAPTERS, PageRequest, detect_adapter
from govreports.listing.adapters.plain import next_page_url
from govreports.listing.adapters.trs import parse_create_page_html

TRS_COLUMN = "http://www.gaoping.gov.cn/zwgk/zfxxgknb/index.html"
HANWEB_COLUMN = "http://www.zixing.gov.cn/col/col3321/index.html"
JPAAS_COLUMN = "https://www.longyou.gov.cn/col/col1229114055/index.html"
GKMLPT_COLUMN = "http://www.szft.gov.cn/gkmlpt/index#2671"


def test_each_column_page_is_recognised_by_its_own_adapter(fixture_text):
    assert detect_adapter(fixture_text("trs_column.html"), TRS_COLUMN).name == "trs"
    assert detect_adapter(fixture_text("hanweb_column.html"), HANWEB_COLUMN).name == "hanweb_jpage"
    assert detect_adapter(fixture_text("jpaas_column.html"), JPAAS_COLUMN).name == "jpaas"
    assert detect_adapter(fixture_text("gkmlpt_index.html"), GKMLPT_COLUMN).name == "gkmlpt"
    assert detect_adapter(fixture_text("plain_href.html"), "http://www.wqx.gov.cn/zfxxgk/zfxxgknb/list-2.shtml").name == "plain"


def test_a_site_override_forces_the_adapter(fixture_text):
    assert detect_adapter(fixture_text("trs_column.html"), TRS_COLUMN, forced="plain").name == "plain"


def test_trs_create_page_html_announces_index_n_pages(fixture_text):
    step = ADAPTERS["trs"].first_page(fixture_text("trs_column.html"), TRS_COLUMN)
    assert step.declared_pages == 3
    assert step.next_request is not None
    assert step.next_request.url == "http://www.gaoping.gov.cn/zwgk/zfxxgknb/index_1.html"
    titles = [entry.title for entry in step.entries]
    # the clipped link text gives way to the full title attribute
    assert titles[0] == "南充市高坪区人民政府2023年政府信息公开工作年度报告"
    assert step.entries[0].date == "2024-01-25"
    assert len(step.entries) == 4  # navigation and footer links are not records
    assert all(entry.title != "新闻中心" for entry in step.entries)


def test_trs_last_page_with_variables_ends_the_walk(fixture_text):
    first = ADAPTERS["trs"].first_page(fixture_text("trs_column.html"), TRS_COLUMN)
    last = PageRequest(url="http://www.gaoping.gov.cn/zwgk/zfxxgknb/index_2.html", page_no=2,
                       state=first.next_request.state)
    step = ADAPTERS["trs"].next_page(fixture_text("trs_column_page2.html"), last)
    assert step.next_request is None
    assert [entry.date for entry in step.entries] == ["2019-01-28", "2018-01-29"]


def test_trs_six_argument_variant_declares_records_and_shtml():
    pager = parse_create_page_html(
        (__import__("pathlib").Path(__file__).parent.parent / "fixtures/listing/trs_six_args.shtml").read_text()
    )
    assert pager is not None
    assert (pager.pages, pager.current, pager.name, pager.ext, pager.records) == (5, 0, "index", "shtml", 68)


def test_trs_variants_resolve_page_variables():
    pager = parse_create_page_html('var countPage = 12//共多少页\ncreatePageHTML(countPage, 0, "index", "htm");')
    assert pager is not None and (pager.pages, pager.ext) == (12, "htm")
    assert parse_create_page_html("<html>no pager</html>") is None


def test_hanweb_first_group_is_read_from_the_embedded_xml(fixture_text):
    step = ADAPTERS["hanweb_jpage"].first_page(fixture_text("hanweb_column.html"), HANWEB_COLUMN)
    assert [entry.url.rsplit("/", 1)[-1] for entry in step.entries] == [
        "art_3321_7001.html", "art_3321_7000.html", "art_3321_6001.html"]
    assert step.declared_total == 7
    request = step.next_request
    assert request is not None and request.method == "POST"
    query = parse_qs(urlsplit(request.url).query)
    assert urlsplit(request.url).path == "/module/web/jpage/dataproxy.jsp"
    assert query == {"startrecord": ["4"], "endrecord": ["6"], "perpage": ["1"]}
    form = dict(request.formdata)
    assert form["columnid"] == "3321" and form["unitid"] == "4567" and form["webname"] == "资兴市"


def test_hanweb_dataproxy_group_repeats_a_boundary_record_and_asks_for_the_next_group(fixture_text):
    first = ADAPTERS["hanweb_jpage"].first_page(fixture_text("hanweb_column.html"), HANWEB_COLUMN)
    step = ADAPTERS["hanweb_jpage"].next_page(fixture_text("hanweb_group2.xml"), first.next_request)
    assert len(step.entries) == 4
    assert step.entries[0].url.endswith("art_3321_6001.html")  # the repeated boundary record
    assert step.next_request is not None
    assert parse_qs(urlsplit(step.next_request.url).query)["startrecord"] == ["7"]


def test_hanweb_empty_group_is_a_stop_reason(fixture_text):
    first = ADAPTERS["hanweb_jpage"].first_page(fixture_text("hanweb_column.html"), HANWEB_COLUMN)
    step = ADAPTERS["hanweb_jpage"].next_page(fixture_text("hanweb_empty.xml"), first.next_request)
    assert step.entries == () and step.stop == "empty_group" and step.next_request is None


def test_jpaas_column_asks_the_unitbuild_api_page_by_page(fixture_text):
    adapter = ADAPTERS["jpaas"]
    first = adapter.first_page(fixture_text("jpaas_column.html"), JPAAS_COLUMN)
    request = first.next_request
    assert request is not None
    query = parse_qs(urlsplit(request.url).query)
    assert urlsplit(request.url).path == "/api-gateway/jpaas-publish-server/front/page/build/unit"
    assert json.loads(query["paramJson"][0]) == {"pageNo": 1, "pageSize": 15}
    assert query["pageId"] == ["1229114055"] and query["tagId"] == ["信息列表"]
    page1 = adapter.next_page(fixture_text("jpaas_page1.json"), request)
    assert [e.title for e in page1.entries] == ["龙游县人民政府办公室2023年政府信息公开工作年度报告", "龙游县2024年度部门预算"]
    assert page1.declared_total == 3 and page1.declared_pages == 2
    assert json.loads(parse_qs(urlsplit(page1.next_request.url).query)["paramJson"][0])["pageNo"] == 2
    page2 = adapter.next_page(fixture_text("jpaas_page2.json"), page1.next_request)
    assert len(page2.entries) == 1 and page2.next_request is None


def test_jpaas_answer_without_html_is_an_empty_group():
    request = PageRequest(url="https://x.gov.cn/api", page_no=3, state={"api": "https://x.gov.cn/api", "fields": {}})
    assert ADAPTERS["jpaas"].next_page('{"success":true,"data":{"html":""}}', request).stop == "empty_group"
    assert ADAPTERS["jpaas"].next_page("<html>error</html>", request).stop == "bad_json"


def test_gkmlpt_reads_category_from_fragment_and_sid_from_config(fixture_text):
    adapter = ADAPTERS["gkmlpt"]
    first = adapter.first_page(fixture_text("gkmlpt_index.html"), GKMLPT_COLUMN)
    assert first.next_request.url == "http://www.szft.gov.cn/gkmlpt/api/all/2671?page=1&sid=755031"
    page1 = adapter.next_page(fixture_text("gkmlpt_page1.json"), first.next_request)
    assert page1.declared_total == 3
    assert page1.entries[0].url == "http://www.szft.gov.cn/gkmlpt/content/9/9631/post_963149.html"
    assert page1.entries[0].date == "2024-01-31"
    assert page1.entries[1].url == "http://www.szft.gov.cn/gkmlpt/content/9/9630/post_963001.html"
    assert page1.next_request.url.endswith("/gkmlpt/api/all/2671?page=2&sid=755031")
    page2 = adapter.next_page(fixture_text("gkmlpt_page2.json"), page1.next_request)
    assert page2.entries[0].date == "2023-01-30" and page2.next_request is None


def test_gkmlpt_without_fragment_finds_the_annual_report_category(fixture_text):
    first = ADAPTERS["gkmlpt"].first_page(fixture_text("gkmlpt_index.html"), "http://www.szft.gov.cn/gkmlpt/index")
    assert "/gkmlpt/api/all/2671?" in first.next_request.url


def test_plain_next_link_as_href(fixture_text):
    url = "http://www.wqx.gov.cn/zfxxgk/zfxxgknb/list-2.shtml"
    assert next_page_url(fixture_text("plain_href.html"), url) == "http://www.wqx.gov.cn/zfxxgk/zfxxgknb/list-3.shtml"
    step = ADAPTERS["plain"].first_page(fixture_text("plain_href.html"), url)
    assert len(step.entries) == 2 and step.next_request.page_no == 1


def test_plain_next_link_only_in_onclick_with_title(fixture_text):
    url = "https://fgw.ln.gov.cn/fgw/zfxxgk/nb/be842d3c-1.shtml"
    step = ADAPTERS["plain"].first_page(fixture_text("plain_onclick.html"), url)
    assert step.next_request.url == "https://fgw.ln.gov.cn/fgw/zfxxgk/nb/be842d3c-2.shtml"
    assert step.declared_pages == 7
    # the detail link itself lives only in onclick too (Tianjin isDownLoad)
    assert step.entries[0].url == "https://fgw.ln.gov.cn/fgw/zfxxgk/nb/202601/t20260115_7372816.html"


def test_plain_base64_pager_is_decoded(fixture_text):
    url = "https://www.ym.gov.cn/xxgk/gknb/index.html"
    assert next_page_url(fixture_text("yunnan_base64.html"), url) == "https://www.ym.gov.cn/xxgk/gknb/index_1.html"


def test_plain_last_page_has_no_next(fixture_text):
    assert next_page_url(fixture_text("plain_last_page.html"), "http://www.wqx.gov.cn/zfxxgk/zfxxgknb/list-7.shtml") is None
