"""`scrapy reparse [-o FILE] [-a sites=…]`: re-derive every archived report from its archived bytes.

Offline (no portal is contacted): the current parser runs on the bytes in the WARC files; a report
whose item changes gets a new revision with reason `parser_changed` (also committed in the state
store, so the next crawl does not deliver it again). `-o FILE` writes the changed items. The
summary says how many changed and which fields, and lists every report whose bytes are gone (exit
1 then, or when the archive is missing or unreadable).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from govreports.archive.cli import ArchiveCommand, ArchiveError, open_archive, say, sites_from
from govreports.archive.reparse import reparse
from govreports.parsing.ocr.config import config_from_settings
from govreports.parsing.ocr.run import OcrPool
from govreports.state import open_store
from govreports.state.base import utc_now


class Command(ArchiveCommand):
    command_name = "reparse"

    def syntax(self) -> str:
        return "[-o FILE.jsonl] [-a sites=ID,…]"

    def short_desc(self) -> str:
        return "Re-derive archived reports from their archived bytes with the current parser"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-o", "--output", metavar="FILE", help="write the changed items here (JSON Lines)")
        parser.add_argument("--no-state", action="store_true", help="do not update the state database")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        try:
            archive = open_archive(self.settings, opts, run_id=f"reparse-{utc_now()}")
        except ArchiveError as error:
            say("reparse", str(error))
            self.exitcode = 1
            return
        store = None if opts.no_state or not self.settings.getbool("GOVREPORTS_STATE_ENABLED") else \
            open_store(self.settings)
        output = Path(opts.output).open("w", encoding="utf-8") if opts.output else None  # noqa: SIM115  # closed below
        ocr = OcrPool(config_from_settings(self.settings))
        try:
            summary = reparse(archive, store=store, sites=sites_from(opts), output=output, ocr=ocr,
                              soffice=self.settings.get("GOVREPORTS_SOFFICE") or None)
            archive.finish()
        finally:
            ocr.close()
            if output is not None:
                output.close()
            archive.close()
            if store is not None:
                store.close()
        for line in summary.lines():
            say("reparse", line)
        if summary.missing or summary.failed:
            self.exitcode = 1
