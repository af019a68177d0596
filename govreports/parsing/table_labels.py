"""The official labels of the three statistics tables, and how a printed label is recognised.

Keys, their order and the official wording come from `govreports.spec`; this module holds only
what matching needs on top (numbering, printed variants, format signals, fuzzy rules). Matching
runs on `normalize_label` text (NFKC, no whitespace, Simplified) with the numbering ("1." / "1、" /
"（一）") parsed off, and tolerates the damage seen in real reports: truncated labels ("1.属于国家"),
dropped characters ("2.其他法律行政止公开"), junk from stacked PDF headers ("年3.危及…"),
explanatory additions.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from govreports import spec
from govreports.parsing.text import normalize_label

_QUOTES = re.compile(r"[“”\"'‘’「」『』《》]")


# characters OCR confuses inside the fixed labels, folded to the one the labels use (已获取信息,
# 尚未审结, 未经复议): compared in this form only, the published text is kept
_CONFUSABLES = str.maketrans({"己": "已", "巳": "已", "末": "未", "沐": "沭"})


@lru_cache(maxsize=16384)
def norm(text: str) -> str:
    """The matching form of a label: normalize_label + quotes dropped + OCR confusables folded."""
    text = normalize_label(text[:400])
    for opening, closing in _BRACKET_LOOKALIKES:
        if opening in text and closing not in text:
            text = text.replace(opening, "(")
    return _QUOTES.sub("", text).translate(_CONFUSABLES)


# OCR reads the wide "（" of "（区分处理的，…）" as a title quote "《" or "〈": one that is never closed
# opens a parenthesis (a paired 《…》 is a title and is dropped with the other quotes)
_BRACKET_LOOKALIKES = (("《", "》"), ("〈", "〉"))


# ---------------------------------------------------------------- table 2 (applications)
@dataclass(frozen=True, slots=True)
class RowLabel:
    """One data row of table 2: its key, the label without numbering, numbering and group."""

    key: str
    core: str
    number: str  # "1".."8" for numbered sub-rows, "一".."七" for top rows, "" if none
    group: str  # "top", "results", "denied", "unable", "not_processed", "other"


# key → (numbering, group) as printed in the template; keys, order and wording come from `spec`
_APPLICATION_ROW_PLACES: dict[str, tuple[str, str]] = {
    "new_received": ("一", "top"),
    "carried_over": ("二", "top"),
    "granted": ("一", "results"),
    "partially_granted": ("二", "results"),
    "denied_state_secret": ("1", "denied"),
    "denied_law_prohibited": ("2", "denied"),
    "denied_security_stability": ("3", "denied"),
    "denied_third_party": ("4", "denied"),
    "denied_internal_affairs": ("5", "denied"),
    "denied_process_info": ("6", "denied"),
    "denied_enforcement_file": ("7", "denied"),
    "denied_admin_query": ("8", "denied"),
    "unable_not_held": ("1", "unable"),
    "unable_needs_creation": ("2", "unable"),
    "unable_still_unclear": ("3", "unable"),
    "not_processed_petition": ("1", "not_processed"),
    "not_processed_duplicate": ("2", "not_processed"),
    "not_processed_publication": ("3", "not_processed"),
    "not_processed_excessive": ("4", "not_processed"),
    "not_processed_confirmation": ("5", "not_processed"),
    "other_handling": ("六", "results"),
    "other_no_correction": ("1", "other"),
    "other_fee_unpaid": ("2", "other"),
    "other_other": ("3", "other"),
    "results_total": ("七", "results"),
    "carried_forward": ("四", "top"),
}
# the core compared with a printed label: the official wording in matching form, without "、"
APPLICATION_ROW_MATCHERS: tuple[RowLabel, ...] = tuple(
    RowLabel(key, norm(spec.APPLICATION_ROW_LABELS[key]).replace("、", ""), *_APPLICATION_ROW_PLACES[key])
    for key in spec.APPLICATION_ROWS
)

# group label → group key; "（六）其他处理" is also the single row of the 2019 shape
_GROUP_NAMES: dict[str, str] = {"三": "denied", "四": "unable", "五": "not_processed", "六": "other"}
_GROUP_WORDS: dict[str, str] = {"三": "不予公开", "四": "无法提供", "五": "不予处理", "六": "其他处理"}
_RESULTS_GROUP = re.compile(r"^三、?本年度?办理结果")
_SUB_GROUP = re.compile(r"^\(([三四五六])\)(不予公开|无法提供|不予处理|其他处理)")
_PARTIAL_GROUP = re.compile(r"^\(([三四五六])\)([^\d(]{0,3})$")

# ---------------------------------------------------------------- table 3 (review / litigation)
# printed in the header of table 3: the result columns and the two kinds of lawsuit
_REVIEW_MARKERS = (
    *(label for column, label in spec.REVIEW_COLUMN_LABELS.items() if column != "total"),
    "未经复议直接起诉",
    "复议后起诉",
)

# ---------------------------------------------------------------- table 1 (active disclosure)
# row key → the labels it is printed with: the official one first, then variants seen in reports
_ACTIVE_ROW_VARIANTS: dict[str, tuple[str, ...]] = {"normative_documents": ("行政规范性文件",)}
ACTIVE_ROW_MATCHERS: dict[str, tuple[str, ...]] = {
    key: (label, *_ACTIVE_ROW_VARIANTS.get(key, ())) for key, label in spec.ACTIVE_ROW_LABELS.items()
}


def _printed(columns: tuple[str, ...]) -> tuple[str, ...]:
    """The cells a row prints: 2019 procurement's one money cell ("amount") gives two keys."""
    if columns[-2:] == ("amount_wan_yuan", "amount_text"):
        return (*columns[:-2], "amount")
    return columns


