"""Three portals that only a browser can read (or that nothing can), for the render tests.

Served only when asked: `Farm.start(run_dir, extra_portals=("js", "cookie", "ruishu"))`, so the
default farm and every total other tests rely on stay as they are.

- `js` (`JsListPortal`, 127.0.0.16): the 年报 column page holds an empty `<ul>` and a script that
  fetches `/api/list.json` and inserts the `<a>` links. Plain HTML has no report link.
- `cookie` (`CookieCheckPortal`, 127.0.0.17): 加速乐-style. Without the clearance cookie every
  page answers 521 with `Set-Cookie: __jsluid_s=…` and
  `<script>document.cookie='__jsl_clearance_s=…';location.reload()</script>` (the value is computed
  by the script). A browser passes; Scrapy's cookie middleware never runs the script. A TRS column
  of two list pages, so the crawler must carry the cookie over to later plain requests.
- `ruishu` (`RuishuPortal`, 127.0.0.18): 瑞数-style. Every page answers 412 with the `$_ts` stub
  and `r="m"` scripts; the script sets a cookie the server never accepts and reloads (twice), so
  the page stays a challenge in a browser too: the site must end `blocked`.

robots.txt is always served (the crawler obeys it before anything else).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from email.message import Message
from typing import Any

from govreports_farm.portals import HTML_UTF8, AgencyPlan, Portal, Resource, TrsPortal, list_page
from govreports_farm.render import Skin

EXTRA_PORTALS: tuple[str, ...] = ("js", "cookie", "ruishu")
CLEARANCE_COOKIE = "__jsl_clearance_s"
CLEARANCE_VALUE = "1732147200.417|0|8ZtY9%2Bq0kVzK3w%3D"


class JsListPortal(Portal):
    """A column whose list is built in the browser from a JSON endpoint."""

    cms = "js_list"
    api_path = "/api/list.json"

    @property
    def column_path(self) -> str:
        return "/xxgk/gzbg/index.html"

    def detail_path(self, day: date, unit: str | None) -> str:
        return f"/xxgk/gzbg/{day:%Y%m}/{self.new_id()}.html"

    def render_column(self) -> dict[str, Resource]:
        script = (
            "<script>\n(function () {\n"
            f"  fetch('{self.api_path}?channel=gzbg').then(function (r) {{ return r.json(); }}).then(function (data) {{\n"
            "    var list = document.getElementById('report-list');\n"
            "    data.list.forEach(function (it) {\n"
            "      var li = document.createElement('li'), a = document.createElement('a'), s = document.createElement('span');\n"
            "      a.href = it.url; a.title = it.title; a.target = '_blank'; a.textContent = it.title;\n"
            "      s.textContent = it.date; li.appendChild(a); li.appendChild(s); list.appendChild(li);\n"
            "    });\n  });\n})();\n</script>")
        body = list_page(self.skin, self.column_name, "", "", self.trail())
        body = body.replace('<ul class="list-ul">\n\n</ul>', '<ul class="list-ul" id="report-list"></ul>' + script)
        return {self.column_path: self.html(body)}

    def dynamic(self, method: str, path: str, query: Mapping[str, str], form: Mapping[str, str]) -> Resource | None:
        if path != self.api_path:
            return None
        items = [{"title": i.title, "url": i.path, "date": i.day.isoformat()} for i in self.sorted_items()]
        payload = {"code": 0, "total": len(items), "list": items}
        return Resource(json.dumps(payload, ensure_ascii=False).encode("utf-8"), "application/json;charset=UTF-8")

    def list_pages(self) -> list[dict[str, Any]]:
        return [{"method": "GET", "url": self.column_url}, {"method": "GET", "url": self.url(self.api_path)}]

    def manifest_entry(self, chaos: int | None = None) -> dict[str, Any]:
        return {**super().manifest_entry(chaos), "needs_browser": "js_list", "blocked": None}


class CookieCheckPortal(TrsPortal):
    """A TRS portal behind a 加速乐-style cookie check (521 + a script that sets a cookie and reloads)."""

    cms = "trs"
    per_page = 6

    def content_type(self, detail: bool) -> str:
        return HTML_UTF8          # UTF-8 pages (the GBK TRS portal is the default farm's)

    def challenge(self) -> Resource:
        pieces = CLEARANCE_VALUE.split("|")
        script = ("document.cookie=('" + CLEARANCE_COOKIE + "=')+(['" + pieces[0][:5] + "','" + pieces[0][5:]
                  + "'].join(''))+('|" + "|".join(pieces[1:]) + "')+(';max-age=3600;path=/');location.reload()")
        body = f"<html><body><script>{script}</script></body></html>".encode()
        return Resource(body, "text/html", status=521,
                        headers={"Set-Cookie": "__jsluid_s=6f1c2d9a7e44b0f3a1; max-age=31536000; path=/; HttpOnly"})

    def gate(self, method: str, path: str, headers: Message) -> Resource | None:
        """The cookie check in front of every page but robots.txt."""
        if path == "/robots.txt":
            return None
        cookies = dict(part.strip().partition("=")[::2] for part in (headers.get("Cookie") or "").split(";") if "=" in part)
        if cookies.get(CLEARANCE_COOKIE) == CLEARANCE_VALUE:
            return None
        return self.challenge()

    def manifest_entry(self, chaos: int | None = None) -> dict[str, Any]:
        return {**super().manifest_entry(chaos), "needs_browser": "jiasule", "blocked": None}


class RuishuPortal(JsListPortal):
    """A portal hidden behind a 瑞数-style 412 stub that never lets anyone through."""

    cms = "ruishu"
    script_path = "/4QbVtADbnLVIc/c.FxJzG50F.dfe1675.js"

    def stub(self) -> Resource:
        body = ('<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
                '<meta id="9DhefwqGPrzGxEp9hPaoag" content="PYR7G0ly2gGx3MOaSqnT8rQx9WYR1lh" r="m">'
                "<script>$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=62318;$_ts.cd=\"qqqqrrAlqGlqqqE1r\";</script>"
                f'<script type="text/javascript" charset="utf-8" src="{self.script_path}" r="m"></script>'
                "</head><body></body></html>")
        return Resource(body.encode(), "text/html", status=412,
                        headers={"Set-Cookie": "FSSBBIl1UgzbN7NS=60mTW1Hm2q3e0dL8; path=/; expires=Fri, 01 Jan 2100 00:00:00 GMT"})

    def gate(self, method: str, path: str, headers: Message) -> Resource | None:
        if path == "/robots.txt":
            return None
        if path == self.script_path:
            # computes a cookie and reloads, twice at most; the server never accepts the cookie
            script = ("(function(){var n=+(sessionStorage.getItem('$_rs')||0);if(n<2){sessionStorage.setItem('$_rs',n+1);"
                      "document.cookie='FSSBBIl1UgzbN7NT='+Math.random().toString(36).slice(2)+';path=/';"
                      "location.reload();}})();")
            return Resource(script.encode(), "application/javascript")
        return self.stub()

    def manifest_entry(self, chaos: int | None = None) -> dict[str, Any]:
        # its reports exist but no crawler gets to them: the site must end blocked, not "empty"
        return {**super().manifest_entry(chaos), "needs_browser": None, "blocked": "ruishu"}


def build_extra_portals(names: tuple[str, ...] | list[str]) -> list[Portal]:
    """The requested browser portals (`js`, `cookie`, `ruishu`), in that order."""
    unknown = sorted(set(names) - set(EXTRA_PORTALS))
    if unknown:
        raise ValueError(f"unknown extra portals {unknown}; known: {', '.join(EXTRA_PORTALS)}")
    portals: list[Portal] = []
    if "js" in names:
        js = JsListPortal(ip="127.0.0.16", adcode="320583", name="昆山市", province="江苏省", discover=False, skin=Skin(
            site_name="昆山市人民政府", site_id_code="3205830001", container='<div class="article-content">',
            meta_style="gov", info_style="plain", breadcrumb="当前位置：", icp="苏ICP备05083651号",
            police="苏公网安备 32058302001234号"))
        js.add_plan(AgencyPlan("昆山市人民政府", "昆山市人民政府办公室", range(2017, 2025), 0.8,
                               lambda y: f"昆山市人民政府{y}年政府信息公开工作年度报告"))
        js.add_plan(AgencyPlan("昆山市教育局", "昆山市教育局", range(2022, 2025), 0.3,
                               lambda y: f"昆山市教育局{y}年政府信息公开工作年度报告"))
        js.add_decoy("昆山市人民政府门户网站2023年度工作年度报表", "website_report", date(2024, 1, 17))
        js.add_decoy("关于做好2024年政务公开工作的通知", "notice", date(2024, 4, 2))
        portals.append(js)
    if "cookie" in names:
        cookie = CookieCheckPortal(ip="127.0.0.17", adcode="330106", name="西湖区", province="浙江省", discover=False,
                                   skin=Skin(site_name="杭州市西湖区人民政府", site_id_code="3301060001",
                                             container='<div class="TRS_Editor">', meta_style="trs", info_style="trs",
                                             breadcrumb="您的位置：", icp="浙ICP备05012345号",
                                             police="浙公网安备 33010602000456号"))
        cookie.add_plan(AgencyPlan("杭州市西湖区人民政府", "西湖区人民政府办公室", range(2016, 2025), 0.9,
                                   lambda y: f"杭州市西湖区人民政府{y}年政府信息公开工作年度报告"))
        cookie.add_plan(AgencyPlan("杭州市西湖区财政局", "西湖区财政局", range(2021, 2025), 0.3,
                                   lambda y: f"杭州市西湖区财政局{y}年政府信息公开工作年度报告"))
        cookie.add_decoy("杭州市西湖区人民政府网站2023年度工作年度报表", "website_report", date(2024, 1, 21))
        portals.append(cookie)
    if "ruishu" in names:
        ruishu = RuishuPortal(ip="127.0.0.18", adcode="110105", name="朝阳区", province="北京市", discover=False, skin=Skin(
            site_name="北京市朝阳区人民政府", site_id_code="1101050001", container='<div class="article-content">',
            meta_style="gov", info_style="plain", icp="京ICP备05012345号", police="京公网安备 11010502000789号"))
        ruishu.add_plan(AgencyPlan("北京市朝阳区人民政府", "朝阳区人民政府办公室", range(2020, 2025), 1.0,
                                   lambda y: f"北京市朝阳区人民政府{y}年政府信息公开工作年度报告"))
        portals.append(ruishu)
    return portals


__all__ = ["EXTRA_PORTALS", "CookieCheckPortal", "JsListPortal", "RuishuPortal", "build_extra_portals"]
