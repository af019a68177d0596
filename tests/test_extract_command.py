"""`scrapy extract` end to end, in a subprocess exactly as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from govreports_farm.expectations import mismatches

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "tests" / "fixtures" / "seeds"
EXPECTED = json.loads((SEEDS / "expected.json").read_text(encoding="utf-8"))
SEED_NAMES = sorted(name for name in EXPECTED if not name.startswith("_"))


def run_extract(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scrapy", "extract", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def seed_items() -> dict[str, dict]:
    result = run_extract(*(str(SEEDS / name) for name in SEED_NAMES))
    assert result.returncode == 0, result.stderr
    items = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert len(items) == len(SEED_NAMES)
    return {item["url"].rsplit("/", 1)[-1]: item for item in items}


@pytest.mark.parametrize("name", SEED_NAMES)
def test_extract_yields_every_expected_value_of_the_seed(seed_items: dict[str, dict], name: str) -> None:
    item = seed_items[name]
    assert item["url"] == (SEEDS / name).resolve().as_uri()
    assert mismatches(item, EXPECTED[name]) == []


def test_extract_items_carry_every_schema_key(seed_items: dict[str, dict]) -> None:
    from govreports.items import REPORT_FIELDS

    for item in seed_items.values():
        assert tuple(item) == REPORT_FIELDS
        assert len(item["id"]) == 40


def test_unreadable_and_unsupported_inputs_fail_clearly_after_the_rest(tmp_path: Path) -> None:
    unsupported = tmp_path / "report.xyz"
    unsupported.write_text("x")
    missing = tmp_path / "missing.html"
    good = SEEDS / SEED_NAMES[0]
    result = run_extract(str(unsupported), str(missing), str(good))
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("extract:")]
    assert any("unsupported file type '.xyz'" in line for line in errors)
    assert any("cannot read" in line and "missing.html" in line for line in errors)
    items = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert [item["url"] for item in items] == [good.resolve().as_uri()]


def test_output_option_writes_a_feed_file(tmp_path: Path) -> None:
    out = tmp_path / "feed.jsonl"
    result = run_extract("-o", str(out), str(SEEDS / SEED_NAMES[2]))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    (item,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert item["title"]


REAL_WORLD = ROOT / "tests" / "fixtures" / "real-world"


def test_markdown_renderings_are_accepted_and_notices_are_marked_not_reports(tmp_path: Path) -> None:
    """Issue 15: .md (a PDF-to-markdown or crawler rendering) is plain text; a notice is no report."""
    markdown = REAL_WORLD / "renderings" / "pingtan-2024.trafilatura.md"
    notice = tmp_path / "notice.md"
    notice.write_bytes((REAL_WORLD / "ningguo-notice-2021.txt").read_bytes())
    result = run_extract(str(markdown), str(notice))
    assert result.returncode == 0, result.stderr
    report, not_report = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert report["is_report"] is True and report["format"] == "2021"
    assert report["tables"]["applications"]["new_received"]["total"] == 218
    assert not_report["is_report"] is False and not_report["format"] == "unknown"
    assert any("not an annual report but a notice" in w for w in not_report["warnings"])
    assert "notice.md: written with is_report false" in result.stderr
