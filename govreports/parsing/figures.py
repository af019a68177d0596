"""Headline figures stated in prose, in every format (spec.FIGURE_TYPES; phrasings in docs/report-format.md and the README).

Pre-2019 reports state their figures only in prose; 2019/2021 reports restate them in 总体情况
("共收到申请N件，上年度结转M件；予以公开X件……结转下年继续办理Y件"), and that prose is the only
source when a table is cut or missing. Each figure is read from the first clause that states it,
on a Simplified copy of the text (docs/research/format-research.md §5.3 gives the phrasings).

- Zero phrasings count: 未收到 / 没有接到 / 未发生 / 未产生 / 无 / 零 … give 0 ("本年度没有接到…申请",
  "未产生因政府信息公开申请提请的行政复议和行政诉讼", "未收取任何费用").
- A phrasing that could mean two things gives no value: from 2019 on "受理N件" is often new +
  carried over (only "受理0件" is unambiguous; pre-2019 reports had nothing to carry over); a joint "行政复议、行政诉讼案件N件" says nothing about either
  unless N is 0; an approximation ("100余条", "755多条") is not a figure and stops the search.
- Small Chinese numerals ("发生一起…行政复议案件") are read too.

Regular expressions rather than a parser library: the phrasings are short fixed formulas of
official prose, and no Chinese NLP library ships a model of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from govreports.parsing.text import simplify
from govreports.spec import FIGURE_TYPES

FIGURE_KEYS = tuple(FIGURE_TYPES)

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUM = r"(\d[\d,]*|[零〇一二两三四五六七八九十]{1,3})"
# an approximation marker right after the number: "100余条", "755多条"
_APPROX = r"(?P<approx>余|多|左右)?"
_COUNT_UNIT = r"\s*" + _APPROX + r"\s*(?:件次|件|宗|起|条|个|份|次|项|例)"
_SENTENCE_END = re.compile(r"[。；;！!？?\n]")
_FULL_STOP = re.compile(r"[。！!？?\n]")
_CLAUSE_END = re.compile(r"[,，;；:：]")
APPROXIMATE = -1  # what a matcher returns for "N余条": stated, but not exactly


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


# a line break inside a sentence (PDF text wraps lines: "…累计主动公开政府信息\n5928\n条，…"):
# the break is dropped when the line does not end a sentence and the next does not open a heading;
# `(?<![。；;！!？?:：])\n…` with the line feed taken first, so that the regex engine skips ahead from
# line feed to line feed instead of trying every position of the text
_WRAPPED_LINE = re.compile(r"\n(?<![。；;！!？?:：]\n)(?!\s*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d+[、.．]))")


def unwrap(text: str) -> str:
    """The Simplified text with wrapped lines joined back into their sentences.

    Simplified line by line: each paragraph's copy is then the one the chrome filter already made
    (memoised per document), and none of NFKC, gloss removal and OpenCC's phrase matching acts
    across a line feed, so the text is the same as simplifying it whole.
    """
    return _WRAPPED_LINE.sub("", "\n".join(map(simplify, text.split("\n"))))


def sentences(text: str) -> list[str]:
    """Sentences of the Simplified text (figures never cross a 。)."""
    return [part for part in _SENTENCE_END.split(unwrap(text)) if part.strip()]


def _clauses(sents: list[str]) -> list[str]:
    return [part for sentence in sents for part in _CLAUSE_END.split(sentence) if part.strip()]


# -- active disclosure ------------------------------------------------------------------------
# a span that does not enter the "其中…" breakdown nor pass a count ("主动公开政策文件352条，新闻类信息854条":
# 854 belongs to 新闻类, not to 主动公开)
_NOT_BREAKDOWN = r"(?:(?!其中|\d\s*[条件篇项份][，,、])[^。；;])"
_ACTIVE = (
    re.compile(r"(?:共|累计|总计|合计)计?(?:主动)?(?:公开|公布|发布)[^。，,]{0,12}?信息\s*(?:共计?)?\s*" + _NUM + r"\s*" + _APPROX + r"\s*条"),
    # not "其他应主动公开政府信息856条", a category inside the breakdown
    # (nor pass a comma and a verb: "主动公开…工作计划，…，公开重大民生信息7项" counts that item)
    re.compile(r"(?<!应)(?<!其他)主动(?:向社会)?公开" + r"(?:(?![，,]\s*(?:公开|发布|更新|公布))" + _NOT_BREAKDOWN + r"){0,70}?(?:政府)?信息(?:数量|总数量|数|总数|总量)?"
               # "主动公开政府信息(综合政务类)287条" (a category in brackets), "主动公开信息的有5条"
               r"(?:[（(][^（()）。\d]{1,12}[)）])?(?:为|达|达到|的?有)?\s*"
               r"(?:共计?|累计|总计|合计)?\s*" + _NUM + r"\s*" + _APPROX + r"\s*(?:条|件|篇|项)"),
    re.compile(r"主动公开[^。]{0,60}?(?:共计?|累计|总计|合计)\s*" + _NUM + r"\s*" + _APPROX + r"\s*(?:条|件|篇|项)"),
    # "全年通过门户网站公开各类信息N条", "2016年…全年发布各类信息247条", "全年在网站和微信平台公布信息202条"
    # (not "2024年我局共收到依申请公开政府信息0件": 依申请公开 names applications, no publication)
    re.compile(r"(?:全年|本年度?|(?:19|20)\d{2}年度?|通过)" + _NOT_BREAKDOWN + r"{0,40}?(?<!申请)(?:公开|发布|公布)"
               r"(?:(?!\d\s*[条件篇项份][，,、])[^。；;，,]){0,30}?信息"
               r"(?:共计?|总计|合计)?\s*" + _NUM + r"\s*" + _APPROX + r"\s*(?:条|件|篇)"),
    # "共通过门户网站及政务新媒体方式主动公开907条": the count right after 主动公开
    re.compile(r"(?:共|累计|总计|合计)[^。，,]{0,30}?主动公开\s*" + _NUM + r"\s*" + _APPROX + r"\s*条"),
)

# a literal each _ACTIVE pattern cannot match without (outside any optional part or alternative):
# a sentence lacking it is not searched with that pattern (most sentences of a report lack 主动)
_ACTIVE_NEEDS = ("信息", "主动", "主动公开", "信息", "主动公开")

# "到年底累计…N条", "历年累计": everything published so far, not this year's count
_CUMULATIVE = re.compile(r"(?:到|截至|截止|至)[^。，,]{0,8}?(?:年底|年末|底|目前)[^。，,]{0,6}?累计|历年累计|累计(?:共)?(?:已)?公开[^。]{0,20}?其中[^。]{0,6}本年")

# a category count ("政务动态类信息420条") is the total unless another category follows it
_CATEGORY = re.compile(r"(?<!各)类信息")
_PARALLEL_CATEGORY = re.compile(r"^[^。其]{0,12}?类信息\s*\d+\s*条")
# "在政府网站公开信息95条，微信公众号发布信息37条": each channel's count, the total not stated
# "通过政务新媒体账号公开信息5994条", "在宣传栏公开信息140条": one side channel's count (the portal's, or
# several channels' together, would be the total)
_SIDE_CHANNEL = re.compile(r"新媒体|微信|公众号|微博|抖音|宣传栏|公开栏|公示栏|电子屏|显示屏")
_MAIN_CHANNEL = re.compile(r"网站|网|平台|等|、|和|及")
# (a channel named: "，依申请公开信息459条" is another kind of count, not another channel)
_PARALLEL_CHANNEL = re.compile(r"[，,、]\s*[^。其包含，,；;\d]{0,12}?(?:网站|网|微信|公众号|微博|新媒体|抖音|头条|宣传栏|公开栏|公示栏|"
                               r"电子屏|显示屏|平台|客户端|APP)[^。其，,；;\d]{0,8}?(?:(?:公开|发布|更新)(?:各类)?(?:政府|政务)?信息)?"
                               r"\s*\d+\s*条")
# (c) "发布政务动态类信息226条，发布市政府…解读信息66条", "公开重大民生信息7项，更新领导信息1次": items
# counted side by side, each with its verb; the total is not stated
_PARALLEL_ITEM = re.compile(r"[，,、]\s*(?:公开|发布|更新|公布)[^。其，,；;\d]{0,16}?信息\s*\d+\s*[条项次件个篇]")

# -- applications -----------------------------------------------------------------------------
# a bare 收 right before the application it takes: "全年收政府信息公开申请464件" (武汉市公安局 2024)
_RECEIVE = r"(?:收到|接到|接收到?|接受|新收|收(?=(?:政府)?(?:信息)?(?:公开)?申请))"
_RECEIVED = (
    re.compile(_RECEIVE + r"[^。，,]{0,24}?申请[^。\d，,]{0,10}?" + _NUM + _COUNT_UNIT),
    re.compile(_RECEIVE + r"[^。，,]{0,6}?" + _NUM + _COUNT_UNIT + r"[^。，,]{0,12}?申请"),
    re.compile(r"^依申请公开(?:申请)?(?:共)?\s*" + _NUM + _COUNT_UNIT),  # "依申请公开3次，行政复议0次"
    re.compile(r"申请[^。，,\d]{0,10}?(?:共)?" + _RECEIVE + r"\s*" + _NUM + _COUNT_UNIT),  # "依申请公开系统共收到1宗"
)
_NEW_RECEIVED = re.compile(r"(?:其中)?(?:本年度?)?新(?:收|受理)[^。，,\d]{0,16}?" + _NUM + _COUNT_UNIT)
_RECEIVE_WORD = re.compile(_RECEIVE)
# "共收到群众网上申请105件，快递17件，合计122件": the channels' counts, then their sum (not one that
# adds those carried over: no 结 between them)
_RECEIVED_SUM = re.compile(_RECEIVE + r"[^。；;，,]{0,30}?申请[^。；;结]{0,40}?[，,、](?:合计|共计|总计)\s*" + _NUM + _COUNT_UNIT)
_INCLUDES_CARRIED = re.compile(r"(?:含|包括|包含|其中)[^。]{0,8}?(?:上一?年度?|去年)(?:度)?结转")
# 受理 counts new + carried over in many reports: only its 0 is unambiguous
_ACCEPTED = (
    re.compile(r"受理[^。，,]{0,16}?申请[^。\d，,]{0,10}?" + _NUM + _COUNT_UNIT),
    re.compile(r"受理[^。，,]{0,6}?" + _NUM + _COUNT_UNIT + r"[^。，,]{0,12}?申请"),
)
_NEGATION = r"(?:没有|未曾|尚未|暂未|不存在|未|无|零)"
_RECEIVED_ZERO = re.compile(
    _NEGATION + r"(?:收到|受理|接到|接收到?|发生|产生|有)[^。，,\d]{0,24}?申请"
    r"|(?:无|没有)(?:依申请公开|政府信息公开申请|信息公开申请)"
)
# "上年转结1件": the two characters transposed, as several portals write it; "2021年结转…申请2件" (兴仁 2022):
# a year before 结转 is the year carried from (a year after it, "结转2023年度", is the one carried into)
# "结转上年度政府信息公开申请3件" (武汉市公安局 2024): 结转 before the year it carries from
_CARRIED_OVER = re.compile(r"(?:(?:上一?年度?|去年|(?<![至到\d])(?:19|20)\d{2}\s*年)(?:度)?(?:结转|转结)(?![至到入下]|\s*(?:19|20)\d{2})"
                           r"|(?:结转|转结)(?:上一?年度?|去年)(?:度)?)"
                           r"[^。，,\d下]{0,10}?" + _NUM + _COUNT_UNIT)
# none carried over: "上年无结转" (杨村街道 2023), "不存在上年度结转政府信息公开申请" (新港街 2023)
_NO_CARRIED_OVER = re.compile(r"(?P<zero>)(?:(?:上一?年度?|去年)(?:度)?(?:无|没有)(?:结转|转结)"
                              r"|(?:无|没有|不存在)(?:上一?年度?|去年)(?:度)?(?:结转|转结)(?![至到入下]))")
# "予以公开及部分公开42件" counts both outcomes together: a filler naming 部分 is not a 予以公开 count
_GRANTED = (
    re.compile(r"(?<!部分)(?<!不予)(?:予以公开|同意公开|全部公开)(?:(?!部分)[^。，,\d]){0,6}?" + _NUM + _COUNT_UNIT),
    re.compile(r"^(?:其中)?公开\s*" + _NUM + _COUNT_UNIT),  # "收到依申请公开0件，公开0件，不予公开0件"
)
# 办结 counts only when an application (not a review or lawsuit) was named with it
_COMPLETED = (
    re.compile(r"申请[^。复诉]{0,40}?(?:办结|答复|回复|办理完毕)[^。，,\d]{0,6}?" + _NUM + _COUNT_UNIT),
    re.compile(r"(?:办结|答复|回复)[^。，,\d复诉]{0,12}?申请[^。，,\d]{0,8}?" + _NUM + _COUNT_UNIT),
)
# a sentence of the 依申请公开 paragraph that opens with 办结: "共收到申请132件，…共计134件。目前依法办结122件，其中…"
_COMPLETED_OPENING = re.compile(r"^\s*(?:目前|截至[^，,。\d]{0,8}?)?(?:依法)?(?:共|已|均)?办结\s*" + _NUM + _COUNT_UNIT)
# "结转下年度继续办理3件", "转下一年办理0件", "结转到2025年办理7件", "结转2025年度继续办理政府信息公开申请16件"
# (not "上年度结转至2022年…", carried over); the count before it: "2件转至下年继续办理"; none: "无下年度结转"
_FORWARD = r"(?:结转|转结|顺延|(?<!结)转)(?:至|到|入)?(?:下一?年度?|(?:19|20)\d{2}年度?)"
_CARRIED_FORWARD = (
    re.compile(r"(?<!上年)(?<!上年度)(?<!上一年)(?<!上一年度)(?<!去年)" + _FORWARD + r"(?:继续办理|办理)?[^。，,\d]{0,12}?"
               + _NUM + _COUNT_UNIT),
    re.compile(_NUM + _COUNT_UNIT + r"(?:申请)?" + _FORWARD),
    re.compile(r"(?:无|没有)(?P<zero>)(?:下一?年度?结转|结转(?:至|到)?下一?年度?)"),
)

# -- reviews and lawsuits ---------------------------------------------------------------------
_CASE_UNIT = r"\s*" + _APPROX + r"\s*(?:件|起|宗|次|个|项|例|条)"


def _case_patterns(word: str) -> tuple[re.Pattern[str], ...]:
    return (
        re.compile(word + r"(?:申请|案件|案)?[^。，,\d]{0,4}?" + _NUM + _CASE_UNIT),
        re.compile(_NUM + r"\s*(?:件|起|宗)[^。，,\d]{0,16}?" + word),
        # "行政复议数为0": a zero needs no unit
        re.compile(word + r"(?:申请|案件|案)?(?:数量|数)?(?:均)?(?:为|是)\s*(0|零)(?![\d.])"),
    )


_REVIEW = _case_patterns("行政复议")
# "行政复议、诉讼案件", "复议、诉讼和申诉": the pair named short, read as 行政复议、行政诉讼
_CASES_SHORT = re.compile(r"(?:行政)?复议((?:、|和|及|与|或|/)?)(?:行政)?诉讼")
_LITIGATION = _case_patterns("行政诉讼")
_ZERO_CASES = _NEGATION + r"[^。\d]{0,30}?"
# "未发生…行政复议被改变或行政诉讼败诉情形", "没有出现…行政复议及行政诉讼纠错的情况": no case lost, not no case
_QUALIFIED_OUTCOME = re.compile(r"[^。，,；;]{0,12}?(?:被(?:改变|纠错|纠正|撤销|确认违法)|纠错|败诉)")
# one number for both: "行政复议、行政诉讼案件为0件" (only 0 says something about each)
_JOINT_CASES = re.compile(
    r"行政复议(?:和|、|及|与|或|/)(?:提起)?行政诉讼(?:案件|案)?(?:数量)?(?:均|都)?(?:为|是)?(?:共)?\s*"
    r"(?:" + _NUM + _CASE_UNIT + r"|(0|零)(?![\d.]))"
)

# -- fees -------------------------------------------------------------------------------------
# the negation governs the charge: not across a comma (a list of the report's sections, "依申请公开政府信息和
# 不予公开政府信息情况，政府信息公开的收费及减免情况"), and 不予 (不予公开, an outcome) negates no charge
_FEES_ZERO = re.compile(r"(?:未|没有|不(?!予)|无)[^。\d，,；;]{0,20}?(?:收取[^。\d，,；;]{0,30}?费|收费)|(?:免费|无收费)")
_FEES = re.compile(r"(?:收取|收费)[^。]{0,30}?(?:费用|费)[^。\d]{0,10}?(\d+(?:\.\d+)?)\s*(万元|元)")


Matcher = Callable[[str], "int | None"]


def _value(match: re.Match[str]) -> int | None:
    if "approx" in match.groupdict() and match.group("approx"):
        return APPROXIMATE
    if "zero" in match.groupdict() and match.group("zero") is not None:
        return 0  # a zero phrasing ("无下年度结转")
    number = next((group for group in match.groups() if group is not None), None)
    return chinese_number(number) if number is not None else None


def _first(patterns: Iterable[re.Pattern[str]], texts: list[str], accept: Callable[[str], bool] | None = None,
           reject: re.Pattern[str] | None = None, needs: tuple[str, ...] | None = None) -> int | None:
    """The value of the first text that states it (APPROXIMATE when that statement is approximate);
    a match that `reject` finds in is passed over (another figure in the same words). `accept`:
    only texts it passes are read (None: every text, with no call per text). `needs`: for each
    pattern, a literal it cannot match without; a substring test is cheaper than a failing search."""
    patterns = tuple(patterns)
    literals = needs if needs is not None else ("",) * len(patterns)
    for text in texts:
        if accept is not None and not accept(text):
            continue
        for pattern, literal in zip(patterns, literals):
            if literal not in text:
                continue
            match = pattern.search(text)
            if match and reject is not None and reject.search(text[max(0, match.start() - 12): match.end()]):
                match = None
            if match and reject is _CUMULATIVE and _PARALLEL_CATEGORY.search(text[match.end():]) and _CATEGORY.search(match.group(0)):
                match = None  # "政务类信息34条，概况类信息150条": categories side by side, no total stated
            if match and reject is _CUMULATIVE and _CATEGORY.search(match.group(0)) and _PARALLEL_ITEM.match(text, match.end()):
                match = None  # "发布政务动态类信息226条，发布…解读信息66条": items side by side
            if match and reject is _CUMULATIVE:
                # the channel may be named just before the match ("“…”微信公众号全年发布信息2901条")
                named = text[max(0, match.start() - 12): match.end()]
                if _PARALLEL_CHANNEL.match(text, match.end()) or (_SIDE_CHANNEL.search(named)
                                                                  and not _MAIN_CHANNEL.search(named)):
                    match = None
            if match:
                value = _value(match)
                if value is not None:
                    return value
    return None


def _cases(sents: list[str], word: str, patterns: tuple[re.Pattern[str], ...]) -> int | None:
    for sentence in sents:
        if word not in sentence:
            continue
        for clause in _CLAUSE_END.split(sentence):
            if word not in clause:
                continue
            joint = _JOINT_CASES.search(clause)
            if joint:
                value = _value(joint)
                if value == 0:
                    return 0
                continue  # a sum of both kinds: says nothing about this one
            value = _first(patterns, [clause])
            if value is not None:
                return value
        zero = re.search(_ZERO_CASES + word, sentence)
        if zero and not _QUALIFIED_OUTCOME.match(sentence, zero.end()):
            return 0
    return None


def _about_applications(clause: str) -> bool:
    return "复议" not in clause and "诉讼" not in clause and "申请" in clause


def _applications_received(clauses: list[str], accepted_is_received: bool, full_sentences: list[str],
                           application_clauses: list[str]) -> int | None:
    """`application_clauses`: `_clauses(full_sentences)`, which the caller has already cut."""
    new = _first((_NEW_RECEIVED,), application_clauses, _about_applications_or_carry)
    if new is not None:
        return new  # "其中新收M件" is exactly the table's 本年新收
    summed = _first((_RECEIVED_SUM,), [s for s in full_sentences if "合计" in s or "共计" in s or "总计" in s],
                    _about_applications_or_carry)
    if summed is not None:
        return summed
    # the clauses about applications, picked once for the three readings below
    about = [clause for clause in clauses if _about_applications(clause)]
    explicit = _first(_RECEIVED, about)
    if explicit is not None:
        # "共收到申请N件（含上年结转M件）": N counts both, so it is not the year's new applications
        if explicit and any(_INCLUDES_CARRIED.search(s) for s in full_sentences if _RECEIVE_WORD.search(s)):
            return None
        return explicit
    accepted = _first(_ACCEPTED, about)
    if accepted == 0 or (accepted is not None and accepted_is_received):
        return accepted
    # "未收到行政许可申请" is no disclosure application: the clause must name 公开
    # nor does "未发生依申请公开政府信息的收费以及减免情况" (no fee charged): a clause about fees is not read
    if any(_RECEIVED_ZERO.search(c) for c in about if "公开" in c and "收费" not in c and "费用" not in c):
        return 0
    return None


def _fees(sents: list[str]) -> int | float | None:
    for sentence in sents:
        if "费" not in sentence:  # both patterns need it: a substring test is cheaper than two searches
            continue
        match = _FEES.search(sentence)
        if match:
            amount = float(match.group(1)) * (10000 if match.group(2) == "万元" else 1)
            return int(amount) if amount.is_integer() else amount
        if _FEES_ZERO.search(sentence):
            return 0
    return None


def extract_figures(text: str, report_format: str | None = None) -> dict[str, int | float]:
    """The figures found, keyed as spec.FIGURE_TYPES; a figure not stated (or only approximately) is absent.

    In a pre-2019 report "受理N件" is the year's applications (the 2008 statistics had no
    carried-over count); from 2019 on it may include those carried over, so it gives no value.
    """
    unwrapped = unwrap(text)  # once
    sents = [part for part in _SENTENCE_END.split(unwrapped) if part.strip()]
    clauses = _clauses(sents)
    # outcome and carry-over phrasings only count in sentences about applications
    # (a full sentence: "收到申请N件，上年度结转M件；予以公开X件" names 申请 once for all of it)
    full_sentences = [part for part in _FULL_STOP.split(unwrapped) if "申请" in part]
    application_clauses = _clauses(full_sentences)
    application_paragraphs = [p for p in unwrapped.split("\n") if "申请" in p]
    case_sents = [_CASES_SHORT.sub(r"行政复议\1行政诉讼", s) if "复议" in s and "诉讼" in s else s for s in sents]
    found: dict[str, int | float | None] = {
        "active_total": _first(_ACTIVE, sents, reject=_CUMULATIVE, needs=_ACTIVE_NEEDS),
        "applications_received": _applications_received(clauses, report_format == "pre2019", full_sentences,
                                                         application_clauses),
        "applications_carried_over": _first((_CARRIED_OVER, _NO_CARRIED_OVER), application_clauses,
                                            _about_applications_or_carry),
        "applications_granted": _first(_GRANTED, application_clauses, _about_outcomes),
        # both _COMPLETED patterns need 申请 and one of 办结/答复/回复/办理完毕: other sentences are not searched
        "applications_completed": _first(_COMPLETED, [sentence for sentence in sents if "申请" in sentence and (
            "办结" in sentence or "答复" in sentence or "回复" in sentence or "办理完毕" in sentence)]),
        # the 依申请公开 paragraph, not only its sentences naming 申请: "收到申请9件。处理结果中，…结转至下一年度办理2件"
        "applications_carried_forward": _first(_CARRIED_FORWARD, _clauses(
            [s for p in application_paragraphs if "转" in p for s in _SENTENCE_END.split(p)]),
            _about_applications_or_carry),
        "review_total": _cases(case_sents, "行政复议", _REVIEW),
        "litigation_total": _cases(case_sents, "行政诉讼", _LITIGATION),
        "fees_yuan": _fees(sents),
    }
    if found["applications_granted"] is None:
        # outcomes in their own sentence of the 依申请公开 paragraph ("…上年度结转申请0件。处理结果中，予以公开2件")
        found["applications_granted"] = _first(_GRANTED[:1], _clauses(
            [s for p in application_paragraphs if "予以公开" in p for s in _SENTENCE_END.split(p) if "予以公开" in s]),
            _about_outcomes)
    if found["applications_completed"] is None:
        found["applications_completed"] = _first((_COMPLETED_OPENING,), [
            s for p in application_paragraphs if "办结" in p for s in _SENTENCE_END.split(p) if "复议" not in s and "诉讼" not in s])
    return {key: value for key, value in found.items() if value is not None and value != APPROXIMATE}


def _about_applications_or_carry(clause: str) -> bool:
    return "复议" not in clause and "诉讼" not in clause


def _about_outcomes(clause: str) -> bool:
    """A clause that can state how applications ended (not 主动公开 counts, not reviews)."""
    return "复议" not in clause and "诉讼" not in clause and "主动" not in clause
