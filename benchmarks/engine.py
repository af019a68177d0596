"""Benchmark 1 — engine overhead: the full crawl vs an empty spider fetching the same pages.

A generated farm (≥ 200 portals × ≥ 20 reports, govreports_farm/scale.py) is crawled at full speed on
loopback (DOWNLOAD_DELAY=0, no AutoThrottle, the project's concurrency caps) by `annual_reports`
with the whole pipeline (parse → validate → dedup → durable JSON Lines feed). The farm's hit log of
that crawl is then replayed, back to back and with the same settings, by `bench_replay`
(benchmarks/replay.py), which fetches exactly those pages and does nothing with them.
pages/s = responses ÷ (last response − first response). Target: full ≥ 0.5 × empty, the
median of `runs` back-to-back pairs, ±10 %.
Then, on the same farm: a second full crawl with the first one's state (an unchanged farm: the
target is 0 reports parsed again; its pages/s recorded), and the full crawl with
GOVREPORTS_PARSE_PROCESSES from 1 to the core count (what more cores buy). Archive bytes and ms per
report are read from the crawl's stats (`govreports/archive/bytes`, `govreports/archive/seconds`) when
the archive records them.
When the target is missed, a profiled crawl of six of the same portals (one per CMS family) says what bounds it.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from benchmarks.crawl import (
    CrawlResult,
    farm_settings,
    full_speed,
    run_crawl,
    state_settings,
)
from benchmarks.results import Section
from govreports_farm.scale import Hit, ScaleFarm

TARGET = 0.5
PROFILE_PORTALS = 6


def write_replay(hits: list[Hit], path: Path) -> int:
    """The replay list for the empty spider: every hit but robots.txt (the middleware fetches it)."""
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for hit in hits:
            if urlsplit(hit.url).path == "/robots.txt":
                continue
            handle.write(json.dumps({"method": hit.method, "url": hit.url, "content_type": hit.content_type,
                                     "body": hit.body}, ensure_ascii=False) + "\n")
            count += 1
    return count


def pages_by_site(hits: list[Hit]) -> Counter[str]:
    return Counter(urlsplit(hit.url).hostname or "" for hit in hits)


def row(result: CrawlResult, farm_cpu: float) -> list[str]:
    return [result.label, str(result.pages), str(result.items), f"{result.crawl_s:.1f}", f"{result.window_s:.1f}",
            f"{result.pages_per_s:.1f}", f"{result.items / result.window_s if result.window_s else 0:.1f}",
            f"{result.cpu_s:.1f}", f"{result.tree_cpu_s:.1f}", f"{result.peak_rss_mb:.0f}", f"{farm_cpu:.1f}", str(result.stats.get("govreports/render/requests", 0))]


def run(farm: ScaleFarm, work: Path, *, profile: bool = True, what_if: bool = False,
        parse_ms: float | None = None, runs: int = 3, sweep: bool = True) -> Section:
    """Crawl `farm` fully, then replay its hit log; the caller owns the farm (politeness reuses it).

    `parse_ms`: benchmark 3's median parse_report time on farm pages, to split the crawl's CPU.
    """
    totals = farm.totals
    section = Section("1. Engine overhead",
                      f"Scale farm of {totals['portals']} portals × {totals['reports'] // max(totals['portals'], 1)} "
                      f"reports ({totals['reports']} reports, {totals['decoys']} decoys) on loopback, full speed "
                      "(DOWNLOAD_DELAY=0, AutoThrottle off, CONCURRENT_REQUESTS 32 / 2 per site). Full pipeline = "
                      "`scrapy crawl annual_reports -O feed.jsonl`; empty spider = `bench_replay` fetching the same "
                      "pages (the farm's hit log of the full crawl), nothing else. pages/s over the response window.")
    section.header = ["crawl", "pages", "items", "open→close s", "window s", "pages/s", "items/s", "crawler CPU s",
                      "tree CPU s", "peak RSS MB", "farm CPU s", "rendered"]
    settings = {**farm_settings(farm.registry_path, farm.sites_path), **full_speed()}
    pairs: list[tuple[CrawlResult, CrawlResult]] = []
    for number in range(1, runs + 1):
        farm.take_hits()
        cpu = farm.cpu_seconds()
        full = run_crawl(f"full pipeline {number}", ["crawl", "annual_reports"], settings, work_dir=work)
        full_cpu, cpu = farm.cpu_seconds() - cpu, farm.cpu_seconds()
        hits = farm.take_hits()
        replay = work / "replay.jsonl"
        replayed = write_replay(hits, replay)
        empty = run_crawl(f"empty spider {number}", ["runspider", "benchmarks/replay.py"],
                          {**settings, "GOVREPORTS_BENCH_REPLAY": str(replay)}, work_dir=work)
        empty_cpu = farm.cpu_seconds() - cpu
        empty_hits = farm.take_hits()
        section.rows += [row(full, full_cpu), row(empty, empty_cpu)]
        pairs.append((full, empty))
    ratios = [f.pages_per_s / e.pages_per_s if e.pages_per_s else 0.0 for f, e in pairs]
    # the pair whose ratio is the median stands for the run in the notes below
    full, empty = pairs[sorted(range(len(pairs)), key=ratios.__getitem__)[len(pairs) // 2]]
    first = pairs[0][0]
    cpu = farm.cpu_seconds()
    again = run_crawl("second run, unchanged farm", ["crawl", "annual_reports"],
                      {**settings, **state_settings(work, first.label.replace(" ", "_"))}, work_dir=work)
    farm.take_hits()
    section.rows.append(row(again, farm.cpu_seconds() - cpu))
    reparsed = int(again.stats.get("govreports/parsed", 0)) + int(again.stats.get("govreports/parse/failed", 0))
    section.metrics.update({"second_run_parsed": reparsed, "second_run_pages_per_s": again.pages_per_s})
    section.verdicts.append(f"second run over the unchanged farm: {reparsed} reports parsed again (target 0: "
                            f"{'met' if reparsed == 0 else 'MISSED'}), {again.pages_per_s:.1f} pages/s, "
                            f"{again.items} items")
    if sweep:
        cores = len(os.sched_getaffinity(0))
        sweep_rows = []
        for processes in range(1, cores + 1):
            farm.take_hits()
            swept = run_crawl(f"parse processes {processes}", ["crawl", "annual_reports"],
                              {**settings, "GOVREPORTS_PARSE_PROCESSES": str(processes)}, work_dir=work)
            farm.take_hits()
            share = swept.pages_per_s / empty.pages_per_s if empty.pages_per_s else 0.0
            section.metrics[f"processes_{processes}_ratio"] = share
            sweep_rows.append(f"{processes}: {swept.pages_per_s:.1f} pages/s ({share:.2f} of the empty spider, "
                              f"tree CPU {swept.tree_cpu_s:.0f} s)")
        section.notes.append("GOVREPORTS_PARSE_PROCESSES sweep (what more cores buy) — " + "; ".join(sweep_rows))
    archive_bytes = full.stats.get("govreports/archive/bytes")
    archive_ms = float(full.stats.get("govreports/archive/seconds") or 0) * 1000
    if archive_bytes is not None and full.items:
        section.metrics["archive_bytes_per_report"] = float(archive_bytes) / full.items
        section.metrics["archive_ms_per_report"] = archive_ms / full.items
        section.notes.append(f"archive: {float(archive_bytes) / full.items / 1024:.1f} KB and "
                             f"{archive_ms / full.items:.2f} ms per report")
    else:
        section.notes.append("archive: bytes and ms per report not recorded by this build "
                             "(stats govreports/archive/bytes, govreports/archive/seconds)")
    if what_if:
        cpu = farm.cpu_seconds()
        in_process = run_crawl("parse in the crawl process", ["crawl", "annual_reports"],
                               {**settings, "GOVREPORTS_PARSE_PROCESSES": "0"}, work_dir=work)
        farm.take_hits()
        section.rows.append(row(in_process, farm.cpu_seconds() - cpu))
        section.metrics["in_process_ratio"] = in_process.pages_per_s / empty.pages_per_s if empty.pages_per_s else 0.0
        section.notes.append(f"what-if: with GOVREPORTS_PARSE_PROCESSES=0 (parsing in the reactor's thread pool, one "
                             f"GIL) the crawl makes {in_process.pages_per_s:.1f} pages/s = "
                             f"{section.metrics['in_process_ratio']:.2f} of the empty spider, {in_process.items} items")
    ratio = statistics.median(ratios)
    section.metrics.update({"ratio": ratio, "full_pages_per_s": full.pages_per_s,
                            "empty_pages_per_s": empty.pages_per_s, "full_crawl_s": full.crawl_s, "items_per_s": full.items / full.window_s
                            if full.window_s else 0.0})
    section.met = ratio >= TARGET
    section.verdicts.insert(0, f"full pipeline / empty spider = {full.pages_per_s:.1f} / {empty.pages_per_s:.1f} "
                            f"pages/s = **{ratio:.2f}** (median of {len(ratios)}: "
                            f"{', '.join(f'{r:.2f}' for r in ratios)}; target ≥ {TARGET}, ±10 %: "
                            f"{'met' if section.met else 'MISSED'})")
    section.notes.append(f"same pages: the full crawl made {len(hits)} requests ({replayed} replayed without "
                         f"robots.txt); the empty spider made {len(empty_hits)}; items {full.items} of "
                         f"{totals['reports']} published reports")
    pages = max(full.pages, 1)
    extra_ms = (full.tree_cpu_s - empty.tree_cpu_s) * 1000 / max(full.items, 1)
    split = (f"CPU: the full crawl's process tree (crawl process + parse workers) used {full.tree_cpu_s:.0f} s in its "
             f"{full.window_s:.0f} s window, the crawl process alone {full.cpu_s:.0f} s; the empty spider "
             f"{empty.tree_cpu_s:.0f} s for the same pages: {extra_ms:.0f} ms more per report")
    if parse_ms:
        split += f", of which parse_report ≈ {parse_ms:.0f} ms (benchmark 3's median on farm pages)"
    section.notes.append(split)
    cores = len(os.sched_getaffinity(0))
    processes = max(int(full.stats.get("govreports/parse/processes") or 0), 1)
    worker_cpu = max(full.tree_cpu_s - full.cpu_s, 0.0)
    crawl_bound = pages / full.cpu_s if full.cpu_s else 0.0
    worker_bound = pages / (worker_cpu / processes) if worker_cpu else 0.0
    cores_bound = pages / (full.tree_cpu_s / cores) if full.tree_cpu_s else 0.0
    empty_rate = empty.pages_per_s or 1.0
    section.metrics.update({"crawl_process_bound_pages_per_s": crawl_bound, "parse_worker_bound_pages_per_s": worker_bound,
                            "crawl_process_ms_per_page": full.cpu_s * 1000 / pages,
                            "parse_worker_ms_per_report": worker_cpu * 1000 / max(full.items, 1)})
    section.notes.append(
        f"what bounds it: CPU, {cores} cores. The empty spider spends {empty.cpu_s * 1000 / pages:.1f} ms of CPU per "
        f"page. The full crawl: the crawl process {full.cpu_s * 1000 / pages:.1f} ms per page (busy "
        f"{full.cpu_s / full.window_s if full.window_s else 0:.0%} of its window: list pages, each report page's tree "
        "and attachment links, the WARC records, handing pages to the parse workers and taking items back, dedup, the "
        f"group commit), alone allowing ≈ {crawl_bound:.0f} pages/s = {crawl_bound / empty_rate:.2f} of the empty "
        f"spider; the parse workers ({processes}) {worker_cpu * 1000 / max(full.items, 1):.1f} ms per report "
        f"(parse, checks, key, hashes, JSON), allowing ≈ {worker_bound:.0f} pages/s = {worker_bound / empty_rate:.2f}; "
        f"all of it on {cores} cores ≈ {cores_bound:.0f} pages/s = {cores_bound / empty_rate:.2f}. The lowest of the "
        "three is the ceiling; more cores lift the last two (GOVREPORTS_PARSE_PROCESSES), a cheaper parse_report "
        "(benchmark 3) the second, less Python per page in the crawl process (profile below) the first.")
    if not section.met:
        # the arithmetic of the target on this machine: the CPU a page may cost at TARGET × the empty spider's rate
        allowed_ms = 1000 / (TARGET * empty_rate)
        per_page_parse = (f"; parse_report alone, at benchmark 3's farm median, is ≈ "
                          f"{parse_ms * full.items / pages:.1f} ms per page") if parse_ms else ""
        section.notes.append(
            f"what the target needs here: {TARGET} × {empty_rate:.0f} pages/s leaves {allowed_ms:.1f} ms of wall time per "
            f"page, so at most {allowed_ms:.1f} ms of CPU in the crawl process and {cores * allowed_ms:.1f} ms in the "
            f"whole tree on {cores} cores; the crawl spends {full.cpu_s * 1000 / pages:.1f} ms and "
            f"{full.tree_cpu_s * 1000 / pages:.1f} ms, the empty spider alone {empty.cpu_s * 1000 / pages:.1f} ms"
            f"{per_page_parse}.")
    if not section.met and profile:
        section.profile = profile_crawl(farm, work, settings)
    return section


def profile_crawl(farm: ScaleFarm, work: Path, settings: dict[str, str]) -> str:
    """pyinstrument over a full crawl of the first PROFILE_PORTALS portals (one per CMS family)."""
    sites = ",".join(list(farm.manifest["portals"])[:PROFILE_PORTALS])
    output = work / "engine-profile.txt"
    began = time.monotonic()
    run_crawl("profiled full pipeline", ["crawl", "annual_reports", "-a", f"sites={sites}"], settings,
              work_dir=work, profile=output)
    farm.take_hits()
    text = output.read_text(encoding="utf-8") if output.exists() else "(no profile written)"
    return (f"profiled crawl of {PROFILE_PORTALS} portals, {time.monotonic() - began:.0f} s; pyinstrument samples the "
            "crawl process's reactor thread only: parsing runs in the worker processes (see benchmark 3's "
            "profile)\n" + text)
