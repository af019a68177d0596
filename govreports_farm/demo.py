"""`python -m govreports_farm.demo --output output/demo.jsonl`: crawl the sample portals, summarise.

Starts the farm in a temporary run directory, runs `scrapy crawl annual_reports` against its
registry in a subprocess (repository root as cwd, this Python), then compares the feed with the
farm's manifest: per portal the reports found vs published, decoys wrongly harvested, second
postings emitted twice, expectation mismatches and failing checks. Exits non-zero when the crawl
fails or writes no feed (`--strict`: also when any report is missing or wrong).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from govreports_farm.expectations import mismatches
from govreports_farm.farm import Farm

REPO_ROOT = Path(__file__).resolve().parents[1]


def crawl_command(farm: Farm, output: Path, state_db: Path, extra: list[str]) -> list[str]:
    """The crawl, exactly as a user runs it, pointed at the farm (a fresh state database each time)."""
    return [sys.executable, "-m", "scrapy", "crawl", "annual_reports",
            "-s", f"GOVREPORTS_REGISTRY={farm.registry_path}",
            "-s", f"GOVREPORTS_SITES_FILE={farm.sites_path}",
            "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
            "-s", f"GOVREPORTS_DB={state_db}",
            "-O", str(output), *extra]


def read_feed(path: Path) -> list[dict[str, Any]]:
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            items.append(json.loads(line))
    return items


def _canonical(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path[: -len("index.html")] if parts.path.endswith("/index.html") else parts.path
    return f"{parts.hostname}:{parts.port}{path}"


def summarise(manifest: dict[str, Any], items: list[dict[str, Any]],
              details: int = 0) -> tuple[list[str], dict[str, int]]:
    """Readable lines and totals comparing crawled items with the manifest (+ the commonest problems)."""
    problems: Counter[str] = Counter()
    examples: dict[str, str] = {}
    by_url: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        by_url.setdefault(_canonical(item.get("url", "")), []).append(item)
    lines: list[str] = []
    totals = {"published": 0, "found": 0, "decoys_harvested": 0, "emitted_twice": 0, "mismatching": 0,
              "unexpected": 0, "failing_checks": 0}
    known: set[str] = set()
    header = f"{'portal':<16}{'cms':<14}{'found':>9}{'decoys':>8}{'twice':>7}{'wrong':>7}{'extra':>7}"
    lines.append(header)
    for adcode, entry in manifest["portals"].items():
        found = wrong = twice = 0
        for report in entry["reports"]:
            urls = [report["url"], *[d for d, o in entry["duplicate_of"].items() if o == report["url"]]]
            known.update(_canonical(u) for u in urls)
            copies = [item for u in urls for item in by_url.get(_canonical(u), [])]
            if copies:
                found += 1
                twice += len(copies) > 1
                found_problems = mismatches(copies[0], report["expected"])
                wrong += bool(found_problems)
                for problem in found_problems:
                    kind = re.sub(r"\d+", "N", problem.split(":")[0].split(" [")[0])
                    problems[kind] += 1
                    examples.setdefault(kind, f"{problem}  ({report['url']})")
        decoys = sum(1 for u in entry["decoys"] if _canonical(u) in by_url)
        known.update(_canonical(u) for u in entry["decoys"])
        host = urlsplit(entry["home_url"]).netloc
        extra = sum(len(v) for k, v in by_url.items() if k.startswith(host) and k not in known)
        lines.append(f"{adcode + ' ' + entry['name']:<16}{entry['cms']:<14}{found:>4}/{len(entry['reports']):<4}"
                     f"{decoys:>8}{twice:>7}{wrong:>7}{extra:>7}")
        totals["published"] += len(entry["reports"])
        totals["found"] += found
        totals["decoys_harvested"] += decoys
        totals["emitted_twice"] += twice
        totals["mismatching"] += wrong
        totals["unexpected"] += extra
    totals["failing_checks"] = sum(1 for item in items for check in item.get("checks") or [] if check.get("ok") is False)
    lines.append(f"total: {totals['found']}/{totals['published']} reports found, {len(items)} items, "
                 f"{totals['decoys_harvested']} decoys harvested, {totals['emitted_twice']} emitted twice, "
                 f"{totals['mismatching']} with expectation mismatches, {totals['unexpected']} unexpected, "
                 f"{totals['failing_checks']} failing checks")
    if details and problems:
        lines.append("commonest expectation mismatches:")
        for kind, count in problems.most_common(details):
            lines.append(f"  {count:>4}  {examples[kind][:220]}")
    return lines, totals


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m govreports_farm.demo", description=__doc__)
    parser.add_argument("--output", type=Path, default=Path("output/demo.jsonl"))
    parser.add_argument("--run-dir", type=Path, default=None, help="keep the farm files here (default: a temp dir)")
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument("--chaos", type=int, default=None, help="inject transient faults with this seed")
    parser.add_argument("--details", type=int, default=10, help="show this many of the commonest mismatches")
    parser.add_argument("--strict", action="store_true", help="fail unless every report is found and correct")
    parser.add_argument("scrapy_args", nargs="*", help="extra arguments for scrapy crawl (after --)")
    args = parser.parse_args(argv)

    output = args.output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="govreports-farm-") as temporary:
        run_dir = args.run_dir.resolve() if args.run_dir else Path(temporary)
        with Farm.start(run_dir, chaos=args.chaos) as farm:
            print(f"farm ready: {len(farm.portals)} portals, registry={farm.registry_path}", flush=True)
            log_file = output.with_suffix(".log")
            command = crawl_command(farm, output, Path(temporary) / "state.sqlite3",
                                    ["-s", f"LOG_FILE={log_file}", *args.scrapy_args])
            print(f"crawling (log: {log_file}) …", flush=True)
            began = time.monotonic()
            try:
                result = subprocess.run(command, cwd=REPO_ROOT, timeout=args.timeout, check=False)
            except subprocess.TimeoutExpired:
                print(f"crawl timed out after {args.timeout:.0f}s", file=sys.stderr)
                return 2
            elapsed = time.monotonic() - began
            manifest = farm.manifest
    if result.returncode != 0 or not output.exists():
        tail = log_file.read_text(encoding="utf-8", errors="replace").splitlines()[-30:] if log_file.exists() else []
        print("\n".join(tail), file=sys.stderr)
        print(f"crawl failed (exit {result.returncode}); no summary", file=sys.stderr)
        return result.returncode or 1
    items = read_feed(output)
    lines, totals = summarise(manifest, items, args.details)
    print(f"crawl finished in {elapsed:.1f}s, feed {output}")
    print("\n".join(lines))
    dataset = output.with_suffix(".csv")
    report = output.with_name(output.stem + "-quality.html")
    flattened = subprocess.run([sys.executable, "-m", "scrapy", "dataset", str(output), "-o", str(dataset),
                                "--report", str(report)], cwd=REPO_ROOT, check=False, capture_output=True, text=True)
    if flattened.returncode == 0:
        print(f"dataset: {dataset} (one row per report), quality report: {report}")
    else:
        print(f"dataset step failed (exit {flattened.returncode}): {flattened.stderr.strip()[-500:]}", file=sys.stderr)
        return flattened.returncode
    if args.strict and (totals["found"] < totals["published"] or totals["mismatching"] or totals["decoys_harvested"]
                        or totals["emitted_twice"]):
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
