"""The crawl never leaves its scope: the site's own domains and registered attachment hosts only.

First the rules (govreports/scope.py), case by case; then a real crawl of a hostile portal whose
pages link and redirect to a trap server on another loopback address, to an IP literal, to another
port of the portal's own address, to `file:///etc/passwd`, `ftp:` and `javascript:` — the trap
servers must see no request at all, and every refusal must be counted and recorded.
"""

from __future__ import annotations

import csv
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

from govreports.registry import REGISTRY_COLUMNS, load_registry
from govreports.scope import (
    SiteScope,
    host_in_domains,
    ignored_scheme,
    parse_networks,
    refusal,
    resolved_refusal,
)

ROOT = Path(__file__).resolve().parents[1]
ATTACHMENT_PDF = ROOT / "tests" / "fixtures" / "attachments" / "001_210389a21b6a26dd.pdf"

GAOPING = SiteScope.from_urls_and_hosts(["http://www.gaoping.gov.cn/", "http://www.gaoping.gov.cn/zwgk/zfxxgknb/"],
                                        ["files.ncgp.cn"])
BARE_IP = SiteScope.from_urls_and_hosts(["http://61.150.65.235/", "http://61.150.65.235:8080/xxgk/"])
LOOPBACK, _ = parse_networks("127.0.0.0/8")


# --- the rules --------------------------------------------------------------------------------
@pytest.mark.parametrize(("url", "scope", "reason"), [
    ("http://www.gaoping.gov.cn/zwgk/t1.html", GAOPING, None),
    ("https://gaoping.gov.cn/zwgk/t1.html", GAOPING, None),                 # www. or not, http or https
    ("http://xxgk.gaoping.gov.cn/a.html", GAOPING, None),                   # a subdomain of the site
    ("http://files.ncgp.cn/2024/a.pdf", GAOPING, None),                     # a registered attachment host
    ("http://notgaoping.gov.cn/a.html", GAOPING, "offsite"),                # a suffix is not a subdomain
    ("http://www.nanchong.gov.cn/a.html", GAOPING, "offsite"),
    ("http://61.150.65.235/a.html", GAOPING, "ip_literal"),
    ("http://127.0.0.99/a.html", GAOPING, "private_address"),
    ("http://10.0.0.7/a.html", GAOPING, "private_address"),
    ("http://169.254.169.254/latest/meta-data/", GAOPING, "private_address"),  # cloud metadata
    ("http://[::1]/a.html", GAOPING, "private_address"),
    ("http://[::ffff:10.0.0.7]/a.html", GAOPING, "private_address"),
    ("file:///etc/passwd", GAOPING, "scheme"),
    ("ftp://www.gaoping.gov.cn/a.pdf", GAOPING, "scheme"),
    ("javascript:void(0)", GAOPING, "scheme"),
    ("http:///nohost", GAOPING, "no_host"),
    ("http://61.150.65.235/xxgk/a.html", BARE_IP, None),                    # the registry names the address
    ("http://61.150.65.235:8080/xxgk/a.html", BARE_IP, None),
    ("http://61.150.65.235:6379/", BARE_IP, "port"),                         # another service on that host
    ("http://61.150.65.236/xxgk/a.html", BARE_IP, "ip_literal"),
])
def test_each_url_is_judged_against_the_sites_scope(url: str, scope: SiteScope, reason: str | None) -> None:
    verdict = refusal(url, scope)
    assert (verdict.reason if verdict else None) == reason, verdict
    if verdict is not None:
        assert verdict.detail


def test_the_private_allowance_lets_tests_reach_loopback_but_never_unnamed_ip_literals() -> None:
    assert refusal("http://127.0.0.99/a.html", GAOPING, LOOPBACK).reason == "ip_literal"  # still not the site's
    assert refusal("http://127.0.0.99/a.html", GAOPING).reason == "private_address"
    assert resolved_refusal("localhost", ["127.0.0.1"], ()).reason == "private_address"
    assert resolved_refusal("localhost", ["127.0.0.1"], LOOPBACK) is None
    assert resolved_refusal("www.gaoping.gov.cn", ["118.123.1.10"], ()) is None


def test_bad_allowance_entries_are_reported_and_skipped() -> None:
    networks, errors = parse_networks("127.0.0.0/8, nonsense ,10.1.2.3")
    assert [str(n) for n in networks] == ["127.0.0.0/8", "10.1.2.3/32"]
    assert errors == ["not an IP network: 'nonsense'"]


