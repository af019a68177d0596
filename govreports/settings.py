"""Scrapy settings for govreports, ordered like Scrapy's project template.

Our own settings are prefixed GOVREPORTS_ and documented in the block at the end with their
defaults. The environment is read here only, never deep in components.
"""

import os

# Scrapy's cookie middleware splits domains with tldextract, which downloads the public suffix
# list on first use; use the snapshot bundled with tldextract instead (deterministic, and no
# traceback on machines that reach only the portals they crawl).
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

# --- identity --------------------------------------------------------------------------------
BOT_NAME = "govreports"
SPIDER_MODULES = ["govreports.spiders"]
NEWSPIDER_MODULE = "govreports.spiders"
COMMANDS_MODULE = "govreports.commands"
GOVREPORTS_CONTACT_URL = os.environ.get("GOVREPORTS_CONTACT_URL", "https://github.com/govreports/govreports")
USER_AGENT = f"govreports/0.1 (+{GOVREPORTS_CONTACT_URL}; annual-report harvester)"

# --- politeness ------------------------------------------------------------------------------
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5  # each delay is DOWNLOAD_DELAY × U(0.5, 1.5)
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024
DOWNLOAD_WARNSIZE = 16 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# retries wait GOVREPORTS_RETRY_BACKOFF * 2**(n-1) s (or Retry-After), at most GOVREPORTS_RETRY_BACKOFF_MAX
GOVREPORTS_RETRY_BACKOFF = 2.0
GOVREPORTS_RETRY_BACKOFF_MAX = 60.0
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "govreports.middlewares.BackoffRetryMiddleware": 550,
    # scope (govreports/scope.py): every request before robots.txt, every redirect target before
    # RedirectMiddleware follows it. It replaces Scrapy's OffsiteMiddleware, which drops offsite
    # requests at scheduling time without calling their errback (no record of the refusal)
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "govreports.middlewares.ScopeMiddleware": 40,
    "govreports.middlewares.RedirectScopeMiddleware": 650,
}
# private/loopback networks a crawl may reach besides addresses the registry itself names
# ("127.0.0.0/8, 10.1.0.0/16"; default none). GOVREPORTS_SCOPE_RESOLVE: also judge the addresses
# host names resolve to (default True)
GOVREPORTS_ALLOWED_PRIVATE_NETS = os.environ.get("GOVREPORTS_ALLOWED_PRIVATE_NETS", "")
GOVREPORTS_SCOPE_RESOLVE = True
# crawl bounds (annual_reports): list pages per column, discovery hub pages per site and depth,
# sub-column depth; early stop on already-known list pages (incremental runs; -a full=1 disables)
GOVREPORTS_MAX_LIST_PAGES = 200
GOVREPORTS_MAX_HUB_PAGES = 30
GOVREPORTS_DISCOVERY_DEPTH = 3
GOVREPORTS_SUBCOLUMN_DEPTH = 2
GOVREPORTS_EARLY_STOP = True

# --- components ------------------------------------------------------------------------------
ITEM_PIPELINES = {
    "govreports.pipelines.parse.ParsePipeline": 100,
    "govreports.pipelines.validate.ValidatePipeline": 200,
    "govreports.pipelines.dedup.DedupPipeline": 300,
}
EXTENSIONS = {
    "govreports.extensions.RunSummary": 500,  # site status → state DB, run summary (after FeedExporter)
}
# one fingerprint per page whatever its spelling (https, index.html, _wap, tracking queries)
REQUEST_FINGERPRINTER_CLASS = "govreports.urls.CanonicalRequestFingerprinter"

# --- feeds -----------------------------------------------------------------------------------
FEED_EXPORT_ENCODING = "utf-8"
# JSON Lines feeds fsync each line and only then mark the report seen (govreports.state)
FEED_EXPORTERS = {
    "jsonlines": "govreports.state.feed.DurableJsonLinesItemExporter",
    "jsonl": "govreports.state.feed.DurableJsonLinesItemExporter",
    "jl": "govreports.state.feed.DurableJsonLinesItemExporter",
}

# --- asyncio reactor (scrapy-playwright needs it; it is Scrapy's default) --------------------
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

# --- govreports ------------------------------------------------------------------------------
# GOVREPORTS_PORTALS_FILE: the site registry CSV (default settings/portals.csv)
GOVREPORTS_PORTALS_FILE = os.environ.get("GOVREPORTS_PORTALS_FILE", "settings/portals.csv")
# GOVREPORTS_SITES_FILE: per-site overrides (default settings/sites.toml)
GOVREPORTS_SITES_FILE = os.environ.get("GOVREPORTS_SITES_FILE", "settings/sites.toml")
# GOVREPORTS_DB: the state database (default state/govreports.sqlite3)
GOVREPORTS_DB = os.environ.get("GOVREPORTS_DB", "state/govreports.sqlite3")
# GOVREPORTS_DB_SYNCHRONOUS: NORMAL (commits survive a killed crawl; a power loss may re-emit the
# last reports) or FULL (each commit fsynced: exactly once across power loss too, 2 fsyncs more per item)
GOVREPORTS_DB_SYNCHRONOUS = "NORMAL"
# GOVREPORTS_RENDER: auto | never | always (headless Chromium through scrapy-playwright)
GOVREPORTS_RENDER = os.environ.get("GOVREPORTS_RENDER", "auto")
# GOVREPORTS_CHROMIUM: the browser binary used for rendering
GOVREPORTS_CHROMIUM = os.environ.get("GOVREPORTS_CHROMIUM", "/usr/bin/chromium")
# rendering (govreports/render.py; the add-on enables scrapy-playwright only when render != never
# and Chromium exists): pages open at once in the browser, navigation timeout (s), how long a page
# may take to settle (network idle, challenge reloads followed) (s)
GOVREPORTS_RENDER_MAX_PAGES = 2
GOVREPORTS_RENDER_TIMEOUT = 30.0
GOVREPORTS_RENDER_SETTLE = 10.0
ADDONS = {"govreports.render.RenderAddon": 0, "govreports.cluster.ClusterAddon": 0}
# GOVREPORTS_PARSE_PROCESSES: worker processes that parse reports (default: usable cores − 1, at
# least 1; 0 = parse in the reactor's thread pool, inside the crawl process)
GOVREPORTS_PARSE_PROCESSES = os.environ.get("GOVREPORTS_PARSE_PROCESSES", "")
# GOVREPORTS_STATE_ENABLED: dedup across runs through the state DB (default True; False = all new)
GOVREPORTS_STATE_ENABLED = True
# GOVREPORTS_RUN_SUMMARY: write <feed>.summary.json next to each JSON Lines feed (bin/harvest: on)
GOVREPORTS_RUN_SUMMARY = False
# GOVREPORTS_REDIS_URL: cluster mode (redis://host:6379/0): shared queue, fingerprints and state in
# Redis (govreports/cluster); empty (default) = the single-machine crawl. GOVREPORTS_REDIS_PREFIX:
# key prefix (default "govreports"); GOVREPORTS_CLUSTER_HEARTBEAT_TTL: seconds before a silent
# worker's requests go to the others (30); GOVREPORTS_CLUSTER_IDLE_CLOSE: seconds a drained cluster
# waits before its workers exit (10)
GOVREPORTS_REDIS_URL = os.environ.get("GOVREPORTS_REDIS_URL", "")
