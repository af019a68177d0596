"""Bad registry rows, bad overrides and bad arguments: a clear message each, and the run goes on.

A real `scrapy crawl` over a one-portal loopback site, with a registry full of broken rows, a
sites.toml with broken tables, an unknown `-a sites=` id and a reversed `-a years=` range. Every
problem must be named in the log (with its line or key) and in the run summary, counted in the
stats, and the good site must still be harvested.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from scrapy.settings import Settings

from govreports.registry import REGISTRY_COLUMNS
from govreports.selection import select
from tests.crawlers import with_defaults

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.62"
YEARS = (2023, 2022, 2018)


def _page(body: str) -> bytes:
    return f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>{body}</body></html>'.encode()


def _title(year: int) -> str:
    return f"互助县{year}年政府信息公开工作年度报告"


ROUTES = {
    "/robots.txt": b"User-agent: *\nDisallow:\n",
    "/": _page('<a href="/nb/index.html">政府信息公开年报</a>'),
    "/nb/index.html": _page("<ul>" + "".join(
        f'<li><a href="/nb/r{year}.html" title="{_title(year)}">{_title(year)}</a><span>{year + 1}-01-20</span></li>'
        for year in YEARS) + "</ul>"),
    **{f"/nb/r{year}.html": _page(f'<h1>{_title(year)}</h1><div id="zoom"><p>一、总体情况</p>'
                                  f"<p>{_title(year)}：本年度主动公开政府信息{year}条。</p></div>") for year in YEARS},
}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        body = ROUTES.get(urlsplit(self.path).path)
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", "text/plain" if self.path == "/robots.txt" else "text/html; charset=utf-8")
        body = body if body is not None else _page("404 Not Found")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@dataclass
class Run:
    returncode: int
    log: str
    items: list[dict[str, Any]]
    summary: dict[str, Any]

    def stat(self, name: str) -> int:
        for line in self.log.splitlines():
            line = line.strip()
            if line.startswith(f"'{name}': "):
                return int(line.split(": ", 1)[1].rstrip(",}"))
        return 0


@pytest.fixture(scope="module")
def portal() -> Iterator[str]:
    server = ThreadingHTTPServer((HOST, 0), _Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://{HOST}:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def crawl(tmp: Path, registry_text: str, overrides_text: str, *arguments: str) -> Run:
    registry, overrides = tmp / "portals.csv", tmp / "sites.toml"
    registry.write_text(registry_text, encoding="utf-8")
    overrides.write_text(overrides_text, encoding="utf-8")
    feed, summary = tmp / "items.jsonl", tmp / "summary.json"
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "annual_reports", "-s", f"GOVREPORTS_REGISTRY={registry}",
         "-s", f"GOVREPORTS_SITES_FILE={overrides}", "-s", f"GOVREPORTS_DB={tmp / 'state.sqlite3'}",
         "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=INFO",
         "-s", f"GOVREPORTS_SUMMARY_FILE={summary}", *arguments, "-O", str(feed)],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    items = [json.loads(line) for line in feed.read_text(encoding="utf-8").splitlines()] if feed.exists() else []
    report = json.loads(summary.read_text(encoding="utf-8")) if summary.exists() else {}
    return Run(done.returncode, done.stderr, items, report)


def registry_with_broken_rows(base: str) -> str:
    header = ",".join(REGISTRY_COLUMNS)
    return "\n".join([
        header,
        f"630223,互助土族自治县,county,青海省,{base}/,{base}/nb/index.html,good row",             # line 2
        f"630224,化隆回族自治县,county,青海省,{base}/,{base}/nb/index.html,extra,field",         # 3: unquoted comma
        "630225,循化撒拉族自治县,county,青海省,ftp://www.xunhua.gov.cn/,,bad scheme",          # 4
        "63022X,门源回族自治县,county,青海省,http://www.menyuan.gov.cn/,,bad adcode",          # 5
        f"630223,互助土族自治县,county,青海省,{base}/,,same id again",                          # 6: duplicate
        "630226,祁连县,town,青海省,http://www.qilian.gov.cn/,,bad level",                      # 7
        "630227,,county,青海省,http://www.haiyan.gov.cn/,,no name",                           # 8
        "630228,刚察县",                                                                     # 9: too short
        "",
    ])


OVERRIDES = """
[sites."630223"]
render = "sometimes"

