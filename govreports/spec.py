"""The spec's vocabulary (docs/report-format.md): formats, scripts, table keys and the official
wording of each table row and column, figure keys and check rule names.

The one place these are written down, so the parser, the checks, the JSON Schema and the dataset
agree. Order matters: it is the template's order and the documented column order of the dataset.
Pure data: no imports beyond typing.
"""

from __future__ import annotations

from typing import Literal

CellType = Literal["count", "change", "money", "text"]

FORMATS: tuple[str, ...] = ("pre2019", "2019", "2021", "unknown")
SCRIPTS: tuple[str, ...] = ("hans", "hant")

# --- tables.active_disclosure -------------------------------------------------------------------
# row key → official label (the order of the template)
ACTIVE_ROW_LABELS: dict[str, str] = {
    "regulations": "规章",
    "normative_documents": "规范性文件",
    "licensing": "行政许可",
    "other_services": "其他对外管理服务事项",
    "punishment": "行政处罚",
    "coercion": "行政强制",
    "admin_fees": "行政事业性收费",
    "procurement": "政府集中采购",
}

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

# column key → official label (金额 is 采购总金额 in 2019, 本年收费金额（单位：万元） in 2021)
ACTIVE_COLUMN_LABELS: dict[str, str] = {
    "new_made": "本年新制作数量",
    "new_published": "本年新公开数量",
    "total_published": "对外公开总数量",
    "issued": "本年制发件数",
    "repealed": "本年废止件数",
    "in_force": "现行有效件数",
    "previous_items": "上一年项目数量",
    "change": "本年增/减",
    "decisions": "处理决定数量",
    "projects": "采购项目数量",
    "amount_wan_yuan": "金额",
    "amount_text": "金额",
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

# the rows counting documents: the published ≤ total, issued ≤ and continuity.in_force rules apply to them
DOCUMENT_ROWS: tuple[str, ...] = ("regulations", "normative_documents")

# --- tables.applications ------------------------------------------------------------------------
# column key → official label (the five 法人或其他组织 columns, then 总计)
APPLICANT_COLUMN_LABELS: dict[str, str] = {
    "natural_person": "自然人",
    "commercial_enterprise": "商业企业",
    "research_institution": "科研机构",
    "public_welfare_org": "社会公益组织",
    "legal_service_org": "法律服务机构",
    "other_org": "其他",
    "total": "总计",
}
APPLICANT_COLUMNS: tuple[str, ...] = tuple(APPLICANT_COLUMN_LABELS)

# row key → official label without its numbering, in template order
APPLICATION_ROW_LABELS: dict[str, str] = {
    "new_received": "本年新收政府信息公开申请数量",
    "carried_over": "上年结转政府信息公开申请数量",
    "granted": "予以公开",
    "partially_granted": "部分公开",
    "denied_state_secret": "属于国家秘密",
    "denied_law_prohibited": "其他法律行政法规禁止公开",
    "denied_security_stability": "危及“三安全一稳定”",
    "denied_third_party": "保护第三方合法权益",
    "denied_internal_affairs": "属于三类内部事务信息",
    "denied_process_info": "属于四类过程性信息",
    "denied_enforcement_file": "属于行政执法案卷",
    "denied_admin_query": "属于行政查询事项",
    "unable_not_held": "本机关不掌握相关政府信息",
    "unable_needs_creation": "没有现成信息需要另行制作",
    "unable_still_unclear": "补正后申请内容仍不明确",
    "not_processed_petition": "信访举报投诉类申请",
    "not_processed_duplicate": "重复申请",
    "not_processed_publication": "要求提供公开出版物",
    "not_processed_excessive": "无正当理由大量反复申请",
    "not_processed_confirmation": "要求行政机关确认或重新出具已获取信息",
    "other_handling": "其他处理",
    "other_no_correction": "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "other_fee_unpaid": "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "other_other": "其他",
    "results_total": "总计",
    "carried_forward": "结转下年度继续办理",
}
APPLICATION_ROWS: tuple[str, ...] = tuple(APPLICATION_ROW_LABELS)

# the result groups of 三、本年度办理结果 that hold numbered sub-rows: group label → its rows
APPLICATION_RESULT_GROUPS: dict[str, tuple[str, ...]] = {
    "不予公开": APPLICATION_ROWS[4:12],
    "无法提供": APPLICATION_ROWS[12:15],
    "不予处理": APPLICATION_ROWS[15:20],
    "其他处理": APPLICATION_ROWS[21:24],
}

# 2021 split （六）其他处理 into three sub-rows; 2019 has the single row other_handling
OTHER_HANDLING_ROWS_2021: tuple[str, ...] = APPLICATION_RESULT_GROUPS["其他处理"]
# the result rows that sum to results_total, per format
RESULT_ROWS_2019: tuple[str, ...] = APPLICATION_ROWS[2:21]
RESULT_ROWS_2021: tuple[str, ...] = APPLICATION_ROWS[2:20] + OTHER_HANDLING_ROWS_2021

# --- tables.review_litigation -------------------------------------------------------------------
REVIEW_GROUP_LABELS: dict[str, str] = {
    "review": "行政复议",
    "litigation_direct": "行政诉讼·未经复议直接起诉",
    "litigation_after_review": "行政诉讼·复议后起诉",
}
REVIEW_GROUPS: tuple[str, ...] = tuple(REVIEW_GROUP_LABELS)
REVIEW_COLUMN_LABELS: dict[str, str] = {
    "upheld": "结果维持",
    "corrected": "结果纠正",
    "other": "其他结果",
    "pending": "尚未审结",
    "total": "总计",
}
REVIEW_COLUMNS: tuple[str, ...] = tuple(REVIEW_COLUMN_LABELS)

# --- figures ------------------------------------------------------------------------------------
# Headline figures stated in prose (parsing/figures.py; the phrasings are in docs/report-format.md).
# Every format states them in 总体情况 and the other prose sections; pre-2019 reports only there.
FIGURE_TYPES: dict[str, CellType] = {
    "active_total": "count",
    "applications_received": "count",
    "applications_carried_over": "count",
    "applications_granted": "count",
    "applications_completed": "count",
    "applications_carried_forward": "count",
    "review_total": "count",
    "litigation_total": "count",
    "fees_yuan": "money",
}
FIGURE_LABELS: dict[str, str] = {
    "active_total": "主动公开政府信息 (条)",
    "applications_received": "本年收到/新收政府信息公开申请 (件)",
    "applications_carried_over": "上年结转申请 (件)",
    "applications_granted": "予以公开 (件)",
    "applications_completed": "办结/答复申请 (件)",
    "applications_carried_forward": "结转下年度继续办理 (件)",
    "review_total": "政府信息公开行政复议 (件)",
    "litigation_total": "政府信息公开行政诉讼 (件)",
    "fees_yuan": "收取的信息处理费 (元)",
}
# figure → the table cell it restates (litigation_total: the sum of the two lawsuit groups' totals);
# the `prose_vs_table.<figure>` checks compare them, and the dataset lets the prose figure stand in
# for the cell when the table is missing or cut
FIGURE_TABLE_CELLS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "applications_received": (("applications", "new_received", "total"),),
    "applications_carried_over": (("applications", "carried_over", "total"),),
    "applications_granted": (("applications", "granted", "total"),),
    "applications_completed": (("applications", "results_total", "total"),),
    "applications_carried_forward": (("applications", "carried_forward", "total"),),
    "review_total": (("review_litigation", "review", "total"),),
    "litigation_total": (("review_litigation", "litigation_direct", "total"),
                         ("review_litigation", "litigation_after_review", "total")),
}

# --- check rules ----------------------------------------------------------------------------------
RULE_FAMILIES: tuple[str, ...] = (
    "applications.balance",
    "applications.results_sum",
    "applications.row_sum",
    "review_litigation.sum",
    "active_disclosure.published_le_total",
    "active_disclosure.issued_le",
    "prose_vs_table",
    "continuity.carried_over",
    "continuity.in_force",
)


def rule_family(rule: str) -> str:
    """`applications.balance.total` → `applications.balance` (the rule without its row/column)."""
    for family in RULE_FAMILIES:
        if rule == family or rule.startswith(family + "."):
            return family
    return rule
