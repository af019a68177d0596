"""End to end: arguments as people type them, exit statuses, and the progress lines of a crawl.

- `-a url=` takes a bare host and path (`127.0.0.10:8081/zwgk/zfxxgknb/`): tried over http first,
  then https (a portal that answers only TLS is served here with a self-signed certificate);
- a malformed argument gets one line naming it, and `scrapy crawl` exits 2 when nothing could be
  selected;
- with `GOVREPORTS_PROGRESS_INTERVAL=1` the log carries `progress:` lines with an ETA, and the run
  summary ends with the same figures.
"""

from __future__ import annotations

import json
import re
import shutil
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from govreports_farm import Farm

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
TLS_HOST = "127.0.0.71"
PROGRESS_LINE = re.compile(r"progress: sites (\d+)/(\d+) done, reports \d+ new / \d+ changed / \d+ unchanged, "
                           r"\d+ failed page\(s\), \d+ blocked site\(s\), \d+ pages/min, ETA (\d+:\d\d:\d\d|unknown)")


def crawl(tmp: Path, *arguments: str, timeout: int = 180) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    """`scrapy crawl annual_reports` from the repository root; the process and its run summary."""
    summary = tmp / "summary.json"
    command = [
        sys.executable, "-m", "scrapy", "crawl", "annual_reports", *arguments,
        "-s", f"GOVREPORTS_DB={tmp / 'state.sqlite3'}", "-s", "AUTOTHROTTLE_ENABLED=False",
        "-s", "GOVREPORTS_RETRY_BACKOFF=0", "-s", "LOG_LEVEL=INFO", "-s", f"GOVREPORTS_SUMMARY_FILE={summary}",
        "-O", str(tmp / "items.jsonl"),
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    return done, json.loads(summary.read_text(encoding="utf-8")) if summary.exists() else {}


@pytest.fixture(scope="module")
def farm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Farm]:
    with Farm.start(tmp_path_factory.mktemp("farm")) as running:
        yield running


# --- -a url= as typed ---------------------------------------------------------------------------
def test_a_column_typed_without_scheme_is_crawled_over_http(farm: Farm, tmp_path: Path) -> None:
    portal = farm.manifest["portals"]["511303"]
    typed = portal["column_url"].removeprefix("http://")
    done, summary = crawl(tmp_path, "-a", f"url={typed}", "-a", "years=2023-2024", "-s", "DOWNLOAD_DELAY=0")
    assert done.returncode == 0, done.stderr[-3000:]
    items = [json.loads(line) for line in (tmp_path / "items.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {item["url"] for item in items} == {r["url"] for r in portal["reports"] if r["report_year"] in (2023, 2024)}
    (status,) = summary["sites"].values()
    assert status["column_url"] == portal["column_url"] and status["column_source"] == "ad-hoc"
    assert "Missing scheme" not in done.stderr


class _TlsPortal(BaseHTTPRequestHandler):
    """A portal that speaks only https: a 年报 column with one report."""

    requested: list[str] = []

    def do_GET(self) -> None:
        type(self).requested.append(self.path)
        pages = {
            "/nb/": '<html><head><title>政府信息公开年报</title></head><body><h1>政府信息公开年报</h1><ul>'
                    '<li><a href="/nb/r2023.html">示范县2023年政府信息公开工作年度报告</a><span>2024-01-20</span></li>'
                    '</ul></body></html>',
            "/nb/r2023.html": "<html><head><title>示范县2023年政府信息公开工作年度报告</title></head><body>"
                              "<h1>示范县2023年政府信息公开工作年度报告</h1><p>一、总体情况</p></body></html>",
        }
        body = pages.get(self.path)
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write((body or "not found").encode("utf-8"))

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def tls_portal(tmp_path: Path) -> Iterator[str]:
    """`127.0.0.71:<port>`: TLS only (a plain-http request to it fails)."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a self-signed certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", f"/CN={TLS_HOST}"], check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = ThreadingHTTPServer((TLS_HOST, 0), _TlsPortal)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    _TlsPortal.requested = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"{TLS_HOST}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_bare_address_that_answers_only_https_is_tried_again_over_https(tls_portal: str, tmp_path: Path) -> None:
    done, summary = crawl(tmp_path, "-a", f"url={tls_portal}/nb/", "-s", "DOWNLOAD_DELAY=0", "-s", "RETRY_TIMES=0")
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"trying https://{tls_portal}/nb/" in done.stderr
    (status,) = summary["sites"].values()
    assert status["column_url"] == f"https://{tls_portal}/nb/"
    assert status["candidates"] == 1 and "/nb/r2023.html" in _TlsPortal.requested
    assert status["pages_failed"] == 0  # the plain-http attempt was a guess, not a failure of the site


# --- bad arguments ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("argument", "said"), [
    ("url=ftp://www.example.gov.cn/", "-a url=ftp://www.example.gov.cn/ must start with http:// or https://"),
    ("url=http//www.example.gov.cn", "-a url=http//www.example.gov.cn has no host name with a dot in it"),
    ("sites=nowhere", "-a sites: unknown site id 'nowhere': not an adcode or slug in the registry"),
])
def test_a_bad_argument_is_named_in_one_line_and_the_crawl_exits_non_zero(argument: str, said: str,
                                                                          tmp_path: Path) -> None:
    done, summary = crawl(tmp_path, "-a", argument)
    assert done.returncode == 2, done.stderr[-3000:]
    assert [line for line in done.stderr.splitlines() if said in line and "ERROR" in line], done.stderr[-3000:]
    assert "Traceback" not in done.stderr and "Missing scheme" not in done.stderr
    assert summary["sites_crawled"] == 0 and any(said in error for error in summary["argument_errors"])


def test_a_bad_year_range_costs_only_the_year_filter(farm: Farm, tmp_path: Path) -> None:
    done, summary = crawl(tmp_path, "-a", f"url={farm.manifest['portals']['150724']['column_url']}",
                          "-a", "years=2023-2019", "-s", "DOWNLOAD_DELAY=0")
    assert done.returncode == 0, done.stderr[-3000:]
    assert any("-a years=2023-2019" in error for error in summary["argument_errors"])
    assert summary["items_emitted"] > 0


# --- progress -----------------------------------------------------------------------------------------
def test_a_crawl_logs_progress_lines_with_an_eta_and_its_summary_ends_with_them(farm: Farm, tmp_path: Path) -> None:
    done, summary = crawl(tmp_path, "-s", f"GOVREPORTS_REGISTRY={farm.registry_path}",
                          "-s", f"GOVREPORTS_SITES_FILE={farm.sites_path}", "-s", "GOVREPORTS_PROGRESS_INTERVAL=1",
                          "-s", "DOWNLOAD_DELAY=0.2", "-s", "DOWNLOAD_DELAY_JITTER=0", timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [line for line in done.stderr.splitlines() if "progress: " in line and "INFO" in line]
    assert lines, done.stderr[-3000:]
    for line in lines:
        match = PROGRESS_LINE.search(line)
        assert match is not None and match.group(2) == "6", line
    progress = summary["progress"]
    assert (progress["sites_done"], progress["sites_total"], progress["eta_seconds"]) == (6, 6, 0.0)
    assert progress["reports_new"] == summary["reports"]["new"] > 0
    table_end = done.stderr[done.stderr.index("run summary"):].splitlines()[1:16]
    assert any(line.strip().startswith("progress") and "sites 6/6 done" in line and line.endswith("ETA 0:00:00")
               for line in table_end), table_end
