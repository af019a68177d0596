"""Run one benchmark crawl in its own process and say what it cost.

Every crawl is the command a user runs (`scrapy crawl annual_reports …`, or `scrapy runspider` for
the empty spider), in a subprocess with the repository as cwd, with its own state database and
feed, LOG_LEVEL=INFO (DEBUG would log every item), and the BenchProbe extension added to the
project's extensions. Peak RSS comes from the kernel (`wait4` rusage of that one child).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govreports import settings as project_settings

REPO_ROOT = Path(__file__).resolve().parent.parent
PROBE = "benchmarks.probe.BenchProbe"


@dataclass
class CrawlResult:
    """What one crawl did and cost."""

    label: str
    wall_s: float                 # process start → exit (imports, registry, crawl, shutdown)
    crawl_s: float                # spider open → close
    window_s: float               # first → last response
    pages: int                    # responses received (robots.txt included)
    items: int                    # items exported to the feed
    peak_rss_mb: float           # the crawler process's own high-water mark (kernel rusage)
    returncode: int
    stats: dict[str, Any] = field(default_factory=dict)
    log: Path | None = None
    cpu_s: float = 0.0            # the crawler's CPU seconds up to spider close (all threads)
    tree_peak_mb: float = 0.0     # the whole process tree (crawler + parse workers + any browser), sampled every 0.25 s
    tree_pss_peak_mb: float = 0.0  # the same tree's peak PSS (shared pages counted once), sampled likewise
    tree_cpu_s: float = 0.0       # CPU seconds of the whole process tree (parse workers included), sampled likewise
    started_at: float = 0.0       # time.time() at process start and exit (to line up with farm hit times)
    ended_at: float = 0.0
    probe: dict[str, Any] = field(default_factory=dict)   # BenchProbe's whole report (per-host downloader time …)

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.window_s if self.window_s > 0 else 0.0

    @property
    def items_per_s(self) -> float:
        return self.items / self.crawl_s if self.crawl_s > 0 else 0.0


def farm_settings(registry: Path, sites: Path) -> dict[str, str]:
    return {"GOVREPORTS_REGISTRY": str(registry), "GOVREPORTS_SITES_FILE": str(sites)}


def state_settings(work_dir: Path, slug: str) -> dict[str, str]:
    """Where one crawl keeps its state (dedup database and archive of record): a second crawl given the
    same settings sees the first one's state, and no other crawl does (an archive shared between the
    benchmark's runs would let later runs reuse the first run's items unparsed)."""
    return {"GOVREPORTS_DB": str(work_dir / f"{slug}.sqlite3"), "GOVREPORTS_ARCHIVE_DIR": str(work_dir / f"{slug}.archive")}


def full_speed() -> dict[str, str]:
    """Loopback at full speed: no delay, no AutoThrottle (the project's concurrency caps stay)."""
    return {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False"}


def _raise_file_limit() -> None:
    """A crawl of thousands of sites keeps a connection per site: allow the hard limit of descriptors."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


def descendants(pid: int) -> list[int]:
    """The process and everything it started (a browser driver and its browsers, for instance)."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def tree_rss_mb(pid: int) -> float:
    """Resident memory of the process tree right now, in MB (0 when it is gone)."""
    total = 0
    for member in descendants(pid):
        try:
            total += int(Path(f"/proc/{member}/statm").read_text().split()[1]) * PAGE_BYTES
        except (OSError, IndexError, ValueError):
            continue
    return total / 1024 / 1024


def tree_pss_mb(pid: int) -> float:
    """Proportional set size of the process tree right now, in MB: a page shared by N processes (the
    forkserver's preloaded parser data in every parse worker) counts 1/N in each, so once in all."""
    total_kb = 0
    for member in descendants(pid):
        try:
            for line in Path(f"/proc/{member}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total_kb += int(line.split()[1])
                    break
        except (OSError, IndexError, ValueError):
            continue
    return total_kb / 1024


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def tree_cpu_ticks(pid: int, seen: dict[int, int]) -> None:
    """Record each member's CPU ticks so far (utime + stime) in `seen` (a member's last sample counts)."""
    for member in descendants(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rpartition(")")[2].split()
            seen[member] = int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            continue


def run_crawl(label: str, spider_args: list[str], settings: dict[str, str], *, work_dir: Path,
              timeout: float = 1800.0, profile: Path | None = None, python: str = sys.executable) -> CrawlResult:
    """Run `scrapy <spider_args>` with `settings`; a fresh state DB and feed under `work_dir`."""
    work_dir.mkdir(parents=True, exist_ok=True)
    slug = label.replace(" ", "_").replace("/", "_")
    out = work_dir / f"{slug}.probe.json"
    feed = work_dir / f"{slug}.jsonl"
    log = work_dir / f"{slug}.log"
    extensions = dict(project_settings.EXTENSIONS)
    extensions[PROBE] = 900
    merged = {
        **state_settings(work_dir, slug),
        "LOG_LEVEL": "INFO",
        "LOG_FILE": str(log),
        "TELNETCONSOLE_ENABLED": "False",
        "EXTENSIONS": json.dumps(extensions),
        "GOVREPORTS_BENCH_OUT": str(out),
        **settings,
    }
    command = [python]
    if profile is not None:
        command += ["-m", "pyinstrument", "--renderer", "text", "--outfile", str(profile), "--no-color"]
        command += ["-m", "scrapy", *spider_args]
    else:
        command += ["-m", "scrapy", *spider_args]
    for name, value in merged.items():
        command += ["-s", f"{name}={value}"]
    command += ["-O", str(feed)]
    for stale in (out, feed):
        stale.unlink(missing_ok=True)
    began, started_at = time.monotonic(), time.time()
    process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               preexec_fn=_raise_file_limit)  # noqa: PLW1509  # it only calls setrlimit
    deadline = began + timeout
    status, usage = 0, None
    tree_peak, tree_pss_peak, next_sample = 0.0, 0.0, 0.0
    cpu_ticks: dict[int, int] = {}
    while True:
        if time.monotonic() >= next_sample:
            tree_peak = max(tree_peak, tree_rss_mb(process.pid))
            tree_pss_peak = max(tree_pss_peak, tree_pss_mb(process.pid))
            tree_cpu_ticks(process.pid, cpu_ticks)
            next_sample = time.monotonic() + 0.25
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            process.kill()
            _pid, status, usage = os.wait4(process.pid, 0)
            break
        time.sleep(0.05)
    wall = time.monotonic() - began
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
    if process.stderr:
        process.stderr.close()
    probe: dict[str, Any] = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    stats = probe.get("stats", {})
    items = sum(1 for line in feed.open(encoding="utf-8") if line.strip()) if feed.exists() else 0
    if process.returncode != 0 or not probe:
        tail = "\n".join(stderr.splitlines()[-15:])
        print(f"  ! {label}: exit {process.returncode}, probe {'ok' if probe else 'missing'}; log {log}\n{tail}",
              file=sys.stderr)
    return CrawlResult(
        label=label, wall_s=wall, crawl_s=float(probe.get("open_to_close_s", wall)),
        window_s=float(probe.get("response_window_s", 0.0)), pages=int(stats.get("response_received_count", 0)),
        items=items, peak_rss_mb=int(probe.get("peak_rss_kb") or (usage.ru_maxrss if usage else 0)) / 1024, returncode=process.returncode,
        stats=stats, log=log, cpu_s=float(probe.get("cpu_s", 0.0)), tree_peak_mb=tree_peak, tree_pss_peak_mb=tree_pss_peak,
        tree_cpu_s=max(float(probe.get("cpu_s", 0.0)), sum(cpu_ticks.values()) / CLOCK_TICKS), started_at=started_at, ended_at=started_at + wall,
        probe=probe,
    )


def scratch_dir(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"govreports-bench-{prefix}-"))
