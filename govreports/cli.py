"""The `scrapy.commands` entry points: govreports' commands for an installed package, from any directory.

Scrapy loads every entry point of the group on each `scrapy …` call and stops at the first that
fails to import (`scrapy/cmdline.py`, `_get_commands_from_entry_points`), so one broken or absent
command module would take every command down, `scrapy crawl` included. Each entry point therefore
names an attribute of this module, which always imports: the command's class when its module
imports, else a stand-in that says why the command is unavailable and exits 2.

Inside a checkout the same commands also come from `COMMANDS_MODULE` (govreports/settings.py).
"""

from __future__ import annotations

import argparse
import importlib
import logging

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

logger = logging.getLogger(__name__)

COMMANDS: tuple[str, ...] = (
    "extract", "dataset", "export", "reparse", "forget", "archive", "seed", "merge", "harvest",
)


def _unavailable(name: str, error: Exception) -> type[ScrapyCommand]:
    reason = f"{type(error).__name__}: {error}"

    class Unavailable(ScrapyCommand):
        requires_project = False
        requires_crawler_process = False

        def short_desc(self) -> str:
            return f"(unavailable in this installation: {reason})"

        def run(self, args: list[str], opts: argparse.Namespace) -> None:
            raise UsageError(f"scrapy {name} is unavailable in this installation ({reason})", print_help=False)

    Unavailable.__name__ = Unavailable.__qualname__ = f"Unavailable_{name}"
    return Unavailable


def command_class(name: str) -> type[ScrapyCommand]:
    """`govreports.commands.<name>.Command`, or a stand-in when that module cannot be imported."""
    try:
        module = importlib.import_module(f"govreports.commands.{name}")
        command: type[ScrapyCommand] = module.Command
    except Exception as error:  # a missing optional dependency must not break the other commands
        return _unavailable(name, error)
    return command


extract = command_class("extract")
dataset = command_class("dataset")
export = command_class("export")
reparse = command_class("reparse")
seed = command_class("seed")
merge = command_class("merge")
harvest = command_class("harvest")
forget = command_class("forget")
archive = command_class("archive")
