"""Cluster crawls of the farm: one real redis-server, `scrapy seed`, two `scrapy crawl` workers.

Every report of the farm must come out exactly once in the union of the workers' feeds, both
when both workers run to the end and when one is SIGKILLed in the middle (the other takes over its
unfinished requests once its heartbeat expires, after settling its report claims from its feed).
"""

from __future__ import annotations

import copy
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from govreports.cluster.frontier import RedisFrontier
from govreports.state.redis import RedisStateStore
from govreports_farm import Farm
from tests.cluster.conftest import RedisServer, requires_redis
from tests.cluster.harness import Worker, cluster_settings, feed_lines, seed, start_worker
from tests.state.harness import REPO, environment, manifest_report_urls, read_feed, report_url_of

pytestmark = [pytest.mark.e2e, pytest.mark.redis, requires_redis]


def union(workers: list[Worker], manifest: dict[str, Any]) -> Counter[str]:
    return Counter(report_url_of(manifest, item["url"]) for worker in workers for item in read_feed(worker.feed))


def logs(workers: list[Worker]) -> str:
    return "\n".join(f"--- {w.name}\n{w.log_text()[-4000:]}" for w in workers)


def test_two_workers_deliver_every_farm_report_exactly_once_between_them(redis_server: RedisServer,
                                                                        tmp_path: Path) -> None:
    with Farm.start(tmp_path / "farm") as farm:
        manifest = copy.deepcopy(farm.manifest)
        # both workers are up before the crawl is seeded (cron starts everything at once): they wait.
        # Both have joined before there is work, so neither can finish the farm alone while the
        # other is still starting (a race the faster crawl made likely on a loaded machine)
        workers = [start_worker(farm, redis_server.url, tmp_path, name) for name in ("worker-a", "worker-b")]
        waited = time.monotonic()
        while (not all("joined" in worker.log_text() or worker.process.poll() is not None for worker in workers)
               and time.monotonic() - waited < 90):
            time.sleep(0.1)
        seeded = seed(farm, redis_server.url, tmp_path)
        assert seeded.returncode == 0, seeded.stderr[-3000:]
        assert "queued 6 start request(s) for 6 site(s)" in seeded.stderr
        codes = [worker.wait(timeout=300) for worker in workers]
    assert codes == [0, 0], logs(workers)
    delivered = union(workers, manifest)
    expected = manifest_report_urls(manifest)
    assert set(delivered) == expected, f"missing {expected - set(delivered)}"
    assert max(delivered.values()) == 1, {url: n for url, n in delivered.items() if n > 1}
    # the work was shared: each worker fetched pages and emitted reports
    assert all(worker.items() for worker in workers), [len(w.items()) for w in workers]
    assert all(worker.stat("govreports/cluster/acked") > 0 for worker in workers)
    assert "nothing is seeded in" in workers[0].log_text() and "run `scrapy seed`" in workers[0].log_text()
    assert sum(worker.stat("govreports/cluster/start_requests_not_seeded") for worker in workers) == 12
    # every request the spider made (list pages with their adapter state) travelled through Redis:
    # none had to stay in a worker's memory
    assert all(worker.stat("govreports/cluster/unserializable") == 0 for worker in workers)

    store = RedisStateStore.from_url(redis_server.url)
    frontier = RedisFrontier(redis_server.client(), "govreports", "annual_reports")
    try:
        assert store.count_reports() == len(expected)
        assert store.pending_claims() == []
        assert {run.outcome for run in store.runs()} == {"finished"}
        assert frontier.state().drained and frontier.workers() == []
        assert frontier.server.hlen(frontier.requests_key) == 0  # every request acknowledged
        status = store.site_status("500107")
        assert status is not None and status.column_url and status.reports_seen == 28
    finally:
        store.close()

    merged = tmp_path / "merged.jsonl"
    done = subprocess.run([sys.executable, "-m", "scrapy", "merge", *(str(w.feed) for w in workers), "-o", str(merged)],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert len(read_feed(merged)) == len(expected)


@pytest.mark.slow
def test_a_killed_worker_leaves_its_unfinished_requests_to_the_other(redis_server: RedisServer,
                                                                     tmp_path: Path) -> None:
    # a small per-site delay keeps the crawl going long enough to kill a worker in the middle of it
    slow = {"DOWNLOAD_DELAY": 0.3, "RANDOMIZE_DOWNLOAD_DELAY": False, "DOWNLOAD_DELAY_JITTER": 0}
    with Farm.start(tmp_path / "farm") as farm:
        manifest = copy.deepcopy(farm.manifest)
        assert seed(farm, redis_server.url, tmp_path, **slow).returncode == 0
        victim = start_worker(farm, redis_server.url, tmp_path, "victim", **slow)
        survivor = start_worker(farm, redis_server.url, tmp_path, "survivor", **slow)
        waited = time.monotonic()
        while victim.process.poll() is None and feed_lines(victim.feed) < 8 and time.monotonic() - waited < 120:
            time.sleep(0.02)
        assert victim.process.poll() is None, "the victim finished before it could be killed"
        frontier = RedisFrontier(redis_server.client(), "govreports", "annual_reports")
        held = {worker: count for worker, count in frontier.state().leased.items()}
        victim.process.send_signal(signal.SIGKILL)
        victim.wait(timeout=30)
        assert survivor.wait(timeout=300) == 0, logs([survivor])

    assert sum(held.values()) > 0, "nothing was in flight when the victim died"
    survivor_log = survivor.log_text()
    assert "stopped answering" in survivor_log, survivor_log[-3000:]
    assert survivor.stat("govreports/cluster/reclaimed_requests") > 0
    delivered = union([victim, survivor], manifest)  # read_feed fails on a torn line: recovery cut it
    expected = manifest_report_urls(manifest)
    assert set(delivered) == expected, f"lost {expected - set(delivered)}"
    assert max(delivered.values()) == 1, {url: n for url, n in delivered.items() if n > 1}
    store = RedisStateStore.from_url(redis_server.url)
    try:
        assert store.pending_claims() == []
        assert store.count_reports() == len(expected)
        assert sorted(run.outcome or "" for run in store.runs()) == ["finished", "killed"]
    finally:
        store.close()
    assert frontier.state().drained


def test_seeding_is_refused_while_a_crawl_is_running(redis_server: RedisServer, tmp_path: Path) -> None:
    with Farm.start(tmp_path / "farm") as farm:
        first = seed(farm, redis_server.url, tmp_path, "-a", "sites=511303,431081")
        again = seed(farm, redis_server.url, tmp_path)
        forced = seed(farm, redis_server.url, tmp_path, "--force")
    assert first.returncode == 0, first.stderr[-2000:]
    assert "queued 2 start request(s) for 2 site(s)" in first.stderr
    assert again.returncode == 1 and "a crawl is still running (2 queued" in again.stderr
    assert forced.returncode == 0 and "queued 6 start request(s) for 6 site(s)" in forced.stderr
    frontier = RedisFrontier(redis_server.client(), "govreports", "annual_reports")
    assert frontier.queued() == 6
    assert (frontier.seed_info() or {}).get("sites") == ["130705", "150724", "431081", "440307", "500107", "511303"]


def test_a_worker_given_sites_before_any_seed_says_so_at_once_and_fails_when_it_gives_up(
        redis_server: RedisServer, tmp_path: Path) -> None:
    with Farm.start(tmp_path / "farm") as farm:
        column = farm.manifest["portals"]["511303"]["column_url"]
        done = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "annual_reports", "-a", f"url={column}",
             *cluster_settings(farm, redis_server.url, tmp_path, GOVREPORTS_CLUSTER_WAIT_FOR_SEED=1),
             "-O", str(tmp_path / "worker.jsonl")],
            cwd=REPO, env=environment(tmp_path / "unused.sqlite3"), capture_output=True, text=True, timeout=120)
    warning = next(line for line in done.stderr.splitlines() if "nothing is seeded" in line)
    assert f"-a url={column}" in warning and f"run `scrapy seed -a url={column}`" in warning
    # said when the worker joined, before it started waiting
    assert done.stderr.index(warning) < done.stderr.index("Spider opened") + 2000
    assert "nothing was seeded within 1 s and this worker did nothing" in done.stderr
    assert done.returncode == 1, done.stderr[-3000:]
    assert "'finish_reason': 'cluster_not_seeded'" in done.stderr
