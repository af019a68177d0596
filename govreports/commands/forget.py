"""`scrapy forget ID --reason TEXT [--delete-bytes]`: withdraw a report (a takedown).

The report leaves every export, dataset and reparse, and later crawls drop it (stat
`govreports/dedup/withdrawn`); the reason and the date are kept. `--delete-bytes` also deletes its
archived item JSON and the WARC records only it uses (the closed files holding them are rewritten
without them).
"""

from __future__ import annotations

import argparse

from scrapy.exceptions import UsageError

from govreports.archive.cli import ArchiveCommand, say


class Command(ArchiveCommand):
    command_name = "forget"
    takes_sites = False

    def syntax(self) -> str:
        return "REPORT_ID --reason TEXT [--delete-bytes]"

    def short_desc(self) -> str:
        return "Withdraw a report from every export and dataset (takedown); keep the reason"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--reason", help="why (kept with the takedown)")
        parser.add_argument("--delete-bytes", action="store_true", help="also delete its archived item and bytes")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give one report id")
        if not opts.reason:
            raise UsageError("give the reason with --reason TEXT")
        assert self.settings is not None
        archive = self.open_or_fail(opts, run_id="forget")
        if archive is None:
            return
        try:
            revisions, deleted = archive.forget(args[0], opts.reason, delete_bytes=opts.delete_bytes)
            archive.finish()
        finally:
            archive.close()
        if not revisions:
            say("forget", f"{args[0]} is not in the archive; the takedown is recorded anyway (later crawls drop it)")
        else:
            say("forget", f"{args[0]} withdrawn ({revisions} revision(s)); reason kept"
                          + (f"; {deleted} WARC record(s) deleted" if opts.delete_bytes else ""))
