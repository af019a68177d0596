"""Start-up reconciliation of a killed run's pending claims against the feeds it wrote.

See `govreports.state` for the protocol. A claim pending from a dead run is committed when a
complete line of that run's feed has the claim's `id` and `revision` (the kill hit between fsync and
commit), and released otherwise (the kill hit before the line was safely written), so the report
is emitted again by the next run: never lost, never twice.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from govreports.state.base import RunInfo, StateStore

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class Recovery:
    """What start-up reconciliation did (turned into `govreports/state/*` stats)."""

    recovered: int = 0
    released: int = 0
    torn_feed_tail: int = 0
    unreadable_lines: int = 0
    dead_runs: int = 0
    live_runs_skipped: int = 0

    def as_stats(self) -> dict[str, int]:
        return {
            "recovered": self.recovered,
            "released": self.released,
            "torn_feed_tail": self.torn_feed_tail,
            "unreadable_feed_lines": self.unreadable_lines,
            "dead_runs": self.dead_runs,
        }


def process_alive(pid: int, host: str) -> bool:
    """True when `pid` on this host still runs a Python/Scrapy process (pid reuse guarded)."""
    if host != socket.gethostname() or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        if stat.rsplit(")", 1)[-1].split()[0] == "Z":  # killed, not yet reaped
            return False
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode("utf-8", "replace")
    except OSError:
        return True
    return "python" in cmdline or "scrapy" in cmdline


def cut_torn_tail(path: Path) -> bool:
    """Cut a last line that has no newline (a write interrupted by the kill); True if one was cut."""
    try:
        with path.open("rb+") as feed:
            size = feed.seek(0, os.SEEK_END)
            if size == 0:
                return False
            feed.seek(size - 1)
            if feed.read(1) == b"\n":
                return False
            # find the last newline before the torn tail
            block = 1 << 16
            end = size
            while end > 0:
                start = max(0, end - block)
                feed.seek(start)
                chunk = feed.read(end - start)
                cut = chunk.rfind(b"\n")
                if cut != -1:
                    feed.truncate(start + cut + 1)
                    break
                end = start
            else:
                feed.truncate(0)
            feed.flush()
            os.fsync(feed.fileno())
            return True
    except FileNotFoundError:
        return False


def delivered_in_feeds(paths: list[str], result: Recovery) -> set[tuple[str, int]]:
    """(id, revision) of every complete, parseable line of the given jsonlines feeds."""
    found: set[tuple[str, int]] = set()
    for name in paths:
        path = Path(name)
        if not path.exists():
            logger.warning("feed %s of an interrupted run is gone: its pending reports are re-emitted", path)
            continue
        if cut_torn_tail(path):
            result.torn_feed_tail += 1
            logger.warning("cut a torn last line from %s (the run was killed while writing it)", path)
        with path.open("rb") as feed:
            for line in feed:
                try:
                    record = json.loads(line)
                    found.add((str(record["id"]), int(record.get("revision") or 1)))
                except (ValueError, KeyError, TypeError):
                    result.unreadable_lines += 1
    return found


def recover_dead_runs(store: StateStore) -> Recovery:
    """Reconcile every pending claim of a dead run (see module docstring)."""
    result = Recovery()
    runs: dict[str, RunInfo] = {run.run_id: run for run in store.runs()}
    by_run = defaultdict(list)
    for claim in store.pending_claims():
        by_run[claim.run_id].append(claim)
    unfinished = {run.run_id for run in runs.values() if run.finished_at is None}
    for run_id in sorted(set(by_run) | unfinished):
        run = runs.get(run_id)
        if run is not None and process_alive(run.pid, run.host):
            result.live_runs_skipped += 1
            logger.warning(
                "run %s (pid %s) still looks alive: its %d pending claim(s) are left alone",
                run_id, run.pid, len(by_run.get(run_id, ())),
            )
            continue
        claims = by_run.get(run_id, [])
        delivered = delivered_in_feeds(list(run.feeds) if run else [], result) if claims else set()
        committed = [c for c in claims if (c.id, c.revision) in delivered]
        for claim in committed:
            store.commit(claim.id, run_id)
        result.recovered += len(committed)
        result.released += store.release(run_id, [c.id for c in claims if (c.id, c.revision) not in delivered])
        if run is not None and run.finished_at is None:
            store.end_run(run_id, "killed")
            result.dead_runs += 1
    if result.recovered or result.released:
        logger.warning(
            "recovered an interrupted run: %d report(s) found in its feed and committed, "
            "%d not delivered and to be emitted again",
            result.recovered, result.released,
        )
    return result
