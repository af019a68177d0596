"""What the archive of record costs: bytes per report and milliseconds per report.

`python -m benchmarks.archive_cost [--runs 3]`: on one sample-portal farm, in one process run,
crawls with the archive on and off (fresh state each time, same settings as the other benchmarks:
no delay, no autothrottle), then a second crawl over the unchanged farm with the archive on.
Reports, as the median of the runs:
- archive bytes per report (the archive directory's size after the first crawl ÷ reports; farm
  pages are small HTML, a real PDF attachment is 240–410 KB and costs about that, once);
- ms per report spent archiving inside the crawl (`govreports/archive/seconds`: WARC writes,
  group commits with their fsyncs, item rows) and the wall time of the crawl with and without;
- the second crawl: reports parsed (0 expected), reused, records written.
`--engine PORTALS`: also benchmark 1 (benchmarks/engine.py: full crawl ÷ empty spider on a scale
farm of PORTALS × 20 reports) with the archive off and on, one after the other on the same farm.
Timing only; nothing here is asserted (speed lives in benchmarks, not tests).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from govreports_farm import Farm
from tests.state.harness import crawl


def _size(directory: Path) -> int:
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())


def one_round(root: Path, farm: Farm) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for label, extra in (("archive_off", ["-s", "GOVREPORTS_ARCHIVE_ENABLED=False"]), ("archive_on", [])):
        db = root / label / "state" / "govreports.sqlite3"
        began = time.perf_counter()
        result = crawl(farm, db, root / label / "feed.jsonl", *extra)
        out[label] = {"wall_s": time.perf_counter() - began, "items": len(result.items),
                      "archive_s": _seconds(result.log)}
        if label == "archive_on":
            out["archive_bytes"] = _size(db.parent / "archive")
            out["reports"] = len(result.items)
            began = time.perf_counter()
            again = crawl(farm, db, root / label / "again.jsonl")
            out["second"] = {"wall_s": time.perf_counter() - began, "parsed": again.stat("govreports/parsed"),
                             "reused": again.stat("govreports/archive/reused"),
                             "records": again.stat("govreports/archive/records")}
    return out


def _seconds(log: str) -> float:
    for line in log.splitlines():
        line = line.strip()
        if line.startswith("'govreports/archive/seconds': "):
            return float(line.split(": ", 1)[1].rstrip(",}"))
    return 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--engine", type=int, default=0, metavar="PORTALS",
                        help="also the engine ratio with the archive off and on (scale farm of PORTALS × 20)")
    args = parser.parse_args(argv)
    if args.engine:
        engine_ratios(args.engine)
    rounds = []
    with tempfile.TemporaryDirectory(prefix="govreports-archive-bench-") as scratch, \
            Farm.start(Path(scratch) / "farm") as farm:
        for index in range(args.runs):
            rounds.append(one_round(Path(scratch) / f"round-{index}", farm))
    reports = rounds[0]["reports"] or 1
    bytes_per_report = statistics.median(r["archive_bytes"] / max(1, r["reports"]) for r in rounds)
    ms_archiving = statistics.median(1000 * r["archive_on"]["archive_s"] / max(1, r["reports"]) for r in rounds)
    wall_on = statistics.median(r["archive_on"]["wall_s"] for r in rounds)
    wall_off = statistics.median(r["archive_off"]["wall_s"] for r in rounds)
    print(f"reports per crawl: {reports}")
    print(f"archive bytes per report: {bytes_per_report:,.0f} B (farm HTML pages; a real PDF adds its own size once)")
    print(f"time spent archiving: {ms_archiving:.2f} ms per report (WARC records, group commits, item rows)")
    print(f"crawl wall time: {wall_on:.2f} s with the archive, {wall_off:.2f} s without "
          f"({1000 * (wall_on - wall_off) / reports:+.1f} ms per report; median of {len(rounds)})")
    second = rounds[-1]["second"]
    print(f"second crawl over the unchanged farm: {second['parsed']} parsed, {second['reused']} reused, "
          f"{second['records']} WARC records written, {second['wall_s']:.2f} s")
    return 0


def engine_ratios(portals: int) -> None:
    """Benchmark 1's ratio with the archive off, then on (same farm, same process run)."""
    import os

    from benchmarks import engine
    from govreports_farm.scale import ScaleFarm

    with tempfile.TemporaryDirectory(prefix="govreports-archive-engine-") as scratch:
        work = Path(scratch)
        with ScaleFarm.start(work / "farm", portals=portals, reports=20) as farm:
            for label, enabled in (("archive off", "False"), ("archive on", "True")):
                previous = os.environ.get("GOVREPORTS_ARCHIVE_ENABLED")
                os.environ["GOVREPORTS_ARCHIVE_ENABLED"] = enabled
                try:
                    section = engine.run(farm, work / label.replace(" ", "-"), profile=False)
                finally:
                    if previous is None:
                        os.environ.pop("GOVREPORTS_ARCHIVE_ENABLED", None)
                    else:
                        os.environ["GOVREPORTS_ARCHIVE_ENABLED"] = previous
                metrics = section.metrics
                print(f"engine ratio, {label}: {metrics['full_pages_per_s']:.1f} / {metrics['empty_pages_per_s']:.1f} "
                      f"pages/s = {metrics['ratio']:.2f}")


if __name__ == "__main__":
    sys.exit(main())
