"""Text normalisation shared by every matcher.

Matching always runs on `simplify(...)` / `normalize_label(...)` copies; the published text is
kept untouched in the item. Traditional-script pages (and mirrors that insert pinyin glosses
such as "數(shù)據(jù)") are folded to one Simplified spelling here, once.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache, wraps
from typing import Any, TypeVar, cast

import opencc

A = TypeVar("A")  # the memoised function's one argument (a text, or a cell that may be one)
T = TypeVar("T")

_PINYIN_GLOSS = re.compile(r"\((?:[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹ]+)\)")
_WHITESPACE = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
_SURROGATES = re.compile(r"[\ud800-\udfff]")
# words that Taiwan-style converters change inside the fixed labels
_MIRROR_FIXES = {"檔案": "文件", "档案": "文件"}


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _s2t() -> opencc.OpenCC:
    return opencc.OpenCC("s2t")


def replace_lone_surrogates(text: str) -> tuple[str, int]:
    """(text with each lone surrogate replaced by U+FFFD, how many there were).

    A Python str can hold them (a JSON "\\ud800" escape, bytes decoded with "surrogateescape"),
    but they cannot be encoded, so OpenCC and lxml raise on them.
    """
    return _SURROGATES.subn("\ufffd", text)


def _convert(converter: opencc.OpenCC, text: str) -> str:
    """OpenCC's conversion, safe on any str (it encodes to UTF-8, which lone surrogates break)."""
    converted: str  # OpenCC's binding leaves its return type out
    try:
        converted = converter.convert(text)
    except UnicodeError:
        converted = converter.convert(replace_lone_surrogates(text)[0])
    return converted


# NFKD of a character can hold nothing from here that composes: the scripts whose combining-class-0
# characters are second halves of canonical compositions (Indic vowel signs, Hangul jamo, Brahmi …)
_COMPOSING_SCRIPTS = ((0x0900, 0x1C00), (0x11000, 0x12000))


@lru_cache(maxsize=4096)
def _char_nfkc(char: str) -> str | None:
    """NFKC of one character when it is the same in any context, else None.

    It is when no character of its NFKD has a combining class (nothing to reorder) or can be the
    second half of a composition (nothing to compose): then NFKD = NFKC, character by character.
    """
    decomposed = unicodedata.normalize("NFKD", char)
    for part in decomposed:
        point = ord(part)
        if unicodedata.combining(part) or any(low <= point < high for low, high in _COMPOSING_SCRIPTS):
            return None
    return decomposed


def nfkc(text: str) -> str:
    """`unicodedata.normalize("NFKC", text)`, up to five times faster on Chinese prose.

    CPython normalises the whole string once any character is not NFKC (a full-width comma is
    enough), at ~100 ns a character. Chinese text is nearly all characters that map the same in any
    context (`_char_nfkc`; the unified ideographs map to themselves), so each distinct character
    that changes is replaced throughout, in C (its replacement is already normal, so the order of
    replacements does not matter); a text with anything context-dependent (combining marks,
    Hangul, Indic scripts) is normalised as before.
    """
    if unicodedata.is_normalized("NFKC", text):
        return text
    changes: list[tuple[str, str]] = []
    for char in set(_IDEOGRAPHS.sub("", text)):
        mapped = _char_nfkc(char)
        if mapped is None:
            return unicodedata.normalize("NFKC", text)
        if mapped != char:
            changes.append((char, mapped))
    for char, mapped in changes:
        text = text.replace(char, mapped)
    return text


_IDEOGRAPHS = re.compile("[\u4e00-\u9fff]+")


def strip_pinyin_glosses(text: str) -> str:
    """Remove the "(shù)" glosses some converters insert after characters."""
    return _PINYIN_GLOSS.sub("", text)


# texts longer than a memo's limit, remembered until the next document (see memoized_when_short)
_DOCUMENT_CACHES: list[dict[str, Any]] = []
_DOCUMENT_CACHE_SIZE = 512


def new_document() -> None:
    """Forget the long texts of the previous document (`parse_report` calls this first)."""
    for cache in _DOCUMENT_CACHES:
        cache.clear()


