"""The spider's requests survive the trip through Redis, with the site state their callbacks need.

A cluster worker continues any site from the requests alone: `Request.to_dict` (callbacks must be
spider methods) pickled into the frontier, and read back by another spider instance. The farm
crawls exercise list pages and report pages; a report page waiting for its attachments (a
`ReportPage` with its body, the link being fetched and the links still to fetch) is checked here.
"""

from __future__ import annotations

import pickle

from scrapy import Request
from scrapy.utils.request import request_from_dict
from scrapy.utils.test import get_crawler

from govreports.items import ReportPage
from govreports.listing.adapters.base import PageRequest
from govreports.parsing.attachments import AttachmentLink
from govreports.spiders.annual_reports import AnnualReportsSpider
from govreports_farm import Farm
from tests.crawlers import with_defaults


def spider_for(farm: Farm) -> AnnualReportsSpider:
    crawler = get_crawler(AnnualReportsSpider, settings_dict=with_defaults(
        GOVREPORTS_REGISTRY=str(farm.registry_path), GOVREPORTS_SITES_FILE=str(farm.sites_path)))
    crawler.spider = AnnualReportsSpider.from_crawler(crawler)
    return crawler.spider  # type: ignore[return-value]


def travel(request: Request, sender: AnnualReportsSpider, receiver: AnnualReportsSpider) -> Request:
    payload = pickle.dumps(request.to_dict(spider=sender), protocol=pickle.HIGHEST_PROTOCOL)
    return request_from_dict(pickle.loads(payload), spider=receiver)


def test_a_report_waiting_for_its_attachments_continues_in_another_worker(farm: Farm) -> None:
    sender, receiver = spider_for(farm), spider_for(farm)
    page = ReportPage(url="http://127.0.0.10/zwgk/zfxxgknb/202401/t20240115_1.html", body="报告正文".encode("gbk"),
                      site={"id": "511303", "name": "高坪区"}, media_type="text/html",
                      headers={"Content-Type": "text/html; charset=GBK"}, declared_encoding="gbk",
                      hints={"link_text": "2023年政府信息公开工作年度报告", "list_date": "2024-01-15", "column_url": None},
                      attachments=[], rendered=False, fetched_at="2024-05-01T03:00:00+00:00")
    rest = [AttachmentLink(url="http://127.0.0.10/files/table.docx", name="附表.docx")]
    request = Request("http://127.0.0.10/files/report.pdf", callback=sender.parse_attachment,
                      errback=sender.attachment_failed, dont_filter=True,
                      cb_kwargs={"site_id": "511303", "page": page, "link": AttachmentLink(
                          url="http://127.0.0.10/files/report.pdf", name="报告.pdf"), "rest": rest},
                      meta={"govreports_site": "511303", "download_slot": "site:511303"})
    arrived = travel(request, sender, receiver)
    assert arrived.callback == receiver.parse_attachment and arrived.errback == receiver.attachment_failed
    assert arrived.cb_kwargs["page"].body == "报告正文".encode("gbk")
    assert arrived.cb_kwargs["rest"] == rest
    assert arrived.meta["download_slot"] == "site:511303" and arrived.dont_filter
    assert "511303" in receiver.runs  # the receiving worker knows the site the request belongs to


def test_a_hanweb_post_list_page_keeps_its_form_and_adapter_state(farm: Farm) -> None:
    sender, receiver = spider_for(farm), spider_for(farm)
    page = PageRequest(url="http://127.0.0.11/module/web/jpage/dataproxy.jsp?startrecord=13&endrecord=24&perpage=4",
                       page_no=2, method="POST", formdata=(("col", "1"), ("webid", "1"), ("columnid", "5296")),
                       state={"total": 28, "seen": ["a", "b"]})
    request = Request(page.url, method="POST", body=b"col=1&webid=1&columnid=5296", callback=sender.parse_list_page,
                      errback=sender.list_page_failed, dont_filter=True,
                      cb_kwargs={"site_id": "431081", "walk_key": "http://127.0.0.11/col/col5296/",
                                 "adapter": "hanweb_jpage", "page": page})
    arrived = travel(request, sender, receiver)
    assert arrived.method == "POST" and arrived.body == request.body
    assert arrived.cb_kwargs["page"] == page and arrived.cb_kwargs["page"].state == {"total": 28, "seen": ["a", "b"]}
    assert arrived.callback == receiver.parse_list_page