def test_links_of_other_schemes_are_recognised_for_what_they_are() -> None:
    assert ignored_scheme("file:///etc/passwd") == "file"
    assert ignored_scheme("FTP://x/a.pdf") == "ftp"
    assert ignored_scheme(" javascript:openWin('a.pdf')") == "javascript"
    assert ignored_scheme("mailto:gk@gaoping.gov.cn") == "mailto"
    assert ignored_scheme("https://www.gaoping.gov.cn/") is None
    assert host_in_domains("WWW.Gaoping.gov.cn.", ["gaoping.gov.cn"])


def test_a_sites_scope_comes_from_its_registry_row_and_overrides(tmp_path: Path) -> None:
    registry = tmp_path / "portals.csv"
    registry.write_text(",".join(REGISTRY_COLUMNS) + "\n"
                        "511303,高坪区,county,四川省,http://www.gaoping.gov.cn/,http://gk.gaoping.gov.cn/nb/,test\n"
                        "610000,某县,county,陕西省,http://61.150.65.235/,,test\n", encoding="utf-8")
    overrides = tmp_path / "sites.toml"
    overrides.write_text('[sites."511303"]\nattachment_hosts = ["files.ncgp.cn"]\n', encoding="utf-8")
    sites = {site.id: site for site in load_registry(registry, overrides).sites}
    gaoping = sites["511303"]
    scope = SiteScope.from_urls_and_hosts((gaoping.home_url, gaoping.annual_report_url), gaoping.attachment_hosts)
    assert scope.domains == {"gaoping.gov.cn", "gk.gaoping.gov.cn", "files.ncgp.cn"}
    bare = sites["610000"]
    assert SiteScope.from_urls_and_hosts((bare.home_url,)).addresses == {"61.150.65.235": frozenset({80})}


# --- a real crawl of a hostile portal ---------------------------------------------------------
PORTAL_IP, TRAP_IP, FILES_HOST = "127.0.0.60", "127.0.0.99", "localhost"
PUBLIC_IP_LITERAL = "93.184.216.34"
OTHER_DOMAIN = "ledu.gov.cn"


