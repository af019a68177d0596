"""Reading feeds: the latest revision wins, and every unusable line is named with file:line."""

from __future__ import annotations

import json
from pathlib import Path

from govreports.dataset import build_dataset
from govreports.dataset.feeds import latest_revisions, read_feed, read_feeds
from tests.dataset.reports import GAOPING, JIULONGPO, report_2019, report_2021, write_feed


def test_higher_revision_wins_whatever_the_feed_order(tmp_path: Path) -> None:
    first = report_2021(GAOPING, 2022)
    corrected = report_2021(GAOPING, 2022, revision=2, fetched_at="2025-03-02T08:00:00+00:00")
    corrected["tables"]["applications"]["granted"]["total"] = 23
    later_feed = write_feed(tmp_path / "run2.jsonl", [corrected])
    earlier_feed = write_feed(tmp_path / "run1.jsonl", [first])
    kept, superseded = latest_revisions(read_feeds([later_feed, earlier_feed]).records)
    assert superseded == 1
    assert [(r.item["revision"], r.file) for r in kept] == [(2, str(later_feed))]


def test_same_revision_keeps_the_latest_fetch(tmp_path: Path) -> None:
    morning = report_2019(JIULONGPO, 2020, fetched_at="2025-03-01T08:00:00+00:00")
    evening = report_2019(JIULONGPO, 2020, fetched_at="2025-03-01T20:00:00+00:00")
    feed = write_feed(tmp_path / "feed.jsonl", [evening, morning])
    kept, superseded = latest_revisions(read_feed(feed).records)
    assert superseded == 1 and kept[0].item["source"]["fetched_at"].endswith("20:00:00+00:00")
    assert kept[0].line == 1


def test_malformed_lines_are_reported_with_file_and_line(tmp_path: Path) -> None:
    good = report_2019(JIULONGPO, 2020)
    feed = write_feed(tmp_path / "feed.jsonl", [good], extra_lines=(
        "",  # blank: passed over quietly
        '{"id": "abc", "url": "http://x/1.html", "revision": 1',  # truncated by a killed run
        '["a", "list"]',
        '{"title": "no id, no url"}',
        '{"id": "def", "url": "http://x/2.html", "revision": "2"}',
    ))
    read = read_feed(feed)
    assert len(read.records) == 1
    assert [str(p) for p in read.problems] == [
        f"{feed}:3: malformed JSON (Expecting ',' delimiter at column 54): "
        "'{\"id\": \"abc\", \"url\": \"http://x/1.html\", \"revision\": 1'",
        f"{feed}:4: not a report object (a JSON list)",
        f"{feed}:5: report has neither id nor url",
        f"{feed}:6: revision is not an integer: '2'",
    ]
    assert read.lines_read == 5


def test_a_json_array_feed_is_read_too(tmp_path: Path) -> None:
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps([report_2019(JIULONGPO, 2020), 7], ensure_ascii=False), encoding="utf-8")
    read = read_feed(feed)
    assert len(read.records) == 1
    assert [str(p) for p in read.problems] == [f"{feed}:2: not a report object (a JSON int)"]


def test_missing_feed_and_non_utf8_bytes_are_reported(tmp_path: Path) -> None:
    feed = tmp_path / "gbk.jsonl"
    line = json.dumps(report_2019(JIULONGPO, 2020), ensure_ascii=False)
    feed.write_bytes(line.encode("utf-8") + b"\n" + "{\"title\": \"年报\"}".encode("gbk") + b"\n")
    read = read_feeds([tmp_path / "missing.jsonl", feed])
    messages = [str(p) for p in read.problems]
    assert messages[0] == f"{tmp_path / 'missing.jsonl'}: cannot read feed: No such file or directory"
    assert messages[1] == f"{feed}: feed is not valid UTF-8; undecodable bytes replaced"
    assert messages[2] == f"{feed}:2: report has neither id nor url"
    assert len(read.records) == 1


def test_dataset_has_one_row_per_report_and_reports_off_schema_items(tmp_path: Path) -> None:
    items = [report_2021(GAOPING, year) for year in (2021, 2022, 2023)]
    again = report_2021(GAOPING, 2022)  # the same report harvested again by a second run
    off_schema = report_2019(JIULONGPO, 2020)
    off_schema["format"] = "2020"
    feed = write_feed(tmp_path / "feed.jsonl", [*items, again, off_schema])
    dataset = build_dataset([feed])
    assert len(dataset.rows) == 4 and dataset.superseded == 1
    assert [str(e) for e in dataset.schema_errors] == [
        f"{feed}:5: format: Input should be 'pre2019', '2019', '2021' or 'unknown' (got '2020')"
    ]
    # rows are grouped by site and agency, years in order
    assert [(r["site"], r["report_year"]) for r in dataset.rows] == [
        ("500107", 2020), ("511803", 2021), ("511803", 2022), ("511803", 2023)
    ]
