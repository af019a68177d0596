"""One report → one row: every spec key has a column, cells land in the right column."""

from __future__ import annotations

from govreports.dataset.columns import CELL_COLUMNS, COLUMN_NAMES, FIGURE_COLUMNS, IDENTITY_COLUMNS
from govreports.dataset.flatten import flatten_item
from govreports import spec
from tests.dataset.reports import GAOPING, JIULONGPO, report_2019, report_2021, report_pre2019


def test_columns_cover_every_table_key_of_the_spec_for_both_formats() -> None:
    names = set(COLUMN_NAMES)
    for rows in (spec.ACTIVE_ROWS_2019, spec.ACTIVE_ROWS_2021):
        for row, columns in rows.items():
            assert {f"active_disclosure.{row}.{c}" for c in columns} <= names
    assert {f"applications.{r}.{c}" for r in spec.APPLICATION_ROWS for c in spec.APPLICANT_COLUMNS} <= names
    assert {f"review_litigation.{g}.{c}" for g in spec.REVIEW_GROUPS for c in spec.REVIEW_COLUMNS} <= names
    assert {f"figures.{f}" for f in spec.FIGURE_TYPES} <= names
    assert len(COLUMN_NAMES) == len(names), "column names must be unique"


def test_column_order_is_identity_then_tables_then_figures_then_checks() -> None:
    assert COLUMN_NAMES[:3] == ("id", "site", "site_name")
    assert COLUMN_NAMES[len(IDENTITY_COLUMNS)] == "active_disclosure.regulations.new_made"
    assert COLUMN_NAMES.index("applications.new_received.natural_person") < COLUMN_NAMES.index("applications.carried_forward.total")
    assert COLUMN_NAMES.index("applications.carried_forward.total") < COLUMN_NAMES.index("review_litigation.review.upheld")
    assert COLUMN_NAMES[-4:] == ("checks_run", "failing_checks", "continuity_failing", "warnings_count")
    assert len(CELL_COLUMNS) == 30 + 26 * 7 + 15  # Table 1 (both formats' columns) + Table 2 + Table 3
    assert len(FIGURE_COLUMNS) == len(spec.FIGURE_TYPES)


def test_2019_report_fills_2019_columns_and_leaves_2021_columns_blank() -> None:
    row, problems = flatten_item(report_2019(JIULONGPO, 2020))
    assert problems == []
    assert row["site"] == "500107" and row["province"] == "重庆市" and row["report_year"] == 2020
    assert row["active_disclosure.normative_documents.total_published"] == 253
    assert row["active_disclosure.licensing.change"] == -17
    assert row["active_disclosure.procurement.amount_wan_yuan"] == 76320.9
    assert row["active_disclosure.procurement.amount_text"] == "76320.9万元"
    assert row["active_disclosure.normative_documents.in_force"] is None
    assert row["applications.granted.total"] == 61
    assert row["applications.other_handling.total"] == 0
    assert row["applications.other_other.total"] is None  # a 2021-only row is blank, not 0
    assert row["review_litigation.review.total"] == 3
    assert row["figures.active_total"] == 13741
    assert row["figures.fees_yuan"] is None


def test_2021_report_fills_in_force_and_fee_amount() -> None:
    row, problems = flatten_item(report_2021(GAOPING, 2023))
    assert problems == []
    assert row["active_disclosure.normative_documents.issued"] == 8
    assert row["active_disclosure.normative_documents.in_force"] == 66
    assert row["active_disclosure.admin_fees.amount_wan_yuan"] == 96171.6
    assert row["active_disclosure.licensing.decisions"] == 447228
    assert row["active_disclosure.other_services.decisions"] is None
    assert row["applications.other_handling.total"] is None


def test_prose_report_has_figures_and_they_stand_in_for_the_missing_table_marked_as_prose() -> None:
    row, _ = flatten_item(report_pre2019(GAOPING, 2018))
    assert row["figures.applications_received"] == 6 and row["figures.fees_yuan"] == 0.0
    assert row["applications.new_received.total"] == 6  # the prose figure stands in for the missing table
    assert row["applications.results_total.total"] == 6 and row["review_litigation.review.total"] == 12
    assert row["from_prose"] == (
        "applications.new_received.total;applications.results_total.total;review_litigation.review.total"
    )
    filled = set(row["from_prose"].split(";"))
    assert all(row[c.name] is None for c in CELL_COLUMNS if c.name not in filled)


def test_a_table_cell_is_never_overridden_by_prose() -> None:
    item = report_2019(JIULONGPO, 2020)
    item["figures"] = {"applications_received": 999_999}
    row, _ = flatten_item(item)
    assert row["applications.new_received.total"] != 999_999 and row["from_prose"] is None


def test_failing_checks_and_continuity_land_in_their_columns() -> None:
    item = report_2019(JIULONGPO, 2020, carried_forward=3)  # natural persons no longer balance
    row, _ = flatten_item(item, ["continuity.carried_over"])
    assert row["failing_checks"] == "applications.balance.natural_person;applications.balance.total"
    assert row["continuity_failing"] == "continuity.carried_over"
    assert row["checks_run"] == 7


def test_values_of_the_wrong_type_are_blanked_and_reported_not_coerced() -> None:
    item = report_2019(JIULONGPO, 2020)
    item["tables"]["applications"]["granted"]["total"] = "61"
    item["tables"]["applications"]["denied_state_secret"]["total"] = True
    item["tables"]["applications"]["granted_partly"] = {"total": 3}
    item["figures"]["press_conferences"] = 4
    row, problems = flatten_item(item)
    assert row["applications.granted.total"] is None
    assert row["applications.denied_state_secret.total"] is None
    assert "applications.granted.total: expected an integer, got '61'" in problems
    assert "applications.denied_state_secret.total: expected a number, got True" in problems
    assert "tables.applications.granted_partly.total: not a key of the spec; no column for it" in problems
    assert "figures.press_conferences: not a key of the spec; no column for it" in problems


from hypothesis import given, settings
from hypothesis import strategies as st

from govreports.dataset.continuity import continuity_checks

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.sampled_from(
        ["applications", "carried_over", "carried_forward", "total", "in_force", "issued", "active_disclosure",
         "normative_documents", "granted", "x"]), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=100, deadline=None)
@given(tables=_json, figures=_json, checks=_json, year=st.one_of(st.none(), st.integers(2019, 2021), st.text(max_size=3)),
       site=_json, agency=st.one_of(st.none(), st.text(max_size=4)))
def test_garbage_in_item_fields_never_crashes_flatten_or_continuity(tables, figures, checks, year, site, agency) -> None:
    item = report_2021(GAOPING, 2021)
    item.update(tables=tables, figures=figures, checks=checks, report_year=year, site=site, agency=agency)
    row, problems = flatten_item(item)
    assert set(row) == set(COLUMN_NAMES)
    assert all(isinstance(p, str) for p in problems)
    continuity_checks([item, report_2021(GAOPING, 2022), report_2021(GAOPING, 2020)])


def test_null_cells_counts_the_cells_behind_the_parsers_warnings() -> None:
    item = report_2019(JIULONGPO, 2020)
    item["warning_details"] = [
        {"table": "applications", "cause": "blank", "count": 125, "cells": []},
        {"table": "applications", "cause": "glued_recovered", "count": 7, "cells": []},  # recovered: not null
    ]
    row, _ = flatten_item(item)
    assert row["null_cells"] == 125