class _Recorder(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], routes: Any) -> None:
        self.hits: list[str] = []
        self.routes = routes
        super().__init__(address, _Handler)

    @property
    def base(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


class _Handler(BaseHTTPRequestHandler):
    server: _Recorder
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:  # noqa: N802
        self.server.hits.append(self.path)
        status, headers, body = self.server.routes(self.path)
        self.send_response(status)
        for name, value in {"Content-Type": "text/html; charset=utf-8", **headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _page(body: str, head: str = "") -> bytes:
    return f'<!DOCTYPE html><html><head><meta charset="utf-8">{head}</head><body>{body}</body></html>'.encode()


def _li(href: str, year: int) -> str:
    title = f"平安区{year}年政府信息公开工作年度报告"
    return f'<li><a href="{href}" title="{title}">{title}</a><span>{year + 1}-01-15</span></li>'


def _report(year: int, extra: str = "") -> bytes:
    title = f"平安区{year}年政府信息公开工作年度报告"
    return _page(f'<h1>{title}</h1><div id="zoom"><p>一、总体情况</p><p>{title}：本年度主动公开政府信息{year}条。</p>'
                 f"{extra}</div>")


@dataclass
class HostileCrawl:
    returncode: int
    log: str
    items: list[dict[str, Any]]
    summary: dict[str, Any]
    traps: list[_Recorder]
    files: _Recorder
    portal: _Recorder

    def stat(self, name: str) -> int:
        for line in self.log.splitlines():
            line = line.strip()
            if line.startswith(f"'{name}': "):
                return int(line.split(": ", 1)[1].rstrip(",}"))
        return 0


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[_Recorder, _Recorder, _Recorder, _Recorder]]:
    trap = _Recorder((TRAP_IP, 0), lambda path: (200, {}, _report(2000)))
    trap_port = _Recorder((PORTAL_IP, 0), lambda path: (200, {}, _report(2001)))  # the portal's host, another port
    files = _Recorder(("127.0.0.1", 0), lambda path: (200, {"Content-Type": "application/pdf"}, ATTACHMENT_PDF.read_bytes()))
    files_url = f"http://{FILES_HOST}:{files.server_address[1]}"
    routes: dict[str, tuple[int, dict[str, str], bytes]] = {
        "/robots.txt": (200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow:\n"),
        "/": (200, {}, _page('<a href="/nb/index.html">政府信息公开年报</a>')),
        "/nb/index.html": (200, {}, _page("<ul>" + "".join([
            _li("/nb/r2023.html", 2023),
            _li(f"{trap.base}/nb/r2022.html", 2022),                        # a link to another host
            _li("/nb/r2021.html", 2021),                                     # 302 → trap
            _li("/nb/r2020.html", 2020),                                     # 302 → an IP literal
            _li("/nb/r2019.html", 2019),                                     # 302 → file:///etc/passwd
            _li("/nb/r2018.html", 2018),                                     # 302 → the portal's IP, another port
            _li("/nb/r2017.html", 2017),                                     # meta refresh → trap
            _li("file:///etc/passwd", 2016),
            _li(f"ftp://{TRAP_IP}/nb/r2015.html", 2015),
            _li(f"javascript:window.open('{trap.base}/nb/r2014.html')", 2014),
            _li(f"http://www.{OTHER_DOMAIN}/nb/r2013.html", 2013),         # another county's portal
        ]) + "</ul>")),
        "/nb/r2023.html": (200, {}, _report(2023, (
            f'<p>附件：<a href="{files_url}/files/r2023.pdf">平安区2023年政府信息公开工作年度报告（PDF）</a></p>'
            f'<p>附件：<a href="{trap.base}/files/r2023-copy.pdf">平安区2023年政府信息公开工作年度报告.pdf</a></p>'
            f'<p><a href="javascript:window.open(\'{trap.base}/files/popup.pdf\')">附件下载.pdf</a></p>'))),
        "/nb/r2021.html": (302, {"Location": f"{trap.base}/nb/r2021.html"}, b""),
        "/nb/r2020.html": (302, {"Location": f"http://{PUBLIC_IP_LITERAL}/nb/r2020.html"}, b""),
        "/nb/r2019.html": (302, {"Location": "file:///etc/passwd"}, b""),
        "/nb/r2018.html": (302, {"Location": f"{trap_port.base}/nb/r2018.html"}, b""),
        "/nb/r2017.html": (200, {}, _page("", f'<meta http-equiv="refresh" content="0; url={trap.base}/nb/r2017.html">')),
    }
    portal = _Recorder((PORTAL_IP, 0), lambda path: routes.get(urlsplit(path).path, (404, {}, _page("404 Not Found"))))
    for server in (trap, trap_port, files, portal):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield portal, trap, trap_port, files
    for server in (trap, trap_port, files, portal):
        server.shutdown()
        server.server_close()


def crawl_hostile(tmp: Path, servers: tuple[_Recorder, ...], *settings: str) -> HostileCrawl:
    portal, trap, trap_port, files = servers
    for server in servers:
        server.hits.clear()
    registry = tmp / "portals.csv"
    with registry.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=REGISTRY_COLUMNS)
        writer.writeheader()
        writer.writerow({"adcode": "630203", "name": "平安区", "level": "county", "province": "青海省",
                         "home_url": portal.base + "/", "annual_report_url": portal.base + "/nb/index.html",
                         "source": "tests/test_scope.py hostile portal"})
    overrides = tmp / "sites.toml"
    overrides.write_text(f'[sites."630203"]\nattachment_hosts = ["{FILES_HOST}"]\n', encoding="utf-8")
    feed, summary = tmp / "items.jsonl", tmp / "summary.json"
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "annual_reports", "-s", f"GOVREPORTS_REGISTRY={registry}",
         "-s", f"GOVREPORTS_SITES_FILE={overrides}", "-s", f"GOVREPORTS_DB={tmp / 'state.sqlite3'}",
         "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_TIMEOUT=5",
         "-s", "GOVREPORTS_RETRY_BACKOFF=0", "-s", "LOG_LEVEL=INFO", "-s", f"GOVREPORTS_SUMMARY_FILE={summary}",
         *settings, "-O", str(feed)],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    (tmp / "crawl.log").write_text(done.stderr, encoding="utf-8")
    items = [json.loads(line) for line in feed.read_text(encoding="utf-8").splitlines()] if feed.exists() else []
    report = json.loads(summary.read_text(encoding="utf-8")) if summary.exists() else {}
    return HostileCrawl(done.returncode, done.stderr, items, report, [trap, trap_port], files, portal)


