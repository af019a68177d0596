"""Text normalisation shared by every matcher.

Matching always runs on `simplify(...)` / `normalize_label(...)` copies; the published text is
kept untouched in the item. Traditional-script pages (and mirrors that insert pinyin glosses
such as "數(shù)據(jù)") are folded to one Simplified spelling here, once.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

_PINYIN_GLOSS = re.compile(r"\((?:[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹ]+)\)")
_WHITESPACE = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
# words that Taiwan-style converters change inside the fixed labels
_MIRROR_FIXES = {"檔案": "文件", "档案": "文件"}


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _s2t() -> opencc.OpenCC:
    return opencc.OpenCC("s2t")


def strip_pinyin_glosses(text: str) -> str:
    """Remove the "(shù)" glosses some converters insert after characters."""
    return _PINYIN_GLOSS.sub("", text)


def simplify(text: str) -> str:
    """NFKC + pinyin glosses removed + Traditional → Simplified; length may change."""
    text = unicodedata.normalize("NFKC", text)
    text = strip_pinyin_glosses(text)
    return _t2s().convert(text)


def normalize_label(text: str) -> str:
    """The form labels are compared in: simplified, no whitespace, mirror words undone."""
    text = _WHITESPACE.sub("", simplify(text))
    for wrong, right in _MIRROR_FIXES.items():
        text = text.replace(wrong, right)
    return text


def collapse_whitespace(text: str) -> str:
    """Runs of any whitespace (incl. U+3000, nbsp) become one space; ends trimmed."""
    return _WHITESPACE.sub(" ", text).strip()


def detect_script(text: str) -> str:
    """'hant' when the text is mostly Traditional characters, else 'hans'.

    A character counts as Traditional when Simplified conversion changes it and converting it
    back to Traditional does not (so shared characters count for neither side).
    """
    sample = strip_pinyin_glosses(text)[:20000]
    han = [ch for ch in sample if "\u4e00" <= ch <= "\u9fff"]
    if not han:
        return "hans"
    joined = "".join(han)
    simplified = _t2s().convert(joined)
    traditional = _s2t().convert(joined)
    trad = sum(1 for a, s in zip(joined, simplified) if a != s)
    simp = sum(1 for a, t in zip(joined, traditional) if a != t)
    return "hant" if trad > simp else "hans"