# format → row key → the value cells printed, in order
ACTIVE_PRINTED_COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "2019": {row: _printed(columns) for row, columns in spec.ACTIVE_ROWS_2019.items()},
    "2021": {row: _printed(columns) for row, columns in spec.ACTIVE_ROWS_2021.items()},
}
# "amount" is the 2019 procurement money cell; it becomes amount_wan_yuan + amount_text
_ACTIVE_COLUMN_WORDS: tuple[tuple[str, str], ...] = (
    ("新制作", "new_made"),
    ("新公开", "new_published"),
    ("公开总数", "total_published"),
    ("制发", "issued"),
    ("废止", "repealed"),
    ("现行有效", "in_force"),
    ("上一年", "previous_items"),
    ("上年项目", "previous_items"),
    ("增/减", "change"),
    ("增减", "change"),
    ("增(减)", "change"),
    ("本年增/", "change"),  # "本年增/减" with its 减 lost (衡南县 2020)
    ("处理决定", "decisions"),
    ("采购项目", "projects"),
    ("采购总金额", "amount"),
    ("采购金额", "amount"),
    ("收费金额", "amount_wan_yuan"),
)
AMBIGUOUS_COLUMN = "?"  # a header cut short ("本年新"): resolved by its position in the block

FORMAT_SIGNALS: dict[str, tuple[str, ...]] = {
    "2021": ("本年制发件数", "本年废止件数", "现行有效件数", "本年处理决定数量", "本年收费金额", "制发件数", "废止件数"),
    "2019": (
        "本年新制作数量",
        "本年新公开数量",
        "对外公开总数量",
        "上一年项目数量",
        "本年增/减",
        "本年增减",
        "其他对外管理服务事项",
        "政府集中采购",
        "采购项目数量",
        "采购总金额",
        "第二十条第(九)项",
    ),
}

_NUMBERING = re.compile(r"^(?:\(([一二三四五六七八九十]{1,2})\)|([一二三四五六七八九十]{1,2})、|(\d{1,2})[.、,])")
_CAPTION = re.compile(r"第二十条第?\(?([一二三四五六七八九十]{1,2})\)?项")
_SECTION = re.compile(r"^(?:[一二三四五六七八九十]{1,2}、|\([一二三四五六七八九十]{1,2}\))")
_T2_HEADER_WORDS = ("申请人情况", "自然人", "法人或其他组织", "商业企业", "科研机构", "社会公益组织", "法律服务机构")


def split_numbering(text: str) -> tuple[str, str]:
    """("2", "其他法律…") from "三、2.其他法律…": the last of up to three leading numberings."""
    number = ""
    for _ in range(3):
        match = _NUMBERING.match(text)
        if match is None:
            break
        number = next(g for g in match.groups() if g)
        text = text[match.end():]
    return number, text


def core_of(text: str) -> str:
    """A label without numbering and without its parenthesised explanation."""
    _, rest = split_numbering(text)
    cut = rest.find("(")
    return rest[:cut] if cut > 0 else rest


