"""What the archive commands share: finding the archive, and failing in one line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand

from govreports.archive.store import Archive, ArchiveError, default_directory
from govreports.defaults import apply_defaults


def say(command: str, message: str) -> None:
    print(f"{command}: {message}", file=sys.stderr)


def add_archive_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--archive", metavar="DIR",
                        help="the archive directory (default: GOVREPORTS_ARCHIVE_DIR, else state/archive/)")


def add_sites_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-a", dest="spargs", action="append", default=[], metavar="NAME=VALUE",
                        help="sites=ID,ID…: only these sites")


def sites_from(opts: argparse.Namespace) -> set[str] | None:
    for argument in getattr(opts, "spargs", None) or []:
        name, _, value = argument.partition("=")
        if name.strip() == "sites" and value.strip():
            return {site.strip() for site in value.split(",") if site.strip()}
    return None


def archive_directory(settings: Any, opts: argparse.Namespace) -> Path:
    """`--archive DIR`, else the configured one (the project's defaults filled in outside a project)."""
    apply_defaults(settings)
    if getattr(opts, "archive", None):
        return Path(opts.archive)
    return default_directory(settings)


def open_archive(settings: Any, opts: argparse.Namespace, *, run_id: str | None = None) -> Archive:
    """The existing archive (never created by a reading command); ArchiveError when missing/unreadable."""
    directory = archive_directory(settings, opts)
    return Archive(directory, run_id=run_id, create=False)


class ArchiveCommand(ScrapyCommand):
    """What the archive commands share: no project needed, quiet logs, `--archive DIR` (and
    `-a sites=…` where `takes_sites`), and a missing or unreadable archive as one line and exit 1."""

    requires_project = False
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_LEVEL": "WARNING"}
    command_name: ClassVar[str] = ""  # how its messages start
    takes_sites: ClassVar[bool] = True

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        if self.takes_sites:
            add_sites_option(parser)
        add_archive_option(parser)

    def open_or_fail(self, opts: argparse.Namespace, *, run_id: str | None = None) -> Archive | None:
        """The archive, or None after saying why it cannot be read (exit status 1)."""
        assert self.settings is not None
        try:
            return open_archive(self.settings, opts, run_id=run_id)
        except ArchiveError as error:
            say(self.command_name, str(error))
            self.exitcode = 1
            return None


__all__ = ["ArchiveCommand", "ArchiveError", "add_archive_option", "add_sites_option", "archive_directory", "open_archive", "say",
           "sites_from"]
