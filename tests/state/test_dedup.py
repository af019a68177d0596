"""DedupPipeline: one item per report within a run, revisions across runs."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.misc import build_from_crawler

from govreports.items import ReportItem, ReportPage
from govreports.pipelines.dedup import DedupPipeline
from govreports.prepared import content_hash, key_of
from govreports.state.feed import DurableJsonLinesItemExporter
from tests.state.conftest import copy_of, gaoping_2023, make_crawler, run_state_of


class Run:
    """One crawl's dedup pipeline and durable feed, as Scrapy wires them."""

    def __init__(self, db: Path, feed: Path) -> None:
        self.crawler: Crawler = make_crawler(db)
        self.pipeline = build_from_crawler(DedupPipeline, self.crawler)
        self.file = feed.open("ab")
        self.exporter = build_from_crawler(DurableJsonLinesItemExporter, self.crawler, self.file)
        self.exporter.start_exporting()
        self.emitted: list[ReportItem] = []

    def offer(self, item: Any) -> str:
        """Push one item through the pipeline and, if it comes out, into the feed."""
        try:
            out = self.pipeline.process_item(item)
        except DropItem as drop:
            assert drop.log_level == "DEBUG"
            return "dropped"
        self.exporter.export_item(out)
        self.emitted.append(out)
        return "emitted"

    def stat(self, name: str) -> int:
        return int(self.crawler.stats.get_value(f"govreports/dedup/{name}", 0))  # type: ignore[union-attr]

    def close(self) -> None:
        self.exporter.finish_exporting()
        self.file.close()
        run_state_of(self.crawler).close()


@pytest.fixture
def feed(tmp_path: Path) -> Path:
    return tmp_path / "output" / "run.jsonl"


def test_a_first_sighting_is_new_with_revision_1_and_the_sha1_of_its_key_as_id(db: Path, feed: Path) -> None:
    feed.parent.mkdir()
    run = Run(db, feed)
    assert run.offer(gaoping_2023()) == "emitted"
    item = run.emitted[0]
    assert item.revision == 1
    assert item.id == hashlib.sha1(key_of(item).encode()).hexdigest()
    assert json.loads(key_of(item)) == ["511803", "index_no", "11511303MB1529498F/2024-00012"]
    assert run.stat("new") == 1
    run.close()


def test_the_same_report_at_its_wap_twin_in_one_run_is_a_counted_duplicate(db: Path, feed: Path) -> None:
    feed.parent.mkdir()
    run = Run(db, feed)
    report = gaoping_2023()
    assert run.offer(report) == "emitted"
    twin = copy_of(report, url=report.url.replace(".html", "_wap.html"), index_no="11511303MB1529498F/ 2024-00012")
    assert run.offer(twin) == "dropped"
    assert (run.stat("new"), run.stat("duplicate")) == (1, 1)
    run.close()


def test_a_second_posting_without_index_no_is_matched_on_year_agency_and_title(db: Path, feed: Path) -> None:
    feed.parent.mkdir()
    run = Run(db, feed)
    district = gaoping_2023(index_no=None)
    department = copy_of(
        district,
        url="http://www.gaoping.gov.cn/zwgk/bmxxgknb/202401/t20240116_3271200.html",
        title="南充市高坪區人民政府 2023年 政府信息公開工作年度報告",  # a Traditional mirror with odd spaces
        text=district.text + " ",
    )
    assert run.offer(district) == "emitted"
    assert run.offer(department) == "dropped"
    assert run.stat("duplicate") == 1
    run.close()


def test_a_reposting_with_its_own_index_number_is_caught_by_its_identical_body(db: Path, feed: Path) -> None:
    feed.parent.mkdir()
    run = Run(db, feed)
    district = gaoping_2023()
    department = copy_of(district, url="http://www.gaoping.gov.cn/bm/t20240116_1.html", index_no="BM-2024-77",
                         publisher="南充市高坪区司法局")
    assert [run.offer(district), run.offer(department)] == ["emitted", "dropped"]
    run.close()


def test_different_years_of_one_agency_are_different_reports(db: Path, feed: Path) -> None:
    feed.parent.mkdir()
    run = Run(db, feed)
    y2023 = gaoping_2023(index_no=None)
    y2022 = copy_of(y2023, url=y2023.url.replace("3271106", "3000001"), report_year=2022,
                    title=y2023.title.replace("2023", "2022"), text="2022年……")
    assert [run.offer(y2023), run.offer(y2022)] == ["emitted", "emitted"]
    assert y2023.id != y2022.id
    run.close()


