"""The shared normalisation: safe on any str, whatever a page or a JSON escape put in it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from govreports.parsing.text import detect_script, normalize_label, replace_lone_surrogates, simplify


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
