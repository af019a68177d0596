"""`scrapy dataset` end to end, in a subprocess exactly as a user runs it."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from govreports.dataset.columns import COLUMN_NAMES
from tests.dataset.reports import GAOPING, JIULONGPO, XUANHUA, report_2019, report_2021, report_pre2019, write_feed

ROOT = Path(__file__).resolve().parents[2]


def run_dataset(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scrapy", "dataset", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def read_csv(path: Path, encoding: str = "utf-8") -> list[dict[str, str]]:
    with open(path, encoding=encoding, newline="") as stream:
        return list(csv.DictReader(stream))


@pytest.fixture
def two_runs(tmp_path: Path) -> tuple[Path, Path, dict[str, dict]]:
    """Run 1 harvested four reports; run 2 re-harvested 高坪 2022 after the portal corrected it."""
    gaoping_2021 = report_2021(GAOPING, 2021)
    gaoping_2022 = report_2021(GAOPING, 2022, carried_over=6, in_force=72)
    corrected = report_2021(GAOPING, 2022, carried_over=6, in_force=72, revision=2,
                            fetched_at="2025-04-01T08:00:00+00:00")
    corrected["tables"]["applications"]["granted"].update(natural_person=21, total=23)
    corrected["tables"]["applications"]["other_other"].update(natural_person=1, total=1)
    jiulongpo = report_2019(JIULONGPO, 2020)
    xuanhua = report_pre2019(XUANHUA, 2018)
    run1 = write_feed(tmp_path / "run1.jsonl", [gaoping_2021, gaoping_2022, jiulongpo, xuanhua],
                      extra_lines=('{"id": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4", "url": "http://127.0.0.10/x.html"',))
    run2 = write_feed(tmp_path / "run2.jsonl", [corrected])
    return run1, run2, {"2021": gaoping_2021, "2022": corrected, "jiulongpo": jiulongpo, "xuanhua": xuanhua}


def test_csv_has_one_row_per_report_latest_revision_and_every_cell(two_runs, tmp_path: Path) -> None:
    run1, run2, reports = two_runs
    out = tmp_path / "out" / "reports.csv"
    result = run_dataset(str(run1), str(run2), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert f"{run1}:5: malformed JSON" in result.stderr
    assert "4 reports from 6 feed lines (1 older revisions or copies superseded)" in result.stderr
    rows = read_csv(out)
    assert list(rows[0]) == list(COLUMN_NAMES)
    by_id = {row["id"]: row for row in rows}
    assert len(rows) == 4 and set(by_id) == {r["id"] for r in reports.values()}
    gaoping_2022 = by_id[reports["2022"]["id"]]
    assert gaoping_2022["revision"] == "2"
    assert gaoping_2022["applications.granted.total"] == "23"
    assert gaoping_2022["active_disclosure.normative_documents.in_force"] == "72"
    assert gaoping_2022["active_disclosure.admin_fees.amount_wan_yuan"] == "96171.6"
    jiulongpo = by_id[reports["jiulongpo"]["id"]]
    assert jiulongpo["province"] == "重庆市" and jiulongpo["format"] == "2019"
    assert jiulongpo["active_disclosure.licensing.change"] == "-17"
    assert jiulongpo["active_disclosure.procurement.amount_text"] == "76320.9万元"
    assert jiulongpo["applications.other_other.total"] == ""  # not in the 2019 template: blank, not 0
    xuanhua = by_id[reports["xuanhua"]["id"]]
    assert xuanhua["figures.active_total"] == "26332"
    # no table: the prose figure stands in for the cell, and the row says so
    assert xuanhua["applications.new_received.total"] == xuanhua["figures.applications_received"]
    assert "applications.new_received.total" in xuanhua["from_prose"].split(";") or xuanhua["figures.applications_received"] == ""


def test_bom_for_excel_users(two_runs, tmp_path: Path) -> None:
    run1, _, _ = two_runs
    out = tmp_path / "excel.csv"
    assert run_dataset(str(run1), "-o", str(out), "--bom").returncode == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbfid,site,")
    assert read_csv(out, "utf-8-sig")[0]["site"]


def test_parquet_round_trips_through_pyarrow_with_types(two_runs, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    run1, run2, reports = two_runs
    out = tmp_path / "reports.parquet"
    result = run_dataset(str(run1), str(run2), "-o", str(out))
    assert result.returncode == 0, result.stderr
    table = pq.read_table(out)
    assert table.column_names == list(COLUMN_NAMES)
    assert table.num_rows == 4
    assert table.schema.field("applications.granted.total").type == pa.int64()
    assert table.schema.field("active_disclosure.procurement.amount_wan_yuan").type == pa.float64()
    assert table.schema.field("report_year").type == pa.int64()
    rows = {row["id"]: row for row in table.to_pylist()}
    assert rows[reports["2022"]["id"]]["applications.granted.total"] == 23
    assert rows[reports["jiulongpo"]["id"]]["active_disclosure.procurement.amount_wan_yuan"] == 76320.9
    assert rows[reports["xuanhua"]["id"]]["applications.granted.total"] is None


def test_checks_file_and_column_name_the_broken_pair(tmp_path: Path) -> None:
    first = report_2021(GAOPING, 2022, in_force=66)
    second = report_2021(GAOPING, 2023, carried_over=11, in_force=72)
    other = report_2021(JIULONGPO, 2023)
    feed = write_feed(tmp_path / "feed.jsonl", [first, second, other])
    out, checks = tmp_path / "d.csv", tmp_path / "checks.csv"
    result = run_dataset(str(feed), "-o", str(out), "--checks", str(checks))
    assert result.returncode == 0, result.stderr
    assert "3 cross-year checks, 1 failing" in result.stderr
    rows = read_csv(checks)
    assert list(rows[0])[:3] == ["rule", "ok", "message"]
    failing = [row for row in rows if row["ok"] == "false"]
    assert [(r["rule"], r["previous_url"], r["current_url"]) for r in failing] == [
        ("continuity.carried_over", first["url"], second["url"])
    ]
    assert [r["continuity_failing"] for r in read_csv(out)] == ["", "", "continuity.carried_over"]


def test_nothing_readable_is_an_error_and_writes_nothing(tmp_path: Path) -> None:
    feed = tmp_path / "broken.jsonl"
    feed.write_text('{"id": \n<html>not a feed</html>\n', encoding="utf-8")
    out = tmp_path / "d.csv"
    result = run_dataset(str(feed), "-o", str(out))
    assert result.returncode == 1
    assert f"{feed}:1: malformed JSON" in result.stderr and f"{feed}:2: malformed JSON" in result.stderr
    assert "nothing could be read" in result.stderr
    assert not out.exists()


def test_unknown_output_extension_is_a_usage_error(two_runs, tmp_path: Path) -> None:
    run1, _, _ = two_runs
    result = run_dataset(str(run1), "-o", str(tmp_path / "d.xlsx"))
    assert result.returncode == 2
    assert "use .csv, .parquet or .pq" in result.stderr


def test_columns_option_documents_the_order() -> None:
    result = run_dataset("--columns")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split("\t")[0] for line in lines] == list(COLUMN_NAMES)
    assert "applications.unable_not_held.natural_person\tint\t依申请 无法提供·本机关不掌握相关政府信息 · 自然人" in lines
