"""Running a cluster crawl of the farm: one redis-server, `scrapy seed`, N worker processes."""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from govreports_farm import Farm
from tests.state.harness import REPO, environment, read_feed

SPIDER = "annual_reports"


def cluster_settings(farm: Farm, redis_url: str, work_dir: Path, **extra: object) -> list[str]:
    """`-s` options: the farm's registry, the shared Redis, short heartbeats for tests, no politeness
    delay unless asked (`DOWNLOAD_DELAY=…` in `extra`)."""
    pairs: dict[str, object] = {
        "GOVREPORTS_REGISTRY": farm.registry_path,
        "GOVREPORTS_SITES_FILE": farm.sites_path,
        "GOVREPORTS_DB": work_dir / "unused.sqlite3",  # cluster mode keeps its state in Redis
        "GOVREPORTS_REDIS_URL": redis_url,
        "GOVREPORTS_CLUSTER_HEARTBEAT_TTL": 3,
        "GOVREPORTS_CLUSTER_IDLE_CLOSE": 2,
        "GOVREPORTS_CLUSTER_POLL_INTERVAL": 0.2,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "LOG_LEVEL": "INFO",
        **extra,
    }
    return [arg for name, value in pairs.items() for arg in ("-s", f"{name}={value}")]


def seed(farm: Farm, redis_url: str, work_dir: Path, *extra: str, **settings: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scrapy", "seed", *cluster_settings(farm, redis_url, work_dir, **settings),
                           *extra], cwd=REPO, env=environment(work_dir / "unused.sqlite3"),
                          capture_output=True, text=True, timeout=120)


@dataclass
class Worker:
    name: str
    feed: Path
    log: Path
    process: subprocess.Popen[bytes]
    started: float = field(default_factory=time.monotonic)
    ended: float | None = None

    def wait(self, timeout: float) -> int:
        code = self.process.wait(timeout=timeout)
        self.ended = self.ended or time.monotonic()
        return code

    def items(self) -> list[dict]:  # type: ignore[type-arg]
        return read_feed(self.feed)

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    def stat(self, name: str) -> int:
        marker = f"'{name}': "
        for line in self.log_text().splitlines():
            line = line.strip()
            if line.startswith(marker):
                return int(line[len(marker):].rstrip(",}"))
        return 0


def start_worker(farm: Farm, redis_url: str, work_dir: Path, name: str, **settings: object) -> Worker:
    feed = work_dir / "feeds" / f"{name}.jsonl"
    log = work_dir / "logs" / f"{name}.log"
    feed.parent.mkdir(parents=True, exist_ok=True)
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "scrapy", "crawl", SPIDER, *cluster_settings(farm, redis_url, work_dir, **settings),
             "-O", str(feed)],
            cwd=REPO, env=environment(work_dir / "unused.sqlite3"), stdout=subprocess.DEVNULL, stderr=out,
        )
    return Worker(name, feed, log, process)


def feed_lines(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0
