"""Benchmark 2 — politeness bound: wall time vs the least time per-site politeness allows.

The same scale farm answers every request after a realistic latency (mean L, per path uniformly
in [0.5 L, 1.5 L)); the crawl runs with a per-site delay D and the recommended national-harvest
profile below, over a dozen portals of the farm (two per CMS family, `-a sites=`) so the run
stays short while the busiest portal still needs dozens of requests.

Lower bound = max(busiest portal's pages × D, total pages × L ÷ CONCURRENT_REQUESTS): no crawl
that waits D between two requests to a site, and never has more than CONCURRENT_REQUESTS requests
in flight, can be faster. Ratio = crawl time (spider open → close) ÷ lower bound. Target ≤ 1.2.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from benchmarks.crawl import farm_settings, run_crawl
from benchmarks.engine import pages_by_site
from benchmarks.results import Section
from tests.farm.scale import ScaleFarm

TARGET = 1.2
DELAY_S = 1.0
LATENCY_S = 0.25
PORTALS = 12

# The recommended national-harvest profile (README, "Politeness"): the project's defaults, spelled out.
NATIONAL_PROFILE: dict[str, str] = {
    "DOWNLOAD_DELAY": str(DELAY_S),           # D between two requests to one site (× U(0.5, 1.5) jitter)
    "DOWNLOAD_DELAY_JITTER": "0.5",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "1",    # one request at a time per site (the delay serialises anyway)
    "CONCURRENT_REQUESTS": "32",              # global cap; each site is one download slot (meta download_slot)
    "AUTOTHROTTLE_ENABLED": "True",           # slows a site whose answers get slow, never below D
    "AUTOTHROTTLE_START_DELAY": str(DELAY_S),
    "AUTOTHROTTLE_TARGET_CONCURRENCY": "1.0",
    "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.DownloaderAwarePriorityQueue",  # no site starves the others
}


def run(farm: ScaleFarm, work: Path, *, delay: float = DELAY_S, latency: float = LATENCY_S,
        portals: int = PORTALS, engine: dict[str, float] | None = None) -> Section:
    """`engine`: benchmark 1's metrics (full-pipeline pages/s, crawl s), to say which bound binds the whole farm."""
    profile = {**NATIONAL_PROFILE, "DOWNLOAD_DELAY": str(delay), "AUTOTHROTTLE_START_DELAY": str(delay)}
    cap = int(profile["CONCURRENT_REQUESTS"])
    sites = list(farm.manifest["portals"])[:portals]
    section = Section("2. Politeness bound",
                      f"{portals} portals of the same farm (two per CMS family), per-site delay D = {delay:g} s, "
                      f"per-response latency mean L = {latency:g} s (uniform 0.5–1.5 L), the national-harvest "
                      f"profile ({', '.join(f'{k}={v}' for k, v in profile.items() if k != 'SCHEDULER_PRIORITY_QUEUE')}"
                      ", DownloaderAwarePriorityQueue). Lower bound = max(busiest portal's pages × D, total pages "
                      "× L ÷ CONCURRENT_REQUESTS).")
    section.header = ["crawl", "pages", "busiest portal pages", "site bound s", "global bound s", "lower bound s",
                      "crawl s", "crawl ÷ bound", "items", "CPU bound s (pages ÷ bench-1 pages/s)"]
    farm.take_hits()
    farm.set_latency(latency)
    try:
        result = run_crawl("polite", ["crawl", "annual_reports", "-a", f"sites={','.join(sites)}"],
                           {**farm_settings(farm.registry_path, farm.sites_path), **profile}, work_dir=work)
    finally:
        hits = farm.take_hits()
        farm.set_latency(0.0)
    per_site = pages_by_site(hits)
    busiest = max(per_site.values(), default=0)
    site_bound = busiest * delay
    global_bound = len(hits) * latency / cap
    bound = max(site_bound, global_bound)
    ratio = result.crawl_s / bound if bound else float("inf")
    section.rows = [["national profile", str(len(hits)), str(busiest), f"{site_bound:.1f}", f"{global_bound:.1f}",
                     f"{bound:.1f}", f"{result.crawl_s:.1f}", f"{ratio:.2f}", str(result.items),
                     f"{len(hits) / engine['full_pages_per_s']:.1f}" if engine and engine.get("full_pages_per_s") else "—"]]
    section.metrics.update({"ratio": ratio, "lower_bound_s": bound, "crawl_s": result.crawl_s})
    section.met = ratio <= TARGET
    section.verdicts.append(f"crawl ÷ lower bound = {result.crawl_s:.1f} / {bound:.1f} s = **{ratio:.2f}** "
                            f"(target ≤ {TARGET}: {'met' if section.met else 'MISSED'})")
    slowest = sorted(per_site.items(), key=lambda kv: -kv[1])[:3]
    section.notes.append("busiest portals (pages): " + ", ".join(f"{host} {count}" for host, count in slowest))
    if engine and engine.get("full_pages_per_s") and engine.get("full_crawl_s"):
        whole_site_bound = busiest * delay
        section.notes.append(
            f"the whole farm ({farm.totals['portals']} portals) under this profile: politeness allows "
            f"{whole_site_bound:.0f} s (its busiest portal has the same {busiest} pages), but benchmark 1 needed "
            f"{engine['full_crawl_s']:.0f} s of crawler CPU for it at full speed — at that size the bound is the "
            f"pipeline's CPU, not politeness ({engine['full_crawl_s'] / whole_site_bound:.1f}× the politeness bound)")
    if slowest and hits:
        host, count = slowest[0]
        times = sorted(hit.at for hit in hits if urlsplit(hit.url).hostname == host)
        span = times[-1] - times[0]
        section.metrics["busiest_gap_s"] = span / max(count - 1, 1)
        section.notes.append(
            f"the busiest portal's own requests span {span:.1f} s ({span / max(count - 1, 1):.2f} s between two, "
            f"D = {delay:g} s); the crawl's first request came {min(h.at for h in hits) - result.started_at:.1f} s "
            f"after the process started, its last {result.ended_at - max(h.at for h in hits):.1f} s before it ended")
    return section
