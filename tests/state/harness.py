"""Running real crawls of the farm against one state DB (used by the e2e state tests)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govreports_farm import Farm

REPO = Path(__file__).resolve().parents[2]


def farm_settings(farm: Farm, db: Path) -> list[str]:
    """The `-s` options that point the project at the farm and at a private state DB."""
    pairs = {
        "GOVREPORTS_REGISTRY": farm.registry_path,
        "GOVREPORTS_SITES_FILE": farm.sites_path,
        "GOVREPORTS_DB": db,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "LOG_LEVEL": "INFO",
    }
    return [arg for name, value in pairs.items() for arg in ("-s", f"{name}={value}")]


def crawl_command(farm: Farm, db: Path, feed: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "scrapy", "crawl", "annual_reports", *farm_settings(farm, db),
            "-O", str(feed), *extra]


def environment(db: Path) -> dict[str, str]:
    return {**os.environ, "GOVREPORTS_DB": str(db), "PYTHONUNBUFFERED": "1"}


@dataclass
class CrawlResult:
    returncode: int
    items: list[dict[str, Any]]
    log: str

    def stat(self, name: str) -> int:
        """A counter from the stats dump at the end of the log (0 when absent)."""
        marker = f"'{name}': "
        for line in self.log.splitlines():
            line = line.strip()
            if line.startswith(marker):
                return int(line[len(marker):].rstrip(",}"))
        return 0


def crawl(farm: Farm, db: Path, feed: Path, *extra: str, timeout: int = 240) -> CrawlResult:
    done = subprocess.run(crawl_command(farm, db, feed, *extra), cwd=REPO, env=environment(db),
                          capture_output=True, text=True, timeout=timeout)
    return CrawlResult(done.returncode, read_feed(feed), done.stderr)


def read_feed(path: Path) -> list[dict[str, Any]]:
    """Every line of a JSON Lines feed; a line that is not JSON fails loudly."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def manifest_report_urls(manifest: dict[str, Any]) -> set[str]:
    return {report["url"] for portal in manifest["portals"].values() for report in portal["reports"]}


def report_url_of(manifest: dict[str, Any], url: str) -> str:
    """The manifest report a URL stands for (a second posting maps to the report it repeats)."""
    for portal in manifest["portals"].values():
        if url in portal.get("duplicate_of", {}):
            return str(portal["duplicate_of"][url])
    return url
