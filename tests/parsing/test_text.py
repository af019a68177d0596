"""The shared normalisation: safe on any str, whatever a page or a JSON escape put in it."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from govreports.parsing.text import (
    _COMPOSING_SCRIPTS,
    count_differences,
    detect_script,
    nfkc,
    normalize_label,
    replace_lone_surrogates,
    simplify,
)


def test_traditional_labels_with_pinyin_glosses_fold_to_the_simplified_wording() -> None:
    assert normalize_label("主動公開政府信息情況") == "主动公开政府信息情况"
    assert normalize_label("數(shù)據(jù) 檔案") == "数据文件"


def test_a_lone_surrogate_is_replaced_not_raised_from_opencc() -> None:
    assert simplify("\ud800數據") == "\ufffd数据"
    assert normalize_label("收到申請\udfff 數量") == "收到申请\ufffd数量"
    assert detect_script("\ud800國務院辦公廳") == "hant"


def test_replace_lone_surrogates_counts_what_it_replaced() -> None:
    assert replace_lone_surrogates("a\ud800b\udfff") == ("a\ufffdb\ufffd", 2)
    assert replace_lone_surrogates("政府信息公开") == ("政府信息公开", 0)


# any characters, lone surrogates included (st.characters() leaves them out)
ANY_STR = st.lists(st.one_of(st.characters(), st.integers(0xD800, 0xDFFF).map(chr)), max_size=40).map("".join)


@given(ANY_STR)
def test_simplify_and_normalize_label_never_raise_on_any_str(text: str) -> None:
    simplify(text)
    normalize_label(text)
    detect_script(text)


def test_every_composing_second_half_lies_in_the_scripts_nfkc_leaves_to_cpython() -> None:
    # nfkc replaces character by character only where nothing can compose; a Unicode update that
    # adds a combining-class-0 second half elsewhere must widen _COMPOSING_SCRIPTS
    for point in range(0x110000):
        decomposition = unicodedata.decomposition(chr(point))
        if not decomposition or decomposition.startswith("<") or len(decomposition.split()) != 2:
            continue
        second = int(decomposition.split()[1], 16)
        if not unicodedata.combining(chr(second)):
            assert any(low <= second < high for low, high in _COMPOSING_SCRIPTS), hex(second)


_NFKC_SAMPLES = "".join(map(chr, [*range(0x20, 0x7F), *range(0xA0, 0x250), *range(0x300, 0x370), *range(0x3000, 0x3100),
                                  *range(0xFF00, 0xFFF0), *range(0x2000, 0x2500), *range(0xF900, 0xFA10),
                                  *range(0x1100, 0x1200), *range(0xAC00, 0xAC20), *range(0x3130, 0x3190),
                                  *range(0x900, 0x980), *range(0x4E00, 0x4E80), *range(0x3200, 0x3400)]))


@given(st.text(alphabet=_NFKC_SAMPLES, max_size=200))
def test_nfkc_is_unicodedata_nfkc(text: str) -> None:
    assert nfkc(text) == unicodedata.normalize("NFKC", text)


def test_nfkc_of_chinese_prose_with_full_width_forms() -> None:
    text = "本年度共收到政府信息公开申请１２件（含上年结转２件）；予以公开３件，ｅ\u0301 한국 ①㎡"
    assert nfkc(text) == unicodedata.normalize("NFKC", text)
    assert nfkc(text[:40]) == unicodedata.normalize("NFKC", text[:40])


@given(st.text(alphabet="ab中國国\U00020000\x00\uffff", max_size=30), st.text(alphabet="ab中國国\U00020000\x00\uffff", max_size=30))
def test_count_differences_counts_unequal_positions_of_the_shorter_length(first: str, second: str) -> None:
    assert count_differences(first, second) == sum(a != b for a, b in zip(first, second))
