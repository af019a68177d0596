"""Columns whose list exists only as data in an inline script (issue 17, shape 1).

The detection is generic: a property test writes the same list under random variable names, key
names, nesting and quoting, with the link as a plain string, an object or a JSON string inside
the data, and 19-digit ids that must come back exact.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from govreports.listing.adapters import detect_adapter
from govreports.listing.adapters.base import PageRequest
from govreports.listing.adapters.embedded_json import (
    EmbeddedJsonAdapter,
    numbered_page_url,
)
from govreports.listing.challenge import script_builds_list
from govreports.listing.json_records import (
    best_article_list,
    page_article_list,
    parse_json,
)

COLUMN = "https://www.minhou.gov.cn/xxgk/zfxxgknb/index.html"

# the real provincial platform's shape, as the issue quotes it
PROVINCIAL = """<html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body>
<div class="list"><ul id="art-list"></ul></div>
<script type="text/javascript">
var listData = {articleList: [
 {title: "闽侯县人民政府2023年政府信息公开工作年度报告", pubDate: "2024-01-18 10:32:05",
  urls: "{\\"pc\\":\\"/xxgk/zfxxgknb/202401/content_1747204718113529856.html\\",\\"wap\\":\\"/wap/xxgk/content_1747204718113529856.html\\"}"},
 {title: "闽侯县人民政府2022年政府信息公开工作年度报告", pubDate: "2023-01-30 16:05:44",
  urls: "{\\"pc\\":\\"/xxgk/zfxxgknb/202301/content_1619950471734411265.html\\"}"}
], pageCount: 3, currentPage: 1};
</script></body></html>"""


def test_the_provincial_shape_lists_every_document_with_exact_19_digit_ids() -> None:
    found = page_article_list(PROVINCIAL, COLUMN)
    assert found is not None
    assert [(entry.url, entry.title, entry.date) for entry in found.entries] == [
        ("https://www.minhou.gov.cn/xxgk/zfxxgknb/202401/content_1747204718113529856.html",
         "闽侯县人民政府2023年政府信息公开工作年度报告", "2024-01-18"),
        ("https://www.minhou.gov.cn/xxgk/zfxxgknb/202301/content_1619950471734411265.html",
         "闽侯县人民政府2022年政府信息公开工作年度报告", "2023-01-30"),
    ]
    assert found.declared_pages == 3


def test_the_json_only_column_is_paged_by_its_declared_page_count() -> None:
    adapter = detect_adapter(PROVINCIAL, COLUMN)
    assert adapter.name == "embedded_json"
    step = adapter.first_page(PROVINCIAL, COLUMN)
    assert step.declared_pages == 3 and len(step.entries) == 2
    assert step.next_request is not None
    assert step.next_request.url == "https://www.minhou.gov.cn/xxgk/zfxxgknb/index_1.html"
    last = adapter.next_page(PROVINCIAL.replace("currentPage: 1", "currentPage: 3"),
                             PageRequest(url=numbered_page_url(COLUMN, 2), page_no=2, state={"column": COLUMN}))
    assert last.next_request is None


def test_a_page_count_declared_as_a_separate_variable_pages_the_column() -> None:
    html = PROVINCIAL.replace(", pageCount: 3, currentPage: 1}", "};\nvar pageCount = 2;")
    step = EmbeddedJsonAdapter().first_page(html, COLUMN)
    assert step.declared_pages == 2 and step.next_request is not None


def test_a_column_whose_anchors_already_list_the_documents_is_not_claimed() -> None:
    anchors = ('<ul><li><a href="/xxgk/zfxxgknb/202401/content_1747204718113529856.html">a</a></li>'
               '<li><a href="/xxgk/zfxxgknb/202301/content_1619950471734411265.html">b</a></li></ul>')
    assert not EmbeddedJsonAdapter().detect(PROVINCIAL.replace('<ul id="art-list"></ul>', anchors), COLUMN)


def test_nuxt_function_wrapped_state_goes_to_the_browser_path() -> None:
    html = ('<html><body><div id="__nuxt"></div><script>window.__NUXT__=(function(a,b,c){return {data:[{list:'
            '[{title:"闽侯县2023年政府信息公开工作年度报告",url:a}]}]}}("/x/1.html",2,3));</script></body></html>')
    assert page_article_list(html, COLUMN) is None
    assert detect_adapter(html, COLUMN).name != "embedded_json"
    assert script_builds_list(html)


def test_a_search_answer_with_epoch_dates_and_a_pager_object_is_read() -> None:
    body = json.dumps({"code": 200, "data": {"page": {"totalPages": 4, "totalCount": 37},
                                             "rows": [{"docTitle": "2023年度政府信息公开工作年度报告",
                                                       "docPubTime": 1705285800000, "docUrl": "/a/t1.html"}]}})
    found = best_article_list(parse_json(body), "https://x.gov.cn/s")
    assert found is not None
    assert found.entries[0].date == "2024-01-15" and found.entries[0].url == "https://x.gov.cn/a/t1.html"
    assert (found.declared_pages, found.declared_total) == (4, 37)


# --- the property: any variable, any keys, any nesting, any quoting -------------------------------
IDENTIFIER = st.from_regex(r"[A-Za-z_$][A-Za-z0-9_$]{0,9}", fullmatch=True)
TITLE = st.builds(lambda place, year: f"{place}{year}年政府信息公开工作年度报告",
                  st.text(alphabet="东西南北中闽侯县区市镇街道人民政府", min_size=2, max_size=8),
                  st.integers(2008, 2025))


@dataclass(frozen=True)
class Style:
    key_quote: str    # '', "'" or '"'
    value_quote: str  # "'" or '"'


def js(value: object, style: Style) -> str:
    """`value` as a JavaScript literal in the given quoting style."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{style.key_quote}{key}{style.key_quote}: {js(item, style)}"
                               for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(js(item, style) for item in value) + "]"
    if isinstance(value, str):
        quote = style.value_quote
        return quote + value.replace("\\", "\\\\").replace(quote, "\\" + quote) + quote
    return json.dumps(value)


