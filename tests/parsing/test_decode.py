"""Decoding report pages: declarations are believed only as far as the bytes agree."""

from __future__ import annotations

import codecs

from hypothesis import given, settings
from hypothesis import strategies as st

from govreports.parsing.decode import decode_body, decode_html, normalize_charset, sniff_meta_charset

# 镕 and 堃 are in GBK but not in GB2312: a strict gb2312 decoder would lose them
REPORT = "<p>朱镕基 堃 南充市高坪区人民政府2018年政府信息公开工作年度报告</p>" * 20


def page(meta: str, text: str = REPORT) -> str:
    return f"<html><head>{meta}<title>年度报告</title></head><body>{text}</body></html>"


def test_gbk_page_declared_gb2312_in_meta_decodes_as_gb18030_without_losing_gbk_characters() -> None:
    body = page('<meta charset="gb2312">').encode("gbk")
    text, encoding = decode_html(body)
    assert encoding == "gb18030"
    assert "朱镕基 堃" in text and "\ufffd" not in text


def test_every_gb_label_means_gb18030() -> None:
    for label in ("gb2312", "GB_2312-80", "GBK", "x-gbk", "cp936", "gb18030", "GB2312 "):
        assert normalize_charset(label) == "gb18030", label


def test_utf8_header_on_a_gbk_body_is_corrected_with_a_warning() -> None:
    body = page("").encode("gbk")
    decoded = decode_body(body, "utf-8")
    assert decoded.encoding == "gb18030"
    assert "南充市高坪区人民政府" in decoded.text
    assert any("utf-8" in warning for warning in decoded.warnings)


def test_header_gb2312_on_a_utf8_body_is_corrected_with_a_warning() -> None:
    body = page('<meta charset="gb2312">').encode("utf-8")
    decoded = decode_body(body, "gb2312")
    assert decoded.encoding == "utf-8"
    assert "南充市高坪区人民政府" in decoded.text
    assert decoded.warnings


def test_byte_order_mark_wins_over_a_wrong_header() -> None:
    body = codecs.BOM_UTF8 + page('<meta charset="gbk">').encode("utf-8")
    text, encoding = decode_html(body, "gbk")
    assert encoding == "utf-8"
    assert text.startswith("<html>") and "南充市" in text


def test_utf16_with_bom_is_read() -> None:
    body = page("").encode("utf-16")
    text, encoding = decode_html(body)
    assert encoding == "utf-16" and "南充市" in text


def test_malformed_http_equiv_meta_still_names_the_charset() -> None:
    body = page('<meta httpequiv="ContentType" content="text/html; charset=GBK">').encode("gbk")
    assert sniff_meta_charset(body) == "GBK"
    text, encoding = decode_html(body)
    assert encoding == "gb18030" and "南充市" in text


def test_http_equiv_content_type_meta_is_read() -> None:
    body = page('<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />').encode("gbk")
    assert decode_html(body) == (body.decode("gb18030"), "gb18030")


def test_undeclared_gbk_is_detected() -> None:
    text, encoding = decode_html(page("").encode("gbk"))
    assert encoding == "gb18030" and "南充市高坪区" in text


def test_iso_8859_1_header_on_a_chinese_page_is_not_believed() -> None:
    decoded = decode_body(page("").encode("gbk"), "iso-8859-1")
    assert decoded.encoding == "gb18030" and "南充市" in decoded.text
    assert decoded.warnings


def test_unknown_declared_charset_is_reported_and_ignored() -> None:
    decoded = decode_body(page("").encode("utf-8"), "x-nonsense-charset")
    assert decoded.encoding == "utf-8" and "南充市" in decoded.text
    assert any("unknown" in warning for warning in decoded.warnings)


def test_stray_bad_bytes_are_replaced_not_fatal() -> None:
    body = page("").encode("utf-8")
    broken = body[:200] + b"\xff\xfe\xfa" + body[200:]
    decoded = decode_body(broken, "utf-8")
    assert "南充市" in decoded.text


def test_empty_and_ascii_bodies() -> None:
    assert decode_html(b"") == ("", "utf-8")
    assert decode_html(b"<html>ok</html>", "gbk") == ("<html>ok</html>", "gb18030")


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=2000), st.sampled_from([None, "utf-8", "gbk", "latin-1", "bogus"]))
def test_any_bytes_decode_without_raising(body: bytes, declared: str | None) -> None:
    text, encoding = decode_html(body, declared)
    assert isinstance(text, str) and encoding
