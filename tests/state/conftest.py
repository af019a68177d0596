"""Helpers shared by the state tests: a crawler on a temporary state DB, realistic report items."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler

from govreports.items import ReportItem
from govreports.state import RunState, existing_state
from tests.crawlers import with_defaults

GAOPING = {"id": "511803", "name": "南充市高坪区", "adcode": "511803", "province": "四川省", "level": "county"}


# the project's state and archive extensions, as govreports/settings.py enables them
STATE_EXTENSIONS = {"govreports.state.StateExtension": 10, "govreports.archive.crawl.ArchiveExtension": 400}


def state_settings(db: Path, **settings: Any) -> dict[str, Any]:
    """Our defaults, a private state DB (the archive goes next to it) and the state extensions.

    Delivery groups of one item: these tests reason item by item (what a kill right after this
    item leaves); grouping itself is tested in test_archive.py and by the SIGKILL test."""
    return with_defaults(**{"GOVREPORTS_DB": str(db), "EXTENSIONS": STATE_EXTENSIONS,
                            "GOVREPORTS_DELIVERY_GROUP_ITEMS": 1, **settings})


def make_crawler(db: Path, **settings: Any) -> Crawler:
    """A crawler on a private state DB (and archive next to it) with the state extensions built."""
    crawler = get_crawler(settings_dict=state_settings(db, **settings))
    crawler.stats.open_spider()  # type: ignore[union-attr]
    return crawler


def run_state_of(crawler: Crawler) -> RunState:
    """The crawler's RunState (owned by its StateExtension)."""
    state = existing_state(crawler)
    assert state is not None, "no StateExtension on this crawler"
    return state


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
