"""canonical_url on the URL shapes real portals publish, and the fingerprinter built on it."""

from __future__ import annotations

import pytest
from scrapy import FormRequest, Request
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from govreports.urls import CanonicalRequestFingerprinter, canonical_url

SAME_PAGE = [
    # TRS detail page: https/http, default port, mobile twin
    (
        "https://www.cqqj.gov.cn:443/zwgk_159/zfxxgknb/qzfxxgknb/202403/t20240327_13086081_wap.html",
        "http://www.cqqj.gov.cn/zwgk_159/zfxxgknb/qzfxxgknb/202403/t20240327_13086081.html",
    ),
    # TRS column: index.html is the directory
    ("http://js.changchun.gov.cn/zcbm/styjrswj/ndbg/index.html", "http://js.changchun.gov.cn/zcbm/styjrswj/ndbg/"),
    # .shtml and .htm directory indexes; upper-case host
    ("HTTP://WWW.MEE.GOV.CN/ywdt/hjywnews/index.shtml", "http://www.mee.gov.cn/ywdt/hjywnews/"),
    ("http://www.example.gov.cn/zwgk/index.htm", "http://www.example.gov.cn/zwgk/"),
    # Hanweb column with a session id in the path and a fragment
    ("http://www.jiangxi.gov.cn/col/col5296/index.html;jsessionid=8F3A2B1C#content", "http://www.jiangxi.gov.cn/col/col5296/"),
    (
        "http://www.jiangxi.gov.cn/art/2019/3/15/art_5296_668434.html;jsessionid=ABC123",
        "http://www.jiangxi.gov.cn/art/2019/3/15/art_5296_668434.html",
    ),
    # tracking and cache-busting queries; the rest sorted
    (
        "http://www.gpq.gov.cn/zwgk/list.jsp?utm_source=wechat&utm_medium=share&pageNum=2&uid=7&_t=1711500000",
        "http://www.gpq.gov.cn/zwgk/list.jsp?pageNum=2&uid=7",
    ),
    ("http://www.gpq.gov.cn/a.html?timestamp=1711500000&_=1711500000123", "http://www.gpq.gov.cn/a.html"),
    ("http://www.gpq.gov.cn/a.html?jsessionid=XYZ&id=3", "http://www.gpq.gov.cn/a.html?id=3"),
    # a trailing dot on the host, a default port on http
    ("http://www.zixing.gov.cn.:80/zwgk/", "http://www.zixing.gov.cn/zwgk/"),
]

DIFFERENT_PAGES = [
    # index_1.html is page 2 of a TRS column, not the column itself
    ("http://x.gov.cn/zwgk/zfxxgknb/index_1.html", "http://x.gov.cn/zwgk/zfxxgknb/"),
    # gkmlpt pages and sites: page and sid are real parameters
    ("http://www.gd.gov.cn/gkmlpt/api/all/123?page=2&sid=2", "http://www.gd.gov.cn/gkmlpt/api/all/123?page=3&sid=2"),
    # non-default ports are different servers
    ("http://127.0.0.10:8080/zwgk/", "http://127.0.0.10:8081/zwgk/"),
    # Beijing's list.shtml is a page, not a directory index
    ("http://zfxxgk.beijing.gov.cn/110016/zfxxgknb/list.shtml", "http://zfxxgk.beijing.gov.cn/110016/zfxxgknb/"),
    # a GBK-escaped query value is not garbled into another one
    ("http://x.gov.cn/search?q=%C4%EA%B1%A8", "http://x.gov.cn/search?q=%C4%EA%B1%A9"),
]


@pytest.mark.parametrize(("published", "canonical"), SAME_PAGE)
def test_real_url_variants_fold_to_one_canonical_form(published: str, canonical: str) -> None:
    assert canonical_url(published) == canonical
    assert canonical_url(canonical) == canonical  # idempotent


@pytest.mark.parametrize(("first", "second"), DIFFERENT_PAGES)
def test_distinct_pages_keep_distinct_canonical_forms(first: str, second: str) -> None:
    assert canonical_url(first) != canonical_url(second)


def test_chinese_path_is_percent_encoded_once() -> None:
    assert canonical_url("http://x.gov.cn/政务公开/年报.html") == canonical_url(
        "http://x.gov.cn/%E6%94%BF%E5%8A%A1%E5%85%AC%E5%BC%80/%E5%B9%B4%E6%8A%A5.html"
    )


def test_file_urls_only_lose_their_fragment() -> None:
    assert canonical_url("file:///tmp/report.pdf#page=2") == "file:///tmp/report.pdf"


def _fingerprinter() -> CanonicalRequestFingerprinter:
    crawler = get_crawler(settings_dict={"REQUEST_FINGERPRINTER_CLASS": CanonicalRequestFingerprinter})
    fingerprinter = crawler.request_fingerprinter
    assert isinstance(fingerprinter, CanonicalRequestFingerprinter)
    return fingerprinter


def test_wap_twin_and_https_variant_share_one_request_fingerprint() -> None:
    fp = _fingerprinter().fingerprint
    desktop = Request("http://www.cqqj.gov.cn/zwgk_159/zfxxgknb/202403/t20240327_13086081.html")
    mobile = Request("https://www.cqqj.gov.cn/zwgk_159/zfxxgknb/202403/t20240327_13086081_wap.html?utm_source=x")
    assert fp(desktop) == fp(mobile)


def test_hanweb_dataproxy_posts_differ_by_their_form_body() -> None:
    fp = _fingerprinter().fingerprint
    url = "http://www.jiangxi.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=45&perpage=15"
    form = {"col": "1", "webid": "1", "path": "/", "columnid": "5296", "unitid": "12345", "permissiontype": "0"}
    first = FormRequest(url, formdata=form)
    same = FormRequest(url, formdata=dict(form))
    other_column = FormRequest(url, formdata={**form, "columnid": "5297"})
    assert fp(first) == fp(same)
    assert fp(first) != fp(other_column)
    assert fp(first) != fp(Request(url))  # GET of the same URL is another request


def test_verbatim_url_meta_keeps_the_raw_url() -> None:
    fp = _fingerprinter().fingerprint
    a = Request("http://x.gov.cn/zwgk/index.html", meta={"verbatim_url": True})
    b = Request("http://x.gov.cn/zwgk/", meta={"verbatim_url": True})
    assert fp(a) != fp(b)


def test_fingerprinter_builds_from_crawler() -> None:
    crawler = get_crawler()
    assert isinstance(build_from_crawler(CanonicalRequestFingerprinter, crawler), CanonicalRequestFingerprinter)
