"""The keys of `tables`, `figures` and check rules, as fixed by spec/report-format.md.

One place for the spec's vocabulary so the JSON Schema, the dataset's column order and the
cross-year checks all agree. Order matters: it is the documented column order of the dataset.
"""

from __future__ import annotations

from typing import Literal

CellType = Literal["count", "change", "money", "text"]

FORMATS: tuple[str, ...] = ("pre2019", "2019", "2021", "unknown")
SCRIPTS: tuple[str, ...] = ("hans", "hant")

# --- tables.active_disclosure -------------------------------------------------------------------
# column key → kind of value; `change` is signed, `money` is 万元 (float allowed), `text` as published
ACTIVE_COLUMN_TYPES: dict[str, CellType] = {
    "new_made": "count",
    "new_published": "count",
    "total_published": "count",
    "issued": "count",
    "repealed": "count",
    "in_force": "count",
    "previous_items": "count",
    "change": "change",
    "decisions": "count",
    "projects": "count",
    "amount_wan_yuan": "money",
    "amount_text": "text",
}

# row key → columns in the 2019 format (国办公开办函〔2019〕60号); rows absent there are absent here
ACTIVE_ROWS_2019: dict[str, tuple[str, ...]] = {
    "regulations": ("new_made", "new_published", "total_published"),
    "normative_documents": ("new_made", "new_published", "total_published"),
    "licensing": ("previous_items", "change", "decisions"),
    "other_services": ("previous_items", "change", "decisions"),
    "punishment": ("previous_items", "change", "decisions"),
    "coercion": ("previous_items", "change", "decisions"),
    "admin_fees": ("previous_items", "change"),
    "procurement": ("projects", "amount_wan_yuan", "amount_text"),
}

# row key → columns in the 2021 format (国办公开办函〔2021〕30号)
ACTIVE_ROWS_2021: dict[str, tuple[str, ...]] = {
    "regulations": ("issued", "repealed", "in_force"),
    "normative_documents": ("issued", "repealed", "in_force"),
    "licensing": ("decisions",),
    "punishment": ("decisions",),
    "coercion": ("decisions",),
    "admin_fees": ("amount_wan_yuan",),
}


def _union_rows() -> dict[str, tuple[str, ...]]:
    rows: dict[str, list[str]] = {}
    for table in (ACTIVE_ROWS_2019, ACTIVE_ROWS_2021):
        for row, columns in table.items():
            known = rows.setdefault(row, [])
            known.extend(column for column in columns if column not in known)
    return {row: tuple(columns) for row, columns in rows.items()}


# every row with the columns either format may give it (2019 columns first)
ACTIVE_ROWS: dict[str, tuple[str, ...]] = _union_rows()

# --- tables.applications ------------------------------------------------------------------------
APPLICANT_COLUMNS: tuple[str, ...] = (
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "public_welfare_org",
    "legal_service_org",
    "other_org",
    "total",
)

APPLICATION_ROWS: tuple[str, ...] = (
    "new_received",
    "carried_over",
    "granted",
    "partially_granted",
    "denied_state_secret",
    "denied_law_prohibited",
    "denied_security_stability",
    "denied_third_party",
    "denied_internal_affairs",
    "denied_process_info",
    "denied_enforcement_file",
    "denied_admin_query",
    "unable_not_held",
    "unable_needs_creation",
    "unable_still_unclear",
    "not_processed_petition",
    "not_processed_duplicate",
    "not_processed_publication",
    "not_processed_excessive",
    "not_processed_confirmation",
    "other_handling",
    "other_no_correction",
    "other_fee_unpaid",
    "other_other",
    "results_total",
    "carried_forward",
)

# --- tables.review_litigation -------------------------------------------------------------------
REVIEW_GROUPS: tuple[str, ...] = ("review", "litigation_direct", "litigation_after_review")
REVIEW_COLUMNS: tuple[str, ...] = ("upheld", "corrected", "other", "pending", "total")

# --- figures ------------------------------------------------------------------------------------
FIGURE_TYPES: dict[str, CellType] = {
    "active_total": "count",
    "applications_received": "count",
    "applications_completed": "count",
    "review_total": "count",
    "litigation_total": "count",
    "fees_yuan": "money",
}

# --- check rules ----------------------------------------------------------------------------------
RULE_FAMILIES: tuple[str, ...] = (
    "applications.balance",
    "applications.results_sum",
    "applications.row_sum",
    "review_litigation.sum",
    "active_disclosure.published_le_total",
    "active_disclosure.issued_le",
    "figures.agree",
    "continuity.carried_over",
    "continuity.in_force",
)

CONTINUITY_IN_FORCE_ROWS: tuple[str, ...] = ("regulations", "normative_documents")


def rule_family(rule: str) -> str:
    """`applications.balance.total` → `applications.balance` (the rule without its row/column)."""
    for family in RULE_FAMILIES:
        if rule == family or rule.startswith(family + "."):
            return family
    return rule
