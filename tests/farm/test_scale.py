"""The scale farm (govreports_farm/scale.py): many generated portals, one process, each on its own address."""

from __future__ import annotations

import csv
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from govreports.parsing.report import parse_report
from govreports_farm.scale import ScaleFarm, address_available, build_scaled_portals, portal_address

pytestmark = pytest.mark.skipif(not address_available(), reason="cannot bind 127.77.0.0/16 on this machine")


@pytest.fixture(scope="module")
def scale_farm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScaleFarm]:
    with ScaleFarm.start(tmp_path_factory.mktemp("scale-farm"), portals=8, reports=8) as farm:
        yield farm


def fetch(url: str, data: bytes | None = None) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=10) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_every_portal_has_its_own_loopback_address_and_registry_row(scale_farm: ScaleFarm) -> None:
    with scale_farm.registry_path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    hosts = [urlsplit(row["home_url"]).hostname for row in rows]
    assert hosts == [portal_address(i) for i in range(8)]
    assert len({row["adcode"] for row in rows}) == 8
    # TRS and plain portals are found from the home page, the others have their column registered
    assert [bool(row["annual_report_url"]) for row in rows] == [False, True, True, True, False, True, False, True]
    for row in rows:
        assert fetch(row["home_url"])[0] == 200
        assert fetch(urlsplit(row["home_url"])._replace(path="/robots.txt").geturl())[0] == 200


def test_each_portal_publishes_its_reports_and_only_on_its_own_host(scale_farm: ScaleFarm) -> None:
    manifest = scale_farm.manifest
    assert manifest["totals"] == {"portals": 8, "reports": 64, "decoys": 16}
    first, second = list(manifest["portals"].values())[:2]
    report = first["reports"][0]
    status, body = fetch(report)
    assert status == 200 and "政府信息公开工作年度报告".encode("gbk") in body   # portal 0 is the GBK TRS family
    elsewhere = urlsplit(report)._replace(netloc=urlsplit(second["home_url"]).netloc).geturl()
    assert fetch(elsewhere)[0] == 404


def test_generated_report_pages_carry_the_three_national_tables(scale_farm: ScaleFarm) -> None:
    for entry in list(scale_farm.manifest["portals"].values())[:6]:
        url = entry["reports"][0]
        parsed = parse_report(fetch(url)[1], url=url, media_type="text/html")
        assert {"active_disclosure", "applications", "review_litigation"} <= set(parsed.tables), entry["cms"]


def test_hit_log_keeps_every_request_with_its_form_body_then_forgets_it(scale_farm: ScaleFarm) -> None:
    hanweb = next(e for e in scale_farm.manifest["portals"].values() if e["cms"] == "hanweb_jpage")
    scale_farm.take_hits()
    proxy = urllib.parse.urljoin(hanweb["home_url"], "/module/web/jpage/dataproxy.jsp?startrecord=13&endrecord=24")
    status, body = fetch(proxy, data=b"columnid=5296&unitid=12657")
    assert status == 200 and b"<datastore>" in body
    fetch(hanweb["home_url"])
    hits = scale_farm.take_hits()
    assert [(hit.method, hit.url) for hit in hits] == [("POST", proxy), ("GET", hanweb["home_url"])]
    assert hits[0].body == "columnid=5296&unitid=12657"
    assert scale_farm.take_hits() == []


def test_latency_hook_delays_every_answer_until_switched_off(scale_farm: ScaleFarm) -> None:
    home = scale_farm.manifest["portals"]["900002"]["home_url"]
    scale_farm.set_latency(0.4)
    try:
        began = time.monotonic()
        fetch(home)
        slow = time.monotonic() - began
    finally:
        scale_farm.set_latency(0.0)
    began = time.monotonic()
    fetch(home)
    fast = time.monotonic() - began
    assert slow >= 0.2 > fast


def test_generated_portals_are_deterministic_and_sized_as_asked() -> None:
    first, again = build_scaled_portals(7, 20), build_scaled_portals(7, 20)
    assert [[(i.path, i.title) for i in p.items] for p in first] == [[(i.path, i.title) for i in p.items] for p in again]
    assert all(sum(i.kind == "report" for i in portal.items) == 20 for portal in first)
    assert {portal.cms for portal in first} == {"trs", "hanweb_jpage", "jpaas", "gkmlpt", "plain", "subcolumns"}


def test_cli_serves_until_terminated(tmp_path: Path) -> None:
    import subprocess
    import sys

    from govreports_farm.scale import REPO_ROOT

    process = subprocess.Popen([sys.executable, "-m", "govreports_farm.scale", "--run-dir", str(tmp_path),
                                "--portals", "3", "--reports", "2"], cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("farm ready: 3 portals, registry=")
        with (tmp_path / "registry.csv").open(encoding="utf-8") as handle:
            home = next(csv.DictReader(handle))["home_url"]
        assert fetch(home)[0] == 200
    finally:
        process.terminate()
        assert process.wait(10) == 0


# ------------------------------------------------------------------ the realistic network


@pytest.fixture(scope="module")
def realistic_farm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScaleFarm]:
    with ScaleFarm.start(tmp_path_factory.mktemp("realistic-farm"), portals=120, reports=1,
                         network="realistic") as farm:
        yield farm


def _host_of_kind(farm: ScaleFarm, kind: str) -> str:
    return next(address for address, behaviour in farm.behaviours.items() if behaviour.kind == kind)


def _raw_get(host: str, port: int, timeout: float) -> bytes:
    """What a server sends back to one GET / before it closes or `timeout` passes."""
    import socket

    received = b""
    with socket.create_connection((host, port), timeout=timeout) as connection:
        connection.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        try:
            while chunk := connection.recv(65536):
                received += chunk
        except (TimeoutError, ConnectionResetError):
            pass
    return received


def test_realistic_network_has_every_kind_of_host(realistic_farm: ScaleFarm) -> None:
    kinds = [behaviour.kind for behaviour in realistic_farm.behaviours.values()]
    assert {"live", "timeout", "refuse", "reset", "tls", "slow"} <= set(kinds)
    assert 0.05 <= kinds.count("timeout") / len(kinds) <= 0.15
    live = sorted(b.latency for b in realistic_farm.behaviours.values() if b.kind == "live")
    assert 0.1 < live[len(live) // 2] < 0.6  # median around 0.3 s


def test_realistic_network_refuses_hangs_and_garbles_like_dead_hosts(realistic_farm: ScaleFarm) -> None:
    import socket

    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((_host_of_kind(realistic_farm, "refuse"), realistic_farm.port), timeout=5).close()
    assert _raw_get(_host_of_kind(realistic_farm, "timeout"), realistic_farm.port, timeout=1.0) == b""
    assert b"garbage" in _raw_get(_host_of_kind(realistic_farm, "tls"), realistic_farm.port, timeout=5.0)
    with realistic_farm.registry_path.open(encoding="utf-8") as handle:
        tls_rows = [row for row in csv.DictReader(handle)
                    if urlsplit(row["home_url"]).hostname == _host_of_kind(realistic_farm, "tls")]
    assert tls_rows[0]["home_url"].startswith("https://")


def test_realistic_network_resets_every_other_answer_mid_body(realistic_farm: ScaleFarm) -> None:
    host = _host_of_kind(realistic_farm, "reset")
    cut, whole = (_raw_get(host, realistic_farm.port, timeout=15.0) for _ in range(2))
    head, _, body = whole.partition(b"\r\n\r\n")
    declared = next(int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length"))
    assert len(body) == declared > 0
    assert len(cut) < len(whole)  # the first answer stopped mid-body (or its reset came before the bytes)