def similarity(label: str, official: str) -> float:
    """How well a printed core label matches an official one (1.0 = same)."""
    if not label or not official:
        return 0.0
    if label == official:
        return 1.0
    if len(official) <= 3 or len(label) <= 1:
        return 0.0
    if len(official) >= 4 and official in label and len(label) <= len(official) + 12:
        return 0.95  # junk around it (stacked PDF letters, explanations)
    if len(label) >= 3 and official.startswith(label):
        return 0.6 + 0.35 * len(label) / len(official)  # cut short ("属于国家")
    if min(len(label), len(official)) < 6:
        return 0.0  # short labels: a typo-tolerant match would confuse neighbours ("他处理")
    total = len(label) + len(official)
    if 2 * min(len(label), len(official)) < 0.7 * total:
        return 0.0
    common = _common_letters(label, official)
    if 2 * common < 0.7 * total:
        return 0.0  # cheap upper bound of the ratio: clearly another label
    return SequenceMatcher(None, label, official, autojunk=False).ratio()


@lru_cache(maxsize=16384)
def _letters(text: str) -> Counter[str]:
    return Counter(text)


def _common_letters(a: str, b: str) -> int:
    """How many letters two texts share, with multiplicity (the size of Counter(a) & Counter(b))."""
    small, large = _letters(a), _letters(b)
    if len(small) > len(large):
        small, large = large, small
    return sum(min(count, large[letter]) for letter, count in small.items() if letter in large)


@dataclass(frozen=True, slots=True)
class Label:
    """What a printed label cell/line means for the table mapper."""

    kind: str  # caption, section, t1_header, t1_column, t1_row, t2_marker, t2_row, t3_marker,
    #            total, fragment, prose
    key: str = ""  # row/column key, caption item, or section target ("t1", "t2", "t3", "")
    groups: tuple[str, ...] = ()  # table-2 groups named by the label ("results", "denied"…)
    alternatives: tuple[str, ...] = ()  # table-2 row keys that tie with `key` (resolved by group)
    columns: tuple[str, ...] = ()  # t1_header: the column texts printed after 信息内容
    tentative: bool = False  # "（六）其他处理": the 2019 single row, or the 2021 group label


def _t2_group_prefixes(text: str) -> tuple[tuple[str, ...], str, bool]:
    """Strip leading group labels: ("results", "other"), rest, whether the rest was empty after （六）其他处理."""
    groups: list[str] = []
    other_label = False
    for _ in range(4):
        match = _RESULTS_GROUP.match(text)
        if match:
            groups.append("results")
            text = text[match.end():]
            continue
        match = _SUB_GROUP.match(text)
        if match:
            groups.append(_GROUP_NAMES[match.group(1)])
            other_label = match.group(1) == "六"
            text = text[match.end():]
            continue
        match = _PARTIAL_GROUP.match(text)
        if match and _GROUP_WORDS[match.group(1)].startswith(match.group(2)):
            groups.append(_GROUP_NAMES[match.group(1)])
            text = ""
        break
    return tuple(groups), text, other_label and not text


_INNER_NUMBERING = re.compile(r"\d{1,2}[.、,]|\([一二三四五六七八]\)|[一二三四]、")


def _match_application_row(text: str, groups: tuple[str, ...]) -> tuple[str, tuple[str, ...]] | None:
    """Best table-2 row for a label; junk before a numbering ("办(三)不4.保护…") is tried away."""
    starts = [0] + [m.start() for m in _INNER_NUMBERING.finditer(text) if m.start() > 0]
    best: tuple[str, tuple[str, ...]] | None = None
    best_score = 0.0
    for start in starts[:6]:
        found = _score_application_row(text[start:], groups)
        if found and found[0] > best_score:
            best_score, best = found[0], (found[1], found[2])
    return best


def _score_application_row(text: str, groups: tuple[str, ...]) -> tuple[float, str, tuple[str, ...]] | None:
    number, rest = split_numbering(text)
    cut = rest.find("(")
    core = rest[:cut] if cut > 0 else rest
    if not core:
        return None
    scored: list[tuple[float, str]] = []
    for row in APPLICATION_ROW_MATCHERS:
        if len(row.core) <= 3:  # 其他 / 总计 need their numbering to be rows
            if core != row.core or number != row.number:
                continue
            score = 1.0
        else:
            score = similarity(core, row.core)
            if score < 0.72:
                continue
        if number and number == row.number:
            score += 0.05
        if groups and row.group == groups[-1]:
            score += 0.05
        scored.append((score, row.key))
    if not scored:
        return None
    scored.sort(reverse=True)
    best_score, best = scored[0]
    ties = tuple(key for score, key in scored[1:] if best_score - score < 0.02)
    return best_score, best, ties


