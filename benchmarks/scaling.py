"""Benchmarks 4 and 5 — memory at 3,000 portals, and how cost grows with the number of portals.

For each size (100, 1,000, 3,000 portals; `reports` per portal, 1 by default so that the whole
`make bench` fits in 15 minutes) a fresh scale farm is crawled at full speed with the whole
pipeline. Peak RSS is the crawler process's own high-water mark (kernel rusage); the farm runs in
another process and is not counted. Target (4): the process tree's peak PSS (crawl
process, forkserver and parse workers, /proc/<pid>/smaps_rollup: pages the forkserver's children
share count once) ≤ 300 MB at 3,000 portals — when it is not met with memory queues, the
3,000-portal crawl is repeated with disk queues (JOBDIR).
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.crawl import CrawlResult, farm_settings, full_speed, run_crawl
from benchmarks.results import Section
from govreports_farm.scale import ScaleFarm

SIZES = (100, 1000, 3000)
REPORTS = 1
PSS_TARGET_MB = 300.0


def crawl_farm(portals: int, reports: int, work: Path, extra: dict[str, str] | None = None,
               label: str | None = None) -> tuple[CrawlResult, dict[str, int]]:
    with ScaleFarm.start(work / f"farm-{portals}", portals=portals, reports=reports) as farm:
        settings = {**farm_settings(farm.registry_path, farm.sites_path), **full_speed(), **(extra or {})}
        result = run_crawl(label or f"{portals} portals", ["crawl", "annual_reports"], settings, work_dir=work,
                           timeout=1800)
        return result, farm.totals


def run(work: Path, *, sizes: tuple[int, ...] = SIZES, reports: int = REPORTS, runs: int = 1) -> tuple[Section, Section]:
    """`runs`: the largest size is crawled this many times; memory is judged on the median PSS."""
    results: list[tuple[int, CrawlResult, dict[str, int]]] = []
    for size in sizes:
        result, totals = crawl_farm(size, reports, work)
        results.append((size, result, totals))
        print(f"  {size} portals: {result.items} items, {result.pages} pages, {result.crawl_s:.0f} s, "
              f"peak RSS {result.peak_rss_mb:.0f} MB (tree {result.tree_peak_mb:.0f} MB)", flush=True)

    scaling = Section("5. Scaling",
                      f"Fresh scale farm per size, {reports} report(s) per portal, full speed, whole pipeline. "
                      "items/s and pages/s over spider open → close; peak RSS of the crawler process.")
    scaling.header = ["portals", "pages", "items", "crawl s", "items/s", "pages/s", "peak RSS MB (crawler)",
                      "peak RSS MB (process tree)", "RSS KB / extra portal", "process wall s"]
    base = results[0][1].peak_rss_mb if results else 0.0
    for size, result, totals in results:
        per_portal = (result.peak_rss_mb - base) * 1024 / (size - results[0][0]) if size != results[0][0] else 0.0
        scaling.rows.append([str(size), str(result.pages), f"{result.items}/{totals['reports']}",
                             f"{result.crawl_s:.1f}", f"{result.items / result.crawl_s if result.crawl_s else 0:.1f}",
                             f"{result.pages / result.crawl_s if result.crawl_s else 0:.1f}",
                             f"{result.peak_rss_mb:.0f}", f"{result.tree_peak_mb:.0f}",
                             f"{per_portal:.0f}" if per_portal else "—",
                             f"{result.wall_s:.1f}"])
    if len(results) >= 2:
        (small, first, _), (large, last, _) = results[0], results[-1]
        rate_first = first.items / first.crawl_s if first.crawl_s else 0.0
        rate_last = last.items / last.crawl_s if last.crawl_s else 0.0
        slope = (last.peak_rss_mb - first.peak_rss_mb) * 1024 / (large - small)
        scaling.metrics.update({"items_per_s_small": rate_first, "items_per_s_large": rate_last,
                                "rss_kb_per_portal": slope})
        change = rate_last / rate_first if rate_first else 0.0
        growth = ("throughput does not fall as the farm grows, so time grows linearly with the number of reports "
                  "and pages" if change >= 0.8 else f"throughput falls {1 / change:.1f}× — cost grows faster than "
                  "linearly with the number of portals")
        base = first.peak_rss_mb - slope * small / 1024
        scaling.verdicts.append(
            f"{small} → {large} portals ({large // small}×): items/s {rate_first:.1f} → {rate_last:.1f} "
            f"({change:.2f}×), peak RSS {first.peak_rss_mb:.0f} → {last.peak_rss_mb:.0f} MB: {growth}; memory "
            f"≈ {base:.0f} MB + {slope:.0f} KB per portal (at 3,202 portals ≈ {base + slope * 3202 / 1024:.0f} MB).")

    memory = Section("4. Memory", f"Peak PSS of the process tree (crawl process, forkserver, parse workers; "
                     f"/proc/<pid>/smaps_rollup, sampled every 0.25 s) over the {sizes[-1]}-portal farm "
                     "(memory queues; disk queues with JOBDIR if that is what it takes); RSS for comparison.")
    memory.header = ["crawl", "portals", "items", "crawl s", "peak RSS MB (crawler)", "peak RSS MB (process tree)",
                     "peak PSS MB (process tree)", "rendered pages"]
    size, largest, _totals = results[-1]
    repeats = [largest] + [crawl_farm(size, reports, work, label=f"{size} portals, run {number}")[0]
                           for number in range(2, runs + 1)]
    for number, result in enumerate(repeats, 1):
        memory.rows.append([f"memory queues, run {number}", str(size), str(result.items), f"{result.crawl_s:.1f}",
                            f"{result.peak_rss_mb:.0f}", f"{result.tree_peak_mb:.0f}", f"{result.tree_pss_peak_mb:.0f}",
                            str(result.stats.get("govreports/render/requests", 0))])
    largest = sorted(repeats, key=lambda result: result.tree_pss_peak_mb)[len(repeats) // 2]   # the median run
    peak = largest.tree_pss_peak_mb
    if peak > PSS_TARGET_MB:
        jobdir = work / "jobdir"
        disk, _ = crawl_farm(size, reports, work, {"JOBDIR": str(jobdir)}, label=f"{size} portals JOBDIR")
        memory.rows.append(["disk queues (JOBDIR)", str(size), str(disk.items), f"{disk.crawl_s:.1f}",
                            f"{disk.peak_rss_mb:.0f}", f"{disk.tree_peak_mb:.0f}", f"{disk.tree_pss_peak_mb:.0f}",
                            str(disk.stats.get("govreports/render/requests", 0))])
        peak = min(peak, disk.tree_pss_peak_mb)
    memory.metrics["peak_pss_mb"] = peak
    memory.metrics["peak_rss_tree_mb"] = largest.tree_peak_mb
    memory.met = peak <= PSS_TARGET_MB
    memory.verdicts.append(f"tree PSS at {size} portals = **{peak:.0f} MB** (median of {len(repeats)}; target ≤ {PSS_TARGET_MB:.0f} MB, "
                           f"±10 %: {'met' if memory.met else 'MISSED'}); summed RSS {largest.tree_peak_mb:.0f} MB")
    return memory, scaling
