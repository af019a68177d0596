"""The garbage collector sized for a long crawl, and given back when the crawl ends."""

from __future__ import annotations

import gc

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from govreports.collector import CollectorTuning


def test_start_up_objects_are_frozen_and_young_objects_collected_less_often_until_the_engine_stops() -> None:
    crawler = get_crawler(settings_dict={"GOVREPORTS_GC_THRESHOLD": 12_345})
    assert crawler.stats is not None
    crawler.stats.open_spider()
    before = gc.get_threshold()
    tuning = CollectorTuning.from_crawler(crawler)
    tuning.engine_started()
    try:
        assert gc.get_freeze_count() > 10_000  # modules, classes, settings: alive since start-up
        assert gc.get_threshold() == (12_345, *before[1:])
        garbage: list[object] = []
        garbage.append(garbage)  # a reference cycle: the collector still finds it
        del garbage
        assert gc.collect() >= 1
    finally:
        tuning.spider_closed()
        tuning.engine_stopped()
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
    assert (crawler.stats.get_value("govreports/gc/collections") or 0) >= 1
    assert crawler.stats.get_value("govreports/gc/seconds") is not None


def test_zero_keeps_the_interpreters_collector() -> None:
    with pytest.raises(NotConfigured):
        CollectorTuning.from_crawler(get_crawler(settings_dict={"GOVREPORTS_GC_THRESHOLD": 0}))


def test_two_crawls_in_one_process_give_the_collector_back_when_the_last_one_stops() -> None:
    before = gc.get_threshold()
    first = CollectorTuning.from_crawler(get_crawler(settings_dict={"GOVREPORTS_GC_THRESHOLD": 10_000}))
    second = CollectorTuning.from_crawler(get_crawler(settings_dict={"GOVREPORTS_GC_THRESHOLD": 10_000}))
    first.engine_started()
    second.engine_started()
    first.engine_stopped()
    assert gc.get_threshold() == (10_000, *before[1:]) and gc.get_freeze_count() > 0  # the second still runs
    second.engine_stopped()
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
