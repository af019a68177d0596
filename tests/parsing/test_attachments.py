"""Finding report attachments on real-shaped detail pages, and folding them into one report."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from govreports.parsing.attachments import (
    AttachmentLink,
    attachment_suffix,
    count_table_values,
    find_attachment_links,
    is_stub_page,
    merge_page_and_attachments,
)
from govreports.parsing.report import parse_report

PAGE_URL = "http://www.example.gov.cn/zfxxgk/zfxxgknb/202403/t20240325_1234567.html"


def urls(links: list[AttachmentLink]) -> list[str]:
    return [link.url for link in links]


def test_trs_p0_attachment_is_resolved_against_the_detail_page() -> None:
    html = '<div class="TRS_Editor"><p>附件：<a href="./P020240325612345678901.pdf">洪泽区2023年年报</a></p></div>'
    links = find_attachment_links(html, PAGE_URL)
    assert links == [
        AttachmentLink(
            url="http://www.example.gov.cn/zfxxgk/zfxxgknb/202403/P020240325612345678901.pdf",
            name="洪泽区2023年年报",
        )
    ]


def test_hanweb_downfile_jsp_counts_although_the_extension_is_only_in_the_query() -> None:
    html = (
        '<a href="/module/download/downfile.jsp?classid=0&amp;filename=8f2c1d9a0b3e4f5a6b7c8d9e0f1a2b3c.pdf"'
        ' title="2023年政府信息公开工作年度报告.pdf"><img src="/images/pdf.gif"></a>'
    )
    [link] = find_attachment_links(html, "http://www.jiangxi.gov.cn/art/2024/1/15/art_5296_668434.html")
    assert link.url == (
        "http://www.jiangxi.gov.cn/module/download/downfile.jsp"
        "?classid=0&filename=8f2c1d9a0b3e4f5a6b7c8d9e0f1a2b3c.pdf"
    )
    assert link.name == "2023年政府信息公开工作年度报告.pdf"
    assert link.suffix == ".pdf"


def test_links_hidden_in_onclick_and_window_open_are_found() -> None:
    html = """
      <a href="javascript:void(0)" onclick="isDownLoad(this,'/attach/0/report2023.DOC')">点击下载</a>
      <a href="javascript:window.open('/uploadfiles/2024/nb.wps')">年报（WPS版）</a>
      <span onclick="window.open(&quot;/files/nb.docx?v=3&quot;)" title="Word版">Word</span>
    """
    links = find_attachment_links(html, PAGE_URL)
    assert urls(links) == [
        "http://www.example.gov.cn/attach/0/report2023.DOC",
        "http://www.example.gov.cn/uploadfiles/2024/nb.wps",
        "http://www.example.gov.cn/files/nb.docx?v=3",
    ]
    assert [link.suffix for link in links] == [".doc", ".wps", ".docx"]
    assert links[0].name == "点击下载"


def test_every_office_and_layout_extension_is_an_attachment_case_insensitively() -> None:
    names = ["a.PDF", "b.doc", "c.Docx", "d.wps", "e.xls", "f.XLSX", "g.rtf", "h.ofd", "i.pdf?t=1"]
    html = "".join(f'<a href="/f/{name}">{name}</a>' for name in names)
    assert len(find_attachment_links(html, PAGE_URL)) == len(names)


def test_pages_images_and_non_http_schemes_are_not_attachments() -> None:
    html = """
      <a href="/index.html">首页</a><a href="./t20240101_1.html">上一篇</a>
      <img src="/P020240325612345678901.png"><a href="/P020240325612345678901.png">图片</a>
      <a href="mailto:gk@example.gov.cn">gk.pdf</a><a href="ftp://files.example.gov.cn/nb.pdf">ftp</a>
      <a href="file:///C:/Users/nb.pdf">本地</a><a href="javascript:alert('x')">x</a>
    """
    assert find_attachment_links(html, PAGE_URL) == []


def test_the_same_file_linked_twice_is_one_attachment_with_the_best_name() -> None:
    html = """
      <a href="/files/nb2023.pdf"><img src="/pdf.png"></a>
      <a href="/files/nb2023.pdf#page=1">2023年度报告</a>
      <a href="http://WWW.EXAMPLE.GOV.CN/files/nb2023.pdf">again</a>
    """
    links = find_attachment_links(html, PAGE_URL)
    assert links == [AttachmentLink(url="http://www.example.gov.cn/files/nb2023.pdf", name="2023年度报告")]


def test_a_pdfjs_viewer_stands_for_the_file_it_shows() -> None:
    html = '<iframe src="/pdfjs/web/viewer.html?file=/upload/2024/nb.pdf"></iframe>'
    assert urls(find_attachment_links(html, PAGE_URL)) == ["http://www.example.gov.cn/upload/2024/nb.pdf"]


def test_base_href_is_honoured() -> None:
    html = '<html><head><base href="http://files.example.gov.cn/gk/"></head><body><a href="nb.pdf">年报</a></body></html>'
    assert urls(find_attachment_links(html, PAGE_URL)) == ["http://files.example.gov.cn/gk/nb.pdf"]


def test_empty_or_broken_html_yields_no_links_and_no_crash() -> None:
    assert find_attachment_links("", PAGE_URL) == []
    assert find_attachment_links("   ", PAGE_URL) == []
    assert find_attachment_links("<a href='http://[::1'>x.pdf</a><a href='/ok.pdf'>ok</a>", PAGE_URL) == [
        AttachmentLink(url="http://www.example.gov.cn/ok.pdf", name="ok")
    ]


def test_attachment_suffix_reads_path_then_query() -> None:
    assert attachment_suffix("http://x/a/b.PDF") == ".pdf"
    assert attachment_suffix("http://x/module/download/downfile.jsp?classid=0&filename=ab12.doc") == ".doc"
    assert attachment_suffix("http://x/a/t20240101_1.html") is None


# --- one report from a page and its attachments -------------------------------------------------

ATTACHMENTS = Path(__file__).resolve().parent.parent / "fixtures" / "attachments"
SEED_004 = "004_7d9c962fed462d95"
PDF_URL = "http://www.cqjlp.gov.cn/zwgk/P020210205000000000001.pdf"


def seed_004_page(with_tables: bool) -> str:
    page = (ATTACHMENTS / "html" / f"{SEED_004}.html").read_text(encoding="utf-8")
    return page if with_tables else re.sub(r"<table.*?</table>", "", page, flags=re.DOTALL)


def seed_004_pdf() -> tuple[dict[str, object], object]:
    body = (ATTACHMENTS / f"{SEED_004}.pdf").read_bytes()
    return {"url": PDF_URL, "name": "九龙坡区2020年年报.pdf", "body": body}, parse_report(body, url=PDF_URL)


def test_page_with_the_full_report_and_the_same_pdf_attached_keeps_the_page() -> None:
    page = parse_report(seed_004_page(True).encode(), url=PAGE_URL, media_type="text/html")
    link, attachment = seed_004_pdf()
    merged = merge_page_and_attachments(page, [(link, attachment)])
    assert merged.source == "page"
    assert merged.report.tables == page.tables
    assert merged.attachments[0]["parsed"] is True
    assert any("九龙坡区2020年年报.pdf holds the same report; the page was used" in w for w in merged.report.warnings)


def test_page_whose_tables_were_lost_takes_the_richer_attachment_but_keeps_its_metadata() -> None:
    page = parse_report(seed_004_page(False).encode(), url=PAGE_URL, media_type="text/html")
    page = dataclasses.replace(page, publish_date="2021-02-05", index_no="11500107/2021-00012")
    assert not page.tables and not is_stub_page(page)
    link, attachment = seed_004_pdf()
    merged = merge_page_and_attachments(page, [(link, attachment)])
    assert merged.source == PDF_URL
    assert merged.report.tables == attachment.tables
    assert count_table_values(merged.report.tables) > 100
    assert (merged.report.publish_date, merged.report.index_no) == ("2021-02-05", "11500107/2021-00012")
    assert merged.report.format == "2019"


def test_attachments_that_are_not_the_report_are_only_listed() -> None:
    page = parse_report(seed_004_page(True).encode(), url=PAGE_URL, media_type="text/html")
    form = b"%PDF-1.4 broken application form"
    link = {"url": "http://www.cqjlp.gov.cn/files/shenqingbiao.pdf", "name": "申请表", "body": form}
    merged = merge_page_and_attachments(page, [(link, parse_report(form, url=link["url"]))])
    assert merged.report is page
    assert merged.attachments[0]["name"] == "申请表"
    assert merged.attachments[0]["parsed"] is False
    assert len(merged.attachments[0]["sha256"]) == 64


def test_count_table_values_counts_numbers_not_blanks() -> None:
    tables = {"applications": {"granted": {"total": 3, "other_org": None}}, "review_litigation": {"review": {"total": 0}}}
    assert count_table_values(tables) == 2
