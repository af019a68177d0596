"""RedisStateStore: the SQLite store's behaviour, plus what concurrent workers need (atomic claims,
heartbeat liveness, recovery of a dead worker's claims from its feed, merged site status)."""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from govreports.defaults import DEFAULTS
from govreports.pipelines.dedup import DedupPipeline
from govreports.state import Claim, RunInfo, RunState, SiteStatus, StateStore, utc_now
from govreports.state.redis import RedisStateStore
from tests.cluster.conftest import RedisServer, requires_redis
from tests.crawlers import with_defaults
from tests.state.conftest import copy_of, gaoping_2023

pytestmark = [pytest.mark.redis, requires_redis]


def claim(n: int, *, revision: int = 1, content: str = "v1", run_id: str = "run-1") -> Claim:
    key = f'["511803","index_no","GPQ-{n:04d}"]'
    from govreports.keys import id_of_key

    return Claim(key=key, id=id_of_key(key), content_hash=f"{content}-{n}", revision=revision,
                 url=f"http://www.gpq.gov.cn/zwgk/zfxxgknb/202403/t20240327_{n}.html", site_id="511803", run_id=run_id)


def store_on(server: RedisServer, ttl: float = 30.0) -> RedisStateStore:
    return RedisStateStore.from_url(server.url, prefix="test", heartbeat_ttl=ttl)


def run(run_id: str, *, pid: int | None = None, started_at: str | None = None) -> RunInfo:
    return RunInfo(run_id=run_id, pid=pid or os.getpid(), host=socket.gethostname(), started_at=started_at or utc_now())


def test_it_is_a_state_store_and_remembers_deliveries_and_revisions(redis_server: RedisServer) -> None:
    store = store_on(redis_server)
    assert isinstance(store, StateStore)
    store.begin_run(run("run-1"))
    first = claim(1)
    assert store.lookup(first.key) is None
    assert store.claim(first) is True
    assert store.lookup(first.key) is None  # a claim is a promise, not a fact
    assert store.commit(first.id, "run-1")
    seen = store.lookup(first.key)
    assert seen is not None and (seen.revision, seen.content_hash, seen.site_id) == (1, "v1-1", "511803")
    corrected = claim(1, revision=2, content="v2")
    assert store.claim(corrected) and store.commit(corrected.id, "run-1")
    seen = store.lookup(first.key)
    assert seen is not None and seen.revision == 2 and seen.previous_hashes == ("v1-1",)
    assert [(r, h) for r, h, _ in store.history(first.key)] == [(1, "v1-1"), (2, "v2-1")]
    assert store.count_reports() == 1
    # the report URL, in another spelling, is known (early stop), only for its own site
    spelled = "https://www.gpq.gov.cn:443/zwgk/zfxxgknb/202403/t20240327_1.html#top"
    assert store.url_key(spelled) == first.key
    assert store.known_urls([spelled, "http://elsewhere/"], sites={"511803"}) == {spelled}
    assert store.known_urls([spelled], sites={"431081"}) == set()
    store.end_run("run-1", "finished")
    assert [(r.run_id, r.outcome) for r in store.runs()] == [("run-1", "finished")]
    store.close()


def test_two_live_workers_cannot_both_claim_a_report(redis_server: RedisServer) -> None:
    a, b = store_on(redis_server), store_on(redis_server)
    a.begin_run(run("worker-a"))
    b.begin_run(run("worker-b"))
    assert a.claim(claim(7, run_id="worker-a")) is True
    assert b.claim(claim(7, run_id="worker-b")) is False  # a holds it and is alive
    assert not b.commit(claim(7).id, "worker-b")  # only the holder commits
    assert a.commit(claim(7).id, "worker-a")
    assert b.claim(claim(7, run_id="worker-b")) is False  # delivered meanwhile with this content
    a.end_run("worker-a", "finished"), b.end_run("worker-b", "finished")
    a.close(), b.close()


def test_a_claim_of_a_dead_worker_can_be_taken_over(redis_server: RedisServer) -> None:
    dead, live = store_on(redis_server, ttl=0.5), store_on(redis_server)
    dead.begin_run(run("worker-dead"))
    live.begin_run(run("worker-live"))
    assert dead.claim(claim(3, run_id="worker-dead"))
    dead.close()  # killed: its heartbeat stops, its run never ends
    time.sleep(0.7)
    assert not live.run_alive("worker-dead")
    assert live.claim(claim(3, run_id="worker-live")) is True
    assert [c.run_id for c in live.pending_claims()] == ["worker-live"]
    assert live.pending_claims("worker-dead") == []
    assert not live.commit(claim(3).id, "worker-dead")  # a late commit of the old holder is refused
    assert live.commit(claim(3).id, "worker-live")
    live.close()


