"""`scrapy export -o FILE [-a sites=…] [--since DATE]`: every archived report, whatever became of the feeds.

Writes the latest revision of every report in the archive (withdrawn ones left out) as JSON Lines,
atomically. A missing or unreadable archive is a one-line error and exit 1.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from scrapy.exceptions import UsageError

from govreports.archive.cli import ArchiveCommand, say, sites_from
from govreports.archive.reparse import export


class Command(ArchiveCommand):
    command_name = "export"

    def syntax(self) -> str:
        return "-o FILE.jsonl [-a sites=ID,…] [--since YYYY-MM-DD]"

    def short_desc(self) -> str:
        return "Write the latest revision of every archived report as JSON Lines"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-o", "--output", metavar="FILE", help="the JSON Lines file to write")
        parser.add_argument("--since", metavar="DATE", help="only revisions archived on or after DATE (ISO 8601)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not opts.output:
            raise UsageError("give the output file with -o FILE.jsonl")
        assert self.settings is not None
        archive = self.open_or_fail(opts)
        if archive is None:
            return
        try:
            count = export(archive, Path(opts.output), sites=sites_from(opts), since=opts.since)
            withdrawn = len(archive.forgotten_ids())
        finally:
            archive.close()
        say("export", f"{count} report(s) from {archive.directory} → {opts.output}"
                      + (f" ({withdrawn} withdrawn left out)" if withdrawn else ""))
