"""Finding the 年报 column from home pages and hubs; redirect stubs; sub-columns."""

from __future__ import annotations

from govreports.listing.discovery import (
    column_links,
    hub_links,
    js_redirect_target,
    looks_like_column,
    subcolumn_links,
)
from govreports.listing.entries import extract_entries, looks_like_document
from govreports.parsing.text import parse_date

HOME = "http://www.xuanhua.gov.cn/"


def test_home_page_without_a_column_link_leads_to_the_zwgk_hub_only(fixture_text):
    html = fixture_text("home.html")
    assert column_links(html, HOME) == []
    hubs = [link.url for link in hub_links(html, HOME)]
    assert hubs[0] == "http://www.xuanhua.gov.cn/zwgk/index.html"
    assert "http://www.gov.cn/" not in hubs  # other sites are not hubs
    assert not any("xwzx" in url or "ldxx" in url for url in hubs)


def test_hub_pages_lead_to_the_disclosure_catalogue_not_to_the_guide(fixture_text):
    hubs = [link.url for link in hub_links(fixture_text("hub_zwgk.html"), "http://www.xuanhua.gov.cn/zwgk/index.html")]
    assert hubs[0] == "http://www.xuanhua.gov.cn/zwgk/zfxxgk/index.html"
    assert "http://www.xuanhua.gov.cn/zwgk/xxgkzn/index.html" not in hubs  # 指南


def test_column_link_by_text_and_slug_beats_decoys_and_single_reports(fixture_text):
    links = column_links(fixture_text("hub_with_column.html"), "http://www.xuanhua.gov.cn/zwgk/zfxxgk/index.html")
    assert [link.url for link in links] == ["http://www.xuanhua.gov.cn/zwgk/zfxxgk/zfxxgknb/index.html"]
    assert "zfxxgknb" in links[0].why


def test_column_slugs_alone_are_recognised():
    html = '<a href="/zwgk/qzfxxgknb/">区政府</a><a href="/zwgk/bmxxgknb/">部门</a><a href="/xxgk/ndbg/">年度</a>'
    urls = [link.url for link in column_links(html, HOME)]
    assert set(urls) == {HOME + "zwgk/qzfxxgknb/", HOME + "zwgk/bmxxgknb/", HOME + "xxgk/ndbg/"}


def test_redirect_stubs_are_followed_but_real_pages_are_not(fixture_text):
    assert js_redirect_target(fixture_text("stub_redirect.html"), "http://www.sd.gov.cn/zwgk/") == \
        "http://www.sd.gov.cn/col/col91477/index.html"
    assert js_redirect_target(fixture_text("stub_meta_refresh.html"), HOME) == HOME + "zwgk/zfxxgknb/"
    assert js_redirect_target('<script>window.location.replace("/a/b.html")</script>', HOME) == HOME + "a/b.html"
    assert js_redirect_target(fixture_text("home.html"), HOME) is None


def test_year_and_unit_subcolumns_are_found_but_not_pagination_or_reports(fixture_text):
    column = "http://www.cqjlp.gov.cn/zwgk_251/zfxxgknb/index.html"
    found = {entry.url.removeprefix("http://www.cqjlp.gov.cn/zwgk_251/zfxxgknb/") for entry in
             subcolumn_links(fixture_text("subcolumns.html"), column)}
    assert found == {"2023n/index.html", "2022n/index.html", "gknb2017/index.html",
                     "qzf/index.html", "bm/index.html", "xzjd/index.html"}


def test_a_given_column_url_is_recognised_as_a_column(fixture_text):
    assert looks_like_column(fixture_text("trs_column.html"), "http://www.gaoping.gov.cn/zwgk/zfxxgknb/index.html")
    assert not looks_like_column(fixture_text("home.html"), HOME)


def test_list_dates_in_every_printed_form():
    assert parse_date("2024-01-15") == "2024-01-15"
    assert parse_date("[2024/1/5]") == "2024-01-05"
    assert parse_date("发布时间：2024年1月15日") == "2024-01-15"
    assert parse_date("２０２４．０１．１５") == "2024-01-15"
    assert parse_date("2024-13-45") is None


def test_document_urls_are_told_apart_from_columns():
    for url in ("http://a.gov.cn/zwgk/202401/t20240115_3271106.html", "http://a.gov.cn/art/2019/3/15/art_5296_668434.html",
                "http://a.gov.cn/gkmlpt/content/1/2/post_963149.html", "http://a.gov.cn/zfxxgk/nb/1906985018193408001.html",
                "http://a.gov.cn/module/download/downfile.jsp?classid=0&filename=ab12.pdf", "http://a.gov.cn/x/report.PDF"):
        assert looks_like_document(url), url
    for url in ("http://a.gov.cn/zwgk/zfxxgknb/", "http://a.gov.cn/col/col91477/index.html",
                "http://a.gov.cn/zwgk/zfxxgknb/index_2.html"):
        assert not looks_like_document(url), url


def test_entries_prefer_full_titles_and_skip_script_links():
    html = ('<li><a href="a.html" title="XX区2023年政府信息公开工作年度报告">XX区2023年政府信息…</a>2024-01-02</li>'
            '<li><a href="javascript:void(0)">打印</a></li><a href="mailto:x@y">邮箱</a>')
    entries = extract_entries(html, "http://a.gov.cn/nb/")
    assert [(e.url, e.title, e.date) for e in entries] == [
        ("http://a.gov.cn/nb/a.html", "XX区2023年政府信息公开工作年度报告", "2024-01-02")]
