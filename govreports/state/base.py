"""What the state store remembers, and the interface every backend implements.

The store answers three questions across runs: have we delivered this report before (and with
which content)?, which URLs are already known (early stop)?, and how did each site fare last
time? It also carries the claim/commit protocol that makes a killed run safe (see
`govreports.state` for the whole design). SQLite is the default backend (`sqlite.py`); a Redis
backend only has to implement `StateStore`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
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


@dataclass(slots=True)
class FailureRecord:
    """One page of a site not fetched or not usable: its URL, a kind (`http_404`, `timeout`,
    `robots`, `scope_private`, `soft_404` …) and a human reason."""

    url: str
    kind: str
    reason: str


@dataclass(slots=True)
class NotReportRecord:
    """A candidate page the classifier judged not to be an annual report (a notice, 解读, 一图读懂,
    news…): not emitted, but its bytes are in the archive, so a wrong call can be recovered."""

    url: str
    title: str
    kind: str


@dataclass(slots=True)
class WalkRecord:
    """One column walk: its column, the CMS adapter, list pages, records and why it stopped."""

    column: str
    adapter: str
    pages: int
    records: int
    declared_total: int | None
    stop_reasons: list[str]


@dataclass(slots=True)
class PlatformRecord:
    """A disclosure platform on another host that the site's own page names as its 政务公开/信息公开
    entry: its path prefix joined the site's scope. `refused` says why an entry was not taken."""

    url: str
    linked_from: str
    host: str = ""
    prefix: str = ""
    refused: str | None = None


@dataclass(slots=True)
class RenderAccount:
    """A site's pages retried in the browser (govreports/render.py keeps the account)."""

    escalated: int = 0
    succeeded: int = 0
    failed: int = 0
    needed_but_off: str | None = None  # the first page that needed a browser while rendering was off, and why
    notes: list[str] = field(default_factory=list)  # why escalated pages failed (the first few)


