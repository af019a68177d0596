"""A column walk always ends, and says why."""

from __future__ import annotations

from govreports.listing.adapters import ListingStep, PageRequest
from govreports.listing.entries import ListEntry
from govreports.listing.walk import ColumnWalk


def entries(*ids: int) -> tuple[ListEntry, ...]:
    return tuple(ListEntry(url=f"http://x.gov.cn/nb/t2024_{i}.html", title=f"报告{i}", date="2024-01-01") for i in ids)


def nxt(page: int) -> PageRequest:
    return PageRequest(url=f"http://x.gov.cn/nb/index_{page}.html", page_no=page)


def test_walk_to_the_last_page_reaching_the_declared_total():
    walk = ColumnWalk("http://x.gov.cn/nb/", "trs")
    assert walk.add(ListingStep(entries(1, 2), next_request=nxt(1), declared_total=3)).stop_reasons == []
    update = walk.add(ListingStep(entries(3)))
    assert update.stop_reasons == ["last_page"] and walk.collected == 3


def test_a_page_served_again_for_a_higher_page_number_stops_the_walk():
    walk = ColumnWalk("http://x.gov.cn/nb/", "trs")
    walk.add(ListingStep(entries(1, 2), next_request=nxt(1)))
    walk.add(ListingStep(entries(3, 4), next_request=nxt(2)))
    update = walk.add(ListingStep(entries(3, 4), next_request=nxt(3)))
    assert update.next_request is None and update.stop_reasons == ["page_repeated"]
    assert update.new_entries == []


def test_declared_total_not_reached_is_recorded():
    walk = ColumnWalk("http://x.gov.cn/nb/", "hanweb_jpage")
    walk.add(ListingStep(entries(1, 2, 3), next_request=nxt(1), declared_total=10))
    update = walk.add(ListingStep((), stop="empty_group"))
    assert update.stop_reasons == ["empty_group", "total_not_reached"]


def test_boundary_records_repeated_by_groups_count_once():
    walk = ColumnWalk("http://x.gov.cn/nb/", "hanweb_jpage")
    walk.add(ListingStep(entries(1, 2, 3), next_request=nxt(1), declared_total=5))
    update = walk.add(ListingStep(entries(3, 4, 5)))
    assert [entry.url[-8:] for entry in update.new_entries] == ["4_4.html", "4_5.html"]
    assert update.stop_reasons == ["last_page"] and walk.collected == 5


def test_the_page_cap_ends_an_endless_column():
    walk = ColumnWalk("http://x.gov.cn/nb/", "plain", max_pages=3)
    reasons: list[str] = []
    for page in range(10):
        update = walk.add(ListingStep(entries(page * 2, page * 2 + 1), next_request=nxt(page + 1)))
        if update.stop_reasons:
            reasons = update.stop_reasons
            break
    assert reasons == ["max_pages"] and walk.pages == 3


def test_a_failed_page_ends_the_walk_and_notes_the_missing_records():
    walk = ColumnWalk("http://x.gov.cn/nb/", "trs")
    walk.add(ListingStep(entries(1), next_request=nxt(1), declared_total=4))
    assert walk.fail() == ["page_failed", "total_not_reached"]
