"""Scope by the public suffix list, and disclosure platforms on other hosts (issue 17, shape 4)."""

from __future__ import annotations

from govreports.listing.discovery import platform_links, same_site
from govreports.scope import (
    SiteScope,
    is_public_suffix,
    refusal,
    registrable_domain,
    site_domain,
)

HOME = "http://www.pingyi.gov.cn/"


def test_public_suffixes_come_from_the_bundled_list_not_from_string_tails() -> None:
    assert is_public_suffix("gov.cn") and is_public_suffix("com.cn") and not is_public_suffix("linyi.gov.cn")
    assert registrable_domain("xxgk.hd.gov.cn") == "hd.gov.cn"
    assert site_domain("www.gov.cn") == "www.gov.cn"          # not every *.gov.cn
    assert site_domain("www.pingyi.gov.cn") == "pingyi.gov.cn"


def test_a_site_on_a_suffix_host_does_not_open_the_whole_suffix() -> None:
    scope = SiteScope.from_urls_and_hosts(["https://www.gov.cn/zhengce/gknb/index.htm"])
    assert refusal("https://www.gov.cn/zhengce/content/1.htm", scope) is None
    assert refusal("https://www.linyi.gov.cn/", scope) is not None
    assert not same_site("http://gov.cn/x.html", "http://xxgk.hd.gov.cn/")
    assert same_site("http://www.hd.gov.cn/", "http://hdzfxxgk.hd.gov.cn/")  # subdomains stay in


def test_a_platform_is_in_scope_only_under_the_county_path() -> None:
    scope = SiteScope.from_urls_and_hosts([HOME]).with_platform("xxgk.linyi.gov.cn", "/pingyi/")
    assert refusal("http://xxgk.linyi.gov.cn/pingyi/zfxxgknb/index.html", scope) is None
    assert refusal("http://xxgk.linyi.gov.cn/robots.txt", scope) is None
    other_county = refusal("http://xxgk.linyi.gov.cn/lanshan/zfxxgknb/t1.html", scope)
    assert other_county is not None and other_county.reason == "platform_path"
    elsewhere = refusal("http://www.linyi.gov.cn/pingyi/", scope)
    assert elsewhere is not None and elsewhere.reason == "offsite"
    assert scope.owns(HOME) and not scope.owns("http://xxgk.linyi.gov.cn/pingyi/index.html")


def test_only_a_disclosure_entry_below_a_platform_root_is_taken() -> None:
    html = """<ul><li><a href="http://xxgk.linyi.gov.cn/pingyi/index.html">政府信息公开</a></li>
    <li><a href="http://www.linyi.gov.cn/">临沂市人民政府</a></li>
    <li><a href="http://www.shandong.gov.cn/">信息公开</a></li>
    <li><a href="/zwgk/index.html">政务公开</a></li></ul>"""
    links = platform_links(html, HOME)
    assert [(link.host, link.prefix, link.refused is None) for link in links] == [
        ("xxgk.linyi.gov.cn", "/pingyi/", True), ("www.shandong.gov.cn", "/", False)]
