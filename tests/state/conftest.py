"""Helpers shared by the state tests: a crawler on a temporary state DB, realistic report items."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler

from govreports.items import ReportItem
from tests.crawlers import with_defaults

GAOPING = {"id": "511803", "name": "南充市高坪区", "adcode": "511803", "province": "四川省", "level": "county"}


def make_crawler(db: Path, **settings: Any) -> Crawler:
    crawler = get_crawler(settings_dict=with_defaults(GOVREPORTS_DB=str(db), **settings))
    crawler.stats.open_spider()  # type: ignore[union-attr]
    return crawler


def gaoping_2023(**changes: Any) -> ReportItem:
    """南充市高坪区's 2023 report as ParsePipeline would hand it on (2021 format)."""
    item = ReportItem(
        url="http://www.gaoping.gov.cn/zwgk/zfxxgknb/202401/t20240115_3271106.html",
        site=dict(GAOPING),
        title="南充市高坪区人民政府2023年政府信息公开工作年度报告",
        agency="南充市高坪区人民政府",
        report_year=2023,
        publish_date="2024-01-15",
        index_no="11511303MB1529498F/2024-00012",
        publisher="南充市高坪区人民政府办公室",
        format="2021",
        text="一、总体情况 2023年，高坪区……本年新收政府信息公开申请36件……",
        sections=[{"heading": "一、总体情况", "text": "2023年，高坪区……"}],
        tables={"applications": {"new_received": {"natural_person": 30, "total": 36}}},
        figures={"applications_received": 36},
        checks=[{"rule": "applications_balance", "ok": True, "message": ""}],
        source={"media_type": "text/html", "encoding": "utf-8", "sha256": "aa", "fetched_at": "2024-05-01T03:00:00Z"},
    )
    for name, value in changes.items():
        setattr(item, name, value)
    return item


def copy_of(item: ReportItem, **changes: Any) -> ReportItem:
    clone = copy.deepcopy(item)
    for name, value in changes.items():
        setattr(clone, name, value)
    return clone


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "state" / "govreports.sqlite3"
