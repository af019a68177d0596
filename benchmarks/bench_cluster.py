"""One worker against two: the wall time of a cluster crawl of the farm over Redis.

    .venv/bin/python -m benchmarks.bench_cluster [--delay 0.5] [--workers 2] [--repeat 1]

Each measurement is a fresh farm and a fresh `redis-server` on a free loopback port: `scrapy seed`,
then N `scrapy crawl annual_reports` workers started together, timed from their start to the exit
of the last one (process start-up included: that is what a cron job waits for). A per-site
download delay (`DOWNLOAD_DELAY`, no jitter; each site has its own download slot) makes the crawl
bound by politeness rather than by this machine's CPUs, which is the situation a cluster is for.
Note that each worker keeps its own per-site slot: N workers fetch a site up to N times as often
as one. The plain single-machine crawl (memory scheduler, SQLite state) is measured too, as the
baseline that cluster mode must not make slower. Every run is checked: every farm report exactly
once in the union of the feeds, else the numbers are not printed as valid.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from govreports_farm import Farm
from tests.cluster.conftest import HAVE_REDIS, REDIS_SERVER, RedisServer
from tests.cluster.harness import seed, start_worker
from tests.state.harness import REPO, crawl_command, environment, manifest_report_urls, read_feed, report_url_of


def exactly_once(feeds: list[Path], manifest: dict[str, Any]) -> str | None:
    delivered = Counter(report_url_of(manifest, item["url"]) for feed in feeds for item in read_feed(feed))
    expected = manifest_report_urls(manifest)
    missing = expected - set(delivered)
    twice = [url for url, n in delivered.items() if n > 1]
    if missing or twice:
        return f"{len(missing)} missing, {len(twice)} twice"
    return None


def single_machine(root: Path, delay: float) -> tuple[float, str | None]:
    with Farm.start(root / "farm") as farm:
        feed = root / "single.jsonl"
        db = root / "single.sqlite3"
        command = crawl_command(farm, db, feed, "-s", f"DOWNLOAD_DELAY={delay}", "-s", "DOWNLOAD_DELAY_JITTER=0")
        started = time.monotonic()
        done = subprocess.run(command, check=False, cwd=REPO, env=environment(db), capture_output=True, text=True, timeout=900)
        wall = time.monotonic() - started
        problem = f"exit {done.returncode}" if done.returncode else exactly_once([feed], farm.manifest)
    return wall, problem


def cluster(root: Path, delay: float, workers: int) -> tuple[float, str | None]:
    server = RedisServer(root / "redis").start()
    try:
        with Farm.start(root / "farm") as farm:
            settings = {"DOWNLOAD_DELAY": delay, "DOWNLOAD_DELAY_JITTER": 0}
            seeded = seed(farm, server.url, root, **settings)
            if seeded.returncode:
                return 0.0, f"seed failed: {seeded.stderr[-500:]}"
            started = time.monotonic()
            running = [start_worker(farm, server.url, root, f"worker-{n}", **settings) for n in range(workers)]
            codes = [worker.wait(timeout=900) for worker in running]
            wall = time.monotonic() - started
            problem = f"exit codes {codes}" if any(codes) else exactly_once([w.feed for w in running], farm.manifest)
    finally:
        server.stop()
    return wall, problem


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--delay", type=float, default=0.5, help="per-site DOWNLOAD_DELAY in seconds (default 0.5)")
    parser.add_argument("--workers", type=int, default=2, help="workers of the cluster run (default 2)")
    parser.add_argument("--repeat", type=int, default=1, help="measurements of each setup (median reported)")
    args = parser.parse_args()
    if not HAVE_REDIS:
        print(f"bench_cluster: no redis-server at {REDIS_SERVER} (bin/install-system-deps)", file=sys.stderr)
        return 2
    setups: dict[str, Callable[[Path], tuple[float, str | None]]] = {
        "single machine (SQLite, memory queue)": lambda root: single_machine(root, args.delay),
        "cluster, 1 worker": lambda root: cluster(root, args.delay, 1),
        f"cluster, {args.workers} workers": lambda root: cluster(root, args.delay, args.workers),
    }
    medians: dict[str, float] = {}
    failed = False
    for label, run in setups.items():
        walls = []
        for attempt in range(args.repeat):
            with tempfile.TemporaryDirectory(prefix="bench-cluster-") as tmp:
                wall, problem = run(Path(tmp))
            if problem:
                failed = True
                print(f"{label}: run {attempt + 1} INVALID ({problem})", flush=True)
            walls.append(wall)
        medians[label] = statistics.median(walls)
        print(f"{label:<40} wall {medians[label]:6.1f} s  (runs: {', '.join(f'{w:.1f}' for w in walls)})", flush=True)
    one, many = medians["cluster, 1 worker"], medians[f"cluster, {args.workers} workers"]
    print(f"farm, per-site delay {args.delay} s: {args.workers} workers / 1 worker wall-time ratio = {many / one:.2f} "
          f"(speed-up {one / many:.2f}x); 1 cluster worker / single machine = "
          f"{one / medians['single machine (SQLite, memory queue)']:.2f}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
