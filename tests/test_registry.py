"""The site registry: every real portal loads; bad rows are reported by line and skipped."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from govreports.registry import adhoc_site, bundled_file, load_registry, registry_files, select_sites, slug_for

PORTALS = bundled_file("portals.csv")
SITES = bundled_file("sites.toml")
HEADER = "adcode,name,level,province,home_url,annual_report_url,source\n"


def test_the_shipped_registry_loads_all_3202_portals_without_error():
    load = load_registry(PORTALS, SITES)
    assert load.errors == ()
    assert len(load.sites) == 3202
    ids = [site.id for site in load.sites]
    slugs = [site.slug for site in load.sites]
    assert len(set(ids)) == len(ids) and len(set(slugs)) == len(slugs)
    by_id = {site.id: site for site in load.sites}
    assert by_id["110101"].slug == "bjdch.gov.cn" and by_id["110101"].level == "county"
    # portals without an adcode (兵团, 两江新区, 大兴安岭 districts) are addressed by their slug
    assert by_id["xjbt.gov.cn"].adcode is None


def test_without_settings_the_crawl_uses_the_registry_shipped_inside_the_package():
    import govreports

    portals, sites = registry_files("", "")
    assert (portals, sites) == (PORTALS, SITES)
    assert portals.is_file() and portals.is_relative_to(Path(govreports.__file__).parent)


def test_a_users_own_registry_comes_without_the_bundled_overrides(tmp_path):
    own = tmp_path / "mine.csv"
    assert registry_files(str(own), "") == (own, None)
    assert registry_files(str(own), str(tmp_path / "o.toml")) == (own, tmp_path / "o.toml")
    assert registry_files("", str(tmp_path / "o.toml")) == (PORTALS, tmp_path / "o.toml")


def test_the_shipped_registry_keeps_known_column_urls():
    load = load_registry(PORTALS, SITES)
    with_column = [site for site in load.sites if site.annual_report_url]
    assert len(with_column) >= 20
    assert all(site.annual_report_url.startswith("http") for site in with_column)


def test_malformed_rows_are_reported_with_their_line_and_skipped(tmp_path):
    csv_path = tmp_path / "portals.csv"
    csv_path.write_text(
        HEADER
        + "511303,高坪区,county,四川省,http://www.gaoping.gov.cn/,,src\n"           # line 2: good
        + "51130,短码区,county,四川省,http://www.short.gov.cn/,,src\n"               # line 3: bad adcode
        + "431081,资兴市,town,湖南省,http://www.zixing.gov.cn/,,src\n"               # line 4: bad level
        + "130705,宣化区,county,河北省,www.xuanhua.gov.cn,,src\n"                    # line 5: no scheme
        + "150724,鄂温克族自治旗,county,内蒙古自治区,http://www.ewenke.gov.cn/,,a,b\n"  # line 6: extra field
        + "\n"                                                                      # line 7: blank, ignored
        + "500107,九龙坡区,county,重庆市,http://www.cqjlp.gov.cn/,http://cqjlp.gov.cn/zwgk_251/zfxxgknb/,src\n"
        + "511304,嘉陵区,county,四川省,http://www.gaoping.gov.cn/,,src\n",           # line 9: same slug as line 2
        encoding="utf-8",
    )
    load = load_registry(csv_path, None)
    assert [site.id for site in load.sites] == ["511303", "500107"]
    lines = sorted(int(error.split(":")[1]) for error in load.errors)
    assert lines == [3, 4, 5, 6, 9]
    assert any("adcode must be 6 digits" in error for error in load.errors)
    assert any("level must be one of" in error for error in load.errors)
    assert any("http:// or https://" in error for error in load.errors)
    assert any("too many fields" in error for error in load.errors)
    assert any("already on line 2" in error for error in load.errors)


def test_a_wrong_header_is_reported(tmp_path):
    csv_path = tmp_path / "portals.csv"
    csv_path.write_text("code,name\n1,x\n", encoding="utf-8")
    load = load_registry(csv_path)
    assert load.sites == () and "header must be" in load.errors[0]


def test_sites_toml_overrides_by_id_or_slug_and_bad_overrides_are_reported(tmp_path):
    csv_path = tmp_path / "portals.csv"
    csv_path.write_text(HEADER + "511303,高坪区,county,四川省,http://www.gaoping.gov.cn/,,src\n"
                        + "431081,资兴市,county,湖南省,http://www.zixing.gov.cn/,,src\n", encoding="utf-8")
    toml = tmp_path / "sites.toml"
    toml.write_text(
        '[sites."511303"]\nstart_urls = ["http://www.gaoping.gov.cn/zwgk/zfxxgknbnew/"]\nadapter = "trs"\n'
        'render = "never"\ndownload_delay = 2.5\nconcurrency = 1\nattachment_hosts = ["files.gaoping.gov.cn"]\n'
        '[sites."zixing.gov.cn"]\nrender = "sometimes"\n'
        '[sites."999999"]\nadapter = "plain"\n',
        encoding="utf-8",
    )
    load = load_registry(csv_path, toml)
    gaoping, zixing = load.sites
    assert gaoping.start_urls == ("http://www.gaoping.gov.cn/zwgk/zfxxgknbnew/",)
    assert (gaoping.adapter, gaoping.render, gaoping.download_delay, gaoping.concurrency) == ("trs", "never", 2.5, 1)
    assert gaoping.domains() == ("gaoping.gov.cn", "files.gaoping.gov.cn")
    assert zixing.render == "auto"
    assert len(load.errors) == 2
    assert any("zixing.gov.cn" in error and "render must be one of" in error for error in load.errors)
    assert any("999999" in error and "no such site" in error for error in load.errors)


def test_broken_sites_toml_is_reported_not_fatal(tmp_path):
    toml = tmp_path / "sites.toml"
    toml.write_text("[sites\nbroken", encoding="utf-8")
    load = load_registry(PORTALS, toml)
    assert len(load.sites) == 3202 and "cannot read site overrides" in load.errors[0]


def test_select_by_adcode_slug_province_and_level_reports_unknown_ids():
    sites = load_registry(PORTALS, SITES).sites
    selection = select_sites(sites, ids=["110101", "bjxch.gov.cn", "www.bjchy.gov.cn", "nowhere"])
    assert [site.name for site in selection.sites] == ["东城区", "西城区", "朝阳区"]
    assert selection.unknown == ("nowhere",)
    assert "unknown site id 'nowhere'" in selection.messages()[0]
    sichuan_counties = select_sites(sites, province="四川省", level="county").sites
    assert sichuan_counties and all(s.province == "四川省" and s.level == "county" for s in sichuan_counties)
    assert len(select_sites(sites, level="province").sites) == 32


@pytest.mark.parametrize(("url", "slug"), [
    ("http://www.gaoping.gov.cn/", "gaoping.gov.cn"),
    ("http://127.0.0.12:8081/", "127.0.0.12"),
    ("https://WWW.Zixing.gov.cn:8443/index.html", "zixing.gov.cn"),
])
def test_slug_is_the_host_without_www_and_port(url, slug):
    assert slug_for(url) == slug


def test_an_adhoc_url_becomes_a_site_of_its_own():
    site = adhoc_site("http://127.0.0.12:8081/zwgk/zfxxgknb/index.html")
    assert site.id == "127.0.0.12" and site.start_urls == ("http://127.0.0.12:8081/zwgk/zfxxgknb/index.html",)
    assert site.domains() == ("127.0.0.12",)


def test_the_spider_takes_its_domains_and_per_site_politeness_from_the_registry(tmp_path):
    from scrapy.crawler import Crawler
    from scrapy.settings import Settings

    from govreports.spiders.annual_reports import AnnualReportsSpider

    csv_path = tmp_path / "portals.csv"
    csv_path.write_text(HEADER + "511303,高坪区,county,四川省,http://www.gaoping.gov.cn/,,src\n"
                        + "431081,资兴市,county,湖南省,http://www.zixing.gov.cn/,http://zixing.gov.cn/col/col5296/,src\n",
                        encoding="utf-8")
    toml = tmp_path / "sites.toml"
    toml.write_text('[sites."511303"]\ndownload_delay = 3.0\nconcurrency = 1\n'
                    'attachment_hosts = ["files.gaoping.gov.cn"]\n', encoding="utf-8")
    # as in `scrapy crawl`: the spider is built before the crawler's settings are frozen
    crawler = Crawler(AnnualReportsSpider, Settings({"GOVREPORTS_REGISTRY": str(csv_path),
                                                     "GOVREPORTS_SITES_FILE": str(toml)}))
    spider = AnnualReportsSpider.from_crawler(crawler, sites="511303,zixing.gov.cn")
    assert sorted(spider.allowed_domains) == ["files.gaoping.gov.cn", "gaoping.gov.cn", "zixing.gov.cn"]
    assert crawler.settings.getdict("DOWNLOAD_SLOTS") == {"site:511303": {"delay": 3.0, "concurrency": 1}}
    assert set(spider.selection.site_ids) == {"511303", "431081"}


def test_the_spider_names_a_bad_years_range_and_keeps_every_year():
    from scrapy.settings import Settings

    from govreports.selection import select
    from tests.crawlers import with_defaults

    selection = select(Settings(with_defaults()), {"years": "2020-2019"})
    assert selection.years is None
    assert re.search(r"-a years=2020-2019: .*2020 is after 2019.*year filter is ignored", selection.argument_errors[0])
