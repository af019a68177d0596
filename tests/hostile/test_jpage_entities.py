"""A billion-laughs entity payload in a Hanweb jpage XML answer is never expanded.

The adapter reads `<record><![CDATA[…]]>` with regular expressions and the record HTML with
lxml's HTML parser (through parsel), neither of which expands DTD entities; the payload stays
the literal text "&lol9;" and costs nothing. Nine levels of ten would expand to 10^9 × "lol".
"""

from __future__ import annotations

import resource
import time

from parsel import Selector

from govreports.listing.adapters.base import PageRequest
from govreports.listing.adapters.hanweb_jpage import HanwebJpageAdapter

ENTITIES = "\n".join(['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)])
PROXY = "http://127.0.0.1/module/web/jpage/dataproxy.jsp"


def laughs(root: str) -> str:
    return f"<!DOCTYPE {root} [\n{ENTITIES}\n]>"


PAYLOAD = f"""<?xml version="1.0" encoding="utf-8"?>
{laughs("datastore")}
<datastore><totalrecord>&lol9;</totalrecord><recordset>
<record><![CDATA[{laughs("html")}<li><a href="/art/2024/1/15/art_1_2.html" title="&lol9;">&lol9;2023年度政府信息公开工作年度报告</a><span>2024-01-15</span></li>]]></record>
<record><![CDATA[<li><a href="/art/2024/1/16/art_1_3.html">2022年度政府信息公开工作年度报告</a><span>2024-01-16</span></li>]]></record>
</recordset></datastore>"""


def group_request() -> PageRequest:
    state = {"proxy": PROXY, "fields": {"columnid": "123"}, "group": 45, "per_page": 15, "total": 143,
             "next_start": 46}
    return PageRequest(url=f"{PROXY}?startrecord=46&endrecord=90&perpage=15", page_no=1, method="POST", state=state)


def test_billion_laughs_in_a_dataproxy_answer_is_read_as_literal_text() -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    step = HanwebJpageAdapter().next_page(PAYLOAD, group_request())
    assert time.monotonic() - started < 5
    assert (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024 < 100
    assert [entry.url for entry in step.entries] == ["http://127.0.0.1/art/2024/1/15/art_1_2.html",
                                                      "http://127.0.0.1/art/2024/1/16/art_1_3.html"]
    assert all("lollol" not in entry.title for entry in step.entries)
    assert step.entries[0].title.startswith("&lol9;")  # left as published, not expanded
    assert step.declared_total == 143  # "&lol9;" is no number: the total of the column page stands
    assert step.next_request is not None and "startrecord=91" in step.next_request.url


def test_billion_laughs_in_the_embedded_datastore_of_a_column_page_is_not_expanded() -> None:
    page = (f'<html><head><title>政府信息公开年报</title></head><body><div id="456">'
            f'<script type="text/xml">{PAYLOAD.split("?>", 1)[1]}</script>'
            "<script>var param_456 = {col:1, webid:1, columnid:123, unitid:'456'};"
            "$('#456').jpage({perPage:15, totalRecord:143});</script></div></body></html>")
    started = time.monotonic()
    adapter = HanwebJpageAdapter()
    assert adapter.detect(page, "http://127.0.0.1/col/col123/index.html")
    step = adapter.first_page(page, "http://127.0.0.1/col/col123/index.html")
    assert time.monotonic() - started < 5
    assert len(step.entries) == 2 and all("lollol" not in entry.title for entry in step.entries)


def test_the_xml_selector_a_listing_would_reach_for_does_not_expand_entities_either() -> None:
    # parsel's XML parser is built with resolve_entities=False: the entity stays unresolved
    started = time.monotonic()
    selector = Selector(text=PAYLOAD, type="xml")
    total = selector.xpath("string(//totalrecord)").get()
    assert time.monotonic() - started < 5
    assert "lollol" not in (total or "")
    assert len(total or "") < 100
