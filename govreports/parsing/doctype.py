"""Is this an annual disclosure report, or a notice, an interpretation, an 一图读懂, a news page …?

One classifier for the whole project: the candidate filter judges link titles with `judge_title`
(listing/candidates.py), the parser judges a parsed document with `classify_document`
(`ParsedReport.is_report` / `.kind`), and `scrapy extract` marks what is not a report
(format `unknown`, `is_report: false`, a warning). Pure: text in, a frozen verdict out.

The title decides first ("关于做好2023年政府信息公开工作年度报告编制工作的通知", "…年度报告解读",
"一图读懂…年报", "…优秀年度报告出炉", "…年度报告制度"); a document whose title says nothing is judged
by its body: the report's own tables with numbers make it a report whatever it is called, and a
body that closes like a notice ("特此通知", "请认真贯彻执行"), is laid out like a 政策解读 ("起草背景"),
or reads like news ("记者", "本报讯") without the report's sections is not one. Nor is a page that
never speaks of information disclosure (a 法治政府建设 report, a 统计公报, a 12345 热线 bulletin: what a
年报 column or a search also holds), or one whose title names no annual report while its body
neither states the report's sections nor calls itself a report (commentary, a 工作总结). A page in
doubt stays a report: a dropped report is lost, a kept notice only costs a warning. Wording is
matched on `normalize_label` copies (Simplified, no whitespace).

Regular expressions rather than a text classifier: the signals are a handful of fixed official
words, every decision must be explainable in a warning, and no model is allowed at run time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from govreports.parsing.text import normalize_label

REPORT = "report"
# kinds of things that are not reports, as the title names them (first match wins)
_TITLE_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("summary_page", re.compile(r"汇总|汇编|目录")),
    ("website_report", re.compile(r"网站.{0,10}报表|网站工作年度报告|网站年度工作报告")),
    ("budget", re.compile(r"决算|预算|三公经费")),
    ("statistics_bulletin", re.compile(r"统计公报|国民经济")),
    ("infographic", re.compile(r"一图读懂|一图看懂|一图解读|一图了解|图解|图说|长图")),
    ("interpretation", re.compile(r"解读")),
    ("notice", re.compile(r"通知|通告|关于做好|关于开展|关于印发|关于报送|编制工作|工作要点|实施方案|考核|自查|评估|征集")),
    ("news", re.compile(r"新闻发布|发布会|答记者问|召开|举行|举办|专访|访谈|记者|出炉|揭晓|亮相|点赞|评选")),
    # rules and templates about the report ("…年度报告制度", "…年度报告格式", "…年度工作报告范文")
    ("regulation", re.compile(r"(?:报告|年报)(?:工作)?(?:制度|办法|规定|格式|模板|范文|范本)")),
)
_REPORT_NOUN = re.compile(r"(年度?报告|年报|工作报告)")
_DISCLOSURE = re.compile(r"(信息公开|政务公开|公开工作|政府公开)")
# bodies: how a notice closes or addresses its readers; how news reads
_NOTICE_BODY = re.compile(r"特此通知|通知如下|现将.{0,60}?(?:通知|印发给你们)|请认真贯彻执行|请遵照执行|抓紧部署|请结合实际")
_NEWS_BODY = re.compile(r"记者|本报讯|本网讯|新华社|人民网|据了解|日前,|近日,")
# the layout every 政策解读 follows (起草背景 / 起草过程 / 主要内容; "现解读如下")
_INTERPRETATION_BODY = re.compile(r"起草背景|起草过程|出台背景|制定背景|编制背景|解读如下")
# any disclosure report speaks of it early (the 条例's name, 主动公开政府信息, 依申请公开)
_DISCLOSURE_BODY = re.compile(r"信息公开|公开政府信息|依申请公开")
# how a report names itself ("本报告", "本年度报告中所列数据"); any mention of 报告/年报 (loose)
_SELF_NAMED = re.compile(r"本(?:年度)?(?:报告|年报)")
_NAMES_A_REPORT = re.compile(r"报告|年报")
# the sections every report has (2008 and 2019/2021 wording); three distinct ones make a report
_REPORT_SECTIONS: tuple[re.Pattern[str], ...] = (
    re.compile(r"总体情况|概述|基本情况"),
    re.compile(r"主动公开(?:政府)?信息(?:的)?情况|主动公开政府信息"),
    re.compile(r"收到和处理政府信息公开申请|依申请公开"),
    re.compile(r"行政复议|行政诉讼"),
    re.compile(r"存在的主要问题|改进(?:情况|措施)"),
    re.compile(r"其他需要报告的事项|收费及减免"),
)
# a report's title ends with its noun ("…年度报告", "…年报（图片版）"), a page about reports goes on
_ENDS_AS_REPORT = re.compile(r"(?:报告|年报)(?:[(（][^)）]{0,12}[)）])?$")
_STATS_PERIOD = re.compile(r"统计(?:期限|时限|时间|区间|范围|周期)")
BODY_CHARS = 6000  # what a verdict on the body reads (a report states its sections early)
MIN_BODY_CHARS = 150  # less text (a scan without OCR, a stub) says nothing about its subject


@dataclass(frozen=True, slots=True)
class DocumentKind:
    """The verdict: whether it is a report, what it is, and why (for warnings and counters)."""

    is_report: bool
    kind: str  # "report", "notice", "interpretation", "infographic", "news", "summary_page", …
    reason: str


def title_kind(title: str | None) -> tuple[str, str] | None:
    """(kind, the word that says so) when a title names something that is not a report."""
    label = normalize_label(title or "")
    for kind, pattern in _TITLE_KINDS:
        match = pattern.search(label)
        if match:
            return kind, match.group(0)
    return None


def names_a_disclosure_report(title: str | None) -> bool:
    """True when a title names an annual report on (government) information disclosure."""
    label = normalize_label(title or "")
    return bool(_REPORT_NOUN.search(label) and _DISCLOSURE.search(label))


def report_sections(text: str) -> int:
    """How many of the report's six kinds of section the text names."""
    head = normalize_label(text[:BODY_CHARS])
    return sum(1 for pattern in _REPORT_SECTIONS if pattern.search(head))


