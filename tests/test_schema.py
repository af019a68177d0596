"""The report item's JSON Schema: generated from ReportItem, strict on the spec's keys."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from govreports.items import ADDED_FIELDS, REPORT_FIELDS, ReportItem
from govreports.schema import SCHEMA_PATH, load_schema, validate_item
from govreports.schema.generate import _schema_of, build_schema, render
from tests.dataset.reports import GAOPING, JIULONGPO, XUANHUA, report_2019, report_2021, report_pre2019

SEEDS = Path(__file__).parent / "fixtures" / "seeds"


def test_committed_schema_is_regenerated_from_the_dataclass() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == render(build_schema()), (
        "report.schema.json is stale: run python -m govreports.schema.generate"
    )


def test_schema_is_valid_draft_2020_12_and_covers_exactly_the_item_fields() -> None:
    schema = load_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert tuple(schema["properties"]) == REPORT_FIELDS
    assert set(schema["required"]) == set(REPORT_FIELDS) - ADDED_FIELDS


def test_a_field_added_to_the_item_class_appears_in_the_derived_schema() -> None:
    @dataclass(kw_only=True, slots=True)
    class ReportItemWithLanguage(ReportItem):
        language: str = "zh"

    assert "language" in _schema_of(ReportItemWithLanguage)["properties"]


def test_figure_keys_of_the_schema_are_the_specs_figure_keys() -> None:
    from govreports.spec import FIGURE_TYPES

    assert tuple(load_schema()["$defs"]["Figures"]["properties"]) == tuple(FIGURE_TYPES)


def test_items_of_feeds_written_before_schema_versioning_still_validate() -> None:
    item = report_2019(JIULONGPO, 2020)
    for name in ADDED_FIELDS:
        item.pop(name, None)
    item["source"].pop("ocr", None)
    assert validate_item(item) == []


def test_the_committed_schema_accepts_and_rejects_like_the_model() -> None:
    """Other tools validate feeds with the JSON file: it must agree with validate_item."""
    validator = Draft202012Validator(load_schema())
    good = report_2019(JIULONGPO, 2020)
    bad = report_2019(JIULONGPO, 2020)
    bad["tables"]["active_disclosure"]["regulations"]["in_force"] = 3  # a 2021 column in a 2019 report
    assert list(validator.iter_errors(good)) == [] and validate_item(good) == []
    assert list(validator.iter_errors(bad)) and validate_item(bad)


@pytest.mark.parametrize(
    "item",
    [
        report_2019(JIULONGPO, 2020),
        report_2021(GAOPING, 2023),
        report_pre2019(GAOPING, 2018),
        report_2019(XUANHUA, 2019, index_no=None, publisher=None),
    ],
    ids=["2019_format_like_jiulongpo", "2021_format_like_huaian", "pre2019_prose_like_gaoping", "no_index_no"],
)
def test_realistic_items_validate(item: dict) -> None:
    assert validate_item(item) == []


def test_default_report_item_is_only_missing_what_the_crawl_fills_in() -> None:
    from itemadapter import ItemAdapter

    errors = validate_item(ItemAdapter(ReportItem()).asdict())
    # id and url are filled by the pipelines, source by the parser (site defaults to all nulls)
    assert {e.split(":")[0].split(".")[0] for e in errors} == {"id", "url", "source"}


def test_traditional_report_with_attachments_and_warnings_validates() -> None:
    item = report_2019(JIULONGPO, 2020)
    item["script"] = "hant"
    item["title"] = "鄂溫克族自治旗巴彥嵯崗蘇木2020年政府信息公開工作年度報告"
    item["warnings"] = ["applications.granted.other_org: blank cell"]
    item["tables"]["applications"]["granted"]["other_org"] = None
    item["attachments"] = [
        {"url": "http://127.0.0.10/P020210205.pdf", "name": "年报.pdf", "media_type": "application/pdf", "sha256": "a" * 64, "parsed": True}
    ]
    assert validate_item(item) == []


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda i: i["tables"]["applications"]["granted"].update(total=-1), "tables.applications.granted.total: Input should be greater than or equal to 0 (got -1)"),
        (lambda i: i["tables"]["applications"]["granted"].update(total="61"), "tables.applications.granted.total: Input should be a valid integer (got '61')"),
        (lambda i: i["tables"]["applications"].update(granted_partly={}), "tables.applications.granted_partly: Extra inputs are not permitted"),
        (lambda i: i["tables"]["active_disclosure"]["regulations"].update(in_force=3), "tables.active_disclosure.regulations.in_force: Extra inputs are not permitted ('in_force') in a 2019-format report"),
        (lambda i: i.update(format="2020"), "format: Input should be 'pre2019', '2019', '2021' or 'unknown' (got '2020')"),
        (lambda i: i["checks"].append({"rule": "applications.balance.everyone", "ok": True, "message": ""}), "checks.7.rule: String does not match the expected pattern (got 'applications.balance.everyone')"),
        (lambda i: i.update(publish_date="2021年2月5日"), "publish_date: String does not match the expected pattern (got '2021年2月5日')"),
        (lambda i: i["source"].update(fetched_at="yesterday"), "source.fetched_at: String does not match the expected pattern (got 'yesterday')"),
        (lambda i: i.pop("revision"), "revision: required field missing"),
        (lambda i: i.update(extra=1), "extra: Extra inputs are not permitted"),
        (lambda i: i["provenance"].update(schema_version=0), "provenance.schema_version: Input should be greater than or equal to 1"),
        (lambda i: i["source"].update(ocr={"engine": "tesseract"}), "source.ocr.version: Field required"),
        (lambda i: i["warning_details"].append({"table": None, "cause": "blank", "count": 0, "cells": []}), "warning_details.0.count: Input should be greater than or equal to 1"),
    ],
    ids=["negative_count", "number_as_text", "unknown_row", "2021_column_in_2019_report", "bad_format", "bad_rule", "chinese_date", "bad_timestamp", "missing_revision", "unknown_key", "schema_version_0", "ocr_without_version", "zero_warning_count"],
)
def test_schema_rejects_what_the_spec_forbids(mutate, expected: str) -> None:
    item = report_2019(JIULONGPO, 2020)
    mutate(item)
    errors = validate_item(item)
    assert any(e.startswith(expected) for e in errors), errors


def test_validate_item_rejects_a_non_object() -> None:
    assert validate_item(["not", "an", "item"]) == ["(item): expected a JSON object, got list"]  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", sorted(p.name for p in SEEDS.glob("*.txt")))
def test_items_built_from_the_seeds_by_the_real_parser_validate(seed: str) -> None:
    """The parser's actual output (via the same assembly as crawl and extract) obeys the schema."""
    from itemadapter import ItemAdapter

    from govreports.build import apply_checks, item_from_page
    from govreports.items import ReportPage
    from govreports.keys import assign_report_id

    path = SEEDS / seed
    page = ReportPage(url=path.resolve().as_uri(), body=path.read_bytes(), media_type="text/plain",
                      site={"id": "511803", "name": None, "adcode": "511803", "province": None, "level": None})
    item = item_from_page(page)
    apply_checks(item)
    assign_report_id(item)
    as_json = json.loads(json.dumps(ItemAdapter(item).asdict(), ensure_ascii=False))
    assert validate_item(as_json) == []
