"""`python -m benchmarks.bench_render`: what the browser path costs sites that do not need it.

Crawls the sample farm's six default portals (no JavaScript-built list, no challenge) with
`GOVREPORTS_RENDER=never` (plain Scrapy, scrapy-playwright not installed) and `auto` (the add-on
installs scrapy-playwright's download handler and RenderMiddleware; Chromium would start on the
first page that needs it, and none does), alternating, each crawl in its own process as a user
runs it (full pipeline, full speed on loopback). Prints both timings and the ratio
never/auto (≥ 0.95: the browser path costs these sites at most 5%), and checks that both crawls
found the same reports and that `auto` never started a browser.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from govreports_farm import Farm

REPO_ROOT = Path(__file__).resolve().parent.parent
TARGET = 0.95


@dataclass
class Run:
    mode: str
    crawl_s: float       # the crawl's own elapsed_time_seconds (engine start → close)
    cpu_s: float         # user + system CPU of the crawl process (robust against a busy machine)
    wall_s: float        # process start → exit
    items: int
    returncode: int
    stats: dict[str, float]


def crawl_once(farm: Farm, mode: str, work: Path, index: int) -> Run:
    """One `scrapy crawl annual_reports` of the farm, as a user runs it, with its own state DB."""
    feed, log = work / f"{mode}-{index}.jsonl", work / f"{mode}-{index}.log"
    command = [sys.executable, "-m", "scrapy", "crawl", "annual_reports",
               "-s", f"GOVREPORTS_REGISTRY={farm.registry_path}", "-s", f"GOVREPORTS_SITES_FILE={farm.sites_path}",
               "-s", f"GOVREPORTS_DB={work / f'{mode}-{index}.sqlite3'}", "-s", f"GOVREPORTS_RENDER={mode}",
               "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=INFO",
               "-s", f"LOG_FILE={log}", "-s", "TELNETCONSOLE_ENABLED=False", "-O", str(feed)]
    began = time.monotonic()
    process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - began
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    dump = text.split("Dumping Scrapy stats:", 1)[-1]
    stats = {key: float(value) for key, value in re.findall(r"'([^']+)':\s*([0-9.]+)[,}]", dump)}
    items = sum(1 for line in feed.open(encoding="utf-8") if line.strip()) if feed.exists() else 0
    return Run(mode, stats.get("elapsed_time_seconds", wall), usage.ru_utime + usage.ru_stime, wall, items,
               os.waitstatus_to_exitcode(status), stats)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_render", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=4, help="crawls per mode, alternated (default 4)")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="govreports-bench-render-"))
    runs: dict[str, list[Run]] = {"never": [], "auto": []}
    with Farm.start(work / "farm") as farm:
        expected = farm.manifest["totals"]["reports"]
        for index in range(args.rounds):
            for mode in (("never", "auto") if index % 2 == 0 else ("auto", "never")):
                runs[mode].append(crawl_once(farm, mode, work, index))
    problems = []
    for mode, results in runs.items():
        for run in results:
            if run.returncode != 0 or run.items != expected:
                problems.append(f"{mode}: exit {run.returncode}, {run.items}/{expected} reports")
            if mode == "auto" and (run.stats.get("playwright/browser_count") or run.stats.get("govreports/render/escalated")):
                problems.append("auto: a browser was started on portals that need none")
    # the fastest of N runs: what the code costs, with the least interference from a shared machine
    crawl_s = {mode: min(r.crawl_s for r in results) for mode, results in runs.items()}
    cpu_s = {mode: statistics.median(r.cpu_s for r in results) for mode, results in runs.items()}
    wall_s = {mode: min(r.wall_s for r in results) for mode, results in runs.items()}
    ratio = crawl_s["never"] / crawl_s["auto"]
    cpu_ratio = cpu_s["never"] / cpu_s["auto"]
    print(f"render cost on non-JS portals: the farm's 6 portals, {expected} reports, {args.rounds} crawls per mode, "
          f"alternated (work dir {work})")
    print(f"{'mode':<8}{'crawl s (min)':>15}{'wall s (min)':>14}{'CPU s (median)':>16}")
    for mode in ("never", "auto"):
        print(f"{mode:<8}{crawl_s[mode]:>15.2f}{wall_s[mode]:>14.2f}{cpu_s[mode]:>16.2f}")
    verdict = "ok" if ratio >= TARGET and not problems else "MISSED"
    print(f"ratio never/auto: crawl time {ratio:.3f}, CPU {cpu_ratio:.3f} (target ≥ {TARGET}) {verdict}")
    for problem in problems:
        print(f"  ! {problem}", file=sys.stderr)
    return 0 if verdict == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
