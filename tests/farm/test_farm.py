"""The farm serves exactly what its manifest says (the ground truth of the crawl tests)."""

from __future__ import annotations

import csv
import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import pytest
from lxml import html as lxml_html

from govreports_farm.farm import Farm
from govreports_farm.fixtures import farm, fresh_farm  # noqa: F401 - pytest fixtures

REGISTRY_HEADER = ["adcode", "name", "level", "province", "home_url", "annual_report_url", "source"]


# ---------------------------------------------------------------- helpers

def fetch(url: str, form: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    data = urlencode(form).encode() if form is not None else None
    request = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def decode(body: bytes, encoding: str) -> str:
    return body.decode("gb18030" if encoding.lower().startswith("gb") else encoding)


def call(page: dict[str, Any]) -> bytes:
    status, _headers, body = fetch(page["url"], page.get("form") if page["method"] == "POST" else None)
    assert status == 200, f"{page['method']} {page['url']} answered {status}"
    return body


def linked_urls(page_url: str, body: bytes) -> list[str]:
    """Every detail link a list page or list API answer carries, made absolute (urljoin)."""
    text = body.decode("gb18030", errors="replace")
    links = re.findall(r'href=\\?"([^"\\]+)', text)
    links += re.findall(r'"url": "([^"]+)"', text)
    return [urljoin(page_url, link) for link in links]


def walk(entry: dict[str, Any]) -> list[str]:
    """What a crawler sees by calling every list page / API call the manifest lists, in order."""
    seen: list[str] = []
    for page in entry["list_pages"]:
        seen += linked_urls(page["url"], call(page))
    return seen


def every_portal(manifest: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    yield from manifest["portals"].items()


def table_row_numbers(page: lxml_html.HtmlElement, *labels: str) -> list[str]:
    """Cell texts of the first table row whose text contains one of `labels`, label cells dropped."""
    for row in page.iter("tr"):
        cells = ["".join(cell.itertext()).strip() for cell in row.findall("td")]
        if any(label in cell for cell in cells for label in labels):
            return [cell for cell in cells if re.fullmatch(r"[+\-增减]?\d+(\.\d+)?", cell)]
    raise AssertionError(f"no row labelled {labels}")


# ---------------------------------------------------------------- registry and start-up

def test_registry_has_the_portals_csv_columns_and_one_loopback_host_per_portal(farm: Farm) -> None:
    with farm.registry_path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
        handle.seek(0)
        assert next(csv.reader(handle)) == REGISTRY_HEADER
    hosts = [urlsplit(row["home_url"]).hostname for row in rows]
    assert len(rows) == len(farm.portals) >= 6
    assert len(set(hosts)) == len(hosts) and all(h and h.startswith("127.0.0.") for h in hosts)
    by_adcode = {row["adcode"]: row for row in rows}
    for adcode, entry in farm.manifest["portals"].items():
        expected_column = "" if entry["discover"] else entry["column_url"]
        assert by_adcode[adcode]["annual_report_url"] == expected_column
    assert farm.sites_path.exists()
    assert json.loads((farm.run_dir / "manifest.json").read_text(encoding="utf-8")) == farm.manifest


def test_farm_starts_in_under_two_seconds_and_twice_side_by_side(tmp_path: Path) -> None:
    began = time.monotonic()
    with Farm.start(tmp_path / "one") as first, Farm.start(tmp_path / "two") as second:
        elapsed = time.monotonic() - began
        assert elapsed < 4.0, f"two farms took {elapsed:.2f}s"
        assert first.portals[0].home_url != second.portals[0].home_url
        for running in (first, second):
            for portal in running.portals:
                assert fetch(portal.home_url)[0] == 200
    began = time.monotonic()
    with Farm.start(tmp_path / "three"):
        assert time.monotonic() - began < 2.0


def test_the_farm_holds_enough_reports_of_every_format_and_era(farm: Farm) -> None:
    reports = farm.report_entries()
    assert len(reports) >= 60
    years = {r["report_year"] for r in reports}
    assert min(years) == 2008 and max(years) == 2024
    assert {r["format"] for r in reports} == {"pre2019", "2019", "2021"}
    assert {r["seed"] for r in reports if r["seed"]} == {
        "000_5ba05a78ac51eaa2.txt", "001_210389a21b6a26dd.txt", "002_936b004d97e1931c.txt",
        "003_d58dcb8ff1b8f53b.txt", "004_7d9c962fed462d95.txt"}
    assert {e["cms"] for e in farm.manifest["portals"].values()} >= {
        "trs", "hanweb_jpage", "jpaas", "gkmlpt", "plain", "subcolumns"}


# ---------------------------------------------------------------- pages answer as the manifest says

def test_every_manifest_report_answers_200_with_its_title(farm: Farm) -> None:
    for _adcode, entry in every_portal(farm.manifest):
        for report in entry["reports"]:
            status, _headers, body = fetch(report["url"])
            assert status == 200, report["url"]
            assert report["title"] in decode(body, report["encoding"]), report["url"]


def test_second_postings_and_decoys_answer_too(farm: Farm) -> None:
    for _adcode, entry in every_portal(farm.manifest):
        titles = {r["url"]: r["title"] for r in entry["reports"]}
        for duplicate, original in entry["duplicate_of"].items():
            status, _headers, body = fetch(duplicate)
            assert status == 200 and titles[original] in decode(body, entry["encoding"])
        for decoy in entry["decoys"]:
            assert fetch(decoy)[0] == 200, decoy


def test_list_pages_link_every_report_decoy_and_second_posting_and_nothing_else(farm: Farm) -> None:
    for adcode, entry in every_portal(farm.manifest):
        expected = {r["url"] for r in entry["reports"]} | set(entry["decoys"]) | set(entry["duplicates"])
        seen = {url for url in walk(entry) if urlsplit(url).path.endswith((".html", ".shtml"))
                and ("/art/" in url or "/t20" in url or "post_" in url or "/c04_" in url)}
        assert seen == expected, f"{adcode}: missing {sorted(expected - seen)[:3]}, extra {sorted(seen - expected)[:3]}"


def test_unknown_paths_are_404(farm: Farm) -> None:
    for portal in farm.portals:
        assert fetch(portal.url("/zwgk/zfxxgknb/201901/t20190101_1.html"))[0] == 404


def test_discovery_portals_reach_their_column_only_through_hub_pages(farm: Farm) -> None:
    """From the home page, following 政务公开 / 政府信息公开 / 信息公开目录 links finds the column."""
    hub_words = ("政务公开", "政府信息公开", "信息公开目录", "政府信息公开年报")
    found: dict[str, int] = {}
    for _adcode, entry in every_portal(farm.manifest):
        if not entry["discover"]:
            continue
        frontier, depth, found_at = [entry["home_url"]], 0, None
        visited: set[str] = set()
        while frontier and found_at is None and depth <= 4:
            next_frontier = []
            for url in frontier:
                visited.add(url)
                page = lxml_html.fromstring(fetch(url)[2])
                for link in page.iter("a"):
                    target = urljoin(url, link.get("href", ""))
                    if target == entry["column_url"]:
                        found_at = depth
                    if any(word in (link.text_content() or "") for word in hub_words) and target not in visited:
                        next_frontier.append(target)
            frontier, depth = next_frontier, depth + 1
        assert found_at is not None, entry["home_url"]
        found[entry["cms"]] = found_at
        home = decode(fetch(entry["home_url"])[2], entry["encoding"])
        assert urlsplit(entry["column_url"]).path not in home
    assert found == {"trs": 1, "plain": 3}, "TRS: behind 政务公开; plain: behind three hubs"


# ---------------------------------------------------------------- portal-specific behaviour

def test_robots_txt_disallows_the_summary_decoys_but_no_report(farm: Farm) -> None:
    disallowed_somewhere = 0
    for _adcode, entry in every_portal(farm.manifest):
        robots = RobotFileParser()
        robots.parse(fetch(urljoin(entry["home_url"], "/robots.txt"))[2].decode().splitlines())
        for url in entry["robots_disallowed"]:
            assert url in entry["decoys"] and not robots.can_fetch("govreports", url)
            disallowed_somewhere += 1
        for report in entry["reports"]:
            assert robots.can_fetch("govreports", report["url"])
    assert disallowed_somewhere >= 1


def test_gbk_trs_portal_really_serves_gbk(farm: Farm) -> None:
    entry = next(e for e in farm.manifest["portals"].values() if e["cms"] == "trs")
    report = entry["reports"][0]
    status, headers, body = fetch(report["url"])
    assert status == 200 and headers["Content-Type"] == "text/html"     # charset only in the <meta>
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    with pytest.raises(UnicodeDecodeError):
        body.decode("gb2312")               # declared gb2312, but a GBK-only character is on the page
    text = body.decode("gb18030")
    assert 'charset=gb2312' in text and report["title"] in text
    _status, list_headers, _body = fetch(entry["column_url"])
    assert list_headers["Content-Type"] == "text/html; charset=GBK"


def test_hanweb_dataproxy_groups_return_the_declared_total(farm: Farm) -> None:
    entry = next(e for e in farm.manifest["portals"].values() if e["cms"] == "hanweb_jpage")
    column = call(entry["list_pages"][0]).decode()
    declared = int(re.search(r"totalRecord: (\d+)", column).group(1))
    assert declared == len(entry["reports"]) + len(entry["decoys"]) + len(entry["duplicates"])
    groups = [re.findall(r'href="([^"]+)"', column.split("<recordset>", 1)[1].split("</recordset>", 1)[0])]
    posts = entry["list_pages"][1:]
    assert len(posts) == 2
    for page in posts:
        answer = call(page).decode()
        assert int(re.search(r"<totalrecord>(\d+)</totalrecord>", answer).group(1)) == declared
        groups.append(re.findall(r'href="([^"]+)"', answer))
    assert groups[2][0] == groups[1][-1], "the last group repeats the boundary record"
    assert len({link for group in groups for link in group}) == declared
    wrong_column = dict(posts[0]["form"], columnid="1")
    assert b"<totalrecord>0</totalrecord>" in fetch(posts[0]["url"], wrong_column)[2]


def test_jpaas_column_page_has_no_list_until_the_unitbuild_api_is_called(farm: Farm) -> None:
    entry = next(e for e in farm.manifest["portals"].values() if e["cms"] == "jpaas")
    column = call(entry["list_pages"][0]).decode()
    assert "unitbuild.js" in column and not any(r["url"].split(":", 2)[2].split("/", 1)[1] in column
                                                  for r in entry["reports"])
    total = len(entry["reports"]) + len(entry["decoys"])
    for page in entry["list_pages"][1:]:
        payload = json.loads(call(page))
        assert payload["success"] and f'count="{total}"' in payload["data"]["html"]


def test_gkmlpt_api_pages_declare_the_total_and_need_the_sid(farm: Farm) -> None:
    entry = next(e for e in farm.manifest["portals"].values() if e["cms"] == "gkmlpt")
    index = call(entry["list_pages"][0]).decode()
    sid = re.search(r"window\._CONFIG = \{SID: '(\d+)'", index).group(1)
    articles = []
    for page in entry["list_pages"][1:]:
        assert f"sid={sid}" in page["url"]
        payload = json.loads(call(page))
        assert payload["total"] == payload["classify"]["post_count"] == page["total"]
        articles += payload["articles"]
    assert len(articles) == entry["list_pages"][1]["total"]
    no_sid = entry["list_pages"][1]["url"].split("&sid=")[0]
    assert json.loads(fetch(no_sid)[2])["articles"] == []


def test_plain_portal_next_links_are_href_then_onclick(farm: Farm) -> None:
    entry = next(e for e in farm.manifest["portals"].values() if e["cms"] == "plain")
    first, second = (call(page).decode() for page in entry["list_pages"][:2])
    assert re.search(r'<a href="list-2\.shtml" class="next">下一页</a>', first)
    assert re.search(r"onclick=\"queryArticleByCondition\(this,'[^']+list-3\.shtml'\)\" title=\"下一页\"", second)


def test_subcolumn_portal_posts_some_reports_twice_with_the_same_index_number(farm: Farm) -> None:
    entry = next(e for e in farm.manifest["portals"].values() if e["cms"] == "subcolumns")
    assert len(entry["duplicates"]) >= 2
    reports = {r["url"]: r for r in entry["reports"]}
    for duplicate, original in entry["duplicate_of"].items():
        assert "/qzf/" in duplicate and "/qzf/" not in original and duplicate != original
        index_no = reports[original]["index_no"]
        assert index_no and index_no in fetch(duplicate)[2].decode()
    assert any("/2023n/bm/index.html" in page["url"] for page in entry["list_pages"])


# ---------------------------------------------------------------- report contents

def test_generated_numbers_hold_every_identity_unless_a_deviation_is_named(farm: Farm) -> None:
    deviations = set()
    for report in farm.report_entries():
        failing = report["expected"]["checks_failing"]
        if report["seed"]:
            continue
        if report["deviation"] in (None, "continuity"):
            assert failing == [], report["url"]
        else:
            deviations.add(report["deviation"])
            assert failing, report["url"]
    assert deviations == {"balance", "row_sum", "review_sum"}


def test_consecutive_years_chain_up_except_the_recorded_continuity_break(farm: Farm) -> None:
    by_agency: dict[str, dict[int, dict[str, Any]]] = {}
    for report in farm.report_entries():
        if not report["seed"] and report["format"] != "pre2019":
            by_agency.setdefault(report["agency"], {})[report["report_year"]] = report
    breaks = [tuple(b["urls"]) for b in farm.manifest["continuity_breaks"]]
    assert len(breaks) == 1
    chained = 0
    for years in by_agency.values():
        for year, report in years.items():
            previous = years.get(year - 1)
            if previous is None:
                continue
            carried_forward = previous["expected"]["tables.applications.carried_forward"]
            carried_over = report["expected"]["tables.applications.carried_over"]
            if (previous["url"], report["url"]) in breaks:
                assert carried_over[-1] != carried_forward[-1]
            elif previous["deviation"] != "balance":
                assert carried_over[:-1] == carried_forward[:-1], report["url"]
                chained += 1
    assert chained >= 20


def test_table_cells_on_the_page_equal_the_manifest_expectations(farm: Farm) -> None:
    checked = 0
    for _adcode, entry in every_portal(farm.manifest):
        for report in entry["reports"]:
            expected = report["expected"]
            if "tables.applications.new_received" not in expected:
                continue
            page = lxml_html.fromstring(decode(fetch(report["url"])[2], report["encoding"]))
            for key, labels in (("new_received", ("本年新收",)), ("carried_forward", ("结转下年度", "結轉下年度")),
                                ("results_total", ("（七）总计", "(七)总计", "(七)總計"))):
                numbers = [int(n) for n in table_row_numbers(page, *labels)]
                assert numbers == expected[f"tables.applications.{key}"], (report["url"], key)
            if report["format"] == "2021":
                fees = table_row_numbers(page, "行政事业性收费")
                assert [float(f) for f in fees] == [expected["tables.active_disclosure.admin_fees"]["amount_wan_yuan"]]
            elif not report["seed"]:
                amount = expected["tables.active_disclosure.procurement.amount_text"]
                row = next(r for r in page.iter("tr") if "政府集中采购" in r.text_content())
                assert "".join(row.findall("td")[-1].itertext()).strip() == amount, report["url"]
                number = float(re.sub(r"[^\d.]", "", amount))
                scale = {"亿元": 10_000, "万元": 1}.get(amount[-2:], 1 / 10_000 if amount.endswith("元") else 1)
                assert abs(number * scale - expected["tables.active_disclosure.procurement.amount_wan_yuan"]) < 1e-6
            review_row = [row for row in page.iter("tr") if len(row.findall("td")) == 15][-1]
            numbers = [int("".join(td.itertext())) for td in review_row.findall("td")]
            review = expected["tables.review_litigation.review"]
            assert numbers[:5] == review, report["url"]
            checked += 1
    assert checked >= 40


def test_seed_pages_carry_the_seed_values_and_the_chrome_they_must_shed(farm: Farm) -> None:
    seeds = [r for r in farm.report_entries() if r["seed"]]
    assert len(seeds) == 5
    for report in seeds:
        text = decode(fetch(report["url"])[2], report["encoding"])
        for chrome in report["expected"]["text_excludes"]:
            assert chrome in text, (report["seed"], chrome)
        if "tables.applications.new_received" in report["expected"]:
            page = lxml_html.fromstring(text)
            numbers = [int(n) for n in table_row_numbers(page, "本年新收")]
            assert numbers == report["expected"]["tables.applications.new_received"], report["seed"]
    traditional = next(r for r in seeds if r["expected"]["script"] == "hant")
    assert "增13" in decode(fetch(traditional["url"])[2], traditional["encoding"])


# ---------------------------------------------------------------- mutations

def test_modify_report_changes_one_number_on_the_same_url(fresh_farm: Farm) -> None:
    report = next(r for r in fresh_farm.report_entries() if r["format"] == "2021" and not r["seed"])
    before = fetch(report["url"])[2]
    old = report["expected"]["tables.active_disclosure.licensing"]["decisions"]
    fresh_farm.modify_report(report["url"])
    after = fetch(report["url"])[2]
    assert before != after
    updated = next(r for r in fresh_farm.report_entries() if r["url"] == report["url"])
    assert updated["revision"] == 2
    assert updated["expected"]["tables.active_disclosure.licensing"]["decisions"] == old + 7
    page = lxml_html.fromstring(decode(after, updated["encoding"]))
    assert table_row_numbers(page, "行政许可") == [str(old + 7)]
    saved = json.loads(fresh_farm.manifest_path.read_text(encoding="utf-8"))
    assert any(r["url"] == report["url"] and r["revision"] == 2
               for e in saved["portals"].values() for r in e["reports"])


def test_add_report_publishes_a_new_report_at_the_top_of_every_kind_of_column(fresh_farm: Farm) -> None:
    for adcode, entry in list(fresh_farm.manifest["portals"].items()):
        added = fresh_farm.add_report(adcode)
        assert added["report_year"] == 2025 and added["format"] == "2021"
        status, _headers, body = fetch(added["url"])
        assert status == 200 and added["title"] in decode(body, added["encoding"])
        updated = fresh_farm.manifest["portals"][adcode]
        assert updated["reports"][0]["url"] == added["url"]
        assert len(updated["reports"]) == len(entry["reports"]) + 1
        seen = walk(updated)
        assert added["url"] in seen, adcode
        if updated["cms"] != "subcolumns":
            first_call = updated["list_pages"][1 if updated["cms"] in ("jpaas", "gkmlpt") else 0]
            known = {r["url"] for r in updated["reports"]} | set(updated["decoys"])
            details = [u for u in linked_urls(first_call["url"], call(first_call)) if u in known]
            assert details[0] == added["url"], adcode


# ---------------------------------------------------------------- chaos

def test_chaos_seed_fails_some_first_requests_then_answers(tmp_path: Path) -> None:
    with Farm.start(tmp_path, chaos=3) as chaotic:
        faults = {url: fault for entry in chaotic.manifest["portals"].values()
                  for url, fault in entry["chaos_faults"].items()}
        reports = {r["url"] for r in chaotic.report_entries()}
        assert len(faults) >= 20 and reports & set(faults)
        assert {"500", "502", "503", "reset"} <= set(faults.values())
        for kind in ("503", "reset"):
            url = next(u for u, f in faults.items() if f == kind and u in reports)
            if kind == "reset":
                with pytest.raises((urllib.error.URLError, ConnectionError)):
                    fetch(url)
            else:
                assert fetch(url)[0] == 503
            assert fetch(url)[0] == 200
    with Farm.start(tmp_path / "calm") as calm:
        assert all(not entry["chaos_faults"] for entry in calm.manifest["portals"].values())


# ---------------------------------------------------------------- command line

def test_serve_command_prints_ready_line_and_serves_until_killed(tmp_path: Path) -> None:
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[2]
    process = subprocess.Popen([sys.executable, "-m", "govreports_farm", "serve", "--run-dir", str(tmp_path)],
                               cwd=repo, stdout=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline() if process.stdout else ""
        assert re.fullmatch(rf"farm ready: \d+ portals, registry={re.escape(str(tmp_path / 'registry.csv'))}\n", line)
        with (tmp_path / "registry.csv").open(encoding="utf-8") as handle:
            homes = [row["home_url"] for row in csv.DictReader(handle)]
        assert all(fetch(home)[0] == 200 for home in homes)
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