def reads_as_report(text: str) -> bool:
    """True when the body states two of the report's sections or its statistics period: evidence
    enough for a page that reached the parser untitled ("一、总体情况" first, "本报告…统计时限")."""
    return report_sections(text) >= 2 or bool(_STATS_PERIOD.search(normalize_label(text[:BODY_CHARS])))


def classify_document(title: str | None, text: str, *, has_table_data: bool = False) -> DocumentKind:
    """Judge a parsed document: its title, then its body (see the module docstring)."""
    if has_table_data:
        return DocumentKind(True, REPORT, "the report tables hold numbers")
    named = title_kind(title)
    if named is not None:
        kind, word = named
        return DocumentKind(False, kind, f"the title says {word}")
    head = normalize_label(text[:BODY_CHARS])
    sections = report_sections(text)
    # a title naming a report outweighs a stray word of the body ("在新华社…发布信息80条")
    titled = names_a_disclosure_report(title) and bool(_ENDS_AS_REPORT.search(normalize_label(title or "")))
    notice = _NOTICE_BODY.search(head)
    if notice and sections < (2 if titled else 4):
        return DocumentKind(False, "notice", f"the body reads like a notice ({notice.group(0)})")
    interpretation = _INTERPRETATION_BODY.search(head)
    if interpretation and sections < (2 if titled else 4):
        return DocumentKind(False, "interpretation", f"the body reads like an interpretation ({interpretation.group(0)})")
    stats_period = bool(_STATS_PERIOD.search(head))
    news = _NEWS_BODY.search(head)
    if news and not titled and sections < 2 and not stats_period:
        return DocumentKind(False, "news", f"the body reads like news ({news.group(0)})")
    if titled or stats_period or len(head) < MIN_BODY_CHARS:
        return DocumentKind(True, REPORT, "no sign of anything else")
    if not _DISCLOSURE_BODY.search(head):
        return DocumentKind(False, "other_document", "nothing in it is about government information disclosure")
    if title and sections < 2 and not _SELF_NAMED.search(head):
        return DocumentKind(False, "other_document", "the title names no annual report and the body neither calls itself one "
                            "nor states its sections")
    if not title and not sections and not _NAMES_A_REPORT.search(head):
        return DocumentKind(False, "other_document", "untitled, and the body names neither a report nor its sections")
    return DocumentKind(True, REPORT, "no sign of anything else")