def _match_active_row(core: str) -> str | None:
    best: tuple[float, str] | None = None
    for key, labels in ACTIVE_ROW_MATCHERS.items():
        for official in labels:
            if core == official:
                return key
            if len(official) <= 3:
                continue
            score = similarity(core, official)
            if score >= 0.8 and (best is None or score > best[0]):
                best = (score, key)
    return best[1] if best else None


def active_column_key(text: str) -> str | None:
    """Column key of a table-1 header cell; AMBIGUOUS_COLUMN for "本年新"; None if not a column."""
    n = norm(text)
    if not n or len(n) > 40:
        return None
    for word, key in _ACTIVE_COLUMN_WORDS:
        if word in n:
            return key
    if n.startswith("本年新") and len(n) <= 4:
        return AMBIGUOUS_COLUMN
    return None


@lru_cache(maxsize=8192)
def classify(text: str) -> Label:
    """Decide what a label cell or line is (see `Label.kind`)."""
    if "。" in text or len(text) > 150:
        return Label("prose")  # cheap exit before normalising a sentence
    n = norm(text)
    if not n:
        return Label("fragment")
    if len(n) <= 40:
        caption = _CAPTION.search(n)
        if caption and len(n) <= 24:
            return Label("caption", caption.group(1))
        if "勾稽关系" in n or n.startswith(_T2_HEADER_WORDS) or n in ("申请人情况", "法人或其他组织"):
            return Label("t2_marker", "natural_person" if n.startswith("自然人") else "")
    if len(n) <= 80:
        groups, rest, other_label = _t2_group_prefixes(n)
        if other_label:
            return Label("t2_row", "other_handling", groups=groups, tentative=True)
        if rest:
            found = _match_application_row(rest, groups)
            if found:
                return Label("t2_row", found[0], groups=groups, alternatives=found[1])
        elif groups:
            return Label("t2_row", "", groups=groups)  # a group label alone
    if "。" in n or ";" in n:
        return Label("prose")  # a sentence (PDF text wraps prose into short lines)
    if len(n) <= 40:
        if n.startswith("信息内容"):
            parts = text.split()
            columns = tuple(parts[1:]) if len(parts) > 1 else ()
            return Label("t1_header", columns=columns)
        column = active_column_key(n)
        if column:
            return Label("t1_column", column)
        row = _match_active_row(core_of(n))
        if row:
            return Label("t1_row", row)
        if n == "总计":
            return Label("total")
        if n in ("行政复议", "行政诉讼") or n.startswith(_REVIEW_MARKERS) or n.startswith("行政复议行政诉讼"):
            return Label("t3_marker")
        if _SECTION.match(n) or n.startswith(("政府信息公开", "因政府信息公开")):
            if "行政复议" in n or "行政诉讼" in n:
                return Label("section", "t3")
            if "主动公开" in n:
                return Label("section", "t1")
            if "申请" in n:
                return Label("section", "t2")
            if "存在的主要问题" in n or "改进" in n or "其他需要报告" in n:
                return Label("section", "")
        return Label("fragment")
    return Label("prose")


@lru_cache(maxsize=8192)
def _signalled_formats(n: str) -> tuple[str, ...]:
    """The formats whose signal words a normalised label contains (labels recur in every table)."""
    return tuple(fmt for fmt, signals in FORMAT_SIGNALS.items() if any(signal in n for signal in signals))


def detect_format(labels: list[str]) -> tuple[str | None, list[str]]:
    """"2019" / "2021" from the labels printed in the tables, with a warning when both appear."""
    hits: dict[str, set[str]] = {"2019": set(), "2021": set()}
    for text in labels:
        n = norm(text)
        if len(n) > 40:
            continue
        for fmt in _signalled_formats(n):
            hits[fmt].add(n)  # one vote per distinct label
        if n == "本年新":
            hits["2019"].add(n)
    counts = {fmt: len(found) for fmt, found in hits.items()}
    if not any(counts.values()):
        return None, []
    if counts["2019"] and counts["2021"]:
        winner = "2019" if counts["2019"] > counts["2021"] else "2021"
        return winner, [
            f"format: labels of both formats found (2019: {sorted(hits['2019'])}, 2021: {sorted(hits['2021'])}); using {winner}"
        ]
    return ("2019" if counts["2019"] else "2021"), []
