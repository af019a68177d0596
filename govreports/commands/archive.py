"""`scrapy archive backup DEST | merge A B … -o DEST | check`: keeping the archive safe.

- `backup DEST`: a consistent copy of the archive database (SQLite `VACUUM INTO`, safe while a crawl
  writes) and of every closed WARC file (the open one is left out: its records are not in the copy).
- `merge A B … -o DEST`: the archives of cluster workers gathered into one (`govreports.archive.merge`).
- `check`: every WARC file read through warcio, every revision's sources present.
A missing or unreadable archive is a one-line error and exit 1.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from govreports.archive.cli import ArchiveError, add_archive_option, open_archive, say
from govreports.archive.merge import merge_archives
from govreports.archive.warc import check_file


class Command(ScrapyCommand):
    requires_project = False
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return "backup DEST | merge ARCHIVE_DIR ... -o DEST | check"

    def short_desc(self) -> str:
        return "Back up, merge or check the archive of record"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-o", "--output", metavar="DIR", help="merge: the new archive directory")
        add_archive_option(parser)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not args:
            raise UsageError("give an action: backup DEST, merge A B … -o DEST, or check")
        action, rest = args[0], args[1:]
        try:
            if action == "backup":
                self.backup(rest, opts)
            elif action == "merge":
                self.merge(rest, opts)
            elif action == "check":
                self.check(opts)
            else:
                raise UsageError(f"unknown action {action!r}: backup, merge or check")
        except ArchiveError as error:
            say("archive", str(error))
            self.exitcode = 1

    def backup(self, rest: list[str], opts: argparse.Namespace) -> None:
        if len(rest) != 1:
            raise UsageError("give the backup directory: scrapy archive backup DEST")
        assert self.settings is not None
        archive = open_archive(self.settings, opts)
        try:
            files, size = archive.backup(Path(rest[0]))
        finally:
            archive.close()
        say("archive", f"backed up {archive.directory} → {rest[0]}: database (VACUUM INTO) and {files} closed "
                       f"WARC file(s), {size / 1e6:.1f} MB")

    def merge(self, rest: list[str], opts: argparse.Namespace) -> None:
        if not rest or not opts.output:
            raise UsageError("give the archives and the new one: scrapy archive merge A B … -o DEST")
        result = merge_archives([Path(p) for p in rest], Path(opts.output))
        for path in result.skipped_open:
            say("archive", f"not merged (still open: a worker running or killed and not recovered): {path}")
        say("archive", f"{result.reports} report(s), {result.revisions} revision(s) from {len(rest)} archive(s) → "
                       f"{opts.output} ({result.duplicates_dropped} duplicate revision(s) dropped, "
                       f"{result.files} WARC file(s))")

    def check(self, opts: argparse.Namespace) -> None:
        assert self.settings is not None
        archive = open_archive(self.settings, opts)
        problems = 0
        try:
            for path in sorted(archive.warc_dir.glob("*.warc.gz*")):
                count, problem = check_file(path)
                if problem:
                    problems += 1
                    say("archive", f"{path.name}: unreadable after {count} record(s): {problem}")
            missing = 0
            for stored in archive.latest():
                for source in stored.page.get("sources") or []:
                    if archive.record(str(source["record_id"])) is None:
                        missing += 1
                        say("archive", f"bytes gone: {stored.id} {stored.url}: record {source['record_id']}")
            reports = archive.count_reports()
        finally:
            archive.close()
        say("archive", f"{reports} report(s); {problems} unreadable WARC file(s); {missing} source record(s) gone")
        if problems or missing:
            self.exitcode = 1