def test_recovery_commits_what_a_dead_worker_fsynced_and_releases_the_rest(redis_server: RedisServer,
                                                                          tmp_path: Path) -> None:
    dead = store_on(redis_server, ttl=0.5)
    dead.begin_run(run("worker-dead"))
    feed = tmp_path / "worker-dead.jsonl"
    dead.record_feed("worker-dead", str(feed))
    written, unwritten = claim(1, run_id="worker-dead"), claim(2, run_id="worker-dead")
    dead.claim(written), dead.claim(unwritten)
    # killed after the fsync of report 1 and in the middle of report 2's line
    feed.write_text(json.dumps({"id": written.id, "revision": 1}) + "\n" + '{"id": "' + unwritten.id[:5])
    dead.close()
    live = store_on(redis_server)
    too_early = live.recover_dead_runs()  # its heartbeat has not expired yet: hands off
    assert (too_early.live_runs_skipped, too_early.recovered, too_early.released) == (1, 0, 0)
    time.sleep(0.7)
    result = live.recover_dead_runs()
    assert (result.recovered, result.released, result.torn_feed_tail, result.dead_runs) == (1, 1, 1, 1)
    assert live.lookup(written.key) is not None and live.lookup(unwritten.key) is None
    assert live.pending_claims() == []
    assert [(r.run_id, r.outcome) for r in live.runs()] == [("worker-dead", "killed")]
    assert feed.read_text().endswith("\n")
    live.close()


def test_recovery_leaves_a_live_workers_claims_alone(redis_server: RedisServer, tmp_path: Path) -> None:
    busy, other = store_on(redis_server), store_on(redis_server)
    busy.begin_run(run("worker-busy", pid=1))  # another process (pid 1): its own heartbeat runs there
    from govreports.cluster.liveness import Heartbeat

    heartbeat = Heartbeat(busy.server, "test", "worker-busy", ttl=5).start()
    busy.claim(claim(4, run_id="worker-busy"))
    result = other.recover_dead_runs()
    assert result.live_runs_skipped == 1 and result.released == 0
    assert len(other.pending_claims("worker-busy")) == 1
    heartbeat.stop()
    busy.close(), other.close()


def test_site_status_of_workers_of_one_crawl_adds_up(redis_server: RedisServer) -> None:
    a, b = store_on(redis_server), store_on(redis_server)
    a.begin_run(run("worker-a"))
    b.begin_run(run("worker-b"))
    a.record_site_status(SiteStatus(site_id="511303", last_run="t1", run_id="worker-a", column_url="http://c/",
                                    list_pages=2, reports_seen=10, stop_reasons={"last_page": 1}))
    a.end_run("worker-a", "finished")
    b.record_site_status(SiteStatus(site_id="511303", last_run="t2", run_id="worker-b", list_pages=1,
                                    reports_seen=5, pages_failed=1))
    status = b.site_status("511303")
    assert status is not None
    assert (status.list_pages, status.reports_seen, status.pages_failed, status.column_url) == (3, 15, 1, "http://c/")
    assert status.merged_runs == ["worker-a", "worker-b"]
    b.end_run("worker-b", "finished")
    # the next crawl (after both ended) replaces the record
    a.begin_run(run("worker-c", started_at="2999-01-01T00:00:00+00:00"))
    a.record_site_status(SiteStatus(site_id="511303", last_run="t3", run_id="worker-c", list_pages=1))
    assert a.site_status("511303").list_pages == 1  # type: ignore[union-attr]
    a.close(), b.close()


def test_a_refused_claim_drops_the_item_as_a_duplicate_in_the_second_worker(redis_server: RedisServer) -> None:
    """Two workers' dedup pipelines meet the same report through two URLs (a second posting)."""
    settings = {**DEFAULTS, "EXTENSIONS": {"govreports.state.StateExtension": 10},
                "GOVREPORTS_REDIS_URL": redis_server.url, "GOVREPORTS_REDIS_PREFIX": "test",
                "GOVREPORTS_STATE_STORE": "govreports.state.redis.RedisStateStore"}
    pipelines = []
    for _ in range(2):
        crawler = get_crawler(settings_dict=with_defaults(**settings))
        crawler.stats.open_spider()  # type: ignore[union-attr]
        pipelines.append(DedupPipeline.from_crawler(crawler))
    first, second = pipelines
    report = gaoping_2023()
    assert first.process_item(report) is report  # claimed by the first worker, not yet in its feed
    repost = copy_of(report, url="http://www.gaoping.gov.cn/bmxxgk/qzfb/202401/t20240115_3271107.html")
    with pytest.raises(DropItem, match="another worker"):
        second.process_item(repost)
    assert second.stats.get_value("govreports/state/claim_refused") == 1
    assert second.stats.get_value("govreports/dedup/duplicate") == 1
    for pipeline in pipelines:
        pipeline.run_state.close()
    assert isinstance(first.run_state, RunState)
