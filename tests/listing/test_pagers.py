"""Pagers of issue 17 (shape 3) at unit level; the farm portals `hanweb_encrypted`, `yunnan_base64`
and `liaoning_huidian` walk them end to end (tests/e2e/test_coverage_crawl.py)."""

from __future__ import annotations

from govreports.listing.adapters import detect_adapter
from govreports.listing.adapters.hanweb_jpage import proxy_request_fields
from govreports.listing.adapters.plain import declared_pages, next_page_url
from govreports.listing.entries import looks_like_document

ENCRYPTED = """<html><body><div id="4567"><script type="text/xml"><datastore><nextgroup><![CDATA[<a
href="/module/web/jpage/dataproxy.jsp?page=1&webid=1&path=/&columnid=Vk1n+Qz/8wE=&unitid=Tj3k%2Bw/2Aa8=&permissiontype=0"></a>]]></nextgroup>
<recordset><record><![CDATA[<li><a href="/art/2024/1/15/art_1_2.html">浏阳市2023年政府信息公开工作年度报告</a><span>2024-01-15</span></li>]]></record></recordset></datastore></script></div>
<script>var param_4567 = {col:1,appid:1,webid:1,path:'/',sourceContentType:1,webname:'浏阳市',permissiontype:0};
$('#4567').jpage({perPage:1, groupSize:1, totalRecord:5, proxyUrl:'/module/web/jpage/dataproxy.jsp', ajaxParam: param_4567});</script>
</body></html>"""


def test_encrypted_nextgroup_tokens_are_posted_back_exactly_as_printed() -> None:
    url = "http://www.liuyang.gov.cn/col/col5296/index.html"
    _proxy, fields = proxy_request_fields(ENCRYPTED, url)
    assert fields["columnid"] == "Vk1n+Qz/8wE="   # a '+' read as a space would get an empty group
    assert fields["unitid"] == "Tj3k+w/2Aa8="
    step = detect_adapter(ENCRYPTED, url).first_page(ENCRYPTED, url)
    assert step.next_request is not None and ("columnid", "Vk1n+Qz/8wE=") in step.next_request.formdata


def test_yunnan_base64_pager_gives_the_next_page() -> None:
    html = ('<ul><li><a href="/xxgk/gknb/202401/t20240119_1508186.html">元谋县2023年政府信息公开工作年度报告</a>'
            '<span>2024-01-19</span></li></ul><div id="pages">PGEgaHJlZj0iaW5kZXhfMi5odG1sIj7kuIvkuIDpobU8L2E+</div>')
    assert next_page_url(html, "https://www.ym.gov.cn/xxgk/gknb/index_1.html") == "https://www.ym.gov.cn/xxgk/gknb/index_2.html"


def test_liaoning_huidian_documents_live_in_19_digit_id_directories() -> None:
    assert looks_like_document("https://fgw.ln.gov.cn/fgw/zc/zxzc/1747204718113529856/index.shtml")
    assert not looks_like_document("https://fgw.ln.gov.cn/fgw/zfxxgk/nb/index.shtml")
    pager = ('<div class="page" totalpage="7"><a href="javascript:void(0)" '
             "onclick=\"queryArticleByCondition(this,'/fgw/zfxxgk/nb/be842d3c-2.shtml')\" title=\"下一页\">&gt;</a></div>")
    assert next_page_url(pager, "https://fgw.ln.gov.cn/fgw/zfxxgk/nb/be842d3c.shtml") == \
        "https://fgw.ln.gov.cn/fgw/zfxxgk/nb/be842d3c-2.shtml"
    assert declared_pages(pager) == 7


# the shapes of two TRS templates seen in public repositories: a pager left inside an HTML comment,
# and a createPageHTML line commented out above the live `var countPage`
COMMENTED_PAGER = """<ul><li><a href="./202401/t20240115_1.html">平邑县2023年政府信息公开工作年度报告</a>
<span>2024-01-15</span></li></ul>
<!-- <div class="page"><script>
var currentPage = 0;//所在页从0开始
var countPage = 67//共多少页
</script>共67页</div> -->"""
COMMENTED_CALL = """<ul><li><a href="./202401/t20240115_1.html">平邑县2023年政府信息公开工作年度报告</a>
<span>2024-01-15</span></li></ul>
<script>
//createPageHTML(9, 0, "index", "html");
var currentPage = 0;//所在页从0开始
var countPage = 17;//共多少页
</script>"""


def test_a_trs_pager_inside_an_html_comment_is_not_read() -> None:
    from govreports.listing.adapters.trs import parse_create_page_html

    assert parse_create_page_html(COMMENTED_PAGER) is None
    pager = parse_create_page_html(COMMENTED_CALL)
    assert pager is not None and pager.pages == 17
