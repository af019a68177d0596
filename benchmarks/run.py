"""`make bench` (`python -m benchmarks.run`): every benchmark, one table each, into RESULTS.md.

1. engine overhead (full pipeline vs empty spider, 200 portals × 20 reports, loopback, full speed; median
   of 3 pairs; a second run over the unchanged farm; GOVREPORTS_PARSE_PROCESSES from 1 to the cores)
2. politeness bound (same farm, per-site delay and response latency; wall ÷ lower bound, median of 3)
3. parse cost (parse_report vs lxml floor vs trafilatura; HTML, text, PDF; per real page vs lxml.html.fromstring)
4. memory (peak PSS of the process tree crawling a 3,000-portal farm, median of 3)
5. scaling (items/s and RSS at 100, 1,000, 3,000 portals)
6. realistic network (national crawl of a farm with slow, dead, refusing, resetting hosts: wall vs bound)
7. OCR (issue 16): s/page on one core and peak memory of an OCR process, one scanned report

The run opens with the target table (one row per target, from the sections' metrics).

Options: `--quick` (small sizes, for trying the harness: not comparable), `--only 1,3`,
`--no-append` (print only), `--no-profile`, `--what-if` (benchmark 1 also crawls with parsing in
the crawl process, GOVREPORTS_PARSE_PROCESSES=0). Each run appends one block to benchmarks/RESULTS.md with
machine, date, commit and load average, and prints the same text.
"""

from __future__ import annotations

import argparse
import faulthandler
import os
import shutil
import signal
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import ParamSpec, TypedDict, TypeVar

from benchmarks import engine, network, parse_cost, politeness, scaling
from benchmarks.crawl import scratch_dir
from benchmarks.results import RESULTS, Section, append, header
from govreports_farm.scale import ScaleFarm, address_available


class Plan(TypedDict):
    """How big each benchmark runs: farm portals × reports, scaling sizes, repeats, runs per figure,
    the realistic network's portals × reports."""

    portals: int
    reports: int
    sizes: tuple[int, ...]
    scale_reports: int
    repeat: int
    runs: int
    network: tuple[int, int]


FULL: Plan = {"portals": 200, "reports": 20, "sizes": (100, 1000, 3000), "scale_reports": 1, "repeat": 5, "runs": 3,
              "network": (network.PORTALS, network.REPORTS)}
QUICK: Plan = {"portals": 24, "reports": 20, "sizes": (20, 60, 120), "scale_reports": 1, "repeat": 2, "runs": 1,
               "network": (40, 2)}
TOLERANCE = 0.10   # every figure is a median of `runs` runs on a shared machine; stated with each target


def targets(sections: list[Section]) -> list[str]:
    """The target table: each target, what this run measured, and whether it is met."""
    metrics: dict[str, dict[str, float]] = {section.title.split(".")[0]: section.metrics for section in sections}

    def verdict(value: float | None, ok: bool) -> str:
        return "not run" if value is None else ("met" if ok else "MISSED")

    engine_m, parse_m, memory_m = metrics.get("1", {}), metrics.get("3", {}), metrics.get("4", {})
    polite_m, network_m = metrics.get("2", {}), metrics.get("6", {})
    ratio, worst = engine_m.get("ratio"), parse_m.get("real page parse/lxml worst")
    pss, polite, wall = memory_m.get("peak_pss_mb"), polite_m.get("ratio"), network_m.get("ratio")
    reparsed, again = engine_m.get("second_run_parsed"), engine_m.get("second_run_pages_per_s")
    rows = [
        ("full crawl ÷ empty spider", "≥ 0.5", f"{ratio:.2f}" if ratio is not None else "—",
         verdict(ratio, ratio is not None and ratio >= 0.5)),
        ("parse ÷ lxml.html.fromstring, every real report page", "≤ 5×", f"{worst:.1f}× (worst page)"
         if worst is not None else "—", verdict(worst, worst is not None and worst <= 5)),
        ("tree PSS at 3,000 portals", "≤ 300 MB", f"{pss:.0f} MB" if pss is not None else "—",
         verdict(pss, pss is not None and pss <= 300)),
        ("politeness (national profile)", "≤ 1.05 of the bound", f"{polite:.2f}" if polite is not None else "—",
         verdict(polite, polite is not None and polite <= 1.05)),
        ("second run over an unchanged farm", "parses 0 reports; pages/s recorded",
         f"{reparsed:.0f} parsed, {again:.1f} pages/s" if reparsed is not None and again is not None else "—",
         verdict(reparsed, reparsed == 0)),
        ("national crawl over a realistic network", "wall ≤ 1.3 × the live sites' bound",
         f"{wall:.2f}" if wall is not None else "—", verdict(wall, wall is not None and wall <= 1.3)),
    ]
    intro = (f"Targets (medians of the runs stated in each section; tolerance ±{TOLERANCE:.0%}: "
             "a figure within it of its target is noise on this shared machine, not a verdict):")
    lines = [intro, "",
             "| measure | target | this run | verdict |", "|---|---|---|---|"]
    lines += [f"| {measure} | {target} | {value} | {state} |" for measure, target, value, state in rows]
    return [*lines, ""]


_P = ParamSpec("_P")
_Outcome = TypeVar("_Outcome", Section, tuple[Section, Section])


