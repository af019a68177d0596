"""`RedisScheduler`: Scrapy's scheduler over the shared `RedisFrontier` (SCHEDULER when
`GOVREPORTS_REDIS_URL` is set; the `ClusterAddon` wires it).

Why not scrapy-redis's Scheduler (0.9.1)? It works on Scrapy 2.19 only in part, and not for what a
crawl over machines needs here: its queues *pop* requests, so a killed worker loses everything it
had in flight; its dupefilter hashes URLs with its own function instead of the project's
`REQUEST_FINGERPRINTER_CLASS` (our canonical URLs: https/http, index.html, _wap twins); it ends a
worker when the queue is empty for `SCHEDULER_IDLE_BEFORE_CLOSE` seconds even while another worker
is about to push the next list page; it builds components with `from_settings` and passes
`spider=` to stats calls (both deprecated in Scrapy ≥ 2.14). The Redis layout is the same idea
(sorted-set queue, fingerprint set, pickled `Request.to_dict`), plus leases:

- `next_request` *leases* a request (`RedisFrontier.lease`); it is acknowledged only when the
  engine has completely handled it (the engine's in-progress set no longer holds it: downloaded,
  callback run, new requests pushed, items through the pipelines and fsync'd in the feed);
- a heartbeat (`govreports.cluster.liveness`) keeps the worker alive; when another worker's
  heartbeat expires, its leases go back to the queue, after the state store has reconciled that
  worker's pending report claims with its feed (so a re-fetched report is "unchanged", not twice);
- a worker closes only when the whole cluster is drained (nothing queued, nothing leased by a live
  worker, nothing left by a dead one) for `GOVREPORTS_CLUSTER_IDLE_CLOSE` seconds, and, while no
  seed is recorded (a fresh Redis, or `scrapy seed` running now), not before it has waited
  `GOVREPORTS_CLUSTER_WAIT_FOR_SEED` seconds, so workers and the seeding cron job may start together;
- requests that cannot be serialized (a callback that is not a spider method) stay in this
  worker's memory, counted and logged, never dropped.

Settings: `GOVREPORTS_REDIS_URL`, `GOVREPORTS_REDIS_PREFIX` ("govreports"),
`GOVREPORTS_CLUSTER_HEARTBEAT_TTL` (30 s), `GOVREPORTS_CLUSTER_IDLE_CLOSE` (10 s),
`GOVREPORTS_CLUSTER_POLL_INTERVAL` (0.5 s), `GOVREPORTS_CLUSTER_MAX_LEASED` (CONCURRENT_REQUESTS),
`GOVREPORTS_CLUSTER_WAIT_FOR_SEED` (120 s),
`GOVREPORTS_CLUSTER_SEED` (push the spider's start requests; `scrapy seed` sets it),
`GOVREPORTS_CLUSTER_WORK` (take requests; False for `scrapy seed`).
Stats: `scheduler/enqueued/redis`, `scheduler/dequeued/redis`, `dupefilter/filtered`,
`govreports/cluster/acked`, `govreports/cluster/reclaimed_workers`,
`govreports/cluster/reclaimed_requests`, `govreports/cluster/unserializable`,
`govreports/cluster/undecodable`, `govreports/cluster/idle_waits`.
"""

from __future__ import annotations

import logging
import os
import pickle
import socket
import time
import uuid
from collections import deque
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import CloseSpider, DontCloseSpider
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.request import request_from_dict

from govreports.cluster.engine import requests_in_progress, wake
from govreports.cluster.frontier import RedisFrontier
from govreports.cluster.liveness import Heartbeat
from govreports.run import RunBook
from govreports.selection import SiteSelection

if TYPE_CHECKING:
    from redis import Redis
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

DEFAULT_PREFIX = "govreports"


def redis_client(url: str, **kwargs: Any) -> Redis:
    """A client for `url` that answers (fails with a clear message otherwise)."""
    import redis

    server = redis.Redis.from_url(url, socket_connect_timeout=5, health_check_interval=30, **kwargs)
    try:
        server.ping()
    except redis.RedisError as error:
        raise ConnectionError(f"GOVREPORTS_REDIS_URL={url}: Redis does not answer ({error})") from error
    return server


def worker_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


