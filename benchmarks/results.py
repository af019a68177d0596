"""Benchmark results: one `Section` per benchmark, printed as a table and appended to RESULTS.md.

Each run appends one dated block (machine, date, commit) so the file keeps the history of runs.
"""

from __future__ import annotations

import math
import os
import platform
import re
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
PROFILE_LINES = 55


def trim_profile(text: str, lines: int = PROFILE_LINES) -> str:
    """pyinstrument's text output without its logo and command line: duration, then the call tree."""
    kept: list[str] = []
    for line in text.strip().splitlines():
        found = re.search(r"(Duration: [\d.]+\s+CPU time: [\d.]+)", line)
        if found:
            kept.append(found.group(1))
        elif line.startswith(("Program:", "  _ ", " /_", "/   _/")) or "Recorded:" in line:
            continue
        else:
            kept.append(line)
    return "\n".join(kept[:lines])


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (p95 of 20 values is the 19th smallest)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, math.ceil(share / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Section:
    """One benchmark's outcome: a table, the ratios that matter, verdicts against the targets."""

    title: str
    description: str
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)
    verdicts: list[str] = field(default_factory=list)
    met: bool | None = None
    notes: list[str] = field(default_factory=list)
    profile: str = ""
    seconds: float = 0.0

    def table(self) -> str:
        if not self.header:
            return ""
        lines = ["| " + " | ".join(self.header) + " |", "|" + "---|" * len(self.header)]
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        return "\n".join(lines)

    def text(self, *, with_profile: bool = True) -> str:
        verdict = {True: "target met", False: "target MISSED", None: "no target"}[self.met]
        parts = [f"### {self.title} — {verdict} ({self.seconds:.0f} s)", "", self.description, "", self.table(), ""]
        parts += [f"- {line}" for line in self.verdicts]
        parts += [f"- {line}" for line in self.notes]
        if with_profile and self.profile:
            top = trim_profile(self.profile)
            parts += ["", "<details><summary>profile (pyinstrument, top)</summary>", "", "```", top, "```",
                      "", "</details>"]
        return "\n".join(parts).rstrip() + "\n"


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10,
                              check=False).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.0f} GB RAM"
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{cpu}, {cores} cores{memory}, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def commit() -> str:
    head = _git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = _git("status", "--porcelain", "--untracked-files=no")
    return f"{head}{' (+ uncommitted changes)' if dirty else ''}"


def header(started: datetime, total_seconds: float, mode: str) -> str:
    return (f"## Run {started.astimezone(UTC):%Y-%m-%d %H:%M} UTC — commit {commit()}\n\n"
            f"- machine: {machine()}\n- mode: {mode}; whole run {total_seconds / 60:.1f} min\n")


def append(text: str, path: Path = RESULTS) -> None:
    if not path.exists():
        path.write_text("# Benchmark results\n\nAppended by `make bench` (`python -m benchmarks.run`), newest last. "
                        "See benchmarks/README.md for what each benchmark measures.\n\n", encoding="utf-8")
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\n" + text.rstrip() + "\n")
