"""A bad night on the farm: faults that last as long as chaos is on (`Farm.start(…, chaos=seed)`).

Besides the transient faults of server.py (the first request of about one path in seven fails
once: a crawler that retries loses nothing), a chaos seed picks a few pages that fail on EVERY
request while chaos is on, one per kind of trouble real portals give:

| fault | what the portal does | what the crawler must record |
| --- | --- | --- |
| `http_503` | 503 on every try | `http_503` |
| `timeout` | answers after `TIMEOUT_SLEEP` s (longer than the tests' DOWNLOAD_TIMEOUT) | `timeout` |
| `reset` | closes the connection without answering | `connection` (or `error`) |
| `truncated` | Content-Length 4 KiB longer than the body, then hangs up | `truncated` |
| `soft_404` | 200 with a 您访问的页面不存在 page | `soft_404` |
| `redirect_loop` | P → P?from=loop → P | `redirect_loop` |
| `huge` | a page of `HUGE_BYTES` (over the tests' DOWNLOAD_MAXSIZE) | `too_large` |
| `column_home` | the 年报 column was removed: 301 to the home page | `column_redirected_home` |
| `list_page_503` | a later list page of a column answers 503 | `http_503` (walk stops `page_failed`) |
| `wrong_charset` | a GBK page sent as `charset=utf-8` | nothing: parsed correctly, with a warning |

The choice is deterministic per seed; `manifest.portals[*].chaos_plan` maps each URL to its fault
and `EXPECTED_FAILURE` says what a crawl must record for it. `Farm.set_chaos(None)` ends the
night: the same pages answer normally (the next night's run).
"""

from __future__ import annotations

import random
import socket
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from govreports_farm.portals import Portal, Resource
    from govreports_farm.server import PortalHandler

REPORT_FAULTS = ("http_503", "timeout", "reset", "truncated", "soft_404", "redirect_loop", "huge")
# the failure kind(s) the spider records for each fault (None: the page must come out parsed)
EXPECTED_FAILURE: dict[str, frozenset[str] | None] = {
    "http_503": frozenset({"http_503"}),
    "timeout": frozenset({"timeout"}),
    "reset": frozenset({"connection", "error"}),
    "truncated": frozenset({"truncated"}),
    "soft_404": frozenset({"soft_404"}),
    "redirect_loop": frozenset({"redirect_loop"}),
    "huge": frozenset({"too_large"}),
    "column_home": frozenset({"column_redirected_home"}),
    "list_page_503": frozenset({"http_503"}),
    "wrong_charset": None,
}
TIMEOUT_SLEEP = 8.0          # seconds; the chaos test runs with DOWNLOAD_TIMEOUT=3
HUGE_BYTES = 3 * 1024 * 1024  # the chaos test runs with DOWNLOAD_MAXSIZE=2 MiB
SOFT_404_PAGE = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>页面不存在</title></head><body>"
                 "<div class=\"header\"><a href=\"/\">首页</a></div><div class=\"error\"><h2>抱歉，您访问的页面不存在或已被删除！"
                 "</h2><p><a href=\"/\">返回首页</a></p></div></body></html>").encode()


def plan_faults(seed: int, portals: list[Portal]) -> dict[str, dict[str, str]]:
    """{portal ip: {path: fault}} for one chaos seed: one removed column (a portal whose column the
    registry names), one failing later list page (a TRS or plain column), one GBK page sent as
    UTF-8, and one report page per REPORT_FAULTS kind, on portals whose columns stay reachable."""
    rng = random.Random(f"govreports-chaos-{seed}")
    plan: dict[str, dict[str, str]] = {portal.ip: {} for portal in portals}
    farm_portals = [p for p in portals if getattr(p, "gate", None) is None
                    and p.cms in ("trs", "hanweb_jpage", "jpaas", "gkmlpt", "plain", "subcolumns")]
    registry_column = [p for p in farm_portals if not p.discover and "#" not in p.column_path]
    removed = rng.choice(registry_column)
    plan[removed.ip][urlsplit(removed.column_url).path] = "column_home"
    paginated = [(p, urlsplit(page["url"]).path) for p in farm_portals if p.cms in ("trs", "plain")
                 for page in p.list_pages()[1:] if page.get("method", "GET") == "GET"]
    failing_portal, failing_path = rng.choice(paginated)
    plan[failing_portal.ip][failing_path] = "list_page_503"
    gbk = [p for p in farm_portals if p.skin.encoding.lower() in ("gbk", "gb2312", "gb18030")]
    reports_of = {p.ip: [i for i in p.items if i.kind == "report"] for p in farm_portals}
    for portal in gbk[:1]:
        item = rng.choice(reports_of[portal.ip])
        plan[portal.ip][item.path] = "wrong_charset"
    reachable = [p for p in farm_portals if p not in (removed, failing_portal)]
    for fault in REPORT_FAULTS:
        portal = rng.choice(reachable)
        choices = [i for i in reports_of[portal.ip] if i.path not in plan[portal.ip]]
        plan[portal.ip][rng.choice(choices).path] = fault
    return plan


def answer_fault(handler: PortalHandler, fault: str, portal: Portal, path: str, query: str) -> bool:
    """Answer a planned fault; True when the answer is complete, False to serve the page normally
    (`wrong_charset` relabels it afterwards: see `mislabel`)."""
    if fault in ("http_503", "list_page_503"):
        _send(handler, 503, b"<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>")
    elif fault == "timeout":
        import time

        time.sleep(TIMEOUT_SLEEP)
        _send(handler, 200, b"<html><body>too late</body></html>", quiet=True)
    elif fault == "reset":
        handler.close_connection = True
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        handler.connection.close()
    elif fault == "truncated":
        body = b"<html><head><title>" + b"x" * 200 + b"</title></head><body>" + b"<p>cut</p>" * 50
        handler.close_connection = True
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(len(body) + 4096))
        handler.end_headers()
        handler.wfile.write(body)
        handler.wfile.flush()
    elif fault == "soft_404":
        _send(handler, 200, SOFT_404_PAGE)
    elif fault == "redirect_loop":
        target = path if "from=loop" in query else f"{path}?from=loop"
        _redirect(handler, 302, portal.url(target))
    elif fault == "huge":
        handler.close_connection = True
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(HUGE_BYTES))
        handler.end_headers()
        chunk = b"<p>" + b"\xe5\xb9\xb4" * 1000 + b"</p>\n"
        try:
            for _ in range(HUGE_BYTES // len(chunk) + 1):
                handler.wfile.write(chunk)
        except OSError:
            pass  # the crawler refused the page and hung up: what we want
    elif fault == "column_home":
        _redirect(handler, 301, portal.home_url)
    else:
        return False
    return True


def mislabel(resource: Resource) -> Resource:
    """The same bytes, declared UTF-8 in the header (the body stays GBK)."""
    from govreports_farm.portals import Resource as _Resource

    return _Resource(resource.body, "text/html; charset=utf-8", status=resource.status, headers=dict(resource.headers))


def _send(handler: PortalHandler, status: int, body: bytes, *, quiet: bool = False) -> None:
    try:
        handler.send_response(status)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
    except OSError:
        if not quiet:
            raise


def _redirect(handler: PortalHandler, status: int, location: str) -> None:
    handler.send_response(status)
    handler.send_header("Location", location)
    handler.send_header("Content-Length", "0")
    handler.end_headers()
