"""One tree per page for every reader in the crawl process: the same tree parsel would build."""

from __future__ import annotations

import pytest
from lxml import etree
from parsel import Selector

from govreports.listing.entries import page_root, page_selector
from govreports.parsing.tree import html_root

PAGES = [
    "<html><head><title>年报</title></head><body><div id='zoom'><a href='/a.pdf'>附件</a></div></body></html>",
    "  <p>no html element\x00 at all</p>  ",
    "",
    "   \n ",
    "<!-- only a comment -->",
    "<div><table><tr><td>1<td>2</table><p>unclosed",
]


@pytest.mark.parametrize("html", PAGES)
def test_the_shared_tree_is_parsels_tree_with_plain_elements(html: str) -> None:
    root = html_root(html)
    assert type(root) is etree._Element  # no lxml.html class lookup for every element visited
    parsel_root = Selector(text=html).root
    assert etree.tostring(root, method="html") == etree.tostring(parsel_root, method="html")


def test_a_page_is_parsed_once_for_its_readers() -> None:
    html = "<html><body><a href='/x.html'>x</a></body></html>"
    assert page_selector(html).root is page_selector(html).root is html_root(html)


def test_json_and_xml_documents_are_left_to_parsel() -> None:
    assert page_selector('{"data": [1, 2]}').type == "json"
    assert page_selector("<?xml version='1.0'?><rss><item/></rss>").type == "xml"
    assert page_selector("<html><body>[1, 2]</body></html>").type == "html"
    with pytest.raises(ValueError, match="json"):
        page_root(' [{"title": "x"}]')
