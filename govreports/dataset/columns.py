"""The dataset's columns: a fixed, documented order covering every key of the spec.

Order (see `COLUMNS`; `scrapy dataset --columns` prints it with descriptions):

1. identity: id, site, site_name, adcode, province, agency, publisher, report_year, format,
   title, url, publish_date, index_no, revision, fetched_at;
2. Table 1, `active_disclosure.<row>.<column>`: every row of spec/report-format.md with the
   columns of BOTH formats (2019 columns first, then 2021), so one table holds every year;
3. Table 2, `applications.<row>.<column>`: the 26 rows × 7 applicant columns in template order;
4. Table 3, `review_litigation.<group>.<column>`: 3 groups × 5 columns;
5. `figures.<name>`: the prose figures;
6. quality: checks_run, failing_checks (the item's own failing rules, `;`-separated),
   continuity_failing (failing cross-year rules where this report is year N), warnings_count.

A cell the report does not have is empty (null), never 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from govreports.schema import spec_keys as keys

ColumnType = Literal["string", "int", "float"]

# the official wording of each key (for column descriptions)
ROW_LABELS: dict[str, str] = {
    "regulations": "规章",
    "normative_documents": "规范性文件",
    "licensing": "行政许可",
    "other_services": "其他对外管理服务事项",
    "punishment": "行政处罚",
    "coercion": "行政强制",
    "admin_fees": "行政事业性收费",
    "procurement": "政府集中采购",
    "new_received": "本年新收政府信息公开申请数量",
    "carried_over": "上年结转政府信息公开申请数量",
    "granted": "予以公开",
    "partially_granted": "部分公开",
    "denied_state_secret": "不予公开·属于国家秘密",
    "denied_law_prohibited": "不予公开·其他法律行政法规禁止公开",
    "denied_security_stability": "不予公开·危及“三安全一稳定”",
    "denied_third_party": "不予公开·保护第三方合法权益",
    "denied_internal_affairs": "不予公开·属于三类内部事务信息",
    "denied_process_info": "不予公开·属于四类过程性信息",
    "denied_enforcement_file": "不予公开·属于行政执法案卷",
    "denied_admin_query": "不予公开·属于行政查询事项",
    "unable_not_held": "无法提供·本机关不掌握相关政府信息",
    "unable_needs_creation": "无法提供·没有现成信息需要另行制作",
    "unable_still_unclear": "无法提供·补正后申请内容仍不明确",
    "not_processed_petition": "不予处理·信访举报投诉类申请",
    "not_processed_duplicate": "不予处理·重复申请",
    "not_processed_publication": "不予处理·要求提供公开出版物",
    "not_processed_excessive": "不予处理·无正当理由大量反复申请",
    "not_processed_confirmation": "不予处理·要求行政机关确认或重新出具已获取信息",
    "other_handling": "其他处理 (2019 single row)",
    "other_no_correction": "其他处理·逾期不补正 (2021)",
    "other_fee_unpaid": "其他处理·逾期未缴纳费用 (2021)",
    "other_other": "其他处理·其他 (2021)",
    "results_total": "办理结果总计",
    "carried_forward": "结转下年度继续办理",
    "review": "行政复议",
    "litigation_direct": "行政诉讼·未经复议直接起诉",
    "litigation_after_review": "行政诉讼·复议后起诉",
}
COLUMN_LABELS: dict[str, str] = {
    "new_made": "本年新制作数量 (2019)",
    "new_published": "本年新公开数量 (2019)",
    "total_published": "对外公开总数量 (2019)",
    "issued": "本年制发件数 (2021)",
    "repealed": "本年废止件数 (2021)",
    "in_force": "现行有效件数 (2021)",
    "previous_items": "上一年项目数量 (2019)",
    "change": "本年增/减 (2019, signed)",
    "decisions": "处理决定数量",
    "projects": "采购项目数量 (2019)",
    "amount_wan_yuan": "金额, 万元",
    "amount_text": "金额 as published",
    "natural_person": "自然人",
    "commercial_enterprise": "商业企业",
    "research_institution": "科研机构",
    "public_welfare_org": "社会公益组织",
    "legal_service_org": "法律服务机构",
    "other_org": "其他",
    "total": "总计",
    "upheld": "结果维持",
    "corrected": "结果纠正",
    "other": "其他结果",
    "pending": "尚未审结",
}
FIGURE_LABELS: dict[str, str] = {
    "active_total": "主动公开政府信息 (prose)",
    "applications_received": "收到申请 (prose)",
    "applications_completed": "办结申请 (prose)",
    "review_total": "行政复议 (prose)",
    "litigation_total": "行政诉讼 (prose)",
    "fees_yuan": "收费, 元 (prose)",
}
_CELL_TYPE: dict[str, ColumnType] = {"count": "int", "change": "int", "money": "float", "text": "string"}


@dataclass(frozen=True, slots=True)
class Column:
    """One dataset column: `path` is the dotted path into the item (None for derived columns)."""

    name: str
    type: ColumnType
    description: str
    path: tuple[str, ...] | None = None


IDENTITY_COLUMNS: tuple[Column, ...] = (
    Column("id", "string", "stable report id (sha1 of the dedup key)", ("id",)),
    Column("site", "string", "registry id of the portal (site.id)", ("site", "id")),
    Column("site_name", "string", "portal name (site.name)", ("site", "name")),
    Column("adcode", "string", "administrative division code (site.adcode)", ("site", "adcode")),
    Column("province", "string", "province (site.province)", ("site", "province")),
    Column("agency", "string", "the reporting organ", ("agency",)),
    Column("publisher", "string", "发布机构 / 来源", ("publisher",)),
    Column("report_year", "int", "the year reported on", ("report_year",)),
    Column("format", "string", "pre2019 | 2019 | 2021 | unknown", ("format",)),
    Column("title", "string", "title as published", ("title",)),
    Column("url", "string", "source page", ("url",)),
    Column("publish_date", "string", "ISO date the page gives", ("publish_date",)),
    Column("index_no", "string", "索引号", ("index_no",)),
    Column("revision", "int", "1 when first seen, +1 per change", ("revision",)),
    Column("fetched_at", "string", "when the kept revision was fetched (source.fetched_at)", ("source", "fetched_at")),
)


def _cell_columns() -> tuple[Column, ...]:
    columns: list[Column] = []
    for row, row_columns in keys.ACTIVE_ROWS.items():
        for column in row_columns:
            kind = keys.ACTIVE_COLUMN_TYPES[column]
            columns.append(Column(
                f"active_disclosure.{row}.{column}", _CELL_TYPE[kind],
                f"主动公开 {ROW_LABELS[row]} · {COLUMN_LABELS[column]}",
                ("tables", "active_disclosure", row, column),
            ))
    for row in keys.APPLICATION_ROWS:
        for column in keys.APPLICANT_COLUMNS:
            columns.append(Column(
                f"applications.{row}.{column}", "int",
                f"依申请 {ROW_LABELS[row]} · {COLUMN_LABELS[column]}",
                ("tables", "applications", row, column),
            ))
    for group in keys.REVIEW_GROUPS:
        for column in keys.REVIEW_COLUMNS:
            columns.append(Column(
                f"review_litigation.{group}.{column}", "int",
                f"{ROW_LABELS[group]} · {COLUMN_LABELS[column]}",
                ("tables", "review_litigation", group, column),
            ))
    return tuple(columns)


CELL_COLUMNS: tuple[Column, ...] = _cell_columns()

FIGURE_COLUMNS: tuple[Column, ...] = tuple(
    Column(f"figures.{name}", _CELL_TYPE[kind], FIGURE_LABELS[name], ("figures", name))
    for name, kind in keys.FIGURE_TYPES.items()
)

QUALITY_COLUMNS: tuple[Column, ...] = (
    Column("checks_run", "int", "item checks with a result (ok true or false)"),
    Column("failing_checks", "string", "the item's failing check rules, ';'-separated"),
    Column("continuity_failing", "string", "failing cross-year rules with this report as year N, ';'-separated"),
    Column("warnings_count", "int", "parser warnings on the item"),
)

COLUMNS: tuple[Column, ...] = IDENTITY_COLUMNS + CELL_COLUMNS + FIGURE_COLUMNS + QUALITY_COLUMNS
COLUMN_NAMES: tuple[str, ...] = tuple(column.name for column in COLUMNS)
