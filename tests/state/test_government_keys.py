"""A higher-level government's report reposted in a county column is one report (issue 17, shape 5)."""

from __future__ import annotations

from govreports.items import ReportItem
from govreports.state.keys import foreign_agency, government_key, key_string


def item(site: str, site_name: str, agency: str, url: str) -> ReportItem:
    return ReportItem(url=url, site={"id": site, "name": site_name}, title=f"{agency}2023年政府信息公开工作年度报告",
                      agency=agency, report_year=2023, index_no="11371300004340517H/2024-00007")


def test_a_city_report_on_a_county_site_is_keyed_by_the_city_government() -> None:
    copy = item("371326", "平邑县", "临沂市人民政府", "http://www.pingyi.gov.cn/a.html")
    original = item("371300", "临沂市", "临沂市人民政府", "http://www.linyi.gov.cn/b.html")
    assert key_string(copy).startswith('["agency:临沂市人民政府"')
    assert key_string(original).startswith('["371300"')           # its own site keeps the site key
    assert government_key(original) == key_string(copy)            # … and dedup sees both as one


def test_the_sites_own_offices_and_departments_stay_keyed_by_the_site() -> None:
    assert foreign_agency("平邑县教育局", "平邑县") is None
    assert foreign_agency("南充市高坪区财政局", "高坪区") is None
    assert foreign_agency("区财政局", "高坪区") is None            # no place named: never foreign
    assert foreign_agency("国务院办公厅", "平邑县") == "国务院办公厅"
    assert government_key(item("371326", "平邑县", "平邑县教育局", "http://x/a.html")) is None
