"""The parse worker's prepared JSON, key and hashes say exactly what the crawl process would compute.

The crawl process writes the worker's JSON into the archive and the feeds with only the revision
spliced in (govreports/prepared.py): these tests hold that text to what Scrapy's JSON Lines
encoder and the archive's own encoding write for the whole item, on real reports.
"""

from __future__ import annotations

import io
import json
import pickle
from pathlib import Path

import pytest
from scrapy.exporters import JsonLinesItemExporter
from scrapy.utils.test import get_crawler

from govreports.build import checked_item_from_page, prepared_item_from_page
from govreports.items import ReportItem, ReportPage
from govreports.keys import government_key, key_string, report_id
from govreports.pipelines.validate import ValidatePipeline
from govreports.prepared import BODY_FIELDS, content_hash, discard, item_json, prepared_of
from govreports.state.feed import DurableJsonLinesItemExporter

REAL = Path(__file__).parent / "fixtures" / "real-reports"
SITE = {"id": "fj-pingtan", "name": "平潭综合实验区", "adcode": "350128", "province": "福建省", "level": "county"}


def real_page(name: str) -> ReportPage:
    return ReportPage(url=f"http://www.pingtan.gov.cn/{name}", body=(REAL / name).read_bytes(), site=dict(SITE),
                      hints={"link_text": "平潭综合实验区政府信息公开工作年度报告"})


def whole_item_json(item: ReportItem) -> str:
    """What the archive wrote before the worker prepared anything: every field, declaration order."""
    copy = pickle.loads(pickle.dumps(item))
    discard(copy)
    return item_json(copy)


def scrapy_line(item: ReportItem) -> bytes:
    """What Scrapy's own JSON Lines exporter writes for the item (FEED_EXPORT_ENCODING utf-8)."""
    out = io.BytesIO()
    JsonLinesItemExporter(out, encoding="utf-8").export_item(item)
    return out.getvalue()


@pytest.mark.parametrize("name", ["pingtan-2019.html", "pingtan-2024.html"])
@pytest.mark.parametrize("revision", [1, 7])
def test_prepared_line_is_the_whole_items_json_on_real_reports(name: str, revision: int) -> None:
    item = pickle.loads(pickle.dumps(prepared_item_from_page(real_page(name))))  # as a worker hands it back
    item.revision = revision
    assert prepared_of(item) is not None
    assert item_json(item) == whole_item_json(item)
    assert json.loads(item_json(item))["revision"] == revision

    feed = io.BytesIO()
    DurableJsonLinesItemExporter(feed, encoding="utf-8").export_item(item)
    assert feed.getvalue() == scrapy_line(item)


def test_prepared_key_id_and_hashes_are_the_crawl_processes_own() -> None:
    item = prepared_item_from_page(real_page("pingtan-2024.html"))
    prepared = prepared_of(item)
    assert prepared is not None
    plain = checked_item_from_page(real_page("pingtan-2024.html"))
    assert prepared.key == key_string(plain)
    assert item.id == report_id(plain)
    assert prepared.government == government_key(plain)
    assert prepared.content_hash == content_hash(plain)
    assert prepared.body_hash == content_hash(plain, BODY_FIELDS)


def test_a_feed_with_chosen_fields_encodes_the_item_itself() -> None:
    item = prepared_item_from_page(real_page("pingtan-2024.html"))
    feed = io.BytesIO()
    DurableJsonLinesItemExporter(feed, encoding="utf-8", fields_to_export=["id", "title"]).export_item(item)
    assert json.loads(feed.getvalue()) == {"id": item.id, "title": item.title}


def test_an_item_changed_after_the_worker_is_encoded_afresh() -> None:
    """ValidatePipeline runs the checks the worker did not run: the prepared JSON would lack them."""
    item = prepared_item_from_page(real_page("pingtan-2024.html"))
    item.checks = []
    ValidatePipeline(get_crawler()).process_item(item)
    assert item.checks and prepared_of(item) is None
    assert json.loads(item_json(item))["checks"] == item.checks
