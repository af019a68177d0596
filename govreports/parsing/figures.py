"""Headline figures stated in prose (pre-2019 reports, and summaries in newer ones).

Each figure is read from the first sentence that states it, on a Simplified copy of the text
(docs/research/format-research.md §5.3 gives the phrasings). Zero forms count: "未收取任何费用" is fees 0,
"无依申请公开" is 0 applications, "未发生…行政复议" is 0 reviews. Small Chinese numerals
("发生一起…行政复议案件") are read too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from govreports.parsing.text import simplify
from govreports.spec import FIGURE_TYPES

FIGURE_KEYS = tuple(FIGURE_TYPES)

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUM = r"(\d[\d,]*|[零〇一二两三四五六七八九十]{1,3})"
_SENTENCE_END = re.compile(r"[。；;！!？?\n]")


def chinese_number(token: str) -> int | None:
    """'26,332' → 26332, '三' → 3, '十二' → 12; None for anything else."""
    token = token.replace(",", "")
    if token.isdigit():
        return int(token)
    if not token or any(ch not in _CN_DIGITS and ch != "十" for ch in token):
        return None
    if "十" not in token:
        return _CN_DIGITS[token] if len(token) == 1 else None
    tens, _, units = token.partition("十")
    value = (_CN_DIGITS.get(tens, 0) if tens else 1) * 10
    return value + (_CN_DIGITS.get(units, 0) if units else 0)


def sentences(text: str) -> list[str]:
    """Sentences of the Simplified text (figures never cross a 。)."""
    return [part for part in _SENTENCE_END.split(simplify(text)) if part.strip()]


_ACTIVE = (
    re.compile(r"(?:共|累计|总计|合计)计?(?:主动)?(?:公开|公布|发布)[^。，,]{0,12}?信息\s*(?:共计?)?\s*" + _NUM + r"\s*条"),
    # not "其他应主动公开政府信息856条", a category inside the breakdown
    re.compile(r"(?<!应)(?<!其他)主动(?:向社会)?公开[^。]{0,40}?(?:政府)?信息(?:数|总数|总量)?(?:为|达|达到)?\s*(?:共计?|累计|总计|合计)?\s*" + _NUM + r"\s*(?:条|件|篇|项)"),
    re.compile(r"主动公开[^。]{0,60}?(?:共计?|累计|总计|合计)\s*" + _NUM + r"\s*(?:条|件|篇|项)"),
)
_RECEIVED = (
    re.compile(r"(?:受理|收到|接到|接收)[^。，,]{0,16}?申请[^。\d，,]{0,10}?" + _NUM + r"\s*(?:件次|件|宗|起|条|个|份|次)"),
    re.compile(r"(?:受理|收到|接到|接收)[^。，,]{0,6}?" + _NUM + r"\s*(?:件次|件|宗|起|条|个|份)[^。，,]{0,12}?申请"),
)
_RECEIVED_ZERO = re.compile(
    r"(?:没有|未|无)(?:收到|受理|接到|发生)[^。，,\d]{0,8}?(?:依申请公开|信息公开申请|公开申请|申请)"
    r"|(?:无|没有)(?:依申请公开|政府信息公开申请|信息公开申请)"
)
# 办结 counts only when an application (not a review or lawsuit) was named before it
_COMPLETED = re.compile(r"申请[^。复诉]{0,40}?(?:办结|答复|办理完毕)[^。，,\d]{0,6}?" + _NUM + r"\s*(?:件次|件|宗|起|条|个|份)")
_CLAUSE_END = re.compile(r"[,，;；]")


def _case_patterns(word: str) -> tuple[re.Pattern[str], ...]:
    return (
        re.compile(word + r"(?:申请|案件|案)?[^。，,\d]{0,4}?" + _NUM + r"\s*(?:件|起|宗|次|个)"),
        re.compile(_NUM + r"\s*(?:件|起|宗)[^。，,\d]{0,16}?" + word),
    )


_REVIEW = _case_patterns("行政复议")
_LITIGATION = _case_patterns("行政诉讼")
_ZERO_CASES = r"(?:未发生|没有发生|没有|未|无)[^。\d]{0,30}?"
_FEES_ZERO = re.compile(r"(?:未|没有|不|无)[^。\d]{0,20}?(?:收取|收)[^。\d]{0,30}?费用|(?:免费|无收费)")
_FEES = re.compile(r"(?:收取|收费)[^。]{0,30}?(?:费用|费)[^。\d]{0,10}?(\d+(?:\.\d+)?)\s*(万元|元)")


def _first(patterns: Iterable[re.Pattern[str]], sents: list[str], accept: Callable[[str], bool] = lambda s: True) -> int | None:
    for sentence in sents:
        if not accept(sentence):
            continue
        for pattern in patterns:
            match = pattern.search(sentence)
            if match:
                value = chinese_number(match.group(1))
                if value is not None:
                    return value
    return None


def _cases(sents: list[str], word: str, patterns: tuple[re.Pattern[str], ...]) -> int | None:
    for sentence in sents:
        if word not in sentence:
            continue
        value = _first(patterns, [sentence])
        if value is not None:
            return value
        if re.search(_ZERO_CASES + word, sentence):
            return 0
    return None


def extract_figures(text: str) -> dict[str, int | float]:
    """The figures found, keyed as docs/report-format.md `figures`; a figure not stated is absent."""
    sents = sentences(text)
    figures: dict[str, int | float] = {}

    active = _first(_ACTIVE, sents)
    if active is not None:
        figures["active_total"] = active

    def about_applications(clause: str) -> bool:
        return "复议" not in clause and "诉讼" not in clause and "申请" in clause

    clauses = [part for sentence in sents for part in _CLAUSE_END.split(sentence) if part.strip()]
    received = _first(_RECEIVED, clauses, about_applications)
    if received is None and any(_RECEIVED_ZERO.search(c) for c in clauses if about_applications(c)):
        received = 0
    if received is not None:
        figures["applications_received"] = received
    completed = _first((_COMPLETED,), sents)
    if completed is not None:
        figures["applications_completed"] = completed

    review = _cases(sents, "行政复议", _REVIEW)
    if review is not None:
        figures["review_total"] = review
    litigation = _cases(sents, "行政诉讼", _LITIGATION)
    if litigation is not None:
        figures["litigation_total"] = litigation

    for sentence in sents:
        match = _FEES.search(sentence)
        if match:
            amount = float(match.group(1)) * (10000 if match.group(2) == "万元" else 1)
            figures["fees_yuan"] = int(amount) if amount.is_integer() else amount
            break
        if _FEES_ZERO.search(sentence):
            figures["fees_yuan"] = 0
            break
    return figures