def timed(section_maker: Callable[_P, _Outcome], *args: _P.args, **kwargs: _P.kwargs) -> _Outcome:
    """Run one benchmark and write its wall time into its section(s)."""
    began = time.monotonic()
    outcome = section_maker(*args, **kwargs)
    elapsed = time.monotonic() - began
    for section in outcome if isinstance(outcome, tuple) else (outcome,):
        section.seconds = elapsed / (len(outcome) if isinstance(outcome, tuple) else 1)
    return outcome


def headline(sections: list[Section]) -> list[str]:
    lines = []
    for section in sections:
        state = {True: "met", False: "MISSED", None: "—"}[section.met]
        first = section.verdicts[0] if section.verdicts else ""
        lines.append(f"| {section.title} | {first} | {state} |")
    return ["| benchmark | result | target |", "|---|---|---|", *lines]


def closing_note(sections: list[Section]) -> list[str]:
    """For each missed target: what bounds it and what would move it (the sections' own notes)."""
    lines = []
    for section in sections:
        if section.met is False:
            bound = [note for note in section.notes if note.startswith("what bounds it")]
            lines.append(f"- {section.title}: " + (bound[0] if bound else "see its notes and profile."))
    return ["### Closing note: missed targets", "", *lines] if lines else []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (harness check; numbers not comparable)")
    parser.add_argument("--only", default="1,2,3,4,5,6,7", help="benchmarks to run, e.g. 1,3")
    parser.add_argument("--no-append", action="store_true", help=f"do not append to {RESULTS.name}")
    parser.add_argument("--no-profile", action="store_true", help="skip the profiles of missed targets")
    parser.add_argument("--what-if", action="store_true",
                        help="benchmark 1 also crawls with parsing in the crawl process (GOVREPORTS_PARSE_PROCESSES=0)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory (logs, feeds, profiles)")
    args = parser.parse_args(argv)
    if hasattr(faulthandler, "register"):
        faulthandler.register(signal.SIGUSR1)   # `kill -USR1 <pid>`: where is a slow run spending its time?
    plan = QUICK if args.quick else FULL
    wanted = {part.strip() for part in args.only.split(",") if part.strip()}
    if wanted & {"1", "2", "4", "5", "6"} and not address_available():
        print("benchmarks: cannot bind 127.77.0.1 (the scale farm's loopback range)", file=sys.stderr)
        return 2
    started = datetime.now(UTC)
    load_before = os.getloadavg()
    began = time.monotonic()
    work = scratch_dir("run")
    sections: list[Section] = []
    print(f"benchmarks: scratch {work}", flush=True)
    try:
        parse_ms = None
        if "3" in wanted:   # first: its median parse time explains benchmark 1's CPU
            print("[3] parse cost …", flush=True)
            sections.append(timed(parse_cost.run, plan["repeat"], profile=not args.no_profile))
            parse_ms = sections[-1].metrics.get("html-farm parse median ms")
            print(sections[-1].text(with_profile=False), flush=True)
        if wanted & {"1", "2"}:
            print(f"[1/2] scale farm {plan['portals']} × {plan['reports']} …", flush=True)
            with ScaleFarm.start(work / "farm", portals=plan["portals"], reports=plan["reports"]) as farm:
                if "1" in wanted:
                    sections.append(timed(engine.run, farm, work / "engine", profile=not args.no_profile,
                                          what_if=args.what_if, parse_ms=parse_ms, runs=plan["runs"]))
                    print(sections[-1].text(with_profile=False), flush=True)
                if "2" in wanted:
                    engine_metrics = sections[-1].metrics if "1" in wanted else None  # benchmark 1, just run
                    sections.append(timed(politeness.run, farm, work / "politeness", engine=engine_metrics,
                                          runs=plan["runs"]))
                    print(sections[-1].text(with_profile=False), flush=True)
        if "7" in wanted:
            print("[7] OCR of a scanned report …", flush=True)
            from benchmarks import bench_ocr

            sections.append(timed(bench_ocr.section, args.quick))
            print(sections[-1].text(with_profile=False), flush=True)
        if wanted & {"4", "5"}:
            print(f"[4/5] scaling {plan['sizes']} portals × {plan['scale_reports']} …", flush=True)
            memory, growth = timed(scaling.run, work / "scaling", sizes=plan["sizes"], reports=plan["scale_reports"],
                                   runs=plan["runs"])
            sections += [section for number, section in (("4", memory), ("5", growth)) if number in wanted]
            for section in (memory, growth):
                print(section.text(with_profile=False), flush=True)
        if "6" in wanted:
            portals, reports = plan["network"]
            print(f"[6] realistic network {portals} × {reports} …", flush=True)
            sections.append(timed(network.run, work / "network", portals=portals, reports=reports, runs=plan["runs"]))
            print(sections[-1].text(with_profile=False), flush=True)
    finally:
        total = time.monotonic() - began
        if sections:
            sections.sort(key=lambda section: section.title)   # 1–5, whatever order they ran in
            load_after = os.getloadavg()
            mode = ("quick (harness check, not comparable)" if args.quick else "full") + (
                f"; load average {load_before[0]:.1f} before, {load_after[0]:.1f} after")
            text = "\n".join([header(started, total, mode), *targets(sections), *headline(sections), "",
                              *[section.text() for section in sections], *closing_note(sections)])
            print("\n".join([*targets(sections), *headline(sections)]))
            if not args.no_append:
                append(text)
                print(f"appended to {RESULTS}")
        print(f"benchmarks: {total / 60:.1f} min", flush=True)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