[sites."999999"]
adapter = "trs"

[sites.broken]
"""


@pytest.fixture(scope="module")
def bad_night(portal: str, tmp_path_factory: pytest.TempPathFactory) -> Run:
    return crawl(tmp_path_factory.mktemp("bad-input"), registry_with_broken_rows(portal), OVERRIDES,
                 "-a", "sites=630223,nowhere", "-a", "years=2023-2019",
                 "-s", "GOVREPORTS_ALLOWED_PRIVATE_NETS=127.0.0.0/8, not-a-net")


def test_the_good_site_is_still_harvested(bad_night: Run) -> None:
    assert bad_night.returncode == 0, bad_night.log[-3000:]
    assert "Traceback" not in bad_night.log
    # the reversed year range is ignored (said so), so every year comes out, 2018 included
    assert sorted(item["report_year"] for item in bad_night.items) == sorted(YEARS)
    assert bad_night.summary["failed"] is False


def test_each_broken_registry_row_is_named_with_its_line(bad_night: Run) -> None:
    expected = {
        3: "too many fields", 4: "home_url must start with http:// or https://", 5: "adcode must be 6 digits",
        6: "already on line 2", 7: "level must be one of", 8: "name is empty", 9: "missing columns",
    }
    errors = bad_night.summary["registry_errors"]
    for line, words in expected.items():
        matching = [message for message in errors if f"portals.csv:{line}:" in message]
        assert len(matching) == 1 and words in matching[0], (line, errors)
        assert matching[0] in bad_night.log
    assert bad_night.stat("govreports/registry/sites") == 1


def test_each_broken_override_is_named_with_its_key(bad_night: Run) -> None:
    errors = bad_night.summary["registry_errors"]
    assert any("sites.630223: render must be one of auto, never, always" in e for e in errors), errors
    assert any("sites.999999: no such site in the registry" in e for e in errors), errors
    assert any("sites.broken: no such site in the registry" in e for e in errors), errors
    assert bad_night.stat("govreports/registry/errors") == len(errors) == 7 + 3


def test_bad_arguments_are_named_and_cost_only_their_own_effect(bad_night: Run) -> None:
    errors = bad_night.summary["argument_errors"]
    assert any("unknown site id 'nowhere'" in e for e in errors), errors
    assert any("-a years=2023-2019" in e and "2023 is after 2019" in e and "year filter is ignored" in e
               for e in errors), errors
    assert bad_night.stat("govreports/args/errors") == 2
    assert "GOVREPORTS_ALLOWED_PRIVATE_NETS: not an IP network: 'not-a-net'; entry ignored" in bad_night.log
    assert bad_night.stat("govreports/sites_selected") == 1


def test_a_missing_registry_says_so_and_the_run_is_marked_failed(tmp_path: Path) -> None:
    run = crawl(tmp_path, "", "", "-s", f"GOVREPORTS_REGISTRY={tmp_path / 'nowhere.csv'}")
    assert run.returncode == 2, run.log[-2000:]  # nothing could be selected
    assert any("cannot read registry" in e for e in run.summary["registry_errors"]), run.summary
    assert run.summary["failed"] is True and "no site was crawled" in run.summary["problems"]


@pytest.mark.parametrize("years", ["2023-2019", "19-23", "2019–2023年度", "1700-1800"])
def test_the_spider_keeps_going_on_any_bad_years_value(years: str) -> None:
    selection = select(Settings(with_defaults()), {"years": years})
    assert selection.years is None  # no filter: every year is harvested
    assert len(selection.argument_errors) == 1 and selection.argument_errors[0].startswith(f"-a years={years}: ")
