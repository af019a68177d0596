"""Small helpers on lxml trees, for plain libxml2 elements as well as lxml.html and parsel ones."""

from __future__ import annotations

import functools

from lxml import etree


@functools.lru_cache(maxsize=4)
def html_root(text: str) -> etree._Element:
    """The HTML tree of a page's text as parsel builds it (same clean-up of the text, same libxml2
    options), with plain lxml elements.

    The crawl process reads one page with several functions (redirect stub, adapter, list links,
    sub-columns): the last few trees are kept, so a page is parsed once. Plain elements, because
    parsel's lxml.html parser makes every element visited from Python pay a Python class lookup.
    The trees are shared: callers read them, never change them.
    """
    body = text.strip().replace("\x00", "").encode("utf-8") or b"<html/>"
    parser = etree.HTMLParser(recover=True, encoding="utf-8", huge_tree=True)
    root = etree.fromstring(body, parser)
    if root is None:  # nothing but whitespace or comments: parsel's empty document
        root = etree.fromstring(b"<html/>", parser)
    return root


def element_text(element: etree._Element) -> str:
    """The text of an element and its descendants, comments left out (lxml.html's text_content()).

    Serialising as text is about twice as fast as an XPath string().
    """
    return etree.tostring(element, method="text", encoding="unicode", with_tail=False)


def drop_tree(element: etree._Element) -> None:
    """Remove an element with its children; its tail text stays in the page (lxml.html's drop_tree)."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is None:
            parent.text = (parent.text or "") + element.tail
        else:
            previous.tail = (previous.tail or "") + element.tail
    parent.remove(element)


def elements(result: object) -> list[etree._Element]:
    """The elements of an XPath result (lxml types every XPath result as a union of node-sets,
    strings, numbers and booleans; an element path gives a list of elements)."""
    if not isinstance(result, list):
        return []
    return [node for node in result if isinstance(node, etree._Element)]


def strings(result: object) -> list[str]:
    """The strings of an XPath result (text nodes, attribute values), as `elements` gives its elements."""
    if not isinstance(result, list):
        return []
    return [node for node in result if isinstance(node, str)]
