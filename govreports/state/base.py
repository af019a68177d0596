"""What the state store remembers, and the interface every backend implements.

The store answers three questions across runs: have we delivered this report before (and with
which content)?, which URLs are already known (early stop)?, and how did each site fare last
time? It also carries the claim/commit protocol that makes a killed run safe (see
`govreports.state` for the whole design). SQLite is the default backend (`sqlite.py`); a Redis
backend only has to implement `StateStore`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol, runtime_checkable


def utc_now() -> str:
    """Timestamps are ISO 8601 UTC strings, so they sort and travel through JSON as they are."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class Seen:
    """A report delivered by an earlier run: its latest content and where it stands."""

    key: str
    id: str
    content_hash: str
    revision: int
    url: str
    site_id: str | None
    first_seen: str
    last_seen: str
    previous_hashes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Claim:
    """A report handed to the feed by the running run and not yet known to be safely in it."""

    key: str
    id: str
    content_hash: str
    revision: int
    url: str
    site_id: str | None
    run_id: str


@dataclass(frozen=True, slots=True)
class RunInfo:
    """One crawl process: recovery only touches the claims of runs that are no longer alive."""

    run_id: str
    pid: int
    host: str
    started_at: str
    finished_at: str | None = None
    outcome: str | None = None
    feeds: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SiteStatus:
    """How one site's last crawl went (the spider's `site_status` entry, normalised)."""

    site_id: str
    last_run: str
    run_id: str | None = None
    column_url: str | None = None
    list_pages: int = 0
    reports_seen: int = 0
    pages_failed: int = 0
    blocked: bool = False
    blocked_reason: str | None = None
    stop_reasons: tuple[str, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_spider(cls, site_id: str, status: dict[str, Any], *, run_id: str | None = None) -> SiteStatus:
        """Map the spider's free-form dict (several spellings tolerated) onto the stored columns."""

        def first(*names: str) -> Any:
            for name in names:
                if status.get(name) is not None:
                    return status[name]
            return None

        def as_int(value: Any) -> int:
            if isinstance(value, (list, tuple, set, dict)):
                return len(value)
            try:
                return int(value or 0)
            except (TypeError, ValueError):
                return 0

        stops = first("stop_reasons", "stop_reason") or ()
        if isinstance(stops, str):
            stops = (stops,)
        elif isinstance(stops, dict):
            stops = tuple(f"{name}" for name in stops)
        blocked = first("blocked")
        reason = first("blocked_reason", "block_reason")
        if isinstance(blocked, str):  # the spider may store the reason in the flag itself
            reason, blocked = reason or blocked, True
        column = first("column_url", "column", "column_found")
        return cls(
            site_id=str(site_id),
            last_run=utc_now(),
            run_id=run_id,
            column_url=column if isinstance(column, str) else None,
            list_pages=as_int(first("list_pages", "list_pages_walked")),
            reports_seen=as_int(first("reports_yielded", "reports_seen", "reports")),
            pages_failed=as_int(first("pages_failed", "failures")),
            blocked=bool(blocked),
            blocked_reason=str(reason) if reason else None,
            stop_reasons=tuple(str(s) for s in stops),
            raw=_jsonable(status),
        )


def _jsonable(value: Any) -> Any:
    """A JSON-safe copy of the spider's status dict (sets → sorted lists, the rest as str)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(_jsonable(v) for v in value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


@runtime_checkable
class StateStore(Protocol):
    """The persistent memory of the harvester. One writer (the crawl) and any number of readers."""

    # --- delivered reports ----------------------------------------------------------------
    def lookup(self, key: str) -> Seen | None:
        """The committed state of `key`, or None when no run delivered it yet (claims don't count)."""

    def touch(self, key: str, run_id: str) -> None:
        """Record that `key` was seen again unchanged (last_seen)."""

    def history(self, key: str) -> list[tuple[int, str, str]]:
        """Every delivered revision of `key`: (revision, content_hash, delivered_at), oldest first."""

    # --- the claim/commit protocol ----------------------------------------------------------
    def claim(self, claim: Claim) -> bool | None:
        """Note that `claim` is about to be written to the feed (replaces an older claim of its id).

        A store shared by concurrent crawls (Redis) returns False to refuse: another live run holds
        the report, or it was delivered meanwhile; `RunState.claim` then drops the item."""

    def commit(self, report_id: str, run_id: str) -> bool:
        """The feed holds the claimed report: make it the committed state. False if nothing was claimed."""

    def pending_claims(self, run_id: str | None = None) -> list[Claim]:
        """Claims not committed yet, of one run or of all runs."""

    def release(self, run_id: str, report_ids: Iterable[str] | None = None) -> int:
        """Forget uncommitted claims of `run_id` (all, or the given ids); returns how many."""

    # --- runs and their feeds ---------------------------------------------------------------
    def begin_run(self, run: RunInfo) -> None: ...

    def end_run(self, run_id: str, outcome: str) -> None: ...

    def record_feed(self, run_id: str, path: str) -> None:
        """`run_id` writes its items to the local file `path` (recovery reads it back)."""

    def runs(self, *, unfinished_only: bool = False) -> list[RunInfo]: ...

    # --- URLs -------------------------------------------------------------------------------
    def remember_urls(self, key: str, urls: Iterable[str], site_id: str | None = None) -> None:
        """Note URLs (any spelling; stored canonical) that lead to report `key`."""

    def url_key(self, url: str) -> str | None:
        """The report key a URL (any spelling) is known to lead to, if any."""

    def known_urls(self, urls: Iterable[str], *, sites: Collection[str] | None = None) -> set[str]:
        """The subset of `urls` (returned as given) whose canonical form leads to a known report
        (of one of `sites`, when given)."""

    # --- sites ------------------------------------------------------------------------------
    def record_site_status(self, status: SiteStatus) -> None: ...

    def site_status(self, site_id: str) -> SiteStatus | None: ...

    def close(self) -> None: ...