def test_an_unchanged_report_is_dropped_on_the_next_run(db: Path, feed: Path) -> None:
    feed.parent.mkdir()
    first = Run(db, feed)
    first.offer(gaoping_2023())
    first.close()
    second = Run(db, feed)
    refetched = gaoping_2023()
    refetched.source = {**refetched.source, "fetched_at": "2024-06-01T03:00:00Z", "sha256": "bb"}
    refetched.checks = [{"rule": "applications_balance", "ok": True, "message": "reworded"}]
    refetched.url = refetched.url.replace("http://", "https://")
    assert second.offer(refetched) == "dropped"
    assert (second.stat("unchanged"), second.stat("new"), second.stat("changed")) == (1, 0, 0)
    assert second.offer(copy_of(refetched)) == "dropped"  # a second copy in this run: a duplicate
    assert second.stat("duplicate") == 1
    second.close()


def test_a_corrected_report_is_emitted_again_as_revision_2_keeping_the_old_hash(db: Path, feed: Path) -> None:
    feed.parent.mkdir()
    first = Run(db, feed)
    first.offer(gaoping_2023())
    first.close()
    original_hash = content_hash(gaoping_2023())

    second = Run(db, feed)
    corrected = gaoping_2023(tables={"applications": {"new_received": {"natural_person": 31, "total": 37}}})
    assert second.offer(corrected) == "emitted"
    assert corrected.revision == 2 and corrected.id == first.emitted[0].id
    assert second.stat("changed") == 1
    second.close()

    third = Run(db, feed)
    seen = third.pipeline.store.lookup(key_of(corrected))
    assert seen is not None and seen.revision == 2 and seen.previous_hashes == (original_hash,)
    assert third.offer(gaoping_2023(tables=corrected.tables)) == "dropped"
    third.close()
    lines = [json.loads(line) for line in feed.read_text(encoding="utf-8").splitlines()]
    assert [(line["id"], line["revision"]) for line in lines] == [(corrected.id, 1), (corrected.id, 2)]


def test_an_item_that_reached_no_feed_is_not_marked_seen(db: Path, feed: Path) -> None:
    crawler = make_crawler(db)
    pipeline = build_from_crawler(DedupPipeline, crawler)
    pipeline.process_item(gaoping_2023())  # emitted, but nothing writes it anywhere
    run_state_of(crawler).close()
    assert crawler.stats.get_value("govreports/state/uncommitted") == 1  # type: ignore[union-attr]
    feed.parent.mkdir()
    again = Run(db, feed)
    assert again.offer(gaoping_2023()) == "emitted"
    assert again.stat("new") == 1
    again.close()


def test_a_second_posting_seen_in_a_later_run_stays_a_duplicate(db: Path, feed: Path) -> None:
    feed.parent.mkdir()
    district = gaoping_2023()
    department = copy_of(district, url="http://www.gaoping.gov.cn/bm/t20240116_1.html", index_no="BM-2024-77",
                         publisher="南充市高坪区司法局")
    first = Run(db, feed)
    assert [first.offer(district), first.offer(department)] == ["emitted", "dropped"]
    first.close()
    second = Run(db, feed)  # this time the department's posting is met first
    assert second.offer(copy_of(department)) == "dropped"
    assert second.offer(copy_of(district)) == "dropped"
    assert (second.stat("duplicate"), second.stat("unchanged"), second.stat("new")) == (1, 1, 0)
    second.close()


def test_items_that_are_not_reports_pass_through(db: Path) -> None:
    crawler = make_crawler(db)
    pipeline = build_from_crawler(DedupPipeline, crawler)
    page = ReportPage(url="http://x.gov.cn/a.html", body=b"<html></html>")
    assert pipeline.process_item(page) is page
    run_state_of(crawler).close()


def test_a_report_without_title_or_index_is_keyed_by_its_canonical_url(db: Path) -> None:
    bare = ReportItem(url="https://www.gaoping.gov.cn/zwgk/a_wap.html", site={"id": "511803"})
    assert json.loads(key_of(bare)) == ["511803", "url", "http://www.gaoping.gov.cn/zwgk/a.html"]
    adhoc = ReportItem(url="http://127.0.0.12:8080/x.html", title="某县2019年政府信息公开工作年度报告")
    assert json.loads(key_of(adhoc))[0] == "127.0.0.12"


def test_the_pipeline_gives_a_report_the_id_scrapy_extract_gives_it(db: Path, feed: Path) -> None:
    from govreports.keys import assign_report_id

    feed.parent.mkdir()
    run = Run(db, feed)
    run.offer(gaoping_2023(index_no=None))
    extracted = gaoping_2023(index_no=None)
    assign_report_id(extracted)
    assert extracted.id == run.emitted[0].id
    run.close()
