"""`scrapy dataset FEED... -o FILE`: flatten feeds into one tidy table (CSV or Parquet).

Reads the archive of record too (`--archive DIR`, or by default when no feed is given), and
leaves out every report withdrawn there with `scrapy forget`.
One row per report (the latest revision by id: highest `revision`, then latest
`source.fetched_at`), one column per table cell and figure in the documented order
(`--columns` prints it), plus the failing checks. Cross-year checks (`continuity.*`) go to
`--checks FILE` and to the `continuity_failing` column; `--report FILE` writes the HTML quality
report. Unusable feed lines are listed on stderr as `file:line: reason`; the exit code is
non-zero only when nothing at all could be read. No crawl, no project needed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from govreports.archive.cli import archive_directory
from govreports.archive.reparse import export
from govreports.archive.store import Archive, ArchiveError
from govreports.dataset import build_dataset
from govreports.dataset.columns import COLUMNS
from govreports.dataset.quality import load_site_status, render_quality_report
from govreports.dataset.write import OutputFormatError, output_format, write_checks, write_dataset
from govreports.defaults import apply_defaults

MAX_PROBLEMS_SHOWN = 200


def _say(message: str) -> None:
    print(f"dataset: {message}", file=sys.stderr)


class Command(ScrapyCommand):
    requires_project = False
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return "[options] FEED.jsonl ... -o FILE.csv|FILE.parquet"

    def short_desc(self) -> str:
        return "Flatten report feeds into one table (CSV or Parquet): one row per report, one column per cell"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-o", "--output", metavar="FILE", help="the dataset: .csv or .parquet/.pq")
        parser.add_argument("--bom", action="store_true", help="write CSV files with a UTF-8 BOM (for Excel)")
        parser.add_argument("--checks", metavar="FILE", help="write the cross-year checks to FILE (CSV)")
        parser.add_argument("--report", metavar="FILE", help="write the HTML quality report to FILE")
        parser.add_argument("--sites-status", metavar="FILE",
                            help="JSON of per-site crawl status (column found, reports) for the coverage chart")
        parser.add_argument("--no-validate", action="store_true", help="skip validating the items against the data model (about 0.2 ms per report)")
        parser.add_argument("--columns", action="store_true", help="print the column order with descriptions and exit")
        parser.add_argument("--archive", metavar="DIR",
                            help="also read this archive of record (read by default when no feed is given: "
                                 "GOVREPORTS_ARCHIVE_DIR, else state/archive/); reports withdrawn there "
                                 "(scrapy forget) are left out of the feeds too")
        parser.add_argument("--no-archive", action="store_true", help="read only the feeds given")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        apply_defaults(self.settings)  # the GOVREPORTS_* defaults also outside a project checkout
        if opts.columns:
            for column in COLUMNS:
                print(f"{column.name}\t{column.type}\t{column.description}")
            return
        with tempfile.TemporaryDirectory(prefix="govreports-dataset-") as scratch:
            feeds, withdrawn = self.with_archive(args, opts, Path(scratch))
            if not feeds:
                raise UsageError("give at least one feed (JSON Lines), or have an archive (scrapy crawl fills it)")
            self.build(feeds, opts, status_path=opts.sites_status, withdrawn=withdrawn)

    def with_archive(self, feeds: list[str], opts: argparse.Namespace, scratch: Path) -> tuple[list[str], int]:
        """The feeds plus the archive's export, with withdrawn reports taken out of every feed."""
        if opts.no_archive:
            return feeds, 0
        assert self.settings is not None
        directory = archive_directory(self.settings, opts)
        if not (directory / "archive.sqlite3").exists():
            if opts.archive:
                _say(f"no archive at {directory}")
                raise SystemExit(1)
            return feeds, 0
        try:
            archive = Archive(directory, create=False, readonly=True)
        except ArchiveError as error:
            _say(str(error))
            raise SystemExit(1) from None
        include = bool(opts.archive) or not feeds  # the archive's reports; its takedowns apply always
        exported = scratch / "archive.jsonl"
        try:
            withdrawn = archive.forgotten_ids()
            if include:
                export(archive, exported)
        finally:
            archive.close()
        kept = []
        for index, feed in enumerate(feeds):
            if not withdrawn or not Path(feed).exists():
                kept.append(feed)
                continue
            filtered = scratch / f"{index:03d}-{Path(feed).name}"
            with open(feed, encoding="utf-8", errors="replace") as source, filtered.open("w", encoding="utf-8") as out:
                for line in source:
                    if not any(f'"id": "{rid}"' in line or f'"id":"{rid}"' in line for rid in withdrawn):
                        out.write(line)
            kept.append(str(filtered))
        return [*kept, *([str(exported)] if include else [])], len(withdrawn)

    def build(self, args: list[str], opts: argparse.Namespace, *, status_path: str | None, withdrawn: int) -> None:
        if withdrawn:
            _say(f"{withdrawn} report(s) withdrawn in the archive (scrapy forget) left out")
        if not opts.output:
            raise UsageError("give the output file with -o FILE.csv or -o FILE.parquet")
        try:
            output_format(opts.output)
        except OutputFormatError as exc:
            raise UsageError(str(exc)) from None
        status = None
        if opts.sites_status:
            status, status_problems = load_site_status(opts.sites_status)
            for status_problem in status_problems:
                _say(status_problem)

        dataset = build_dataset(args, validate=not opts.no_validate)
        for problem in dataset.problems[:MAX_PROBLEMS_SHOWN]:
            _say(str(problem))
        if len(dataset.problems) > MAX_PROBLEMS_SHOWN:
            _say(f"… and {len(dataset.problems) - MAX_PROBLEMS_SHOWN} more problems")
        if not dataset.records:
            _say(f"nothing could be read from {len(args)} feed(s) ({dataset.lines_read} lines); no dataset written")
            self.exitcode = 1
            return

        kind = write_dataset(dataset.rows, opts.output, bom=opts.bom)
        if opts.checks:
            write_checks(dataset.checks, opts.checks, bom=opts.bom)
        if opts.report:
            Path(opts.report).parent.mkdir(parents=True, exist_ok=True)
            Path(opts.report).write_text(render_quality_report(dataset, site_status=status), encoding="utf-8")

        failing = sum(1 for check in dataset.checks if not check.ok)
        invalid = len({(p.file, p.line) for p in dataset.schema_errors}) if dataset.validated else "(not checked)"
        _say(
            f"{len(dataset.rows)} reports from {dataset.lines_read} feed lines "
            f"({dataset.superseded} older revisions or copies superseded) → {opts.output} ({kind}); "
            f"{len(dataset.problems)} problems; {invalid} reports off-schema; "
            f"{len(dataset.checks)} cross-year checks, {failing} failing"
        )
        for error in dataset.schema_errors[:20]:
            _say(f"schema: {error}")