def memoized_when_short(max_chars: int, maxsize: int = 16384, *,
                        per_document: bool = False) -> Callable[[Callable[[A], T]], Callable[[A], T]]:
    """Memoise a pure function of one text for plain `str` arguments of at most `max_chars`.

    Labels, cells ("0", "/"), table rows and page chrome repeat across the reports of a site and
    of the whole country, so they are worked out once per process; long texts rarely repeat and
    would only fill the cache. A plain dict (oldest entry dropped when full) rather than
    `lru_cache`: a table's cells go through several of these per cell, and a hit is one lookup.

    `per_document`: longer texts are remembered too, but only until `new_document()`: within one
    report the same paragraph is read by the chrome filter, the label reader, the metadata and
    the figures, while the next report's paragraphs are different ones.
    """
    def decorate(function: Callable[[A], T]) -> Callable[[A], T]:
        cache: dict[str, T] = {}
        long_texts: dict[str, T] = {}
        if per_document:
            _DOCUMENT_CACHES.append(long_texts)
        missing: Any = object()

        @wraps(function)
        def call(text: Any) -> T:  # Any: `type(text) is str` (no str subclass is cached) does not narrow a TypeVar
            if type(text) is not str:
                return function(text)
            value: T = cache.get(text, missing)  # the usual call, a short text seen before: one lookup
            if value is not missing:
                return value
            if len(text) <= max_chars:
                memo, limit = cache, maxsize
            elif per_document:
                memo, limit = long_texts, _DOCUMENT_CACHE_SIZE
                value = memo.get(text, missing)
                if value is not missing:
                    return value
            else:
                return function(cast(A, text))
            value = function(cast(A, text))
            if len(memo) >= limit:
                try:
                    del memo[next(iter(memo))]
                except (RuntimeError, KeyError, StopIteration):
                    pass  # another parsing thread changed the memo meanwhile: it is only a cache
            memo[text] = value
            return value

        return call

    return decorate


@memoized_when_short(80, maxsize=32768, per_document=True)
def simplify(text: str) -> str:
    """NFKC + pinyin glosses removed + Traditional → Simplified; length may change."""
    return simplify_normalized(nfkc(text))


def simplify_normalized(text: str) -> str:
    """`simplify` of a text already in NFKC (NFKC is idempotent, so it is not applied again)."""
    return _convert(_t2s(), strip_pinyin_glosses(text))


@memoized_when_short(80, maxsize=32768)
def normalize_label(text: str) -> str:
    """The form labels are compared in: simplified, no whitespace, mirror words undone."""
    text = _WHITESPACE.sub("", simplify(text))
    for wrong, right in _MIRROR_FIXES.items():
        text = text.replace(wrong, right)
    return text


def collapse_whitespace(text: str) -> str:
    """Runs of any whitespace (incl. U+3000, nbsp) become one space; ends trimmed."""
    # the ends are trimmed first (whatever whitespace they hold would become an end space, trimmed),
    # so that a text padded only at its ends ("<td> <p>12</p> </td>") also takes the fast path:
    # the only whitespace a printable str can hold is " "
    text = text.strip()
    if text.isprintable() and "  " not in text:
        return text
    return _WHITESPACE.sub(" ", text).strip()


def detect_script(text: str) -> str:
    """'hant' when the text is mostly Traditional characters, else 'hans'.

    A character counts as Traditional when Simplified conversion changes it and converting it
    back to Traditional does not (so shared characters count for neither side).
    """
    sample = strip_pinyin_glosses(text)[:20000]
    joined = "".join(_IDEOGRAPHS.findall(sample))  # the Han runs kept: fewer, longer matches than the runs between them removed
    if not joined:
        return "hans"
    simplified = _convert(_t2s(), joined)
    if simplified == joined:
        return "hans"  # no Traditional character: 0 > simp never holds, skip the other pass
    traditional = _convert(_s2t(), joined)
    trad = count_differences(joined, simplified)
    simp = count_differences(joined, traditional)
    return "hant" if trad > simp else "hans"


def count_differences(first: str, second: str) -> int:
    """How many positions of the shorter length hold different characters (`sum(map(ne, …))`).

    Both strings become one big integer each (UTF-32, a character per 32-bit lane); their XOR
    has a non-zero lane where they differ, and folding each lane onto its lowest bit lets
    `bit_count` count them: a few operations on big integers instead of a comparison per character.
    """
    length = min(len(first), len(second))
    if not length:
        return 0
    difference = (int.from_bytes(first[:length].encode("utf-32-le", "surrogatepass"), "little")
                  ^ int.from_bytes(second[:length].encode("utf-32-le", "surrogatepass"), "little"))
    for shift in (16, 8, 4, 2, 1):  # bit 32·i now ORs every bit of lane i
        difference |= difference >> shift
    low_bits = int.from_bytes(b"\x01\x00\x00\x00" * length, "little")
    return (difference & low_bits).bit_count()


_DATE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def parse_date(text: str | None) -> str | None:
    """The first real calendar date in `text` as ISO: '2019-03-12 16:00:58', '2024/1/5', '2024.01.15',
    '2020年2月19日' (full-width digits too); None when there is none (2024-02-31 is not one)."""
    if not text:
        return None
    for match in _DATE.finditer(nfkc(text)):
        try:
            return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3))).isoformat()
        except ValueError:
            continue
    return None
