"""The run book's progress figures: sites done, and an ETA from the mean time per finished site
over a moving window (govreports/run.py)."""

from __future__ import annotations

import time
from typing import Any

import pytest
import scrapy
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from govreports.defaults import DEFAULTS
from govreports.registry import Site
from govreports.run import ETA_WINDOW, RunBook
from govreports.selection import SiteSelection

SITES = tuple(Site(id=f"5113{n:02d}", slug=f"s{n}.gov.cn", name=f"县{n}", level="county", province="四川省",
                   adcode=f"5113{n:02d}", home_url=f"http://www.s{n}.gov.cn/") for n in range(30))


class NationalSpider(scrapy.Spider):
    name = "national"
    selection = SiteSelection(sites=SITES)


def book_for(sites: int) -> RunBook:
    NationalSpider.selection = SiteSelection(sites=SITES[:sites])
    crawler: Any = get_crawler(NationalSpider, settings_dict={**DEFAULTS, "GOVREPORTS_STATE_ENABLED": False})
    crawler.stats.open_spider()
    crawler.spider = NationalSpider()
    return build_from_crawler(RunBook, crawler)


def test_before_any_site_is_done_the_eta_is_unknown() -> None:
    book = book_for(5)
    figures = book.progress()
    assert (figures.sites_done, figures.sites_total, figures.eta_seconds) == (0, 5, None)
    assert figures.line().endswith("ETA unknown")


def test_the_eta_is_the_remaining_sites_times_the_mean_time_per_finished_site() -> None:
    book = book_for(5)
    now = time.monotonic()
    book.started = now - 100
    book.finished_at = {SITES[0].id: now - 50, SITES[1].id: now - 10}
    figures = book.progress()
    # two sites in 100 s: 50 s a site, three to go
    assert figures.sites_done == 2 and figures.eta_seconds == pytest.approx(150, abs=1)
    assert figures.line().startswith("progress: sites 2/5 done, reports 0 new / 0 changed / 0 unchanged, "
                                     "0 failed page(s), 0 blocked site(s), ")


def test_the_eta_window_forgets_the_slow_start() -> None:
    book = book_for(30)
    now = time.monotonic()
    book.started = now - 10_000  # the first site took ages
    finished = [now - 10_000 + 9_000] + [now - 25 + n for n in range(ETA_WINDOW + 4)]
    book.finished_at = {site.id: when for site, when in zip(SITES, finished)}
    figures = book.progress()
    remaining = 30 - len(finished)
    # the window: the last ETA_WINDOW sites, timed from the one finished just before them
    start = sorted(finished)[-ETA_WINDOW - 1]
    assert figures.eta_seconds == pytest.approx(remaining * (now - start) / ETA_WINDOW, abs=1)


def test_a_site_is_done_when_its_last_request_is_handled_and_not_before() -> None:
    book = book_for(2)
    first = scrapy.Request("http://www.s0.gov.cn/", meta={"govreports_site": SITES[0].id})
    book.request_scheduled(first)
    retry = first.replace(dont_filter=True)  # a retry keeps its ticket
    book.request_scheduled(retry)
    assert book.outstanding[SITES[0].id] == 1 and book.progress().sites_done == 0
    follow = scrapy.Request("http://www.s0.gov.cn/zwgk/", meta={"govreports_site": SITES[0].id})
    book.request_scheduled(follow)
    book.request_done(retry)
    assert book.progress().sites_done == 0  # the page it led to is still pending
    book.request_done(follow)
    book.request_done(follow)  # told twice: counted once
    assert book.outstanding[SITES[0].id] == 0 and book.progress().sites_done == 1


def test_a_failed_request_is_done_when_its_errback_reports_it() -> None:
    from twisted.python.failure import Failure

    from govreports.failures import RedirectLoop

    book = book_for(1)
    request = scrapy.Request("http://www.s0.gov.cn/", meta={"govreports_site": SITES[0].id})
    book.request_scheduled(request)
    # a redirect loop is raised while the response is processed: only the errback sees it
    failure = Failure(RedirectLoop(["http://www.s0.gov.cn/", "http://www.s0.gov.cn/a", "http://www.s0.gov.cn/"]))
    failure.request = request  # type: ignore[attr-defined]  # as Scrapy hands it to errbacks
    book.failure(SITES[0].id, failure)
    assert book.progress().sites_done == 1
    assert book.status(SITES[0].id).failures[0].kind == "redirect_loop"
    assert book.status(SITES[0].id).pages_failed == 1  # an IgnoreRequest, yet a failure: a loop is not a choice
