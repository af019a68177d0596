"""A higher-level government's report reposted in a county column is one report (issue 17, shape 5)."""

from __future__ import annotations

from pathlib import Path

import pytest

from govreports.items import ReportItem
from govreports.keys import foreign_agency, government_key, key_string
from tests.state.conftest import GAOPING, copy_of, gaoping_2023
from tests.state.test_dedup import Run


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


@pytest.mark.parametrize("first", ["city", "county"])
def test_a_reposted_government_report_stays_one_report_across_runs_whichever_copy_comes_first(
        db: Path, tmp_path: Path, first: str) -> None:
    city = gaoping_2023(url="http://www.nanchong.gov.cn/zwgk/t20240115_1.html",
                        site={"id": "511300", "name": "南充市", "adcode": "511300"},
                        agency="南充市人民政府", title="南充市人民政府2023年政府信息公开工作年度报告")
    county = copy_of(city, url="http://www.gaoping.gov.cn/zwgk/nb/t20240116_9.html", site=dict(GAOPING))
    order = [city, county] if first == "city" else [county, city]
    feed = tmp_path / "out" / "run.jsonl"
    feed.parent.mkdir()
    one = Run(db, feed)
    assert [one.offer(copy_of(item)) for item in order] == ["emitted", "dropped"]
    one.close()
    two = Run(db, feed)                                      # the next night, the other copy comes first
    assert [two.offer(copy_of(item)) for item in reversed(order)] == ["dropped", "dropped"]
    assert two.stat("duplicate") == 1 and two.stat("unchanged") == 1 and not two.emitted
    two.close()