@dataclass(slots=True)
class SiteStatus:
    """How one site's crawl went: kept live by the run's bookkeeping (`govreports.run.RunBook`),
    persisted per site at the end of the run, read back by the next run (early stop, alerts).

    `discovery` is "pending" while running, then "registry", "found: <evidence>" or
    "no_column: <why>". `pages_failed` counts requests that failed (HTTP error, timeout, DNS,
    refused, challenge, truncated, too large, redirect loop, soft 404, redirected home);
    `pages_skipped` those not made by choice (robots.txt, out of scope). `failures` keeps the first
    GOVREPORTS_FAILURE_SAMPLES of both, `failures_omitted` counts the rest.
    """

    site_id: str
    last_run: str = field(default_factory=lambda: utc_now())
    run_id: str | None = None
    name: str = ""
    province: str = ""
    level: str = ""
    adcode: str | None = None
    home_url: str = ""
    column_url: str | None = None  # the first 年报 column walked
    columns: list[str] = field(default_factory=list)  # every column and sub-column walked
    column_source: str | None = None  # registry | start_url | discovered | ad-hoc
    discovery: str = "pending"
    hub_pages: int = 0
    list_pages: int = 0
    candidates: int = 0
    reports_seen: int = 0  # ReportPages handed to the pipelines
    pages_failed: int = 0
    pages_skipped: int = 0
    failures: list[FailureRecord] = field(default_factory=list)
    failures_omitted: int = 0
    scope_refused: dict[str, int] = field(default_factory=dict)  # reason -> count
    stop_reasons: dict[str, int] = field(default_factory=dict)  # reason -> count, over every column walk
    walks: list[WalkRecord] = field(default_factory=list)
    blocked: bool = False
    blocked_reason: str | None = None
    render: RenderAccount = field(default_factory=RenderAccount)
    platforms: list[PlatformRecord] = field(default_factory=list)  # accepted into the scope
    platforms_refused: list[PlatformRecord] = field(default_factory=list)
    merged_runs: list[str] = field(default_factory=list)  # cluster workers whose figures were added up
    not_reports: list[NotReportRecord] = field(default_factory=list)  # first GOVREPORTS_FAILURE_SAMPLES
    not_reports_seen: int = 0
    # carried from run to run (RunSummary's alerts): the last good run (not blocked, a column found)
    good_run: str | None = None
    good_column: str | None = None
    good_reports: int = 0
    blocked_runs: int = 0  # runs in a row that ended with the site blocked

    def to_json(self) -> dict[str, Any]:
        """A JSON object (the stores keep it whole; the run summary lists it per site)."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SiteStatus:
        """Read back `to_json()` output. Fields of unknown name or wrong type are ignored, so a
        status written by an older version (the spider's former dict) still reads."""
        values: dict[str, Any] = {}
        for name, value in data.items():
            if name in _FIELD_NAMES and value is not None:
                converted = _converted(name, value)
                if converted is not _INVALID:
                    values[name] = converted
        if "reports_seen" not in values and isinstance(data.get("reports_yielded"), int):
            values["reports_seen"] = data["reports_yielded"]  # the spider's former name
        values["site_id"] = str(data.get("site_id") or "")
        return cls(**values)

    def follow(self, previous: SiteStatus | None) -> None:
        """Carry over from the site's previous status what outlives a run: its last good run and
        how many runs in a row it was blocked."""
        if not self.blocked and self.column_url is not None:
            self.good_run, self.good_column, self.good_reports = self.last_run, self.column_url, self.reports_seen
        elif previous is not None:
            self.good_run, self.good_column, self.good_reports = (previous.good_run, previous.good_column,
                                                                  previous.good_reports)
        before = max(previous.blocked_runs, 1) if previous is not None and previous.blocked else 0
        self.blocked_runs = before + 1 if self.blocked else 0

    def merged_with(self, later: SiteStatus) -> SiteStatus:
        """Two workers of one cluster crawl each saw part of this site: add up what they saw."""
        merged = SiteStatus.from_json(later.to_json())
        merged.last_run = max(self.last_run, later.last_run)
        merged.column_url = self.column_url or later.column_url
        merged.columns = list(dict.fromkeys((*self.columns, *later.columns)))
        for name in _COUNTS:
            setattr(merged, name, getattr(self, name) + getattr(later, name))
        merged.failures = [*self.failures, *later.failures]
        merged.walks = [*self.walks, *later.walks]
        merged.not_reports = [*self.not_reports, *later.not_reports]
        merged.platforms = [*self.platforms, *(p for p in later.platforms if p not in self.platforms)]
        merged.platforms_refused = [*self.platforms_refused,
                                    *(p for p in later.platforms_refused if p not in self.platforms_refused)]
        merged.stop_reasons = _added(self.stop_reasons, later.stop_reasons)
        merged.scope_refused = _added(self.scope_refused, later.scope_refused)
        merged.blocked = self.blocked or later.blocked
        merged.blocked_reason = self.blocked_reason or later.blocked_reason
        merged.merged_runs = sorted({*(self.merged_runs or [self.run_id or ""]), later.run_id or ""} - {""})
        return merged


_COUNTS = ("hub_pages", "list_pages", "candidates", "reports_seen", "pages_failed", "pages_skipped", "failures_omitted",
           "not_reports_seen")
_CARRIED_COUNTS = ("good_reports", "blocked_runs")
_INVALID = object()


def _added(first: Mapping[str, int], second: Mapping[str, int]) -> dict[str, int]:
    total = dict(first)
    for key, count in second.items():
        total[key] = total.get(key, 0) + count
    return total


def _converted(name: str, value: Any) -> Any:
    """`value` read as field `name`'s type, or _INVALID."""
    if name == "failures":
        if not isinstance(value, list):
            return _INVALID
        return [FailureRecord(str(v.get("url", "")), str(v.get("kind", "")), str(v.get("reason", "")))
                for v in value if isinstance(v, Mapping)]
    if name == "not_reports":
        if not isinstance(value, list):
            return _INVALID
        return [NotReportRecord(str(v.get("url", "")), str(v.get("title", "")), str(v.get("kind", "")))
                for v in value if isinstance(v, Mapping)]
    if name == "walks":
        if not isinstance(value, list):
            return _INVALID
        return [WalkRecord(str(v.get("column", "")), str(v.get("adapter", "")), int(v.get("pages") or 0),
                           int(v.get("records") or 0), v.get("declared_total"),
                           [str(reason) for reason in v.get("stop_reasons") or []])
                for v in value if isinstance(v, Mapping)]
    if name in ("platforms", "platforms_refused"):
        if not isinstance(value, list):
            return _INVALID
        return [PlatformRecord(str(v.get("url") or v.get("entry") or ""), str(v.get("linked_from", "")),
                               str(v.get("host", "")), str(v.get("prefix", "")),
                               v.get("refused") or v.get("why")) for v in value if isinstance(v, Mapping)]
    if name == "render":
        if not isinstance(value, Mapping):
            return _INVALID
        return RenderAccount(int(value.get("escalated") or 0), int(value.get("succeeded") or 0),
                             int(value.get("failed") or 0), value.get("needed_but_off"),
                             [str(note) for note in value.get("notes") or []])
    if name in ("stop_reasons", "scope_refused"):
        if isinstance(value, Mapping):
            return {str(key): int(count) for key, count in value.items() if isinstance(count, int)}
        if isinstance(value, (list, tuple)):  # once stored as a list of names
            return dict.fromkeys(map(str, value), 1)
        return _INVALID
    if name in ("columns", "merged_runs"):
        return [str(item) for item in value] if isinstance(value, list) else _INVALID
    if name == "blocked":
        return bool(value)
    if name in _COUNTS or name in _CARRIED_COUNTS:
        return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else _INVALID
    return value if isinstance(value, str) else _INVALID


_FIELD_NAMES = frozenset(f.name for f in fields(SiteStatus))


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
