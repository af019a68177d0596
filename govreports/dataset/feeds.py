"""Reading JSON Lines feeds and keeping the latest revision of each report.

Every line that cannot be used is reported with `file:line` and a reason; blank lines are the
only thing passed over quietly. A feed may also be a JSON array (`-O out.json`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class FeedRecord:
    """One report item and where it was read."""

    item: dict[str, Any]
    file: str
    line: int

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, slots=True)
class FeedProblem:
    """A line (or a whole file) that could not be used, or a value that had to be blanked."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class FeedRead:
    records: tuple[FeedRecord, ...]
    problems: tuple[FeedProblem, ...]
    lines_read: int


def _check_record(item: Any, file: str, line: int) -> FeedProblem | None:
    if not isinstance(item, dict):
        return FeedProblem(file, line, f"not a report object (a JSON {type(item).__name__})")
    if not item.get("id") and not item.get("url"):
        return FeedProblem(file, line, "report has neither id nor url")
    revision = item.get("revision", 1)
    if not isinstance(revision, int) or isinstance(revision, bool):
        return FeedProblem(file, line, f"revision is not an integer: {revision!r}")
    return None


# (line or array position, the decoded value, why it cannot be used)
_Entry = tuple[int, Any, str | None]


def _array_entries(text: str) -> Iterable[_Entry]:
    try:
        values = json.loads(text)
    except json.JSONDecodeError as exc:
        yield exc.lineno, None, f"invalid JSON array: {exc.msg}"
        return
    if not isinstance(values, list):
        yield 1, None, "a JSON feed must be an array of report objects"
        return
    for index, value in enumerate(values, start=1):
        yield index, value, None


def _json_lines_entries(text: str) -> Iterable[_Entry]:
    """One entry per non-blank line (blank lines are the only thing passed over)."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            snippet = line.strip()[:60]
            yield number, None, f"malformed JSON ({exc.msg} at column {exc.colno}): {snippet!r}"
            continue
        yield number, value, None


def read_feed(path: Path | str) -> FeedRead:
    """All usable records of one feed plus one problem per unusable line."""
    file = str(path)
    records: list[FeedRecord] = []
    problems: list[FeedProblem] = []
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        return FeedRead((), (FeedProblem(file, None, f"cannot read feed: {exc.strerror or exc}"),), 0)
    text = raw.decode("utf-8-sig", errors="replace")
    if "\ufffd" in text and b"\xef\xbf\xbd" not in raw:
        problems.append(FeedProblem(file, None, "feed is not valid UTF-8; undecodable bytes replaced"))
    entries = _array_entries(text) if text.lstrip().startswith("[") else _json_lines_entries(text)
    lines_read = 0
    for number, value, error in entries:
        lines_read += 1
        problem = FeedProblem(file, number, error) if error else _check_record(value, file, number)
        if problem:
            problems.append(problem)
        else:
            records.append(FeedRecord(value, file, number))
    return FeedRead(tuple(records), tuple(problems), lines_read)


def read_feeds(paths: Sequence[Path | str]) -> FeedRead:
    """Every feed in the order given (later feeds win ties between equal revisions)."""
    records: list[FeedRecord] = []
    problems: list[FeedProblem] = []
    lines = 0
    for path in paths:
        read = read_feed(path)
        records.extend(read.records)
        problems.extend(read.problems)
        lines += read.lines_read
    return FeedRead(tuple(records), tuple(problems), lines)


def record_key(item: dict[str, Any]) -> str:
    """What a feed record is grouped by: its id, else its url (an item without an id still gets its
    own row). Not the dedup identity the id is made from: that is `govreports.keys.report_key`."""
    return str(item.get("id") or f"url:{item.get('url')}")


def latest_revisions(records: Iterable[FeedRecord]) -> tuple[list[FeedRecord], int]:
    """One record per report: highest revision, then latest fetched_at, then the later line.

    Returns the kept records (in first-seen order) and how many older copies were superseded.
    """
    best: dict[str, tuple[tuple[int, str, int], FeedRecord]] = {}
    seen = 0
    for position, record in enumerate(records):
        seen += 1
        source = value if isinstance(value := record.item.get("source"), dict) else {}
        rank = (int(record.item.get("revision") or 1), str(source.get("fetched_at") or ""), position)
        key = record_key(record.item)
        current = best.get(key)
        if current is None or rank > current[0]:
            best[key] = (rank, record)
    kept = [record for _, record in best.values()]
    return kept, seen - len(kept)
