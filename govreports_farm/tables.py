"""The three statistics tables as real portals publish them: merged captions, row-spanning groups.

Layouts follow docs/research/format-research.md §2–§4 (one merged table 1 with full-width 第二十条 captions,
the 3×3 top-left note cell of table 2, the 15-number row of table 3). `labels` overrides the
printed wording per row key, so seeds keep their own (truncated, Traditional) labels.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from html import escape
from typing import Any

from govreports_farm.reportdata import DENIED, NOT_PROCESSED, OTHER_2021, UNABLE, money_text

ROW_LABELS: dict[str, str] = {
    "new_received": "一、本年新收政府信息公开申请数量",
    "carried_over": "二、上年结转政府信息公开申请数量",
    "granted": "（一）予以公开",
    "partially_granted": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "denied_state_secret": "1.属于国家秘密",
    "denied_law_prohibited": "2.其他法律行政法规禁止公开",
    "denied_security_stability": "3.危及“三安全一稳定”",
    "denied_third_party": "4.保护第三方合法权益",
    "denied_internal_affairs": "5.属于三类内部事务信息",
    "denied_process_info": "6.属于四类过程性信息",
    "denied_enforcement_file": "7.属于行政执法案卷",
    "denied_admin_query": "8.属于行政查询事项",
    "unable_not_held": "1.本机关不掌握相关政府信息",
    "unable_needs_creation": "2.没有现成信息需要另行制作",
    "unable_still_unclear": "3.补正后申请内容仍不明确",
    "not_processed_petition": "1.信访举报投诉类申请",
    "not_processed_duplicate": "2.重复申请",
    "not_processed_publication": "3.要求提供公开出版物",
    "not_processed_excessive": "4.无正当理由大量反复申请",
    "not_processed_confirmation": "5.要求行政机关确认或重新出具已获取信息",
    "other_handling": "（六）其他处理",
    "other_no_correction": "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "other_fee_unpaid": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "other_other": "3.其他",
    "results_total": "（七）总计",
    "carried_forward": "四、结转下年度继续办理",
    # table 1
    "regulations": "规章",
    "normative_documents_2019": "规范性文件",
    "normative_documents_2021": "行政规范性文件",
    "licensing": "行政许可",
    "other_services": "其他对外管理服务事项",
    "punishment": "行政处罚",
    "coercion": "行政强制",
    "admin_fees": "行政事业性收费",
    "procurement": "政府集中采购",
}
HEADINGS: dict[str, str] = {
    "balance_note": "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
    "applicants": "申请人情况",
    "natural_person": "自然人",
    "legal_persons": "法人或其他组织",
    "total": "总计",
    "commercial_enterprise": "商业企业",
    "research_institution": "科研机构",
    "public_welfare_org": "社会公益组织",
    "legal_service_org": "法律服务机构",
    "other_org": "其他",
    "results": "三、本年度办理结果",
    "denied": "（三）不予公开",
    "unable": "（四）无法提供",
    "not_processed": "（五）不予处理",
    "other_2021": "（六）其他处理",
    "review": "行政复议",
    "litigation": "行政诉讼",
    "litigation_direct": "未经复议直接起诉",
    "litigation_after_review": "复议后起诉",
    "upheld": "结果维持",
    "corrected": "结果纠正",
    "other": "其他结果",
    "pending": "尚未审结",
    "content": "信息内容",
    "art20_1": "第二十条第（一）项",
    "art20_5": "第二十条第（五）项",
    "art20_6": "第二十条第（六）项",
    "art20_8": "第二十条第（八）项",
    "art20_9": "第二十条第（九）项",
    "new_made": "本年新<br/>制作数量",
    "new_published": "本年新<br/>公开数量",
    "total_published": "对外公开总数量",
    "previous_items": "上一年项目数量",
    "change": "本年增/减",
    "decisions": "处理决定数量",
    "projects": "采购项目数量",
    "amount": "采购总金额",
    "amount_bare": "采购总金额（万元）",
    "issued": "本年制发件数",
    "repealed": "本年废止件数",
    "in_force": "现行有效件数",
    "decisions_2021": "本年处理决定数量",
    "fee_amount_2021": "本年收费金额（单位：万元）",
}


class TableStyle:
    """How one portal writes table markup: plain cells or Word-pasted paragraphs."""

    def __init__(self, word: bool = False, convert: Callable[[str], str] | None = None) -> None:
        self.word = word
        self.convert = convert or (lambda text: text)

    def cell(self, text: Any, *, rowspan: int = 1, colspan: int = 1, header: bool = False) -> str:
        attributes = ""
        if rowspan > 1:
            attributes += f' rowspan="{rowspan}"'
        if colspan > 1:
            attributes += f' colspan="{colspan}"'
        content = self.convert(str(text))
        if "<br/>" not in content:
            content = escape(content)
        if self.word:
            weight = "font-weight:bold;" if header else ""
            content = (f'<p class="MsoNormal" align="center" style="text-align:center;line-height:150%">'
                       f'<span style="font-family:宋体;font-size:10.5pt;{weight}">{content}'
                       f'<span lang="EN-US"><o:p></o:p></span></span></p>')
            return f'<td valign="center" style="border:solid windowtext 1.0pt;padding:0cm 5.4pt"{attributes}>{content}</td>'
        if header:
            content = f"<strong>{content}</strong>"
        return f"<td{attributes}>{content}</td>"

    def table(self, rows: list[str], width: int = 600) -> str:
        body = "\n".join(f"<tr>{row}</tr>" for row in rows)
        if self.word:
            return (f'<table class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0" width="{width}" '
                    f'style="border-collapse:collapse;border:none">\n<tbody>\n{body}\n</tbody>\n</table>')
        return f'<table border="1" cellspacing="0" cellpadding="0" width="{width}">\n<tbody>\n{body}\n</tbody>\n</table>'


def _label(labels: Mapping[str, str], key: str) -> str:
    return labels.get(key) or ROW_LABELS.get(key) or HEADINGS[key]


def _change_text(value: int | str, style: str) -> str:
    if isinstance(value, str):      # published text kept as is (seeds)
        return value
    if style == "chinese":
        return "0" if value == 0 else (f"增{value}" if value > 0 else f"减{-value}")
    return f"+{value}" if value > 0 else str(value)


def render_active_disclosure(active: Mapping[str, Mapping[str, Any]], fmt: str, style: TableStyle,
                             *, labels: Mapping[str, str] | None = None, change_style: str = "signed",
                             amount_bare: bool = False, cell_text: Mapping[str, str] | None = None) -> str:
    """Table 1 as one merged table with full-width 第二十条 caption rows (docs/research/format-research.md §2)."""
    labels = labels or {}
    cell_text = cell_text or {}
    c = style.cell

    def value(row: str, column: str, raw: Any) -> str:
        return cell_text.get(f"{row}.{column}", raw)

    rows: list[str] = []
    if fmt == "2019":
        rows.append(c(_label(labels, "art20_1"), colspan=4, header=True))
        rows.append(c(_label(labels, "content")) + c(_label(labels, "new_made")) +
                    c(_label(labels, "new_published")) + c(_label(labels, "total_published")))
        for row in ("regulations", "normative_documents"):
            cells = active[row]
            name = _label(labels, row if row == "regulations" else "normative_documents_2019")
            rows.append(c(name) + "".join(c(value(row, k, cells[k])) for k in ("new_made", "new_published", "total_published")))
        for block, block_rows in (("art20_5", ("licensing", "other_services")), ("art20_6", ("punishment", "coercion"))):
            rows.append(c(_label(labels, block), colspan=4, header=True))
            rows.append(c(_label(labels, "content")) + c(_label(labels, "previous_items")) +
                        c(_label(labels, "change")) + c(_label(labels, "decisions")))
            for row in block_rows:
                cells = active[row]
                rows.append(c(_label(labels, row)) + c(value(row, "previous_items", cells["previous_items"])) +
                            c(value(row, "change", _change_text(cells["change"], change_style))) +
                            c(value(row, "decisions", cells["decisions"])))
        rows.append(c(_label(labels, "art20_8"), colspan=4, header=True))
        # the real colspan mismatch: header and data spread differently over the 4 grid columns
        rows.append(c(_label(labels, "content")) + c(_label(labels, "previous_items")) + c(_label(labels, "change"), colspan=2))
        fees = active["admin_fees"]
        rows.append(c(_label(labels, "admin_fees")) + c(value("admin_fees", "previous_items", fees["previous_items"])) +
                    c(value("admin_fees", "change", _change_text(fees["change"], change_style)), colspan=2))
        rows.append(c(_label(labels, "art20_9"), colspan=4, header=True))
        rows.append(c(_label(labels, "content")) + c(_label(labels, "projects")) +
                    c(_label(labels, "amount_bare" if amount_bare else "amount"), colspan=2))
        procurement = active["procurement"]
        rows.append(c(_label(labels, "procurement")) + c(value("procurement", "projects", procurement["projects"])) +
                    c(procurement["amount_text"] if "amount_text" in procurement else money_text(procurement["amount_wan_yuan"]),
                      colspan=2))
        return style.table(rows)
    rows.append(c(_label(labels, "art20_1"), colspan=4, header=True))
    rows.append(c(_label(labels, "content")) + c(_label(labels, "issued")) + c(_label(labels, "repealed")) +
                c(_label(labels, "in_force")))
    for row in ("regulations", "normative_documents"):
        cells = active[row]
        name = _label(labels, row if row == "regulations" else "normative_documents_2021")
        rows.append(c(name) + "".join(c(value(row, k, cells[k])) for k in ("issued", "repealed", "in_force")))
    rows.append(c(_label(labels, "art20_5"), colspan=4, header=True))
    rows.append(c(_label(labels, "content")) + c(_label(labels, "decisions_2021"), colspan=3))
    rows.append(c(_label(labels, "licensing")) + c(value("licensing", "decisions", active["licensing"]["decisions"]), colspan=3))
    rows.append(c(_label(labels, "art20_6"), colspan=4, header=True))
    rows.append(c(_label(labels, "content")) + c(_label(labels, "decisions_2021"), colspan=3))
    for row in ("punishment", "coercion"):
        rows.append(c(_label(labels, row)) + c(value(row, "decisions", active[row]["decisions"]), colspan=3))
    rows.append(c(_label(labels, "art20_8"), colspan=4, header=True))
    rows.append(c(_label(labels, "content")) + c(_label(labels, "fee_amount_2021"), colspan=3))
    rows.append(c(_label(labels, "admin_fees")) +
                c(value("admin_fees", "amount_wan_yuan", money_text(active["admin_fees"]["amount_wan_yuan"])), colspan=3))
    return style.table(rows)


def render_applications(apps: Mapping[str, list[Any]], style: TableStyle,
                        *, labels: Mapping[str, str] | None = None) -> str:
    """Table 2 with the 3×3 note cell, the 申请人情况 header group and row-spanning result groups."""
    labels = labels or {}
    c = style.cell
    single_other = "other_handling" in apps

    def numbers(row: str) -> str:
        return "".join(c("" if v is None else v) for v in apps[row])

    rows = [
        c(_label(labels, "balance_note"), rowspan=3, colspan=3) + c(_label(labels, "applicants"), colspan=7, header=True),
        c(_label(labels, "natural_person"), rowspan=2) + c(_label(labels, "legal_persons"), colspan=5) +
        c(_label(labels, "total"), rowspan=2),
        "".join(c(_label(labels, k)) for k in ("commercial_enterprise", "research_institution", "public_welfare_org",
                                                 "legal_service_org", "other_org")),
        c(_label(labels, "new_received"), colspan=3) + numbers("new_received"),
        c(_label(labels, "carried_over"), colspan=3) + numbers("carried_over"),
    ]
    result_rows = 20 if single_other else 22
    rows.append(c(_label(labels, "results"), rowspan=result_rows) + c(_label(labels, "granted"), colspan=2) + numbers("granted"))
    rows.append(c(_label(labels, "partially_granted"), colspan=2) + numbers("partially_granted"))
    groups: list[tuple[str, tuple[str, ...]]] = [("denied", DENIED), ("unable", UNABLE), ("not_processed", NOT_PROCESSED)]
    if not single_other:
        groups.append(("other_2021", OTHER_2021))
    for group, members in groups:
        for index, row in enumerate(members):
            head = c(_label(labels, group), rowspan=len(members)) if index == 0 else ""
            rows.append(head + c(_label(labels, row)) + numbers(row))
        if group == "not_processed" and single_other:
            rows.append(c(_label(labels, "other_handling"), colspan=2) + numbers("other_handling"))
    rows.append(c(_label(labels, "results_total"), colspan=2) + numbers("results_total"))
    rows.append(c(_label(labels, "carried_forward"), colspan=3) + numbers("carried_forward"))
    return style.table(rows, width=640)


def render_review(review: Mapping[str, list[Any]], style: TableStyle, *, labels: Mapping[str, str] | None = None,
                  lost_header: bool = False) -> str:
    """Table 3: 行政复议 (5) | 行政诉讼 (未经复议直接起诉 5, 复议后起诉 5), one row of 15 numbers."""
    labels = labels or {}
    c = style.cell
    outcomes = ("upheld", "corrected", "other", "pending", "total")
    if lost_header:
        # as in seed 004: only the group names and 总计 survive, the outcome labels are gone
        head = [c(_label(labels, "review"), colspan=5) + c(_label(labels, "litigation"), colspan=10),
                c("", colspan=4) + c(_label(labels, "total"), rowspan=2) + c(_label(labels, "litigation_direct"), colspan=5) +
                c(_label(labels, "litigation_after_review"), colspan=5),
                c("", colspan=4) + c("", colspan=4) + c(_label(labels, "total")) + c("", colspan=4) + c(_label(labels, "total"))]
    else:
        head = [c(_label(labels, "review"), colspan=5, header=True) + c(_label(labels, "litigation"), colspan=10, header=True),
                "".join(c(_label(labels, k), rowspan=2) for k in outcomes) +
                c(_label(labels, "litigation_direct"), colspan=5) + c(_label(labels, "litigation_after_review"), colspan=5),
                "".join(c(_label(labels, k)) for k in outcomes) * 2]
    values = [v for group in ("review", "litigation_direct", "litigation_after_review") for v in review[group]]
    return style.table([*head, "".join(c(v) for v in values)], width=640)
