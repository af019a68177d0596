"""What a report page says about itself: labels, chrome, title, year, agency, dates.

Two jobs live here because the HTML and the plain-text readers share them:

- reading the 信息公开 label block (索 引 号 / 主题分类 / 发布机构 / 发文日期 / 文号 / 名称 …) and the
  "来源:… 发布日期:… 点击数" lines into canonical meta keys, whatever the padding (spaces, U+3000),
  colons (：/:), separators (|) or layout (value after the label or in the next cell);
- recognising page chrome (breadcrumbs, hit counters, print/close, share, footers) line by line;

and, from a built `Document`, deciding the report's identity (`extract_metadata`). Matching runs on
Simplified copies; every value handed back keeps the published script.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from govreports.parsing.models import Document, Grid, Paragraph
from govreports.parsing.text import (
    collapse_whitespace,
    memoized_when_short,
    nfkc,
    parse_date,
    simplify,
    simplify_normalized,
    strip_pinyin_glosses,
)

_SPACE = r"[\s\u3000\u00a0]*"

# label (Simplified, no spaces) → canonical meta key; None = recognised chrome, value dropped
LABELS: dict[str, str | None] = {
    "索引号": "index_no",
    "主题分类": "topic",
    "体裁分类": "genre",
    "组配分类": "genre",
    "发布机构": "publisher",
    "发文机关": "publisher",
    "发布单位": "publisher",
    "发文单位": "publisher",
    "发布者": "publisher",
    "公开主体": "publisher",
    "信息来源": "source",
    "文章来源": "source",
    "来源": "source",
    "发布日期": "published",
    "发布时间": "published",
    "公开日期": "published",
    "发文日期": "issued",
    "成文日期": "written",
    "生成日期": "written",
    "公文生成日期": "written",
    "日期": "date",
    "时间": "date",
    "文号": "doc_no",
    "发文字号": "doc_no",
    "文件编号": "doc_no",
    "名称": "title",
    "标题": "title",
    "文件名称": "title",
    "信息名称": "title",
    "发布文号": "doc_no",
    "备注/文号": "doc_no",
    "内容概述": None,
    "主题导航": None,
    "分类": "topic",
    "所属主题": "topic",
    "有效性": None,
    "公开目录": None,
    "公开方式": None,
    "公开范围": None,
    "效力状态": None,
    "效力属性": None,
    "主题词": None,
    "关键词": None,
    "点击数": None,
    "点击量": None,
    "点击率": None,
    "浏览次数": None,
    "浏览量": None,
    "浏览数": None,
    "访问次数": None,
    "阅读次数": None,
    "访问量": None,
    "字体": None,
    "字号": None,
    "作者": None,
    "分享到": None,
}
# short generic labels that only count as labels when a colon follows
_NEEDS_COLON = frozenset({"来源", "发布者", "日期", "时间", "作者", "字体", "字号", "标题", "关键词", "主题词", "点击量", "点击率",
                          "浏览量", "浏览数", "访问量", "访问次数", "分享到", "点击数", "浏览次数", "阅读次数", "信息来源", "文章来源"})


def _spaced(label: str) -> str:
    return _SPACE.join(re.escape(ch) for ch in label)


_LABEL_RE = re.compile(
    r"(?:^|(?<=[\s|｜│丨\]】）)]))(?P<label>"
    + "|".join(_spaced(label) for label in sorted(LABELS, key=len, reverse=True))
    + r")" + _SPACE + r"(?P<colon>[:：])?"
    # cells glued by a copy that lost their borders ("…/2020-00001主题分类:综合政务", "成文日期:2020-01-22发布日期:"):
    # a label of three or more characters right after a digit or Han character is one only with its colon,
    # a two-character one only after a digit ("发布日期:2026-01-28来源:咸宁市…", a date's last digit)
    r"|(?<=[0-9\u4e00-\u9fff])(?P<glued>"
    + "|".join(_spaced(label) for label in sorted(LABELS, key=len, reverse=True) if len(label) >= 3)
    + r"|(?<=[0-9])(?:" + "|".join(_spaced(label) for label in sorted(LABELS) if len(label) == 2)
    + r"))" + _SPACE + r"(?P<glued_colon>[:：])"
)
# every label match starts with a label's first character: lines without one are skipped unscanned
_LABEL_FIRST = re.compile("[" + re.escape("".join(sorted({label[0] for label in LABELS}))) + "]")
_SPACES = re.compile(_SPACE)
# a value that is itself a label ("文号：" followed by the "关键词" cell) is no value
_LABEL_WORDS = frozenset(LABELS) | {"索引号", "文号", "主题词", "关键词", "有效性", "所属主题", "体裁", "组配分类", "公开时限"}
_LEADING_LABEL = re.compile(
    r"^(?:" + "|".join(_spaced(label) for label in sorted(_LABEL_WORDS, key=len, reverse=True)) + r")"
    + r"(?:" + _SPACE + r"[:：|｜]|[\s\u3000\u00a0]|$)"
)


def is_label_text(text: str | None) -> bool:
    """True when a would-be value is a label word (alone, or opening the text with a colon/bar)."""
    if not text:
        return False
    simplified = simplify(collapse_whitespace(text))
    return bool(_LEADING_LABEL.match(simplified)) or _SPACES.sub("", simplified).rstrip(":：|｜") in _LABEL_WORDS


# list bullets a page prints before each label ("• 索 引 号:XM02100-…"): no text before the label
_BULLETS = "•·●○◆◇■□▪▫◎★☆*-"


def _text_before(original: str, start: int) -> str:
    # "| 索 引 号 | K45899617/… |": a pipe-table row's border is no text before the label either
    return original[:start].strip().strip(_BULLETS + "|｜│丨").strip()


_VALUE_JUNK = re.compile(r"^[\s|｜│丨:：]+|[\s|｜│丨]+$")
# a value is one cell: in "索引号 | wqqlzfb/2022-01075 | 效力属性 | |" it ends at the next bar
_CELL_END = re.compile(r"\s*[|｜│丨].*$", re.DOTALL)


@memoized_when_short(80, maxsize=16384, per_document=True)
def aligned_simplified(text: str) -> tuple[str, str]:
    """(Simplified copy for matching, original copy with the same character positions).

    Glosses are stripped and NFKC applied to both; when Simplified conversion changes the length
    (rare phrase conversions) the Simplified copy is returned for both, so slicing stays safe.
    """
    if "(" not in text:  # no pinyin gloss to strip: the Simplified copy is `simplify`'s (and shares its memo)
        original, simplified = nfkc(text), simplify(text)
    else:
        original = nfkc(strip_pinyin_glosses(text))
        simplified = simplify_normalized(original)
    if len(simplified) != len(original):
        return simplified, simplified
    return simplified, original


@dataclass(frozen=True, slots=True)
class LabelHit:
    """One label found in a line and the value that followed it (None when it was empty)."""

    key: str | None
    label: str
    value: str | None


def _is_spaced(matched: str, label: str) -> bool:
    """A label set with spaces between its characters ("标      题", "来　　源"): a form's label cell,
    never prose, so it needs no colon to be one."""
    return len(matched) > len(label)


def scan_label_line(line: str) -> tuple[list[LabelHit], str]:
    """Label/value pairs in one line, plus whatever text preceded the first label.

    A trailing label with nothing after it gets value None; the caller may take the next line.
    """
    simplified, original = aligned_simplified(line)
    if not _LABEL_FIRST.search(simplified):
        return [], line
    matches = []
    for match in _LABEL_RE.finditer(simplified):
        if match.group("glued"):
            matches.append((match, _SPACES.sub("", match.group("glued"))))
            continue
        label = _SPACES.sub("", match.group("label"))
        if label in _NEEDS_COLON and not match.group("colon") and not _is_spaced(match.group("label"), label):
            continue
        matches.append((match, label))
    if not matches:
        return [], line
    hits: list[LabelHit] = []
    for index, (match, label) in enumerate(matches):
        end = matches[index + 1][0].start() if index + 1 < len(matches) else len(original)
        text = collapse_whitespace(_CELL_END.sub("", _VALUE_JUNK.sub("", original[match.end():end])))
        # an empty field followed by a label the regex did not take ("文号 关键词") has no value
        value = text if text and not is_label_text(text) else None
        hits.append(LabelHit(LABELS[label], label, value))
    return hits, _text_before(original, matches[0][0].start())


def leads_with_label(line: str) -> bool:
    """True when the line opens with a label: `read_label_lines([line])` would use it.

    Only the first label counts, so the scan stops there, without reading any value (a long
    paragraph that mentions 来源 mid-sentence is not read through).
    """
    simplified, original = aligned_simplified(line)
    if not _LABEL_FIRST.search(simplified):
        return False
    for match in _LABEL_RE.finditer(simplified):
        if match.group("glued"):
            return False  # text precedes a glued label
        label = _SPACES.sub("", match.group("label"))
        if label in _NEEDS_COLON and not match.group("colon") and not _is_spaced(match.group("label"), label):
            continue
        return not _text_before(original, match.start())
    return False


def read_label_lines(lines: Sequence[str]) -> tuple[dict[str, str], set[int]]:
    """Meta values from label lines and the indexes of the lines that were labels (to drop).

    A line counts when it starts with a label (nothing before it). A label alone in its line
    with no value takes the next line as its value when that line is not itself a label line
    (2-col/4-col tables); an empty field among several ("文号: |") stays empty.
    The first value of a key wins.
    """
    meta: dict[str, str] = {}
    used: set[int] = set()
    scanned: dict[int, tuple[list[LabelHit], str]] = {}  # a line looked ahead at is not scanned twice

    def scan(at: int) -> tuple[list[LabelHit], str]:
        if at not in scanned:
            scanned[at] = scan_label_line(lines[at])
        return scanned[at]

    index = 0
    while index < len(lines):
        hits, before = scan(index)
        if not hits or before:
            index += 1
            continue
        used.add(index)
        for position, hit in enumerate(hits):
            value = hit.value
            alone = len(hits) == 1  # a label alone in its line/cell: the value is the next cell
            if value is None and alone and index + 1 < len(lines):
                next_hits, next_before = scan(index + 1)
                candidate = lines[index + 1].strip()
                if ((not next_hits or next_before) and len(candidate) <= 120 and not is_chrome_line(candidate)
                        and not is_label_text(candidate)):
                    value = collapse_whitespace(candidate) or None
                    used.add(index + 1)
                    index += 1
            if hit.key and value and hit.key not in meta:
                meta[hit.key] = value
        index += 1
    return meta, used


# ---------------------------------------------------------------- chrome

_CHROME_EXACT = frozenset(
    {"打印", "关闭", "打印本页", "关闭窗口", "打印本文", "返回顶部", "收藏", "分享", "分享到", "扫一扫", "上一篇",
     "下一篇", "站点地图", "网站地图", "联系我们", "国务院部门网站", "地方政府网站", "市政府部门网站", "区(县)政府网站",
     "区县政府网站", "省政府部门网站", "相关链接", "友情链接", "政府网站", "网站声明", "无障碍", "无障碍浏览",
     "长者模式", "政府信息公开", "政务公开", "信息公开", "首页", "返回", "纠错", "我要纠错", "视力保护色", "大", "中", "小",
     "字号", "【大中小】", "[大中小]", "【打印】【关闭】", "【打印】", "【关闭】", "文字解读", "图片解读", "相关附件",
     "附件下载", "文件下载", "微信", "微博", "QQ空间"}
)
_CHROME_START = re.compile(
    r"^(?:您的位置|您当前的位置|您现在的位置|您所在的位置|您现在所在的位置|您当前所在位置|您当前所在的位置|当前位置|所在位置|当前的位置|位置)\s*[:：>]?"
    # the rest of a breadcrumb broken after 首页 (">政府信息公开>政府信息公开年报>县政府信息公开年报")
    r"|^[>»›][^>»›]+[>»›]"
    # a breadcrumb opening with 首页 ("首页 > 政务公开 > … > 信息公开年度报告": its last crumb is the column, not a title)
    r"|^(?:网站)?首页[>»›/]"
)
# a flat alternation, every branch opening with a literal: re then skips ahead by first character
_CHROME_ANYWHERE = re.compile(
    r"版权所有|ICP备|ICP证|公网安备|公安备案|网站标识码|主办单位[:：]|承办单位[:：]|协办单位[:：]|维护单位[:：]|管理单位[:：]|"
    r"技术支持[:：]|建议使用.{0,12}浏览器|"
    r"最佳浏览|扫一扫在手机|在手机上查看|在手机打开|点击数|浏览次数|阅读次数|访问次数|上一篇[:：]|下一篇[:：]|"
    r"【\s*打印|【\s*关闭|\[\s*打印|打印本页|关闭窗口|分享到|字号[:：]?\s*[【\[]?\s*大|字体[:：]\s*[【\[]|网站地图|站点地图"
)
_WHITESPACE_RUNS = re.compile(r"\s+")
_NO_CONTENT = re.compile(r"^[\W_]*$|^!\[[^\]]*\]\([^)]*\)[\s|]*$")


def is_chrome_line(line: str) -> bool:
    """True for a line of navigation, counters, sharing, printing or footer, not report text."""
    stripped = collapse_whitespace(line)
    if not stripped or _NO_CONTENT.match(stripped):
        return True
    simplified = simplify(stripped)
    # a printable str holds no whitespace but " " (NFKC can turn a compatibility character into one)
    compact = simplified.replace(" ", "") if simplified.isprintable() else _WHITESPACE_RUNS.sub("", simplified)
    if compact in _CHROME_EXACT:
        return True
    if _CHROME_START.match(compact):
        return True
    return bool(len(compact) <= 200 and _CHROME_ANYWHERE.search(compact))


# ---------------------------------------------------------------- meta tags

META_NAMES = ("ArticleTitle", "PubDate", "ContentSource", "SiteName", "SiteDomain", "SiteIDCode", "ColumnName",
              "ColumnType", "Keywords", "Description", "Author", "Url")
# what unfilled CMS templates leave in content="…"
PLACEHOLDERS = frozenset(
    {"网站名称", "网站域名", "政府网站标识码", "网站标识码", "栏目名称", "栏目类型", "栏目描述", "栏目关键词", "文章标题",
     "标题", "发布时间", "发布日期", "文章来源", "信息来源", "来源", "关键词", "描述", "作者", "网站域名地址"}
)
# what a CMS prints after 来源 when the article is the site's own (or copied), not an organ's name
_SOURCE_TAGS = frozenset({"本站原创", "本站", "本网", "本网原创", "原创", "网站原创", "本站编辑", "转载", "网络", "互联网"})
_TEMPLATE_TOKEN = re.compile(r"\$\{|\{\{|<%|%>|\$!|#\{|^#\w+#$|^\[\w+\]$|^null$|^undefined$", re.IGNORECASE)


def is_placeholder(value: str | None) -> bool:
    """True when a meta/JS value is an unfilled template field rather than data."""
    if value is None:
        return True
    cleaned = collapse_whitespace(value)
    return not cleaned or cleaned in PLACEHOLDERS or bool(_TEMPLATE_TOKEN.search(cleaned))


# ---------------------------------------------------------------- dates, years, titles

_YEAR_IN_TITLE = re.compile(r"((?:19|20)\d{2})\s*(?:年|年度)?")
_STATS_PERIOD = re.compile(
    r"统计(?:期限|时限|时间|区间|范围|周期)[^。]{0,12}?(?:自|从|为|是|:)?\s*((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日"
)
_REPORT_YEAR_PHRASES = (
    re.compile(r"((?:19|20)\d{2})\s*年度?\s*(?:政府)?信息公开(?:工作)?(?:年度)?(?:报告|年报)"),
    re.compile(r"((?:19|20)\d{2})\s*年度?\s*政务公开(?:工作)?(?:年度)?(?:报告|年报)"),
    re.compile(r"本(?:年度)?报告[^。]{0,20}?((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日"),
    re.compile(r"((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日\s*(?:起|至|到|-|—)"),
)
_ANY_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
# a report named as one item among what was published (last year's report, in 主动公开), not this one
_MENTIONED = re.compile(r"(?:及|和|与|、|(?<![现特予])(?:发布|公开|公布)了?)\s*《?$")
_TITLE_WORDS = re.compile(r"(?:信息公开|政务公开|信息公開|政務公開).{0,12}(?:报告|年报|報告|年報)|年度报告|工作报告|年报")
_ANNOUNCED_TITLE = (
    re.compile(r"(?:现|特|特此|现予|现将)?(?:向社会)?(?:公布|发布|公开)《([^》]{6,80}?(?:报告|年报))》"),
    re.compile(r"(?:现|特)(?:予)?(?:公布|发布)([^。;,，《》]{6,80}?(?:年度报告|工作报告|年报))"),
    re.compile(r"现将([^。;,，《》]{6,80}?(?:年度报告|工作报告|年报))(?:予以公布|公布如下|发布如下|报告如下|如下)"),
    # "…自然资源和规划局编制了2021年政府信息公开年度报告。": the report it names, with its year
    re.compile(r"编制(?:了|完成)《?([^。;,，《》]{0,40}?(?:19|20)\d{2}[^。;,，《》]{2,30}?(?:年度报告|工作报告|年报))"),
)
_AGENCY_STOP = re.compile(r"(?:关于)?(?:政府信息公开|信息公开|政务公开|政府信息|年度报告|工作报告)")


def looks_like_title(line: str) -> bool:
    """A line that names a disclosure report: short, no sentence end, says 信息公开…报告/年报."""
    text = collapse_whitespace(line)
    if not 6 <= len(text) <= 90 or text.endswith(("。", "；", ";", "，", ",")) or "|" in text:
        return False
    if text[0] in _BULLETS and text[0] != "-":  # a list item ("• 乡镇政府信息公开年度报告": the column), not the title
        return False
    if is_chrome_line(text):
        return False
    if not _TITLE_WORDS.search(simplify(text)):
        return False
    # a menu row of a printed page ("政府信息公开 领导之窗 … 政府工作报告 公示公告"): one of its
    # items says 报告, but a report's title names its year
    return text.count(" ") < 3 or bool(_ANY_YEAR_DIGITS.search(text))


# a title printed on two lines, the organ above the year ("广元市人民政府以工代赈办公室" / "2020年度政府信息公开
# 工作年度报告"), as PDF and Word title pages set it: the organ line ends in an organ's name
_YEAR_FIRST = re.compile(r"^[（(《]?\s*(?:19|20)\d{2}\s*年")
_ORGAN_LINE = re.compile(r"^[\u4e00-\u9fff（）()]{2,30}(?:政府|办公室|办公厅|局|厅|委员会|委|办|中心|管委会|办事处|街道|镇|乡|苏木)$")


# or broken after the year, the organ and year above ("左贡县人民政府2021年度" / "信息公开年度报告")
_ORGAN_YEAR_LINE = re.compile(r"^[\u4e00-\u9fff（）()]{2,30}(?:19|20)\d{2}\s*年度?[\u4e00-\u9fff]{0,8}$")
_ANY_YEAR_DIGITS = re.compile(r"(?:19|20)\d{2}")
# or the year before the organ ("2019年西街街道" / "政府信息公开工作年度报告", 龙泉 2019)
_YEAR_ORGAN_LINE = re.compile(r"^(?:19|20)\d{2}\s*年度?[\u4e00-\u9fff（）()]{2,30}"
                              r"(?:政府|办公室|办公厅|局|厅|委员会|委|办|中心|管委会|办事处|街道|镇|乡|苏木)$")
# a date printed after the title on its line ("…信息公开工作年度报告 2021-02-19", 杨浦 2020): no part of it
_TRAILING_DATE = re.compile(r"\s+(?:19|20)\d{2}-\d{1,2}-\d{1,2}$")


def organ_above_title(above: str, title: str) -> bool:
    """True when `above` is the first line of a two-line title whose second line is `title`."""
    title = title.strip()
    above = simplify(collapse_whitespace(above))
    if _YEAR_FIRST.match(title):
        return bool(_ORGAN_LINE.match(above)) and not is_chrome_line(above)
    return (not _ANY_YEAR_DIGITS.search(title)
            and bool(_ORGAN_YEAR_LINE.match(above) or _YEAR_ORGAN_LINE.match(above))
            and not _TITLE_WORDS.search(above) and not is_chrome_line(above))


def names_a_year(text: str) -> bool:
    """True when the text holds a year of 19xx or 20xx (a report's title names its year)."""
    return bool(_ANY_YEAR_DIGITS.search(text))


def dated_title_after(lines: Sequence[str], index: int, stop: int, skip: Container[int] = ()) -> int | None:
    """Where a yearless title line (a column's name printed above the article: "政府信息公开年度报告")
    gives way to a dated title among lines[index + 1:stop]; None when none is there."""
    for later in range(index + 1, min(stop, len(lines))):
        if later not in skip and names_a_year(lines[later]) and looks_like_title(lines[later]):
            return later
    return None


def title_line(lines: Sequence[str]) -> str | None:
    """The first line naming a report, with the organ line above it when the title opens with its year."""
    for index, line in enumerate(lines):
        if looks_like_title(line):
            title = _TRAILING_DATE.sub("", collapse_whitespace(line))
            # a column's name printed above the article ("政府信息公开年度报告" / "咸宁市…2025年…年度报告"):
            # a title without a year gives way to a dated one in the next few lines
            if not names_a_year(title) and not (index and organ_above_title(lines[index - 1], title)):
                dated = dated_title_after(lines, index, index + 5)
                if dated is not None:
                    return collapse_whitespace(lines[dated])
            if index and organ_above_title(lines[index - 1], title):
                return collapse_whitespace(lines[index - 1]) + title
            return title
    return None


_FULL_DATE = re.compile(r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}(?!\d)")


def date_below_title(lines: Sequence[str], title: str) -> str | None:
    """The date of an unlabelled line right under the title ("2024-01-26   伊宁县人民政府办公室",
    "银川市人民政府门户网站 www.yinchuan.gov.cn 2023-01-28"): where a page prints its publication date."""
    wanted = collapse_whitespace(title)
    for index, line in enumerate(lines[:-1]):
        if collapse_whitespace(line) == wanted:
            below = collapse_whitespace(lines[index + 1])
            if len(below) <= 60 and not any(mark in below for mark in "。，,；;") and _FULL_DATE.search(below):
                return parse_date(below)
            return None
    return None


def year_from_title(title: str | None) -> int | None:
    """The year a title names (2018 in '…2018年政府信息公开工作年度报告', 2019 in '…(2019年)')."""
    if not title:
        return None
    match = _YEAR_IN_TITLE.search(nfkc(title))
    return int(match.group(1)) if match else None


# a title naming only a county-level or higher division reports for that division's government
_DIVISION_END = re.compile(r"(?:省|自治区|市|区|县|旗|盟|州)$")
_NOT_A_DIVISION = re.compile(r"(?:实验区|试验区|开发区|新区|高新区|园区|示范区|合作区|保税区|景区|社区|街道|镇|乡|苏木)$")


def agency_from_title(title: str | None) -> str | None:
    """The organ a title names before its year, normalised (Simplified, no spaces; a bare division
    such as '资兴市' becomes '资兴市人民政府'); None when the title names none.

    Normalised because it is a grouping and dedup key; the title keeps the published script.
    """
    if not title:
        return None
    text = re.sub(r"\s+", "", nfkc(strip_pinyin_glosses(title)))
    year = re.search(r"(?:19|20)\d{2}", text)
    prefix = text[: year.start()] if year else text
    simplified = simplify(prefix)
    stop = _AGENCY_STOP.search(simplified) if len(simplified) == len(prefix) else None
    if stop:
        prefix = prefix[: stop.start()]
    elif not year:
        return None
    prefix = re.sub(r"(?:关于|關於|关於)$", "", prefix.strip("《》()（）[]【】\"“”'‘’:：,，、 "))
    if len(prefix) < 2:
        return None
    agency = simplify(prefix)
    if _DIVISION_END.search(agency) and not _NOT_A_DIVISION.search(agency):
        agency += "人民政府"
    return agency


def announced_title(lines: Iterable[str]) -> str | None:
    """The report name an intro announces (现公布《…》/现将…报告如下), in the published script."""
    for line in lines:
        simplified, original = aligned_simplified(line)
        for pattern in _ANNOUNCED_TITLE:
            match = pattern.search(simplified)
            if match:
                return original[match.start(1): match.end(1)].strip()
    return None


def report_year_from_text(lines: Sequence[str], publish_date: str | None) -> int | None:
    """The year reported on when the title names none: statistics period, report phrases, then
    the most mentioned year; never the publish year when the year before is also mentioned."""
    simplified = [simplify(line) for line in lines]
    for pattern in (_STATS_PERIOD, *_REPORT_YEAR_PHRASES):
        for index, line in enumerate(simplified):
            for match in pattern.finditer(line):
                if pattern is not _STATS_PERIOD and _MENTIONED.search(line, max(0, match.start() - 8), match.start()):
                    # another report the text names ("公开了…及2018年度信息公开工作报告"): its year is not counted
                    simplified[index] = line = line[:match.start()] + " " * (match.end() - match.start()) + line[match.end():]
                    continue
                return int(match.group(1))
    counts = Counter(int(m.group(1)) for line in simplified for m in _ANY_YEAR.finditer(line))
    if not counts:
        return None
    published_year = int(publish_date[:4]) if publish_date else None
    ranked = [year for year, _ in counts.most_common()]
    for year in ranked:
        if published_year and year > published_year:
            continue
        if published_year and year == published_year and (year - 1) in counts:
            return year - 1
        return year
    return None


# ---------------------------------------------------------------- the report's identity


@dataclass(frozen=True, slots=True)
class ReportIdentity:
    """The identity fields of a report (docs/report-format.md), shared by `Metadata` and `ParsedReport`."""

    title: str | None
    agency: str | None
    report_year: int | None
    publish_date: str | None
    index_no: str | None
    publisher: str | None
    doc_no: str | None
    topic: str | None


@dataclass(frozen=True, slots=True)
class Metadata(ReportIdentity):
    """The identity of a report as found in its document, plus the site it names and what went wrong."""

    site: dict[str, str]
    warnings: tuple[str, ...] = ()


_DATE_KEYS = ("published", "issued", "PubDate", "js.pubDate", "date", "written")
_SITE_KEYS = ("SiteName", "SiteDomain", "SiteIDCode", "ColumnName")


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = collapse_whitespace(value)
    return value or None


def paragraph_lines(document: Document) -> list[str]:
    """The document's paragraph texts in order (tables left out)."""
    return [block.text for block in document.blocks if isinstance(block, Paragraph)]


def _title_from_h1(value: str | None) -> str | None:
    return value if value and looks_like_title(value) else None


# what sites put between a page's title and their own name ("报告_栏目_网站", "报告-沭阳县发改局")
_TITLE_SEPARATOR = re.compile(r"\s*(?:_|\||-{1,2}|—|｜)\s*")


def _title_from_html_title(value: str | None) -> str | None:
    """The report part of '<title>报告_栏目_网站</title>'."""
    if not value:
        return None
    for part in _TITLE_SEPARATOR.split(value):
        if looks_like_title(part):
            return collapse_whitespace(part)
    return None


def _title_from_label(value: str | None) -> str | None:
    """A 标题 label's value, without the site name a capture header appends to the page's title
    ("标题：…2023年政府信息公开年度报告-沭阳县发改局"); the whole value when no part is the title."""
    first = _TITLE_SEPARATOR.split(value, maxsplit=1)[0] if value else None
    return first if first and looks_like_title(first) else value


def extract_metadata(document: Document, hints: Mapping[str, Any] | None = None) -> Metadata:
    """Title, year, agency, dates and labels of a report, each from the best source it has."""
    meta = document.meta
    hints = hints or {}
    warnings: list[str] = []
    lines = paragraph_lines(document)

    # in order of trust, each looked for only when none before it gave a title (most pages have
    # ArticleTitle; scanning the prose for a title line or an announced name costs more than the rest)
    title_sources: tuple[tuple[str, Callable[[], str | None]], ...] = (
        ("ArticleTitle", lambda: _clean(meta.get("ArticleTitle"))),
        ("js.title", lambda: _clean(meta.get("js.title"))),
        ("h1", lambda: _title_from_h1(_clean(meta.get("h1")))),
        ("label", lambda: _title_from_label(_clean(meta.get("title")))),
        ("title line", lambda: title_line(lines[:40])),
        ("html title", lambda: _title_from_html_title(meta.get("html.title"))),
        ("announced", lambda: announced_title(lines[:30])),
        ("hint", lambda: _clean(hints.get("link_text"))),
    )
    title = next((value for _, source in title_sources if (value := source())), None)
    if title is None:
        warnings.append("metadata: no title found")

    publish_date = next((d for d in (parse_date(meta.get(key)) for key in _DATE_KEYS) if d), None)
    if publish_date is None and title:
        publish_date = date_below_title(lines[:40], title)
    if publish_date is None:
        # the signature date closing the report ("2020年2月19日") is the next best thing
        for line in reversed(lines[-6:]):
            compact = re.sub(r"\s+", "", line)
            if len(compact) <= 16 and parse_date(compact):
                publish_date = parse_date(compact)
                break
    if publish_date is None and hints.get("list_date"):
        publish_date = parse_date(str(hints["list_date"]))

    report_year = year_from_title(title)
    if report_year is None:
        report_year = report_year_from_text(lines, publish_date)
        if report_year is None:
            warnings.append("metadata: report year not found")

    index_no = meta.get("index_no")
    index_no = re.sub(r"[\s\u3000\u00a0]+", "", index_no) if index_no else None
    source = _clean(meta.get("source"))
    source = None if source in _SOURCE_TAGS else source
    publisher = _clean(meta.get("publisher")) or source or _clean(meta.get("ContentSource"))
    publisher = publisher or _clean(meta.get("js.source"))
    return Metadata(
        title=title,
        agency=agency_from_title(title),
        report_year=report_year,
        publish_date=publish_date,
        index_no=index_no or None,
        publisher=publisher,
        doc_no=_clean(meta.get("doc_no")),
        topic=_clean(meta.get("topic")),
        site={key: meta[key] for key in _SITE_KEYS if meta.get(key)},
        warnings=tuple(warnings),
    )


def grid_lines(grid: Grid) -> list[str]:
    """A table as text rows ('a | b | c'), each cell written once, for the text and sections.

    A grid repeats a merged cell in every slot it covers; a label cell equal to its left or upper
    neighbour is such a repeat and is left out. Value cells are all kept ("0 | 0 | 0" are distinct
    cells), and so are empty rows' neighbours: only text is deduplicated.
    """
    from govreports.parsing.numbers import grid_cell, is_value_cell

    lines: list[str] = []
    above: list[str] = []
    for row in grid.rows:
        # one pass a row: each cell read once (collapsed, and whether it is a value; `here` is None for
        # a cell that is not text), compared with its left neighbour and kept as the next row's upper
        # one; the three list passes this replaces cost more than the comparisons
        cells: list[str] = []
        current: list[str] = []
        left: str | None = None
        width_above = len(above)
        for col, raw in enumerate(row):
            if isinstance(raw, str):
                cell, is_value = grid_cell(raw)
                here: str | None = cell
            else:
                cell = "" if raw is None else str(raw)
                is_value = is_value_cell(cell)
                here = None
            if not cell or is_value or (cell != left and (col >= width_above or cell != above[col])):
                cells.append(cell)
            current.append(here or "")
            left = here
        above = current
        if any(cells):
            lines.append(" | ".join(cells))
    return lines
