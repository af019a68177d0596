"""Soft 404s: error pages served with HTTP 200 are recognised; real pages are not."""

from __future__ import annotations

from pathlib import Path

import pytest

from govreports.listing.soft404 import soft_404_reason
from govreports.parsing.decode import decode_body
from govreports_farm.chaos import SOFT_404_PAGE

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CHROME = "".join(f'<li><a href="/col{n}/">栏目{n}</a></li>' for n in range(40))  # a portal's navigation


@pytest.mark.parametrize("html", [
    SOFT_404_PAGE.decode(),
    "<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1><hr>nginx</body></html>",
    (f"<html><head><title>南充市高坪区人民政府</title></head><body><ul>{CHROME}</ul>"
    "<div class='err'><h3>该信息已删除</h3></div></body></html>"),
    "<html><head><title>提示信息</title></head><body><p>对不起，您访问的页面不存在！</p><a href='/'>返回首页</a></body></html>",
    "<html><head><title>提示</title></head><body><p>页面已失效，5秒后返回首页</p></body></html>",
    "<html><head><title>錯誤</title></head><body><p>頁面不存在</p></body></html>",
])
def test_error_pages_served_with_200_are_recognised(html: str) -> None:
    assert soft_404_reason(html) is not None


def test_a_real_report_mentioning_404_and_deleted_information_is_kept() -> None:
    rows = "".join(f"<tr><td>{n}</td><td>404</td><td>信息不存在</td></tr>" for n in range(60))
    html = ("<html><head><title>高坪区2023年政府信息公开工作年度报告</title></head><body>"
            "<h1>高坪区2023年政府信息公开工作年度报告</h1><div class='TRS_Editor'><p>一、总体情况</p>"
            f"<p>本年度共删除过期信息404条，该信息已删除的网页均作了说明。</p><table>{rows}</table></div></body></html>")
    assert soft_404_reason(html) is None


def test_no_real_report_or_seed_page_is_taken_for_an_error_page() -> None:
    pages = list((FIXTURES / "real-reports").glob("*.html")) + list((FIXTURES / "seeds").glob("*.txt"))
    assert len(pages) >= 7
    for path in pages:
        assert soft_404_reason(decode_body(path.read_bytes()).text) is None, path


def test_every_page_of_the_farm_is_a_real_page(farm) -> None:
    checked = 0
    for portal in farm.portals:
        for path, resource in portal.routes.items():
            if resource.status == 200 and resource.content_type.startswith("text/html"):
                text = decode_body(resource.body).text
                assert soft_404_reason(text) is None, (portal.ip, path)
                checked += 1
    assert checked > 150
