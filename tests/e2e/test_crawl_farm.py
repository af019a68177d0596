"""End to end: `scrapy crawl annual_reports` over the sample portal farm, as in production.

One crawl of the whole farm (subprocess, default pipelines, a private state DB) must find every
manifest report of every portal and nothing else: decoys absent, second postings once. A second
set of small "edge" portals, served here, drives every other way a column walk or a site can end
(page repeated, group empty, declared total not reached, page cap, failed list page, challenge
page, dead home page, no column at all) and checks each is counted in the stats.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from govreports_farm import Farm

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
ATTACHMENTS = ROOT / "tests" / "fixtures" / "attachments"
REGISTRY_COLUMNS = ("adcode", "name", "level", "province", "home_url", "annual_report_url", "source")


@dataclass
class CrawlResult:
    returncode: int
    items: list[dict[str, Any]]
    stats: dict[str, int]
    log: str
    sites: dict[str, dict[str, Any]]  # every site's status (the run summary's `sites`)
    workdir: Path  # the crawl's state database and archive (archive/ beside it)

    def urls(self) -> set[str]:
        return {item["url"] for item in self.items}


def parse_stats(log: str) -> dict[str, int]:
    """The integer stats of Scrapy's end-of-crawl dump ("Dumping Scrapy stats:")."""
    dump = log.split("Dumping Scrapy stats:", 1)[-1]
    return {key: int(value) for key, value in re.findall(r"'([^']+)':\s*(\d+)[,}]", dump)}


def run_crawl(tmp: Path, registry: Path, sites: Path | None, *arguments: str, timeout: int = 240) -> CrawlResult:
    """`scrapy crawl annual_reports` from the repository root, exactly as a user runs it."""
    output = tmp / "items.jsonl"
    command = [
        sys.executable, "-m", "scrapy", "crawl", "annual_reports",
        "-s", f"GOVREPORTS_REGISTRY={registry}",
        "-s", f"GOVREPORTS_SITES_FILE={sites or tmp / 'none.toml'}",
        "-s", f"GOVREPORTS_DB={tmp / 'state.sqlite3'}",
        "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "HTTPCACHE_ENABLED=False",
        "-s", "GOVREPORTS_RETRY_BACKOFF=0", "-s", "STATS_DUMP=True", "-s", "LOG_LEVEL=INFO",
        "-s", f"GOVREPORTS_SUMMARY_FILE={tmp / 'summary.json'}", "-O", str(output), *arguments,
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    items = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()] if output.exists() else []
    summary = tmp / "summary.json"
    sites = json.loads(summary.read_text(encoding="utf-8"))["sites"] if summary.exists() else {}
    return CrawlResult(done.returncode, items, parse_stats(done.stderr), done.stderr, sites, tmp)


# --- the farm ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def farm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Farm]:
    with Farm.start(tmp_path_factory.mktemp("farm")) as running:
        yield running


