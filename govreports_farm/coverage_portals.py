"""Opt-in portals for the list shapes of issue 17 (coverage), served only when asked:
`Farm.start(run_dir, extra_portals=("json_only", …))`, so the default farm, the demo (125/125)
and every total other tests rely on stay as they are.

- `json_only` (`JsonOnlyPortal`, 127.0.0.20, 闽侯县): the 年报 column lists its documents only in an
  inline script, the shape of a real provincial platform:
  `var listData = {articleList: [{title, pubDate: "2024-01-15 10:30:00",
  urls: "{\\"pc\\":\\"/…/content_<19 digits>.html\\"}"}], pageCount: 3}`; no `<a>` in the list
  markup; pages `index_N.html` declared by `pageCount`. 10 reports, 2 decoys.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from govreports_farm.portals import AgencyPlan, ListItem, Portal, Resource, list_page
from govreports_farm.render import Skin

COVERAGE_PORTALS: tuple[str, ...] = ("json_only",)


class JsonOnlyPortal(Portal):
    """A column whose list exists only as script data (no anchors), paged by a declared pageCount."""

    cms = "embedded_json"
    per_page = 4
    directory = "/xxgk/zfxxgknb/"

    @property
    def column_path(self) -> str:
        return self.directory + "index.html"

    def detail_path(self, day: date, unit: str | None) -> str:
        # 19-digit snowflake ids: a float would round them, so the crawl must keep them exact
        return f"{self.directory}{day:%Y%m}/content_{self.new_id(10**18, 10**19 - 1)}.html"

    def pages(self) -> list[list[ListItem]]:
        items = self.sorted_items()
        return [items[i:i + self.per_page] for i in range(0, len(items), self.per_page)] or [[]]

    def page_path(self, number: int) -> str:
        return self.directory + ("index.html" if number == 0 else f"index_{number}.html")

    def render_column(self) -> dict[str, Resource]:
        pages = self.pages()
        routes: dict[str, Resource] = {}
        for number, chunk in enumerate(pages):
            articles = [{"title": item.title, "pubDate": f"{item.day.isoformat()} 09:{number * 7 + 3:02d}:00",
                         "urls": json.dumps({"pc": item.path, "wap": "/wap" + item.path}, separators=(",", ":")),
                         "source": self.skin.site_name} for item in chunk]
            data = json.dumps({"articleList": articles, "pageCount": len(pages), "currentPage": number + 1},
                              ensure_ascii=False)
            script = (f"<script>\nvar listData = {data};\n"
                      "(function(){var ul=document.getElementById('art-list');listData.articleList.forEach(function(a){"
                      "var li=document.createElement('li');li.textContent=a.title;ul.appendChild(li);});})();\n</script>")
            body = list_page(self.skin, self.column_name, "", "", self.trail())
            body = body.replace('<ul class="list-ul">\n\n</ul>', '<ul class="list-ul" id="art-list"></ul>' + script)
            routes[self.page_path(number)] = self.html(body)
        return routes

    def list_pages(self) -> list[dict[str, Any]]:
        return [{"method": "GET", "url": self.url(self.page_path(n))} for n in range(len(self.pages()))]


def build_coverage_portals(names: Sequence[str]) -> list[Portal]:
    """The requested coverage portals, in COVERAGE_PORTALS order."""
    portals: list[Portal] = []
    if "json_only" in names:
        portal = JsonOnlyPortal(ip="127.0.0.20", adcode="350121", name="闽侯县", province="福建省", discover=False,
                                skin=Skin(site_name="闽侯县人民政府", site_id_code="3501210001",
                                          container='<div class="TRS_Editor">', meta_style="gov", info_style="plain",
                                          breadcrumb="当前位置：", icp="闽ICP备05012345号",
                                          police="闽公网安备 35012102000123号"))
        portal.add_plan(AgencyPlan("闽侯县人民政府", "闽侯县人民政府办公室", range(2015, 2025), 0.5,
                                   lambda y: f"闽侯县人民政府{y}年政府信息公开工作年度报告"))
        portal.add_decoy("闽侯县人民政府门户网站2023年度工作年度报表", "website_report", date(2024, 1, 18))
        portal.add_decoy("关于做好2024年政务公开工作的通知", "notice", date(2024, 4, 8))
        portals.append(portal)
    return portals


__all__ = ["COVERAGE_PORTALS", "JsonOnlyPortal", "build_coverage_portals"]
