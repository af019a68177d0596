"""What every CMS adapter gives the spider: list entries, the next page to ask for, the totals.

An adapter is pure: it reads the text of a list page (HTML, XML or JSON) and says what it lists
and where the next page is. The spider does the fetching and `ColumnWalk` (listing/walk.py)
decides when a walk is over. Adapters detect themselves from markers in the column page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from govreports.listing.entries import ListEntry, extract_entries, list_records


@dataclass(frozen=True, slots=True)
class PageRequest:
    """The next list page: URL, method, form fields (POST), and adapter state carried along."""

    url: str
    page_no: int
    method: str = "GET"
    formdata: tuple[tuple[str, str], ...] = ()
    state: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True, slots=True)
class ListingStep:
    """What one list page gave: its entries, what to fetch next, what the site says the total is."""

    entries: tuple[ListEntry, ...]  # the list's records (counted against declared totals)
    links: tuple[ListEntry, ...] = ()  # every other link of the page (navigation, sidebars)
    next_request: PageRequest | None = None
    declared_total: int | None = None  # records the site says the column holds
    declared_pages: int | None = None  # pages the site says the column has
    stop: str | None = None  # a reason the adapter itself ends the walk (e.g. "empty_group")


class Adapter(Protocol):
    """One CMS family's list pagination."""

    name: str

    def detect(self, html: str, url: str) -> bool:
        """True when the column page carries this family's markers."""
        ...

    def first_page(self, html: str, url: str) -> ListingStep:
        """Entries of the column page itself and the first further request."""
        ...

    def next_page(self, body: str, request: PageRequest) -> ListingStep:
        """Entries of a further page (HTML, XML or JSON) and the request after it."""
        ...


def html_step(html: str, url: str, **fields: Any) -> ListingStep:
    """A step for an HTML list page: records apart from the rest of the page's links."""
    links = extract_entries(html, url)
    records = list_records(links)
    record_urls = {entry.url for entry in records}
    others = tuple(entry for entry in links if entry.url not in record_urls)
    return ListingStep(entries=tuple(records), links=others, **fields)


def to_int(value: object) -> int | None:
    """An int from '137', 137, ' 137 ' — None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def js_object_fields(text: str) -> dict[str, str]:
    """Scalar fields of a JS object literal: {col:1, webid:'3', path:"/", unitid:'7'} → strings."""
    fields: dict[str, str] = {}
    for match in re.finditer(
        r"""['"]?([A-Za-z_$][\w$]*)['"]?\s*:\s*(?:'([^']*)'|"([^"]*)"|(-?[\w.]+))""", text
    ):
        key = match.group(1)
        value = next((group for group in match.groups()[1:] if group is not None), "")
        fields.setdefault(key, value)
    return fields
