"""Walking one column's list pages to the end, and saying why the walk ended.

`ColumnWalk` is the bookkeeping the spider keeps per column: which records were seen (boundary
records repeated by Hanweb groups count once), whether a page repeats an earlier one, whether the
site's declared total was reached, and a page cap. Every ending has a reason:

- `last_page`: the adapter announced no further page, and any declared total was reached;
- `total_not_reached`: no further page, but fewer distinct records than the site declared;
- `page_repeated`: a page listed exactly the records of an earlier page (a CMS that serves the
  last page again for any higher page number);
- `empty_group`: a further page/group came back empty (or the adapter said so);
- `max_pages`: GOVREPORTS_MAX_LIST_PAGES pages walked;
- `page_failed`: a list page could not be fetched (set by the spider's errback);
- adapter-specific reasons (`no_api`, `no_category`, `bad_json`).
Pure: no Scrapy import.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from govreports.listing.adapters.base import ListingStep, PageRequest
from govreports.listing.entries import ListEntry


@dataclass(slots=True)
class WalkUpdate:
    """What the spider does after one page: follow these records, fetch this page, or stop."""

    new_entries: list[ListEntry]
    next_request: PageRequest | None
    stop_reasons: list[str]


@dataclass(slots=True)
class ColumnWalk:
    column_url: str
    adapter: str
    max_pages: int = 200
    pages: int = 0
    seen: set[str] = field(default_factory=set)
    page_signatures: set[tuple[str, ...]] = field(default_factory=set)
    declared_total: int | None = None
    declared_pages: int | None = None
    stop_reasons: list[str] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        return bool(self.stop_reasons)

    @property
    def collected(self) -> int:
        return len(self.seen)

    def add(self, step: ListingStep) -> WalkUpdate:
        """Take one page's step; new records, the next request (or None) and any stop reasons."""
        self.pages += 1
        if step.declared_total is not None:
            self.declared_total = step.declared_total
        if step.declared_pages is not None:
            self.declared_pages = step.declared_pages
        urls = tuple(entry.url for entry in step.entries)
        new = [entry for entry in step.entries if entry.url not in self.seen]
        self.seen.update(urls)
        reasons: list[str] = []
        following = step.next_request
        if urls and urls in self.page_signatures or self.pages > 1 and urls and not new:
            reasons.append("page_repeated")
        self.page_signatures.add(urls)
        if step.stop and not reasons:
            reasons.append(step.stop)
        if not reasons and following is None:
            reasons.append("last_page")
        if not reasons and self.pages >= self.max_pages:
            reasons.append("max_pages")
        if reasons:
            following = None
            if self.declared_total is not None and self.collected < self.declared_total:
                if "last_page" in reasons:
                    reasons.remove("last_page")
                reasons.append("total_not_reached")
        self.stop_reasons.extend(reasons)
        return WalkUpdate(new_entries=new, next_request=following, stop_reasons=reasons)

    def fail(self, reason: str = "page_failed") -> list[str]:
        """A page could not be fetched: the walk ends here."""
        reasons = [reason]
        if self.declared_total is not None and self.collected < self.declared_total:
            reasons.append("total_not_reached")
        self.stop_reasons.extend(reasons)
        return reasons
