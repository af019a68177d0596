"""The archive of record: every delivered revision of every report, and the bytes it came from.

Feeds are deliveries; the archive is what no rerun, killed run or overwritten feed can empty.
- `store.py`: `Archive`, the directory (`GOVREPORTS_ARCHIVE_DIR`, default `state/archive/`) with its
  SQLite database (revisions as compressed JSON, the WARC index, takedowns) and WARC files;
- `warc.py`: the WARC/1.1 records (warcio);
- `crawl.py`: the Scrapy side (capture middleware, pipelines, extension, group commit);
- `reparse.py`: re-deriving archived reports from their archived bytes with the current parser;
- `merge.py`: gathering the archives of cluster workers into one.
Commands: `scrapy export`, `scrapy reparse`, `scrapy archive backup|merge|check`, `scrapy forget`.
"""

# request.meta key of the raw exchange captured for the archive (set by ArchiveCaptureMiddleware)
CAPTURE = "govreports_archive"
