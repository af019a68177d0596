"""`scrapy merge`: the workers' feeds folded into one, one line per report at its latest revision."""

from __future__ import annotations

import json
from pathlib import Path

from govreports.commands.merge import merge_feeds
from tests.state.harness import read_feed


def write_feed(path: Path, *lines: dict | str) -> Path:  # type: ignore[type-arg]
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)) + "\n"
                            for line in lines), encoding="utf-8")
    return path


def report(report_id: str, revision: int = 1, fetched_at: str = "2024-05-01T03:00:00+00:00") -> dict:  # type: ignore[type-arg]
    return {"id": report_id, "revision": revision, "url": f"http://www.gaoping.gov.cn/{report_id}.html",
            "title": "南充市高坪区人民政府2023年政府信息公开工作年度报告", "source": {"fetched_at": fetched_at}}


def test_a_report_in_two_workers_feeds_comes_out_once(tmp_path: Path) -> None:
    """The copy left by a killed worker whose feed the other worker could not read."""
    worker_a = write_feed(tmp_path / "a.jsonl", report("r1"), report("r2"))
    worker_b = write_feed(tmp_path / "b.jsonl", report("r2", fetched_at="2024-05-01T03:05:00+00:00"), report("r3"))
    written, folded, problems = merge_feeds([str(worker_a), str(worker_b)], tmp_path / "merged.jsonl")
    merged = read_feed(tmp_path / "merged.jsonl")
    assert (written, folded, problems) == (3, 1, [])
    assert [item["id"] for item in merged] == ["r1", "r2", "r3"]
    assert merged[1]["source"]["fetched_at"] == "2024-05-01T03:05:00+00:00"  # the later fetch wins a tie


def test_a_correction_supersedes_the_original_whatever_the_feed_order(tmp_path: Path) -> None:
    corrected = write_feed(tmp_path / "tuesday.jsonl", report("r1", revision=2))
    original = write_feed(tmp_path / "monday.jsonl", report("r1", revision=1), "{torn line")
    written, folded, problems = merge_feeds([str(corrected), str(original)], tmp_path / "merged.jsonl")
    assert (written, folded) == (1, 1)
    assert [item["revision"] for item in read_feed(tmp_path / "merged.jsonl")] == [2]
    assert len(problems) == 1 and problems[0].startswith(f"{original}:2: malformed JSON")
