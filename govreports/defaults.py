"""Every `GOVREPORTS_*` setting, defined once: its name, its default and a one-line doc.

Components read settings with Scrapy's own getters and never repeat a default inline
(`settings.getint("GOVREPORTS_MAX_LIST_PAGES")`). The defaults reach a crawl in two ways:
- `govreports/settings.py` (the Scrapy project module) loads them all at project priority;
- `apply_defaults(settings)` puts them at Scrapy's lowest ("default") priority into any other
  `Settings` object: commands run outside a project checkout, tests that build their own settings.

Settings marked `env=True` may also be given in the environment (`GOVREPORTS_DB=… scrapy crawl …`);
`project_values` is the only place that reads the environment (for `govreports/settings.py` and
`apply_defaults`). The README's settings table
is generated from this module (`python -m govreports.defaults`).

Not settings: `bin/harvest` reads GOVREPORTS_PYTHON, GOVREPORTS_LOCK and GOVREPORTS_LOCK_WAIT from
its own environment (it runs before Scrapy), and the tests read GOVREPORTS_FUZZ_EXAMPLES.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from scrapy.settings import BaseSettings


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    default: object
    doc: str
    env: bool = False


SETTINGS: tuple[Setting, ...] = (
    # --- identity and politeness
    Setting("GOVREPORTS_CONTACT_URL", "https://github.com/govreports/govreports",
            "contact URL named in the User-Agent", env=True),
    Setting("GOVREPORTS_RETRY_BACKOFF", 2.0,
            "first retry waits this many seconds, doubling per retry (or the server's Retry-After)"),
    Setting("GOVREPORTS_RETRY_BACKOFF_MAX", 60.0, "longest wait before a retry (s)"),
    Setting("GOVREPORTS_HOST_DOWN_SKIP", True,
            "a host that never answered and gave up on a network error after its retries gets no more requests"),
    Setting("GOVREPORTS_ALLOWED_PRIVATE_NETS", "",
            "private/loopback networks a crawl may reach besides addresses the registry names "
            "(\"127.0.0.0/8, 10.1.0.0/16\")", env=True),
    Setting("GOVREPORTS_SCOPE_RESOLVE", True, "also judge the addresses host names resolve to"),
    # --- registry and crawl bounds
    Setting("GOVREPORTS_REGISTRY", "",
            "your own portal registry CSV (columns as govreports/registry_data/portals.csv; empty: the "
            "bundled registry of 3,202 portals)", env=True),
    Setting("GOVREPORTS_SITES_FILE", "",
            "per-site overrides (TOML; empty: the bundled overrides with the bundled registry, none with yours)",
            env=True),
    Setting("GOVREPORTS_MAX_LIST_PAGES", 200, "list pages walked per column"),
    Setting("GOVREPORTS_MAX_HUB_PAGES", 30, "discovery hub pages fetched per site"),
    Setting("GOVREPORTS_DISCOVERY_DEPTH", 3, "link depth of discovery from the home page"),
    Setting("GOVREPORTS_SUBCOLUMN_DEPTH", 2, "depth of per-year / per-department sub-columns"),
    Setting("GOVREPORTS_EARLY_STOP", True,
            "stop walking a column at a list page whose reports are all known (-a full=1 disables)"),
    Setting("GOVREPORTS_FAILURE_SAMPLES", 50, "failed URLs kept per site in its status"),
    Setting("GOVREPORTS_PROGRESS_INTERVAL", 60.0,
            "seconds between `progress:` log lines (sites done, reports, failures, pages/min, ETA); 0: none"),
    # --- state
    Setting("GOVREPORTS_DB", "state/govreports.sqlite3", "the state database (SQLite path)", env=True),
    Setting("GOVREPORTS_STATE_STORE", "",
            "state store class (empty: SQLite, or Redis in cluster mode)"),
    Setting("GOVREPORTS_STATE_ENABLED", True, "dedup across runs through the state store (False: all new)"),
    Setting("GOVREPORTS_DB_BUSY_TIMEOUT_MS", 10_000, "SQLite busy timeout (ms)"),
    Setting("GOVREPORTS_DB_SYNCHRONOUS", "NORMAL",
            "NORMAL (commits survive a killed crawl) or FULL (each commit fsynced: survives power loss)"),
    Setting("GOVREPORTS_DEDUP_HASH_FIELDS", [], "item fields hashed for change detection (empty: the built-in list)"),
    # --- archive of record (govreports/archive)
    Setting("GOVREPORTS_ARCHIVE_ENABLED", True,
            "keep every delivered revision and the bytes it was built from (WARC) in the archive", env=True),
    Setting("GOVREPORTS_ARCHIVE_DIR", "",
            "the archive directory (empty: archive/ next to GOVREPORTS_DB, i.e. state/archive/)", env=True),
    Setting("GOVREPORTS_ARCHIVE_ROTATE_MB", 512, "a WARC file is closed and a new one started at this size (MB)"),
    Setting("GOVREPORTS_ARCHIVE_LIST_PAGES", False, "also archive list pages (off: report pages and attachments)"),
    Setting("GOVREPORTS_ARCHIVE_REUSE", True,
            "reuse the archived item when a report's bytes and the parser version are unchanged (no parse)"),
    Setting("GOVREPORTS_ARCHIVE_CONDITIONAL", True,
            "send If-None-Match / If-Modified-Since for archived reports; a 304 is answered from the archive"),
    Setting("GOVREPORTS_DELIVERY_GROUP_ITEMS", 64,
            "group commit: archive, feed lines and claims are fsynced together every this many items "
            "(cluster workers: 1, as their leases are acknowledged when the engine is done with a request)"),
    Setting("GOVREPORTS_DELIVERY_GROUP_MS", 250, "group commit: … or when the oldest waiting item is this old (ms)"),
    Setting("GOVREPORTS_RUN_SUMMARY", False, "write <feed>.summary.json next to each JSON Lines feed"),
    Setting("GOVREPORTS_SUMMARY_FILE", "", "write the run summary JSON to this path"),
    # --- parsing
    Setting("GOVREPORTS_GC_THRESHOLD", 10_000,
            "crawl process: the garbage collector's young generation is collected every this many allocations "
            "(Python: 700), and start-up's objects are frozen out of its passes; 0: the interpreter's settings"),
    Setting("GOVREPORTS_PARSE_PROCESSES", "",
            "parse worker processes (empty: usable cores - 1, at least 1; 0: parse in the crawl process)", env=True),
    Setting("GOVREPORTS_SOFFICE", "", "LibreOffice binary for DOC/WPS (empty: soffice on PATH)", env=True),
    # --- OCR of scanned reports (issue 16; the [ocr] install extra)
    Setting("GOVREPORTS_OCR", "auto",
            "auto: OCR scanned PDF pages and images | never | always: also PDF pages with a text layer", env=True),
    Setting("GOVREPORTS_OCR_ENGINE", "rapidocr", "rapidocr (chosen by measurement) or tesseract"),
    Setting("GOVREPORTS_OCR_PROCESSES", 1, "OCR processes, apart from the parse workers (each holds ~0.7 GB)",
            env=True),
    Setting("GOVREPORTS_OCR_THREADS", 1, "threads per OCR process"),
    Setting("GOVREPORTS_OCR_DPI", 150, "resolution PDF pages are rendered at for OCR"),
    Setting("GOVREPORTS_OCR_MAX_PAGES", 40, "pages (or page images) read by OCR per document"),
    Setting("GOVREPORTS_OCR_MAX_PIXELS", 40_000_000, "larger images are refused (decompression bombs)"),
    Setting("GOVREPORTS_OCR_PAGE_TIMEOUT", 120.0, "seconds one page may take; then its OCR process is killed"),
    Setting("GOVREPORTS_OCR_DOCUMENT_TIMEOUT", 1200.0, "seconds of OCR per document; later pages are skipped"),
    Setting("GOVREPORTS_OCR_CACHE_DIR", "state/ocr-cache",
            "OCR results by image hash + engine version (empty: no cache)", env=True),
    Setting("GOVREPORTS_OCR_MIN_CONFIDENCE", 0.8, "a table digit read below this confidence is left empty"),
    Setting("GOVREPORTS_OCR_PAGE_IMAGES", 30,
            "images fetched from a report page whose own text is too short to be the report (0: none)"),
    # --- rendering
    Setting("GOVREPORTS_RENDER", "auto", "auto | never | always: render pages in headless Chromium", env=True),
    Setting("GOVREPORTS_CHROMIUM", "/usr/bin/chromium", "the Chromium binary used for rendering", env=True),
    Setting("GOVREPORTS_RENDER_MAX_PAGES", 2, "pages open at once in the browser"),
    Setting("GOVREPORTS_RENDER_TIMEOUT", 30.0, "browser navigation timeout (s)"),
    Setting("GOVREPORTS_BROWSER_HOST_RULES", "",
            "Chromium --host-resolver-rules (e.g. 'MAP www.x.gov.cn 127.0.0.28'); empty: none"),
    Setting("GOVREPORTS_RENDER_SETTLE", 10.0, "how long a rendered page may take to settle (s)"),
    # --- cluster
    Setting("GOVREPORTS_REDIS_URL", "", "cluster mode: redis://host:6379/0 (empty: single machine)", env=True),
    Setting("GOVREPORTS_REDIS_PREFIX", "govreports", "key prefix in Redis"),
    Setting("GOVREPORTS_CLUSTER_SEED", False, "this process seeds the shared queue (scrapy seed sets it)"),
    Setting("GOVREPORTS_CLUSTER_WORK", True, "this process takes requests from the shared queue"),
    Setting("GOVREPORTS_CLUSTER_HEARTBEAT_TTL", 30.0, "seconds before a silent worker's requests go to others"),
    Setting("GOVREPORTS_CLUSTER_IDLE_CLOSE", 10.0, "seconds a drained cluster waits before its workers exit"),
    Setting("GOVREPORTS_CLUSTER_POLL_INTERVAL", 0.5, "seconds between polls of an empty shared queue"),
    Setting("GOVREPORTS_CLUSTER_MAX_LEASED", 0, "requests one worker may hold (0: CONCURRENT_REQUESTS)"),
    Setting("GOVREPORTS_CLUSTER_WAIT_FOR_SEED", 120.0, "seconds a worker waits for a seed before giving up"),
    # --- benchmarks (benchmarks/: set by its harness, never in a harvest)
    Setting("GOVREPORTS_BENCH_OUT", "", "benchmarks: where the probe extension writes its timings (empty: probe off)"),
    Setting("GOVREPORTS_BENCH_REPLAY", "", "benchmarks: the JSON Lines list of requests the replay spider sends"),
)

DEFAULTS: Mapping[str, object] = {setting.name: setting.default for setting in SETTINGS}
ENVIRONMENT_SETTINGS: frozenset[str] = frozenset(setting.name for setting in SETTINGS if setting.env)


def project_values(environ: Mapping[str, str] = os.environ) -> dict[str, object]:
    """The defaults, with the environment's value for settings that may come from it."""
    return {name: environ.get(name, default) if name in ENVIRONMENT_SETTINGS else default
            for name, default in DEFAULTS.items()}


def apply_defaults(settings: BaseSettings) -> None:
    """Fill in every setting not already set, at Scrapy's lowest priority (with the environment's
    value for the settings that may come from it, as in a project)."""
    for name, value in project_values().items():
        settings.setdefault(name, value, priority="default")


def apply_project_settings(settings: BaseSettings) -> None:
    """The whole govreports settings module, at Scrapy's lowest priority: what a command that
    crawls (`scrapy seed`, `scrapy harvest`) needs when the installed package is run outside a
    checkout. Inside the project it changes nothing (the project's priority is higher)."""
    settings.setmodule("govreports.settings", priority="default")


def markdown_table() -> str:
    """The README's table of settings."""
    rows = ["| setting | default | what it does |", "| --- | --- | --- |"]
    rows += [f"| `{s.name}` | `{s.default!r}` | {s.doc}{' (also from the environment)' if s.env else ''} |"
             for s in SETTINGS]
    return "\n".join(rows)


if __name__ == "__main__":
    print(markdown_table())
