"""`scrapy extract PATH_OR_URL ...`: parse local files or single URLs without crawling.

One JSON line per input on stdout (or `-o FILE`), the same schema and the same assembly
(`govreports.build`) as crawled items. An unreadable or unsupported input gets a one-line error
on stderr; the other inputs are still done and the exit code is 1.
"""

from __future__ import annotations

import argparse
import sys
import urllib.request
from pathlib import Path
from typing import IO, Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.exporters import JsonLinesItemExporter

from govreports.build import apply_checks, item_from_page
from govreports.defaults import apply_defaults
from govreports.items import ReportPage
from govreports.keys import assign_report_id
from govreports.parsing.ocr.config import config_from_settings
from govreports.parsing.ocr.run import OcrPool
from govreports.parsing.sniff import DOCX, HTML, OFFICE_LEGACY_TYPES, PDF, SUFFIX_TYPES, TEXT

# the files parse_report reads, by suffix (the media types from the one table in parsing/sniff.py)
SUPPORTED_SUFFIXES: dict[str, str] = {
    suffix: media_type for suffix, media_type in SUFFIX_TYPES.items()
    if media_type in (HTML, TEXT, PDF, DOCX) or media_type in OFFICE_LEGACY_TYPES
} | {  # scanned pages, read by OCR (the [ocr] extra)
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".tif": "image/tiff", ".tiff": "image/tiff",
}
URL_TIMEOUT_SECONDS = 30


class InputError(Exception):
    """An input that cannot be turned into a page; the message is shown as is."""


def read_input(target: str, user_agent: str) -> ReportPage:
    if target.startswith(("http://", "https://")):
        request = urllib.request.Request(target, headers={"User-Agent": user_agent})
        try:
            with urllib.request.urlopen(request, timeout=URL_TIMEOUT_SECONDS) as response:
                body = response.read()
                content_type = response.headers.get_content_type()
                charset = response.headers.get_content_charset()
        except OSError as exc:
            raise InputError(f"cannot fetch {target}: {exc}") from exc
        return ReportPage(url=target, body=body, media_type=content_type, declared_encoding=charset)
    path = Path(target)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        supported = " ".join(sorted(SUPPORTED_SUFFIXES))
        raise InputError(f"unsupported file type {suffix or '(none)'!r}: {target} (supported: {supported})")
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {target}: {exc.strerror or exc}") from exc
    return ReportPage(url=path.resolve().as_uri(), body=body, media_type=SUPPORTED_SUFFIXES[suffix])


class Command(ScrapyCommand):
    requires_project = False
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return "[options] PATH_OR_URL ..."

    def short_desc(self) -> str:
        return "Parse annual-report files (.html .txt .md .pdf .docx .doc .wps …, scans as .jpg .png .tif) or URLs into JSON lines"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-o", "--output", metavar="FILE", help="write the JSON lines to FILE instead of stdout")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        apply_defaults(self.settings)  # the GOVREPORTS_* defaults also outside a project checkout
        if not args:
            raise UsageError("give at least one file or URL")
        user_agent = self.settings.get("USER_AGENT")
        soffice = self.settings.get("GOVREPORTS_SOFFICE") or None
        ocr = OcrPool(config_from_settings(self.settings))
        stream: IO[bytes]
        stream = open(opts.output, "wb") if opts.output else sys.stdout.buffer  # noqa: SIM115  # closed below
        # Scrapy annotates the exporter's file as BytesIO; it only calls write() on it
        exporter = JsonLinesItemExporter(stream, encoding="utf-8", ensure_ascii=False)  # type: ignore[arg-type]
        exporter.start_exporting()
        failed = 0
        try:
            for target in args:
                try:
                    page = read_input(target, user_agent)
                except InputError as exc:
                    failed += 1
                    print(f"extract: {exc}", file=sys.stderr)
                    continue
                # scanned pages are read in the OCR pool first (nothing to do for a text report)
                page.ocr = ocr.read_now_report(page.body, page.attachments)
                item = item_from_page(page, soffice=soffice)
                if not item.is_report:
                    reason = next((w for w in item.warnings if w.startswith("report: not an annual report")), "")
                    print(f"extract: {target}: written with is_report false; {reason}", file=sys.stderr)
                apply_checks(item)
                assign_report_id(item)
                exporter.export_item(item)
                stream.flush()
        finally:
            ocr.close()
            exporter.finish_exporting()
            if opts.output:
                stream.close()
        if failed:
            print(f"extract: {failed} of {len(args)} inputs failed", file=sys.stderr)
            self.exitcode = 1