class RedisScheduler:
    def __init__(self, crawler: Crawler, frontier: RedisFrontier, *, seed: bool, work: bool,
                 heartbeat_ttl: float, idle_close: float, poll_interval: float, max_leased: int,
                 wait_for_seed: float = 0.0) -> None:
        self.crawler = crawler
        self.frontier = frontier
        self.seed = seed
        self.work = work
        self.heartbeat_ttl = heartbeat_ttl
        self.idle_close = idle_close
        self.poll_interval = poll_interval
        self.max_leased = max(1, max_leased)
        self.wait_for_seed = wait_for_seed
        self.opened_at = time.monotonic()
        self.stats = crawler.stats
        self.spider: Spider | None = None
        self.worker = ""
        self.heartbeat: Heartbeat | None = None
        self.leased: dict[Request, str] = {}  # request object (as handed to the engine) -> lease id
        self.local: deque[Request] = deque()  # requests that could not be serialized
        self.pushed = 0
        self.taken = 0  # requests leased from the shared queue by this worker
        self.drained_since: float | None = None
        self.refusal: str | None = None
        self._poller: Any = None
        self._last_reclaim = 0.0
        self._warned_no_inprogress = False
        self._logged_dupe = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisScheduler:
        settings = crawler.settings
        url = settings.get("GOVREPORTS_REDIS_URL")
        if not url:
            raise ValueError("RedisScheduler needs GOVREPORTS_REDIS_URL (redis://host:port/db)")
        prefix = settings.get("GOVREPORTS_REDIS_PREFIX") or DEFAULT_PREFIX
        spider_name = crawler.spidercls.name if crawler.spidercls else "spider"
        frontier = RedisFrontier(redis_client(url), prefix, spider_name)
        scheduler = cls(
            crawler, frontier,
            seed=settings.getbool("GOVREPORTS_CLUSTER_SEED"),
            work=settings.getbool("GOVREPORTS_CLUSTER_WORK"),
            heartbeat_ttl=settings.getfloat("GOVREPORTS_CLUSTER_HEARTBEAT_TTL"),
            idle_close=settings.getfloat("GOVREPORTS_CLUSTER_IDLE_CLOSE"),
            poll_interval=settings.getfloat("GOVREPORTS_CLUSTER_POLL_INTERVAL"),
            max_leased=settings.getint("GOVREPORTS_CLUSTER_MAX_LEASED") or settings.getint("CONCURRENT_REQUESTS"),
            wait_for_seed=settings.getfloat("GOVREPORTS_CLUSTER_WAIT_FOR_SEED"),
        )
        crawler.signals.connect(scheduler.spider_idle, signal=signals.spider_idle)
        return scheduler

    # --- life cycle ----------------------------------------------------------------------------
    def open(self, spider: Spider) -> None:
        self.spider = spider
        self.opened_at = time.monotonic()
        self.worker = self._member()
        if not self.work:
            logger.info("cluster: seeding %s (%d request(s) queued before)", self.frontier.base, self.frontier.queued())
            return
        self.heartbeat = Heartbeat(self.frontier.server, self.frontier.prefix, self.worker,
                                   ttl=self.heartbeat_ttl).start()
        self.frontier.join(self.worker)
        self.refusal = self._site_mismatch()
        if self.refusal:
            logger.error("cluster: %s", self.refusal)
        state = self.frontier.state()
        logger.info("cluster: worker %s joined %s: %d request(s) queued, %d in flight on %d other worker(s)",
                    self.worker, self.frontier.base, state.queued, state.in_flight,
                    len([w for w in state.leased if w != self.worker]))
        if self.frontier.seed_info() is None and not self.seed:
            self._say_not_seeded()
        from twisted.internet import task

        self._poller = task.LoopingCall(self._tick)
        self._poller.start(self.poll_interval, now=False).addErrback(
            lambda failure: logger.error("cluster poller stopped: %s", failure.getTraceback()))

    def close(self, reason: str) -> None:
        if self._poller is not None and self._poller.running:
            self._poller.stop()
        if not self.work:
            self._record_seed()
            return
        # the engine has finished everything it took; anything still leased goes back
        self._ack(list(self.leased))
        returned = self.frontier.leave(self.worker)
        if returned:
            logger.warning("cluster: %d unfinished request(s) returned to the queue", returned)
            self._inc("govreports/cluster/returned_on_close", returned)
        if self.local:
            logger.error("cluster: %d unserializable request(s) were never processed", len(self.local))
        if self.heartbeat is not None:
            self.heartbeat.stop()
        logger.info("cluster: worker %s left (%s); %d request(s) still queued for the others",
                    self.worker, reason, self.frontier.queued())

    def _say_not_seeded(self) -> None:
        """Nothing is seeded: a worker only takes requests from the shared queue, so its own site
        arguments do nothing until `scrapy seed` queues them. Said at once, not after the wait."""
        selection = self._selection()
        arguments = " ".join(f"-a {name}={value}" for name, value in (selection.arguments if selection else {}).items())
        if arguments:
            logger.warning("cluster: nothing is seeded in %s: a worker crawls only what `scrapy seed` queued, not its "
                           "own %s; run `scrapy seed %s` once for this crawl (waiting %.0f s for it)",
                           self.frontier.base, arguments, arguments, self.wait_for_seed)
        else:
            logger.warning("cluster: nothing is seeded in %s yet; run `scrapy seed` once for this crawl "
                           "(waiting %.0f s for it)", self.frontier.base, self.wait_for_seed)

    def _member(self) -> str:
        """The worker's name: the state-store run id when there is one, so that one heartbeat says
        both "its leases are held" and "its report claims are held"."""
        from govreports.state import existing_state

        state = existing_state(self.crawler)
        return state.run_id if state is not None else worker_name()

    def _selection(self) -> SiteSelection | None:
        book = self.crawler.get_extension(RunBook)
        return book.selection if book is not None else None

    def _site_mismatch(self) -> str | None:
        """A worker must know every seeded site: a request of an unknown site cannot be handled."""
        seeded = (self.frontier.seed_info() or {}).get("sites") or []
        selection = self._selection()
        if not seeded or selection is None:
            return None
        missing = sorted(set(map(str, seeded)) - set(selection.site_ids))
        if not missing:
            return None
        return (f"this worker's site selection lacks {len(missing)} seeded site(s) ({', '.join(missing[:5])}…); "
                "start workers with the same -a arguments as `scrapy seed` (or none); not taking any request")

    def _record_seed(self) -> None:
        selection = self._selection()
        sites = sorted(selection.site_ids) if selection is not None else []
        arguments = dict(selection.arguments) if selection is not None else {}
        self.frontier.record_seed(sites=sites, arguments=arguments, requests=self.pushed)
        logger.info("cluster: seeded %d request(s) for %d site(s) into %s", self.pushed, len(sites), self.frontier.base)

    # --- the scheduler interface -----------------------------------------------------------------
    def has_pending_requests(self) -> bool:
        if self.local:
            return True
        if not self.work or self.refusal:
            return False
        return self.frontier.queued() > 0

    def enqueue_request(self, request: Request) -> bool:
        fingerprint = "" if request.dont_filter else self._fingerprint(request)
        if fingerprint and self.frontier.fingerprint_known(fingerprint):
            return self._filtered(request)
        try:
            payload = pickle.dumps(request.to_dict(spider=self.spider), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as error:  # a callback that is not a spider method, an unpicklable cb_kwarg
            self._inc("govreports/cluster/unserializable")
            logger.warning("cluster: %s cannot be shared (%s: %s); this worker handles it itself",
                           request, type(error).__name__, error)
            if not self.work:
                logger.error("cluster: seeding cannot keep %s in memory: it is lost", request)
                return False
            self.local.append(request)
            self._inc("scheduler/enqueued/memory")
            return True
        lease_id = self.frontier.push(payload, request.priority, fingerprint=fingerprint, slot=self._slot_of(request))
        if lease_id is None:  # another worker queued it since the check above
            return self._filtered(request)
        logger.debug("cluster: queued %s as %s", request, lease_id)
        self.pushed += 1
        self._inc("scheduler/enqueued/redis")
        self._inc("scheduler/enqueued")
        return True

    def _filtered(self, request: Request) -> bool:
        self._inc("dupefilter/filtered")
        if not self._logged_dupe:
            logger.debug("Filtered duplicate request %s (cluster-wide; no more duplicates shown)", request)
            self._logged_dupe = True
        return False

    def next_request(self) -> Request | None:
        if self.local:
            self._inc("scheduler/dequeued/memory")
            return self.local.popleft()
        if not self.work or self.refusal or len(self.leased) >= self.max_leased:
            return None
        while True:
            leased = self.frontier.lease(self.worker, busy=self._busy_slots())
            if leased is None:
                return None
            lease_id, payload = leased
            try:
                if payload is None:
                    raise ValueError("request body missing from the frontier")
                request = request_from_dict(pickle.loads(payload), spider=self.spider)
            except Exception as error:
                self._inc("govreports/cluster/undecodable")
                logger.error("cluster: request %s of the frontier cannot be read back (%s: %s): dropped",
                             lease_id, type(error).__name__, error)
                self.frontier.ack(self.worker, [lease_id])
                continue
            self.leased[request] = lease_id
            self.taken += 1
            logger.debug("cluster: leased %s as %s", request, lease_id)
            self.drained_since = None
            self._inc("scheduler/dequeued/redis")
            self._inc("scheduler/dequeued")
            return request

    def __len__(self) -> int:
        return len(self.local) + (self.frontier.queued() if self.work else 0)

    # --- leases ----------------------------------------------------------------------------------
    def _slot_of(self, request: Request) -> str:
        downloader = getattr(self._engine(), "downloader", None)
        if downloader is not None:
            return str(downloader.get_slot_key(request))
        return str(request.meta.get("download_slot") or urlparse_cached(request).hostname or "")

    def _busy_slots(self) -> list[str]:
        """Sites with a request already waiting in this worker's downloader (politeness delay or
        concurrency): taking another one of them would only make it wait here too."""
        downloader = getattr(self._engine(), "downloader", None)
        slots = getattr(downloader, "slots", None) or {}
        return [str(key) for key, slot in slots.items() if getattr(slot, "queue", None)]

    def _fingerprint(self, request: Request) -> str:
        return self.crawler.request_fingerprinter.fingerprint(request).hex()

    def _engine(self) -> Any:
        try:
            return self.crawler.engine
        except RuntimeError:  # not crawling (yet): a component test, or the seed command's start
            return None

    def _in_progress(self) -> set[Request] | None:
        return requests_in_progress(self._engine())

    def _ack_finished(self) -> None:
        """Acknowledge every leased request the engine no longer works on."""
        if not self.leased:
            return
        inprogress = self._in_progress()
        if inprogress is None:
            engine = self._engine()
            if not self._warned_no_inprogress and engine is not None and engine.running:
                logger.error("cluster: cannot see the engine's requests in progress (Scrapy changed?); "
                             "acknowledging at close only")
                self._warned_no_inprogress = True
            return
        self._ack([request for request in self.leased if request not in inprogress])

    def _ack(self, requests: list[Request]) -> None:
        ids = [self.leased.pop(request) for request in requests if request in self.leased]
        if ids:
            logger.debug("cluster: acknowledged %s", " ".join(ids))
            self.frontier.ack(self.worker, ids)
            self._inc("govreports/cluster/acked", len(ids))

    def _tick(self) -> None:
        """Every poll interval: ack what is done, take over dead workers' leases, wake the engine
        when the shared queue has something for an idle worker."""
        try:
            self._ack_finished()
            now = time.monotonic()
            if now - self._last_reclaim >= min(self.heartbeat_ttl / 3, 5.0):
                self._last_reclaim = now
                self.reclaim_dead_workers()
            if not self._in_progress():
                wake(self._engine())  # an idle engine looks at the queue (and at the end condition)
        except Exception:
            logger.exception("cluster: poller tick failed (Redis unreachable?); retrying")

    def reclaim_dead_workers(self) -> int:
        """Requeue the leases of every worker whose heartbeat expired; returns requests requeued."""
        total = 0
        for worker in self.frontier.dead_workers():
            if worker == self.worker:
                continue
            lock = self.frontier.server.lock(f"{self.frontier.base}:reclaim:{worker}", timeout=120)
            if not lock.acquire(blocking=False):
                continue  # another worker is on it
            try:
                self._recover_claims()
                count = self.frontier.requeue(worker)
            finally:
                try:
                    lock.release()
                except Exception:
                    pass
            total += count
            self._inc("govreports/cluster/reclaimed_workers")
            self._inc("govreports/cluster/reclaimed_requests", count)
            logger.warning("cluster: worker %s stopped answering; its %d unfinished request(s) are back in the queue",
                           worker, count)
        return total

    def _recover_claims(self) -> None:
        """Before a dead worker's requests are fetched again, settle its report claims (committed if
        its feed has them, released otherwise), so the re-fetch finds them delivered."""
        from govreports.state import existing_state

        state = existing_state(self.crawler)
        recover = getattr(state.store, "recover_dead_runs", None) if state is not None else None
        if recover is None:
            return
        result = recover()
        for name, value in result.as_stats().items():
            self._inc(f"govreports/state/{name}", value)

    # --- when to stop ----------------------------------------------------------------------------
    def spider_idle(self) -> None:
        """Keep an idle worker open while the cluster still has work; close once it is drained."""
        if not self.work:
            return
        if self.refusal:
            raise CloseSpider("cluster_sites_mismatch")
        self._ack_finished()
        self.reclaim_dead_workers()
        state = self.frontier.state()
        if not state.drained:
            self.drained_since = None
            self._inc("govreports/cluster/idle_waits")
            raise DontCloseSpider
        now = time.monotonic()
        if self.drained_since is None:
            self.drained_since = now
        if now - self.drained_since < self.idle_close:
            raise DontCloseSpider
        if self.frontier.seed_info() is None and now - self.opened_at < self.wait_for_seed:
            self._inc("govreports/cluster/idle_waits")
            raise DontCloseSpider  # a fresh Redis, or `scrapy seed` is running right now: wait for it
        if self.frontier.seed_info() is None and not self.taken and not self.seed:
            logger.error("cluster: nothing was seeded within %.0f s and this worker did nothing; run `scrapy seed` "
                         "first (GOVREPORTS_CLUSTER_WAIT_FOR_SEED), then start the workers", self.wait_for_seed)
            raise CloseSpider("cluster_not_seeded")
        logger.info("cluster: frontier drained for %.1f s: worker %s closes", now - self.drained_since, self.worker)

    def _inc(self, name: str, count: int = 1) -> None:
        if self.stats is not None and count:
            self.stats.inc_value(name, count)
