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
