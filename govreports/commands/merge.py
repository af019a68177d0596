"""`scrapy merge FEED... -o merged.jsonl`: the workers' feeds as one feed, one line per report.

Each cluster worker writes its own JSON Lines feed. A report can appear in two of them: a worker
killed between writing a line and committing it, whose feed could not be read by the worker that
took over, or a later correction (revision 2) next to the original. Merging keeps, per report id,
the latest revision (then the latest `source.fetched_at`, then the later line), exactly as
`scrapy dataset` does (`govreports.dataset.feeds.latest_revisions`), and writes the items unchanged
in first-seen order. Unusable lines are listed on stderr as `file:line: reason`; the output is
written atomically (temporary file, fsync, rename). Exit 1 only when nothing could be read.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from govreports.dataset.feeds import latest_revisions, read_feeds
from govreports.defaults import apply_defaults

MAX_PROBLEMS_SHOWN = 200


def _say(message: str) -> None:
    print(f"merge: {message}", file=sys.stderr)


def merge_feeds(feeds: list[str], output: str | Path) -> tuple[int, int, list[str]]:
    """Write the merged feed; returns (reports written, copies folded, problems)."""
    read = read_feeds(feeds)
    kept, folded = latest_revisions(read.records)
    target = Path(output)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    with temporary.open("w", encoding="utf-8") as out:
        for record in kept:
            out.write(json.dumps(record.item, ensure_ascii=False) + "\n")
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, target)
    return len(kept), folded, [str(problem) for problem in read.problems]


class Command(ScrapyCommand):
    requires_project = False
    requires_crawler_process = False
    default_settings = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return "FEED.jsonl ... -o MERGED.jsonl"

    def short_desc(self) -> str:
        return "Merge the workers' feeds into one, one line per report (latest revision)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-o", "--output", metavar="FILE", help="the merged JSON Lines feed")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        apply_defaults(self.settings)  # the GOVREPORTS_* defaults also outside a project checkout
        if not args:
            raise UsageError("give the feeds to merge")
        if not opts.output:
            raise UsageError("give the merged feed with -o FILE.jsonl")
        if any(Path(feed).resolve() == Path(opts.output).resolve() for feed in args):
            raise UsageError("the output must not be one of the feeds")
        written, folded, problems = merge_feeds(args, opts.output)
        for problem in problems[:MAX_PROBLEMS_SHOWN]:
            _say(problem)
        if len(problems) > MAX_PROBLEMS_SHOWN:
            _say(f"… and {len(problems) - MAX_PROBLEMS_SHOWN} more problems")
        _say(f"{written} report(s) from {len(args)} feed(s) → {opts.output} "
             f"({folded} older revision(s) or copies folded, {len(problems)} problem(s))")
        if not written:
            self.exitcode = 1