@st.composite
def scripts(draw: st.DrawFn) -> tuple[str, list[tuple[str, str, str]]]:
    keys = draw(st.lists(IDENTIFIER, min_size=6, max_size=6, unique=True))
    title_key, url_key, date_key, id_key, list_key, inner_key = keys
    style = Style(draw(st.sampled_from(["", "'", '"'])), draw(st.sampled_from(["'", '"'])))
    link_shape = draw(st.sampled_from(["plain", "object", "json_string"]))
    count = draw(st.integers(1, 6))
    records, expected = [], []
    for index in range(count):
        doc_id = draw(st.integers(10**18, 10**19 - 1))
        path = f"/xxgk/gknb/{2020 + index}01/content_{doc_id}.html"
        title = draw(TITLE)
        year, month, day = 2024, draw(st.integers(1, 12)), draw(st.integers(1, 28))
        printed = draw(st.sampled_from([f"{year}-{month:02d}-{day:02d} 10:{index:02d}:00",
                                        f"{year}/{month}/{day}", f"{year}年{month}月{day}日"]))
        link: object = path
        if link_shape == "object":
            link = {inner_key: path}
        elif link_shape == "json_string":
            link = json.dumps({inner_key: path})
        record = {title_key: title, url_key: link, date_key: printed, id_key: doc_id}
        order = draw(st.permutations(list(record)))
        records.append({key: record[key] for key in order})
        expected.append((f"https://www.example.gov.cn{path}", title, f"{year}-{month:02d}-{day:02d}"))
    data: object = {list_key: records}
    for level in range(draw(st.integers(0, 3))):
        data = {draw(IDENTIFIER) + str(level): data} if draw(st.booleans()) else [data]
    variable = draw(IDENTIFIER)
    declaration = draw(st.sampled_from(["var {} = {};", "window.{} = {}", "let {}={}\n", "{}: {},"]))
    script = ("var menu = ['首页', '政务公开'];\n" + declaration.format(variable, js(data, style))
              + "\nfunction show(){ return 1; }")
    return f'<html><body><ul class="list"></ul><script>{script}</script></body></html>', expected


@settings(max_examples=150, deadline=None)
@given(scripts())
def test_any_variable_keys_nesting_and_quoting_give_the_same_list(case: tuple[str, list[tuple[str, str, str]]]) -> None:
    html, expected = case
    found = page_article_list(html, "https://www.example.gov.cn/xxgk/gknb/index.html")
    assert found is not None, html
    assert [(entry.url, entry.title, entry.date) for entry in found.entries] == expected, html
    assert detect_adapter(html, "https://www.example.gov.cn/xxgk/gknb/index.html").name == "embedded_json"


def test_a_script_menu_of_links_is_not_a_column() -> None:
    menu = ('<html><body><ul><li><a href="/xxgk/t20240115_1.html">闽侯县2023年政府信息公开工作年度报告</a>'
            '<span>2024-01-15</span></li></ul><script>var nav = [{name: "政务公开", url: "/zwgk/"},'
            '{name: "办事服务", url: "/bsfw/"}, {name: "互动交流", url: "/hdjl/"}];</script></body></html>')
    assert detect_adapter(menu, COLUMN).name == "plain"


def test_a_long_summary_does_not_take_the_place_of_the_title() -> None:
    html = ('<script>var d = {list: [{a: "闽侯县2023年政府信息公开工作年度报告", b: "/x/content_1.html", c: "2024-01-18",'
            ' d: "根据《中华人民共和国政府信息公开条例》规定，现公布本年度报告。本报告由总体情况、主动公开等部分组成。"}]};</script>')
    found = page_article_list(html, COLUMN)
    assert found is not None and found.entries[0].title == "闽侯县2023年政府信息公开工作年度报告"