@pytest.fixture(scope="module")
def farm_crawl(farm: Farm, tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    return run_crawl(tmp_path_factory.mktemp("crawl"), farm.registry_path, farm.sites_path)


def test_the_whole_farm_crawl_ends_cleanly(farm_crawl: CrawlResult) -> None:
    assert farm_crawl.returncode == 0, farm_crawl.log[-3000:]
    assert "log_count/ERROR" not in farm_crawl.stats, farm_crawl.log[-5000:]
    assert "Traceback" not in farm_crawl.log


def test_every_manifest_report_is_found_and_nothing_else(farm: Farm, farm_crawl: CrawlResult) -> None:
    got = farm_crawl.urls()
    for portal_id, portal in farm.manifest["portals"].items():
        duplicate_of: dict[str, str] = portal.get("duplicate_of", {})
        posted = {duplicate_of.get(url, url) for url in got if url.startswith(portal["home_url"])}
        wanted = {report["url"] for report in portal["reports"]}
        assert posted == wanted, (portal_id, portal["cms"], sorted(wanted - posted)[:5], sorted(posted - wanted)[:5])
        assert not got & set(portal["decoys"]), (portal_id, sorted(got & set(portal["decoys"])))
    assert len(got) == len(farm_crawl.items)


def test_a_report_posted_twice_comes_out_once(farm: Farm, farm_crawl: CrawlResult) -> None:
    got = farm_crawl.urls()
    checked = 0
    for portal in farm.manifest["portals"].values():
        for duplicate, original in portal.get("duplicate_of", {}).items():
            assert len({duplicate, original} & got) == 1, (duplicate, original)
            checked += 1
    assert checked >= 1


def test_items_carry_the_registry_site(farm: Farm, farm_crawl: CrawlResult) -> None:
    ids_by_host = {urlsplit(p["home_url"]).netloc: pid for pid, p in farm.manifest["portals"].items()}
    for item in farm_crawl.items:
        assert item["site"]["id"] == ids_by_host[urlsplit(item["url"]).netloc]
        assert item["site"]["adcode"] == item["site"]["id"]


def test_every_column_walk_of_the_farm_ends_on_its_last_page(farm: Farm, farm_crawl: CrawlResult) -> None:
    stats = farm_crawl.stats
    walks = sum(value for key, value in stats.items() if key.startswith("govreports/adapter/"))
    reasons = {key.removeprefix("govreports/stop/"): value for key, value in stats.items()
               if key.startswith("govreports/stop/")}
    assert walks >= len(farm.manifest["portals"])
    assert reasons == {"last_page": walks}, reasons  # complete walks: totals reached, no repeats
    for portal_id in farm.manifest["portals"]:
        assert farm_crawl.sites[portal_id]["stop_reasons"].get("last_page", 0) >= 1, portal_id
        assert farm_crawl.sites[portal_id]["column_url"], portal_id
    assert stats["govreports/discovery/column_found"] == len(farm.manifest["portals"])
    assert "govreports/discovery/no_column" not in stats


def test_each_cms_family_is_walked_by_its_own_adapter(farm: Farm, farm_crawl: CrawlResult) -> None:
    families = {portal["cms"] for portal in farm.manifest["portals"].values()}
    expected = {"trs", "hanweb_jpage", "jpaas", "gkmlpt", "plain"} & families
    assert all(farm_crawl.stats.get(f"govreports/adapter/{name}", 0) >= 1 for name in expected)


def test_robots_disallowed_pages_are_never_fetched(farm: Farm, farm_crawl: CrawlResult) -> None:
    for portal_id, portal in farm.manifest["portals"].items():
        hits = farm.hits(portal_id)
        for url in portal.get("robots_disallowed", []):
            assert hits.get(urlsplit(url).path, 0) == 0, url
        assert hits.get("/robots.txt", 0) >= 1


# --- edge portals: every other way a walk or a site ends --------------------------------------
def _li(href: str, title: str, day: str = "2024-01-15") -> str:
    return f'<li><a href="{href}" title="{title}">{title}</a><span>{day}</span></li>'


def _page(body: str) -> bytes:
    return f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>{body}</body></html>'.encode()


def _report(title: str) -> bytes:
    return _page(f'<h1>{title}</h1><div id="zoom"><p>一、总体情况</p><p>{title}：本年度主动公开政府信息100条。</p></div>')

EDGE_SITES: dict[str, dict[str, Any]] = {
    # TRS pager announcing 5 pages; from index_2 on the CMS serves index_1 again
    "127.0.0.40": {"column": "/nb/index.html", "routes": {
        "/nb/index.html": _page("<ul>" + _li("./202401/t20240115_1.html", "甲区2023年政府信息公开工作年度报告")
                                + _li("./202401/t20240110_5.html", "甲区2023年政府信息公开工作年度报告…")
                                + _li("./202401/t20240116_9.html", "甲区2023年政府信息公开工作年度报告（图片版）")
                                + _li("/private/t20220116_7.html", "甲区2021年政府信息公开工作年度报告")
                                + '</ul><script>createPageHTML(5, 0, "index", "html");</script>'),
        **{f"/nb/index_{n}.html": _page("<ul>" + _li("./202301/t20230115_2.html", "甲区2022年政府信息公开工作年度报告", "2023-01-15")
                                       + f'</ul><script>createPageHTML(5, {min(n, 1)}, "index", "html");</script>')
           for n in (1, 2, 3, 4)},
        "/nb/202401/t20240115_1.html": _report("甲区2023年政府信息公开工作年度报告"),
        "/nb/202301/t20230115_2.html": _report("甲区2022年政府信息公开工作年度报告"),
        # listed under a report's (cut) title, but the page is the notice asking for the reports
        "/nb/202401/t20240110_5.html": _page(
            "<h1>关于报送2023年政府信息公开工作年度报告的通知</h1><div id=\"zoom\"><p>各乡镇、各部门：</p>"
            "<p>请于2024年1月20日前报送本单位2023年政府信息公开工作年度报告。</p><p>特此通知。</p></div>"),
        # t20240116_9.html is listed but answers 404
    }},
    # Hanweb jpage declaring 10 records; the dataproxy answers an empty datastore
    "127.0.0.41": {"column": "/col/col77/index.html", "routes": {
        "/col/col77/index.html": _page(
            '<script type="text/xml"><datastore><recordset><record><![CDATA['
            + _li("/art/2024/1/15/art_77_1.html", "乙市2023年政府信息公开工作年度报告") + "]]></record><record><![CDATA["
            + _li("/art/2023/1/15/art_77_2.html", "乙市2022年政府信息公开工作年度报告", "2023-01-15")
            + "]]></record></recordset></datastore></script><script>var param_77 = {col:1, webid:1, columnid:77, "
            "unitid:'88', path:'/'}; $('#a').jpage({perPage:1, totalRecord:10});</script>"),
        "/module/web/jpage/dataproxy.jsp": b'<?xml version="1.0" encoding="UTF-8"?><datastore></datastore>',
        "/art/2024/1/15/art_77_1.html": _report("乙市2023年政府信息公开工作年度报告"),
        "/art/2023/1/15/art_77_2.html": _report("乙市2022年政府信息公开工作年度报告"),
    }},
    # an endless 下一页 chain (capped by GOVREPORTS_MAX_LIST_PAGES)
    "127.0.0.42": {"column": "/gknb/list-1.html", "routes": {
        **{f"/gknb/list-{n}.html": _page("<ul>" + _li(f"/gknb/c{n}.html", f"丙县通知第{n}号") + f'</ul><a href="list-{n + 1}.html">下一页</a>')
           for n in range(1, 40)},
    }},
    # every page is a 瑞数 challenge (412)
    "127.0.0.43": {"column": "", "routes": {}, "challenge": True},
    # the home page is down (500)
    "127.0.0.44": {"column": "", "routes": {}, "status": 500},
    # no column anywhere; the 政务公开 hub is a JS redirect stub to a page without a 年报 link
    "127.0.0.45": {"column": "", "routes": {
        "/": _page('<a href="/xwzx/">新闻中心</a><a href="/zwgk/">政务公开</a><a href="/bsfw/">办事服务</a>'),
        "/zwgk/": _page('<script>location.href="/zwgk/real/index.html";</script>'),
        "/zwgk/real/index.html": _page('<a href="/zwgk/zcwj/">政策文件</a><a href="/zwgk/xxgkzn/">政府信息公开指南</a>'),
    }},
    # a TRS column whose second page fails (503, retried, then given up)
    "127.0.0.46": {"column": "/xxgknb/index.html", "routes": {
        "/xxgknb/index.html": _page("<ul>" + _li("./202401/t20240115_1.html", "丁县2023年政府信息公开工作年度报告")
                                   + '</ul><script>createPageHTML(3, 0, "index", "html");</script>'),
        "/xxgknb/202401/t20240115_1.html": _report("丁县2023年政府信息公开工作年度报告"),
    }, "failing": {"/xxgknb/index_1.html": 503}},
    # the home page never answers in time (DOWNLOAD_TIMEOUT=1 in this crawl; the long sleep keeps
    # the timeout certain even while a pipeline holds the reactor parsing a PDF)
    "127.0.0.48": {"column": "", "routes": {}, "sleep": 20},
    # reports published as files: a list link straight to a DOCX, a page whose report is a PDF
    # behind Hanweb's downfile.jsp (302 to the file)
    "127.0.0.47": {"column": "/gknb/index.html", "routes": {
        "/gknb/index.html": _page("<ul>" + _li("/attach/gknb2018.docx", "高坪区2018年政府信息公开工作年度报告", "2019-01-20")
                                 + _li("/art/2018/1/20/art_5_1.html", "资兴市2017年政府信息公开工作年度报告", "2018-01-20")
                                 + "</ul>"),
        "/art/2018/1/20/art_5_1.html": _page(
            '<h1>资兴市2017年政府信息公开工作年度报告</h1><div id="zoom"><p>详见附件。</p><p>附件：<a href="/module/download/'
            'downfile.jsp?classid=0&amp;filename=7f3a9c.pdf">资兴市2017年政府信息公开工作年度报告</a></p></div>'
            '<div class="footer"><a href="/xxgk/guide.pdf">政府信息公开指南</a></div>'),
        "/attach/gknb2018.docx": (ATTACHMENTS / "000_5ba05a78ac51eaa2.docx").read_bytes(),
        "/attach/0/7f3a9c.pdf": (ATTACHMENTS / "001_210389a21b6a26dd.pdf").read_bytes(),
    }, "redirects": {"/module/download/downfile.jsp": "/attach/0/7f3a9c.pdf"}},
}
CHALLENGE = (b'<html><head><meta id="9DhefwqGPrzGxEp9hPaoag" content="abc" r="m"><script>$_ts=window[\'$_ts\'];'
             b'if(!$_ts)$_ts={};$_ts.nsd=12345;$_ts.cd="qqqq";</script><script src="/X9f/c.js" r="m"></script></head></html>')


class _EdgeHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        site = EDGE_SITES[self.server.server_address[0]]
        path = urlsplit(self.path).path
        if path == "/robots.txt":
            return self._send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
        if site.get("sleep"):
            time.sleep(site["sleep"])
            try:
                return self._send(200, _page("too late"))
            except OSError:  # the crawler gave up long ago
                return None
        if site.get("challenge"):
            return self._send(412, CHALLENGE)
        if site.get("status"):
            return self._send(site["status"], _page("Internal Server Error"))
        if path in site.get("redirects", {}):
            self.send_response(302)
            self.send_header("Location", site["redirects"][path])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if path in site.get("failing", {}):
            return self._send(site["failing"][path], _page("Service Unavailable"))
        body = site["routes"].get(path)
        if body is None:
            return self._send(404, _page("404 Not Found"))
        kinds = {".pdf": "application/pdf", ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
        suffix = Path(path).suffix
        self._send(200, body, kinds[suffix] if suffix in kinds else
                   "text/xml; charset=utf-8" if body.startswith(b"<?xml") else "text/html; charset=utf-8")

    do_GET = _answer
    do_POST = _answer


@pytest.fixture(scope="module")
def edge_portals(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    servers = []
    registry = tmp_path_factory.mktemp("edge") / "registry.csv"
    with registry.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=REGISTRY_COLUMNS)
        writer.writeheader()
        for number, (ip, site) in enumerate(EDGE_SITES.items()):
            server = ThreadingHTTPServer((ip, 0), _EdgeHandler)
            server.daemon_threads = True
            threading.Thread(target=server.serve_forever, daemon=True).start()
            servers.append(server)
            home = f"http://{ip}:{server.server_address[1]}/"
            writer.writerow({"adcode": f"99000{number}", "name": f"边缘{number}", "level": "county", "province": "测试省",
                             "home_url": home, "annual_report_url": home.rstrip("/") + site["column"] if site["column"] else "",
                             "source": "tests/e2e edge portal"})
    yield registry
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def edge_crawl(edge_portals: Path, tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    return run_crawl(tmp_path_factory.mktemp("edge-crawl"), edge_portals, None,
                     "-s", "GOVREPORTS_MAX_LIST_PAGES=5", "-s", "RETRY_TIMES=1", "-s", "GOVREPORTS_RETRY_BACKOFF=0.05",
                     "-s", "DOWNLOAD_TIMEOUT=1")


def test_edge_portals_record_why_each_walk_stopped(edge_crawl: CrawlResult) -> None:
    assert edge_crawl.returncode == 0, edge_crawl.log[-3000:]
    stats, sites = edge_crawl.stats, edge_crawl.sites
    assert sites["990000"]["stop_reasons"].get("page_repeated") == 1
    assert sites["990001"]["stop_reasons"].get("empty_group") == 1
    assert sites["990001"]["stop_reasons"].get("total_not_reached") == 1
    assert sites["990002"]["stop_reasons"].get("max_pages") == 1
    assert sites["990002"]["list_pages"] == 5
    assert sites["990006"]["stop_reasons"].get("page_failed") == 1
    for reason in ("page_repeated", "empty_group", "total_not_reached", "max_pages", "page_failed"):
        assert stats.get(f"govreports/stop/{reason}", 0) >= 1, reason


def test_edge_portals_count_failures_blocks_and_missing_columns(edge_crawl: CrawlResult) -> None:
    stats, sites = edge_crawl.stats, edge_crawl.sites
    assert sites["990000"]["pages_failed"] == 1  # the listed report answering 404
    assert sites["990000"]["pages_skipped"] == 1  # the report under a robots.txt Disallow
    assert [f["kind"] for f in sites["990000"]["failures"]].count("robots") == 1  # told by its type
    assert stats.get("govreports/skipped/robots") == 1
    assert stats.get("govreports/failed/http_404", 0) >= 1
    assert sites["990003"]["blocked"] is True
    assert stats.get("govreports/blocked/ruishu") == 1
    assert stats.get("govreports/failed/http_500") == 1
    assert stats.get("govreports/failed/http_503") == 1
    assert stats.get("govreports/discovery/redirect_stub") == 1
    assert stats.get("govreports/failed/timeout") == 1
    assert sites["990007"]["pages_failed"] == 1
    assert stats.get("govreports/discovery/no_column") == 4  # challenged, dead home, slow home, no 年报 link
    assert stats.get("retry/count", 0) >= 2  # 500 and 503 were retried before giving up
    assert stats.get("govreports/retry/backoff_count", 0) == stats["retry/count"]  # each after a pause


def test_edge_portals_still_yield_the_reports_they_could_reach(edge_crawl: CrawlResult) -> None:
    paths = sorted(urlsplit(url).path for url in edge_crawl.urls())
    assert paths == ["/art/2018/1/20/art_5_1.html", "/art/2023/1/15/art_77_2.html", "/art/2024/1/15/art_77_1.html",
                     "/attach/gknb2018.docx",
                     "/nb/202301/t20230115_2.html", "/nb/202401/t20240115_1.html",
                     "/xxgknb/202401/t20240115_1.html"]


def test_reports_published_as_files_are_fetched_and_attached(edge_crawl: CrawlResult) -> None:
    by_path = {urlsplit(item["url"]).path: item for item in edge_crawl.items}
    page = by_path["/art/2018/1/20/art_5_1.html"]
    attached = [a for a in page["attachments"] if "downfile.jsp" in a["url"]]
    assert len(attached) == 1 and attached[0]["media_type"] == "application/pdf"
    assert not any("guide.pdf" in a["url"] for a in page["attachments"])  # outside the content
    assert page["report_year"] == 2017
    docx = by_path["/attach/gknb2018.docx"]
    assert docx["source"]["media_type"].endswith("wordprocessingml.document")
    assert docx["report_year"] == 2018
    assert edge_crawl.stats.get("govreports/attachments/fetched") == 1


def test_a_notice_listed_as_a_report_is_not_emitted_but_listed_and_archived(edge_crawl: CrawlResult) -> None:
    notice = "/nb/202401/t20240110_5.html"
    assert not any(url.endswith(notice) for url in edge_crawl.urls())
    assert edge_crawl.stats.get("govreports/dropped/not_report", 0) >= 1
    listed = [entry for status in edge_crawl.sites.values() for entry in status.get("not_reports", [])]
    assert [entry["kind"] for entry in listed if entry["url"].endswith(notice)] == ["notice"]
    assert sum(status.get("not_reports_seen", 0) for status in edge_crawl.sites.values()) == len(listed)
    archived = set()
    for warc in (edge_crawl.workdir / "archive").rglob("*.warc.gz*"):
        with warc.open("rb") as stream:
            archived |= {record.rec_headers.get_header("WARC-Target-URI") for record in ArchiveIterator(stream)
                         if record.rec_type == "response"}
    assert any(url.endswith(notice) for url in archived), "the notice's bytes are kept, so a wrong call can be undone"
