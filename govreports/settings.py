"""Scrapy settings for govreports, ordered like Scrapy's project template.

Our own settings are prefixed GOVREPORTS_ and defined, with their defaults and docs, in
govreports/defaults.py. The environment is read here only, never deep in components.
"""

import os

from govreports import __version__
from govreports.defaults import project_values

# Scrapy's cookie middleware splits domains with tldextract, which downloads the public suffix
# list on first use; use the snapshot bundled with tldextract instead (deterministic, and no
# traceback on machines that reach only the portals they crawl).
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

# every GOVREPORTS_* setting, with its default and doc: govreports/defaults.py
globals().update(project_values())

# --- identity --------------------------------------------------------------------------------
BOT_NAME = "govreports"
SPIDER_MODULES = ["govreports.spiders"]
NEWSPIDER_MODULE = "govreports.spiders"
COMMANDS_MODULE = "govreports.commands"
USER_AGENT = f"govreports/{__version__} (+{project_values()['GOVREPORTS_CONTACT_URL']}; annual-report harvester)"

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
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "govreports.middlewares.BackoffRetryMiddleware": 550,
    # scope (govreports/scope.py): every request before robots.txt, every redirect target before
    # RedirectMiddleware follows it. It replaces Scrapy's OffsiteMiddleware, which drops offsite
    # requests at scheduling time without calling their errback (no record of the refusal)
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "govreports.middlewares.ScopeMiddleware": 40,
    "govreports.middlewares.RedirectScopeMiddleware": 650,
    # robots.txt refusals raise the typed RobotsForbidden (govreports/failures.py)
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "govreports.middlewares.RobotsTxtMiddleware": 100,
    # the raw exchange for the archive: after redirects, before HttpCompressionMiddleware (590)
    # decompresses the body (govreports/archive/crawl.py)
    "govreports.archive.crawl.ArchiveCaptureMiddleware": 595,
}
# each callback yields one report (or one attachment request) or a list page's links: the items of
# one response need no parallel pipelines, and Scrapy starts CONCURRENT_ITEMS asyncio tasks for
# every callback's output (the default 100 cost ~3 ms of the crawl process's CPU per page)
CONCURRENT_ITEMS = 2
# tells the run's bookkeeping when a response is handled (progress: sites done, ETA)
SPIDER_MIDDLEWARES = {"govreports.run.ProgressMiddleware": 5}

# --- components ------------------------------------------------------------------------------
ITEM_PIPELINES = {
    "govreports.archive.crawl.ArchivePipeline": 50,  # bytes into the WARC archive; unchanged bytes: stored item reused
    "govreports.pipelines.ocr.OcrPipeline": 60,  # scanned pages → text, in the OCR pool (before parsing)
    "govreports.pipelines.parse.ParsePipeline": 100,
    "govreports.pipelines.validate.ValidatePipeline": 200,
    "govreports.pipelines.dedup.DedupPipeline": 300,
    "govreports.archive.crawl.ArchiveItemPipeline": 400,  # every delivered revision into the archive
}
EXTENSIONS = {
    "govreports.state.StateExtension": 10,  # the run's state (store opened, killed runs recovered)
    "govreports.archive.crawl.ArchiveExtension": 390,  # the archive and the group commit (after FeedExporter)
    "govreports.run.RunBook": 400,  # the run's bookkeeping: per-site status, progress lines
    "govreports.extensions.RunSummary": 500,  # site status → state DB, run summary (after FeedExporter)
    "govreports.collector.CollectorTuning": 600,  # the garbage collector sized for a long crawl
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
ADDONS = {"govreports.render.RenderAddon": 0, "govreports.cluster.ClusterAddon": 0}