@pytest.fixture(scope="module")
def hostile(servers: tuple[_Recorder, ...], tmp_path_factory: pytest.TempPathFactory) -> HostileCrawl:
    return crawl_hostile(tmp_path_factory.mktemp("scope"), servers, "-s", "GOVREPORTS_ALLOWED_PRIVATE_NETS=127.0.0.0/8")


def test_the_crawler_makes_no_request_outside_its_scope(hostile: HostileCrawl) -> None:
    assert hostile.returncode == 0, hostile.log[-3000:]
    assert "Traceback" not in hostile.log
    for trap in hostile.traps:
        assert trap.hits == [], trap.hits  # not a page, not even robots.txt
    assert "/nb/r2023.html" in hostile.portal.hits  # the crawl did run


def refusals(crawl: HostileCrawl) -> dict[str, int]:
    return {reason: crawl.stat(f"govreports/scope/refused/{reason}")
            for reason in ("offsite", "ip_literal", "private_address", "scheme", "port")}


def test_every_way_out_is_refused_counted_and_recorded(hostile: HostileCrawl) -> None:
    # to the trap's address: two list links (one inside javascript:), a 302, a meta refresh, two
    # attachments (one inside javascript:); a 302 to a public IP literal
    assert refusals(hostile) == {"offsite": 1, "ip_literal": 7, "private_address": 0, "scheme": 1, "port": 1}
    assert sum(hostile.summary["sites"]["630203"]["scope_refused"].values()) == 10  # the site status
    records = hostile.summary["failures"]["630203"]
    by_url = {urlsplit(record["url"]).path: record for record in records}
    for path in ("/nb/r2021.html", "/nb/r2020.html", "/nb/r2019.html", "/nb/r2018.html"):
        assert by_url[path]["kind"].startswith("scope_"), by_url[path]
        assert "redirect to" in by_url[path]["reason"]
    assert by_url["/nb/r2019.html"]["kind"] == "scope_scheme"
    assert by_url["/nb/r2018.html"]["kind"] == "scope_port"
    assert by_url["/nb/r2022.html"]["kind"] == "scope_ip_literal"
    assert by_url["/nb/r2013.html"]["kind"] == "scope_offsite"
    assert by_url["/nb/r2017.html"]["reason"].startswith("out of scope (redirect to")  # the meta refresh
    assert len(records) == 10
    assert "scope: refused" in hostile.log  # the log says so too


def test_file_ftp_and_javascript_links_are_never_requested(hostile: HostileCrawl) -> None:
    every_request = hostile.log
    assert "file:///etc/passwd" not in "".join(r["url"] for r in hostile.items)
    assert "<GET file:" not in every_request and "<GET ftp:" not in every_request
    assert not any("r2016" in url or "r2015" in url or "r2014" in url for trap in hostile.traps for url in trap.hits)


def test_the_report_and_its_registered_attachment_host_are_fetched(hostile: HostileCrawl) -> None:
    assert [urlsplit(item["url"]).path for item in hostile.items] == ["/nb/r2023.html"]
    attachments = hostile.items[0]["attachments"]
    assert [urlsplit(a["url"]).hostname for a in attachments] == [FILES_HOST]
    assert hostile.files.hits == ["/robots.txt", "/files/r2023.pdf"]


def test_without_the_allowance_a_host_resolving_to_loopback_is_refused(
        servers: tuple[_Recorder, ...], tmp_path: Path) -> None:
    crawl = crawl_hostile(tmp_path, servers)
    assert crawl.returncode == 0, crawl.log[-3000:]
    assert crawl.files.hits == []
    # the trap's address is now refused as private too; the attachment host resolves to 127.0.0.1
    assert refusals(crawl) == {"offsite": 1, "ip_literal": 1, "private_address": 7, "scheme": 1, "port": 1}
    records = {record["url"]: record for record in crawl.summary["failures"]["630203"]}
    attachment = next(record for url, record in records.items() if urlsplit(url).hostname == FILES_HOST)
    assert attachment["kind"] == "scope_private_address" and "resolves to 127.0.0.1" in attachment["reason"]
    assert [urlsplit(item["url"]).path for item in crawl.items] == ["/nb/r2023.html"]  # the report still comes out
    assert all(trap.hits == [] for trap in crawl.traps)
