"""The sample portals, one class per CMS family (docs/research/portal-patterns.md §4.1–§4.2).

Each portal owns its reports and decoys (`ListItem`s, newest first) and renders them into a
route table `{path: Resource}`; dynamic list APIs (Hanweb jpage dataproxy, jpaas unitbuild,
gkmlpt) are answered by `dynamic()`. Rendering is pure and cheap, so a mutation (a corrected
report, a new report) simply re-renders the portal.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from html import escape
from typing import Any
from urllib.parse import quote, urlsplit

from govreports_farm.reportdata import ChainState, Report, expected_values, generate_report
from govreports_farm.render import (NAV, Skin, render_decoy, render_detail, render_home, render_hub, render_news_column,
                               page, breadcrumb)
from govreports_farm.seeds import SeedPage, seed_report

HTML_UTF8 = "text/html; charset=utf-8"


@dataclass
class Resource:
    """One HTTP answer: status, content type, body, extra headers."""

    body: bytes
    content_type: str = HTML_UTF8
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class ListItem:
    """One entry of a 年报 column: a report, a second posting of one, or a decoy."""

    title: str
    path: str
    day: date
    kind: str                                  # report | duplicate | decoy
    report: Report | None = None
    decoy_kind: str | None = None
    unit: str | None = None                    # sub-column (qzf | bm | zj) for per-unit columns
    seed_page: SeedPage | None = None


@dataclass
class AgencyPlan:
    """The reports one agency publishes on a portal."""

    agency: str
    publisher: str
    years: range
    scale: float
    title: Callable[[int], str]
    unit: str | None = None
    deviations: Mapping[int, str] = field(default_factory=dict)
    seeds: Mapping[int, str] = field(default_factory=dict)


class Portal:
    """Common parts: home page, nav stubs, robots.txt, detail and decoy pages, the manifest entry."""

    cms = "plain"
    column_name = "政府信息公开年报"

    def __init__(self, *, ip: str, adcode: str, name: str, province: str, skin: Skin, discover: bool) -> None:
        self.ip = ip
        self.port = 0
        self.adcode = adcode
        self.name = name
        self.province = province
        self.level = "county"
        self.skin = skin
        self.discover = discover                  # annual_report_url left empty in the registry
        self.items: list[ListItem] = []
        self.chains: dict[str, ChainState] = {}
        self.plans: list[AgencyPlan] = []
        self.continuity_break: list[str] = []      # paths of the (N-1, N) pair whose carry-over disagrees
        self.robots_disallow: list[str] = ["/search/", "/wap/"]
        self.routes: dict[str, Resource] = {}
        self._ids = random.Random(f"{adcode}-ids")
        self._used_ids: set[int] = set()

    # ------------------------------------------------------------ identity
    @property
    def id(self) -> str:
        """The registry slug: the home host without port."""
        return self.ip

    @property
    def base_url(self) -> str:
        return f"http://{self.ip}:{self.port}"

    @property
    def home_url(self) -> str:
        return f"{self.base_url}/"

    @property
    def column_path(self) -> str:
        raise NotImplementedError

    @property
    def column_url(self) -> str:
        return self.base_url + self.column_path

    def url(self, path: str) -> str:
        return self.base_url + path

    # ------------------------------------------------------------ content
    def new_id(self, low: int = 100000, high: int = 999999) -> int:
        while True:
            value = self._ids.randint(low, high)
            if value not in self._used_ids:
                self._used_ids.add(value)
                return value

    def publish_day(self, agency: str, year: int) -> date:
        rng = random.Random(f"{self.adcode}-{agency}-{year}")
        return date(year + 1, rng.randint(1, 3), rng.randint(1, 28))

    def index_no(self, report_year: int, day: date) -> str | None:
        if self.skin.meta_style == "none":       # the page shows no 信息公开 block: nothing to find
            return None
        return f"{self.adcode}000/{day.year}-{self._ids.randint(1, 99999):05d}"

    def detail_path(self, day: date, unit: str | None) -> str:
        raise NotImplementedError

    def make_report(self, plan: AgencyPlan, year: int) -> tuple[Report, SeedPage | None]:
        day = self.publish_day(plan.agency, year)
        key = f"{self.adcode}/{plan.agency}/{year}"
        state = self.chains.setdefault(plan.agency, ChainState())
        if year in plan.seeds:
            report, seed_page = seed_report(plan.seeds[year], key=key, agency=plan.agency, publisher=plan.publisher,
                                            publish_date=day, style=self.skin.table_style)
            state.carried_forward = None          # the chain restarts after a real report
            state.in_force.clear()
            state.previous_items.clear()
            return report, seed_page
        report = generate_report(key=key, agency=plan.agency, year=year, publisher=plan.publisher, scale=plan.scale,
                                 state=state, title=plan.title(year), publish_date=day,
                                 index_no=self.index_no(year, day), seed=key, deviation=plan.deviations.get(year))
        return report, None

    def add_plan(self, plan: AgencyPlan) -> None:
        self.plans.append(plan)
        for year in plan.years:
            report, seed_page = self.make_report(plan, year)
            path = self.detail_path(report.publish_date, plan.unit)
            self.items.append(ListItem(report.title, path, report.publish_date, "report", report, unit=plan.unit,
                                       seed_page=seed_page))
            if plan.deviations.get(year) == "continuity":
                previous = next(i for i in self.items if i.report and i.report.agency == plan.agency
                                and i.report.report_year == year - 1)
                self.continuity_break = [previous.path, path]

    def add_decoy(self, title: str, kind: str, day: date, unit: str | None = None, path: str | None = None) -> None:
        self.items.append(ListItem(title, path or self.detail_path(day, unit), day, "decoy", decoy_kind=kind, unit=unit))

    def add_duplicate(self, agency: str, year: int, unit: str) -> None:
        """Post an existing report a second time, in another column, at another URL."""
        original = next(i for i in self.items if i.kind == "report" and i.report and i.report.agency == agency
                        and i.report.report_year == year)
        day = original.day
        self.items.append(ListItem(original.title, self.detail_path(day, unit), day, "duplicate", original.report,
                                   unit=unit, seed_page=original.seed_page))

    def sorted_items(self, unit: str | None = None, year: int | None = None) -> list[ListItem]:
        chosen = [i for i in self.items if (unit is None or i.unit == unit)]
        if year is not None:
            chosen = [i for i in chosen if (i.report.report_year if i.report else i.day.year - 1) == year]
        return sorted(chosen, key=lambda i: (i.day, i.path), reverse=True)

    # ------------------------------------------------------------ rendering
    def encode(self, html: str) -> bytes:
        return html.encode(self.skin.encoding, errors="xmlcharrefreplace")

    def html(self, html: str, *, detail: bool = False) -> Resource:
        return Resource(self.encode(html), self.content_type(detail))

    def content_type(self, detail: bool) -> str:
        return HTML_UTF8

    def trail(self) -> list[tuple[str, str]]:
        return [("政务公开", self.skin.zwgk_path), (self.column_name, self.column_path)]

    def render(self) -> dict[str, Resource]:
        routes: dict[str, Resource] = {}
        home = self.html(render_home(self.skin, self.home_links()))
        routes["/"] = routes["/index.html"] = home
        for name, path in NAV:
            if path and path != "/":
                routes[path] = self.html(render_news_column(self.skin, name))
        for path, name in (("/wzdt/index.html", "网站地图"), ("/lxwm/index.html", "联系我们")):
            routes[path] = self.html(render_news_column(self.skin, name))
        routes["/robots.txt"] = Resource(
            ("User-agent: *\n" + "".join(f"Disallow: {p}\n" for p in self.robots_disallow)).encode(),
            "text/plain")
        for item in self.items:
            url = self.url(item.path)
            if item.report is not None:
                chrome = None
                if item.seed_page is not None:
                    chrome = {"breadcrumb": item.seed_page.breadcrumb, "info_line": item.seed_page.info_line,
                              "after_content": item.seed_page.after_content, "footer_lines": item.seed_page.footer_lines}
                html = render_detail(self.skin, item.report, url=url, column_name=self.column_name, trail=self.trail(),
                                     seed_chrome=chrome)
            else:
                html = render_decoy(self.skin, item.title, item.decoy_kind or "notice", url=url,
                                    column_name=self.column_name, publish_iso=item.day.isoformat())
            routes[item.path] = self.html(html, detail=True)
        routes.update(self.render_hubs())
        routes.update(self.render_column())
        return routes

    def home_links(self) -> list[tuple[str, str]]:
        return []

    def render_hubs(self) -> dict[str, Resource]:
        """政务公开 hub linking the column (portals with deeper hubs override)."""
        links = [("政府信息公开指南", "/zwgk/zfxxgkzn/index.html"), ("政府信息公开制度", "/zwgk/zfxxgkzd/index.html"),
                 ("法定主动公开内容", "/zwgk/fdzdgknr/index.html"), (self.column_name, self.column_path),
                 ("政策解读", "/zwgk/zcjd/index.html"), ("重点领域信息公开", "/zwgk/zdly/index.html")]
        routes = {self.skin.zwgk_path: self.html(render_hub(self.skin, "政务公开", links))}
        for name, path in links:
            if path != self.column_path and path not in routes:
                routes[path] = self.html(render_news_column(self.skin, name))
        return routes

    def render_column(self) -> dict[str, Resource]:
        raise NotImplementedError

    def dynamic(self, method: str, path: str, query: Mapping[str, str], form: Mapping[str, str]) -> Resource | None:
        return None

    def list_pages(self) -> list[dict[str, Any]]:
        """Every listing page or API call a crawler must make to see the whole column (for tests)."""
        raise NotImplementedError

    # ------------------------------------------------------------ manifest
    def report_entry(self, item: ListItem) -> dict[str, Any]:
        report = item.report
        assert report is not None
        return {
            "url": self.url(item.path), "title": report.title, "report_year": report.report_year,
            "format": report.format, "index_no": report.index_no, "publish_date": report.publish_iso,
            "agency": report.agency, "publisher": report.publisher, "media_type": "text/html",
            "encoding": self.skin.encoding, "seed": report.seed, "deviation": report.deviation,
            "revision": report.revision, "expected": expected_values(report, self.skin.chrome_strings),
        }

    def chaos_faults(self, chaos: int | None) -> dict[str, str]:
        """Which URLs answer their first request with a transient fault under this chaos seed."""
        from govreports_farm.server import chaos_fault

        paths = set(self.routes) | {urlsplit(page["url"]).path for page in self.list_pages()}
        faults = {path: chaos_fault(chaos, self.ip, path) for path in sorted(paths)}
        return {self.url(path): fault for path, fault in faults.items() if fault}

    def manifest_entry(self, chaos: int | None = None) -> dict[str, Any]:
        reports = [self.report_entry(i) for i in self.sorted_items() if i.kind == "report"]
        return {
            "id": self.id, "adcode": self.adcode, "name": self.name, "cms": self.cms, "home_url": self.home_url,
            "column_url": self.column_url, "discover": self.discover, "encoding": self.skin.encoding,
            "reports": reports,
            "decoys": [self.url(i.path) for i in self.sorted_items() if i.kind == "decoy"],
            "robots_disallowed": [self.url(i.path) for i in self.sorted_items()
                                  if any(i.path.startswith(p) for p in self.robots_disallow)],
            "duplicates": [self.url(i.path) for i in self.sorted_items() if i.kind == "duplicate"],
            "duplicate_of": {self.url(i.path): self.url(self.original_of(i).path)
                             for i in self.sorted_items() if i.kind == "duplicate"},
            "continuity_break": [self.url(path) for path in self.continuity_break],
            "list_pages": self.list_pages(),
            "chaos_faults": self.chaos_faults(chaos),
        }

    def original_of(self, item: ListItem) -> ListItem:
        return next(i for i in self.items if i.kind == "report" and i.report is item.report)

    def registry_row(self) -> dict[str, str]:
        return {"adcode": self.adcode, "name": self.name, "level": self.level, "province": self.province,
                "home_url": self.home_url, "annual_report_url": "" if self.discover else self.column_url,
                "source": f"govreports sample portal farm ({self.cms}); synthetic pages"}

    # ------------------------------------------------------------ mutations
    def next_report(self) -> ListItem:
        """A new report for the portal's main agency, the year after its latest, at the top of the column."""
        plan = self.plans[0]
        latest = max(i.report.report_year for i in self.items if i.report and i.report.agency == plan.agency)
        year = latest + 1
        report, _ = self.make_report(plan, year)
        item = ListItem(report.title, self.detail_path(report.publish_date, plan.unit), report.publish_date, "report",
                        report, unit=plan.unit)
        self.items.append(item)
        return item


def li(href: str, title: str, day: date, *, truncate: int | None = None) -> str:
    text = title if truncate is None or len(title) <= truncate else title[:truncate] + "..."
    return (f'<li><a href="{escape(href, quote=True)}" target="_blank" title="{escape(title, quote=True)}">'
            f"{escape(text)}</a><span>{day.isoformat()}</span></li>")


def list_page(skin: Skin, title: str, items_html: str, pager: str, trail: list[tuple[str, str]],
              extra: str = "") -> str:
    body = (breadcrumb(skin, trail) + f'<div class="main w1200"><div class="list-right"><div class="list-title">'
            f'{escape(title)}</div>{extra}<ul class="list-ul">\n{items_html}\n</ul>\n<div class="page">{pager}</div></div></div>\n')
    return page(skin, f"{title}_{skin.site_name}", body, [("ColumnName", title), ("ColumnType", "信息列表")])


# ================================================================ (a) TRS WCM, GBK


class TrsPortal(Portal):
    """TRS: GBK pages, 政务公开 hub → /zwgk/zfxxgknb/index.html, createPageHTML + index_N.html."""

    cms = "trs"
    per_page = 15

    @property
    def column_path(self) -> str:
        return "/zwgk/zfxxgknb/index.html"

    def detail_path(self, day: date, unit: str | None) -> str:
        return f"/zwgk/zfxxgknb/{day:%Y%m}/t{day:%Y%m%d}_{self.new_id()}.html"

    def content_type(self, detail: bool) -> str:
        # list pages say charset=GBK in the header; detail pages only in their <meta> (declared gb2312)
        return "text/html" if detail else "text/html; charset=GBK"

    def pages(self) -> list[list[ListItem]]:
        items = self.sorted_items()
        return [items[i:i + self.per_page] for i in range(0, len(items), self.per_page)] or [[]]

    def render_column(self) -> dict[str, Resource]:
        pages = self.pages()
        routes: dict[str, Resource] = {}
        for number, chunk in enumerate(pages):
            items_html = "\n".join(li(self.relative(i.path), i.title, i.day, truncate=24) for i in chunk)
            pager = (f'<script type="text/javascript">var countPage = {len(pages)}//共多少页\n'
                     f'createPageHTML({len(pages)}, {number}, "index", "html");</script>')
            name = "index.html" if number == 0 else f"index_{number}.html"
            routes[f"/zwgk/zfxxgknb/{name}"] = self.html(list_page(self.skin, self.column_name, items_html, pager, self.trail()))
        return routes

    def relative(self, path: str) -> str:
        if path.startswith("/zwgk/zfxxgknb/"):
            return "./" + path[len("/zwgk/zfxxgknb/"):]
        return "../" + path[len("/zwgk/"):]

    def list_pages(self) -> list[dict[str, Any]]:
        return [{"method": "GET", "url": self.url("/zwgk/zfxxgknb/" + ("index.html" if n == 0 else f"index_{n}.html"))}
                for n in range(len(self.pages()))]


# ================================================================ (b) Hanweb JCMS jpage


class HanwebJpagePortal(Portal):
    """Hanweb: /col/col<ID>/index.html with the first group embedded as XML, then dataproxy.jsp POST groups."""

    cms = "hanweb_jpage"
    column_id = 5296
    unit_id = 12657
    per_page = 4
    group_size = 3
    proxy_path = "/module/web/jpage/dataproxy.jsp"

    @property
    def column_path(self) -> str:
        return f"/col/col{self.column_id}/index.html"

    @property
    def group_records(self) -> int:
        return self.per_page * self.group_size

    def detail_path(self, day: date, unit: str | None) -> str:
        return f"/art/{day.year}/{day.month}/{day.day}/art_{self.column_id}_{self.new_id()}.html"

    def record(self, item: ListItem) -> str:
        return f"<record><![CDATA[{li(item.path, item.title, item.day)}]]></record>"

    def params(self) -> dict[str, str]:
        return {"col": "1", "appid": "1", "webid": "1", "path": "/", "columnid": str(self.column_id),
                "sourceContentType": "1", "unitid": str(self.unit_id), "webname": self.skin.site_name,
                "permissiontype": "0"}

    def render_hubs(self) -> dict[str, Resource]:
        links = [("政府信息公开指南", "/col/col5291/index.html"), ("政府信息公开制度", "/col/col5292/index.html"),
                 ("法定主动公开内容", "/col/col5293/index.html"), (self.column_name, self.column_path)]
        routes = {self.skin.zwgk_path: self.html(render_hub(self.skin, "政务公开", links))}
        for name, path in links[:-1]:
            routes[path] = self.html(render_news_column(self.skin, name))
        return routes

    def render_column(self) -> dict[str, Resource]:
        items = self.sorted_items()
        first = "".join(self.record(i) for i in items[:self.group_records])
        params = self.params()
        nextgroup = (f'<a href="{self.proxy_path}?page=1&amp;webid=1&amp;path=/&amp;columnid={self.column_id}'
                     f'&amp;unitid={self.unit_id}&amp;webname={quote(self.skin.site_name)}&amp;permissiontype=0"></a>')
        param_js = ",".join(f"{k}:{v}" if v.isdigit() else f"{k}:'{v}'" for k, v in params.items())
        embed = (f'<div id="{self.unit_id}"><script type="text/xml"><datastore><nextgroup><![CDATA[{nextgroup}]]></nextgroup>'
                 f"<recordset>{first}</recordset></datastore></script></div>\n"
                 f'<script language="javascript" src="/module/web/jpage/jpage.js"></script>\n'
                 f'<script type="text/javascript">var param_{self.unit_id} = {{{param_js}}};\n'
                 f"$(document).ready(function(){{ $('#{self.unit_id}').jpage({{dataStore: dataStore, perPage: {self.per_page}, "
                 f"showMode: 'full', groupSize: {self.group_size}, barPosition: 'bottom', totalRecord: {len(items)}, "
                 f"proxyUrl: '{self.proxy_path}', ajaxParam: param_{self.unit_id}, dataBefore: '<ul class=\"list\">', "
                 f"dataAfter: '</ul>'}}); }});</script>")
        body = (breadcrumb(self.skin, self.trail()) + '<div class="main w1200"><div class="list-right">'
                f'<div class="list-title">{self.column_name}</div>{embed}</div></div>\n')
        html = page(self.skin, f"{self.column_name}_{self.skin.site_name}", body,
                    [("ColumnName", self.column_name), ("ColumnType", "信息列表")])
        return {self.column_path: self.html(html)}

    def dynamic(self, method: str, path: str, query: Mapping[str, str], form: Mapping[str, str]) -> Resource | None:
        if path != self.proxy_path:
            return None
        items = self.sorted_items()
        if form.get("columnid", query.get("columnid")) != str(self.column_id):
            body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><datastore><totalrecord>0</totalrecord><recordset></recordset></datastore>"
            return Resource(body.encode(), "text/xml;charset=UTF-8")
        try:
            start = int(query.get("startrecord", "1"))
            end = int(query.get("endrecord", str(start + self.group_records - 1)))
        except ValueError:
            return Resource(b"bad request", "text/plain", status=400)
        first_index = max(start - 1, 0)
        if first_index >= 2 * self.group_records:
            first_index -= 1          # as on nhsa: the last record of the previous group comes again
        chosen = items[first_index:end]
        body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><datastore>"
                f"<totalrecord>{len(items)}</totalrecord><recordset>{''.join(self.record(i) for i in chosen)}"
                "</recordset></datastore>")
        return Resource(body.encode("utf-8"), "text/xml;charset=UTF-8")

    def list_pages(self) -> list[dict[str, Any]]:
        total = len(self.sorted_items())
        calls: list[dict[str, Any]] = [{"method": "GET", "url": self.column_url}]
        for start in range(self.group_records + 1, total + 1, self.group_records):
            end = start + self.group_records - 1
            calls.append({"method": "POST", "url": self.url(f"{self.proxy_path}?startrecord={start}&endrecord={end}"
                                                          f"&perpage={self.per_page}"),
                          "form": self.params(), "totalrecord": total})
        return calls


# ================================================================ (c) Hanweb jpaas unitbuild


class JpaasPortal(Portal):
    """jpaas: a column page whose list only comes from GET …/front/page/build/unit?paramJson={pageNo,pageSize}."""

    cms = "jpaas"
    page_id = 1229
    web_id = 3201
    page_size = 15
    api_path = "/api-gateway/jpaas-publish-server/front/page/build/unit"

    @property
    def column_path(self) -> str:
        return f"/col/col{self.page_id}/index.html"

    def detail_path(self, day: date, unit: str | None) -> str:
        return f"/art/{day.year}/{day.month}/{day.day}/art_{self.page_id}_{self.new_id(10, 99999)}.html"

    def index_no(self, report_year: int, day: date) -> str | None:
        return f"zfb/{1_550_000_000_000 + self._ids.randint(0, 99_999_999_999)}"

    def render_column(self) -> dict[str, Resource]:
        query = (f"{{'pageId':'{self.page_id}','webId':'{self.web_id}','tplSetId':'a8f3c2','pageType':'column',"
                 f"'tagId':'信息列表','editType':'null','pageNo':'1'}}")
        script = (f'<div id="xxgk-list"></div><script src="/module/jpage/2016/AuthorizedRead/unitbuild.js" '
                  f'url="{self.api_path}" queryData="{escape(query, quote=True)}" pageSize="{self.page_size}" '
                  f'container="xxgk-list"></script>')
        body = (breadcrumb(self.skin, self.trail()) + '<div class="main w1200"><div class="list-right">'
                f'<div class="list-title">{self.column_name}</div>{script}</div></div>\n')
        html = page(self.skin, f"{self.column_name}_{self.skin.site_name}", body,
                    [("ColumnName", self.column_name), ("ColumnType", "信息列表")])
        return {self.column_path: self.html(html)}

    def dynamic(self, method: str, path: str, query: Mapping[str, str], form: Mapping[str, str]) -> Resource | None:
        if path != self.api_path:
            return None
        if query.get("pageId") != str(self.page_id):
            return Resource(json.dumps({"success": False, "msg": "页面不存在"}, ensure_ascii=False).encode(),
                            "application/json;charset=UTF-8")
        try:
            param = json.loads(query.get("paramJson") or "{}")
            page_no, size = int(param.get("pageNo", 1)), int(param.get("pageSize", self.page_size))
        except (ValueError, TypeError, AttributeError):
            return Resource(json.dumps({"success": False, "msg": "参数错误"}, ensure_ascii=False).encode(),
                            "application/json;charset=UTF-8", status=400)
        items = self.sorted_items()
        chosen = items[(page_no - 1) * size:page_no * size] if page_no >= 1 else []
        lis = "".join(f'<li class="clearfix"><a href="{i.path}" title="{escape(i.title, quote=True)}" target="_blank">'
                      f'{escape(i.title)}</a><span class="bt-right">{i.day.isoformat()}</span></li>' for i in chosen)
        html = (f'<ul class="list">{lis}</ul><div class="pagination" rows="{size}" count="{len(items)}" '
                f'page="{page_no}"></div>')
        return Resource(json.dumps({"success": True, "data": {"html": html}}, ensure_ascii=False).encode("utf-8"),
                        "application/json;charset=UTF-8")

    def list_pages(self) -> list[dict[str, Any]]:
        total = len(self.sorted_items())
        pages = max(1, -(-total // self.page_size))
        return [{"method": "GET", "url": self.column_url}] + [
            {"method": "GET", "url": self.url(f"{self.api_path}?webId={self.web_id}&pageId={self.page_id}&tagId="
                                              f"{quote('信息列表')}&paramJson=" + quote(json.dumps({"pageNo": n, "pageSize": self.page_size}))),
             "count": total} for n in range(1, pages + 1)]


# ================================================================ (d) Guangdong gkmlpt


class GkmlptPortal(Portal):
    """gkmlpt: /gkmlpt/index#<catid> with window._CONFIG SID; JSON /gkmlpt/api/all/<catid>?page=N&sid=…"""

    cms = "gkmlpt"
    catid = 2847
    sid = "755031"
    page_size = 10

    @property
    def column_path(self) -> str:
        return f"/gkmlpt/index#{self.catid}"

    def detail_path(self, day: date, unit: str | None) -> str:
        post = self.new_id(8_000_000, 9_999_999)
        return f"/gkmlpt/content/{post // 1_000_000}/{post // 1000}/post_{post}.html"

    def trail(self) -> list[tuple[str, str]]:
        return [("政府信息公开", "/gkmlpt/index"), (self.column_name, self.column_path)]

    def render_hubs(self) -> dict[str, Resource]:
        return {self.skin.zwgk_path: self.html(render_hub(self.skin, "政务公开", [
            ("政府信息公开目录", "/gkmlpt/index"), ("政府信息公开指南", "/gkmlpt/index#2840"), ("政策解读", "/zcjd/index.html")]))}

    def render_column(self) -> dict[str, Resource]:
        categories = [(2840, "机构职能"), (2841, "政策文件"), (2842, "规划计划"), (2845, "财政信息"),
                      (self.catid, self.column_name), (2850, "政府信息公开指南")]
        tree = "".join(f'<li><a href="#{cid}" data-id="{cid}">{name}</a></li>' for cid, name in categories)
        config = (f"<script>window._CONFIG = {{SID: '{self.sid}', SITE_NAME: '{self.skin.site_name}', "
                  f"API_BASE: '/gkmlpt/api', DEFAULT_CAT: 0}};</script>")
        body = (breadcrumb(self.skin, [("政府信息公开", "/gkmlpt/index")]) +
                f'<div class="main w1200" id="app"><div class="classify-tree"><ul>{tree}</ul></div>'
                '<div class="content-list" id="list"><!-- rendered by /gkmlpt/static/js/app.js --></div></div>\n'
                + config + '<script src="/gkmlpt/static/js/app.js"></script>\n')
        html = page(self.skin, f"政府信息公开_{self.skin.site_name}", body, [("ColumnName", "政府信息公开")])
        return {"/gkmlpt/index": self.html(html)}

    def dynamic(self, method: str, path: str, query: Mapping[str, str], form: Mapping[str, str]) -> Resource | None:
        if not path.startswith("/gkmlpt/api/all/"):
            return None
        if path != f"/gkmlpt/api/all/{self.catid}" or query.get("sid") != self.sid:
            return Resource(json.dumps({"classify": None, "articles": [], "total": 0}).encode(),
                            "application/json;charset=UTF-8")
        try:
            number = int(query.get("page", "1"))
        except ValueError:
            number = 1
        items = self.sorted_items()
        chosen = items[(number - 1) * self.page_size:number * self.page_size] if number >= 1 else []
        articles = [{
            "id": int(i.path.rsplit("_", 1)[1].split(".")[0]), "title": i.title,
            "identifier": i.report.index_no if i.report and i.report.index_no else "",
            "document_number": "", "publisher": i.report.publisher if i.report else self.skin.site_name + "办公室",
            "date": (i.day - date(1970, 1, 1)).days * 86400,
            "created_at": f"{i.day.isoformat()} 10:00:00", "url": self.url(i.path), "attachment": [],
        } for i in chosen]
        payload = {"classify": {"id": self.catid, "name": self.column_name, "post_count": len(items)},
                   "articles": articles, "total": len(items)}
        return Resource(json.dumps(payload, ensure_ascii=False).encode("utf-8"), "application/json;charset=UTF-8")

    def list_pages(self) -> list[dict[str, Any]]:
        total = len(self.sorted_items())
        pages = max(1, -(-total // self.page_size))
        return [{"method": "GET", "url": self.url("/gkmlpt/index")}] + [
            {"method": "GET", "url": self.url(f"/gkmlpt/api/all/{self.catid}?page={n}&sid={self.sid}"), "total": total}
            for n in range(1, pages + 1)]


# ================================================================ (e) plain 下一页 links, deep hubs


class PlainPortal(Portal):
    """Plain lists with 下一页 (href on page 1, onclick on page 2), reachable only through three hubs."""

    cms = "plain"
    per_page = 8
    column_dir = "/zwgk/zfxxgkml/zfxxgknb/"

    @property
    def column_path(self) -> str:
        return self.column_dir + "list.shtml"

    def detail_path(self, day: date, unit: str | None) -> str:
        return f"{self.column_dir}{day:%Y%m}/c04_{self.new_id()}.shtml"

    def content_type(self, detail: bool) -> str:
        return "text/html"          # no charset in the header: the <meta> decides

    def trail(self) -> list[tuple[str, str]]:
        return [("政务公开", "/zwgk/index.shtml"), ("政府信息公开", "/zwgk/zfxxgk/index.shtml"),
                ("信息公开目录", "/zwgk/zfxxgkml/index.shtml"), (self.column_name, self.column_path)]

    def render_hubs(self) -> dict[str, Resource]:
        hubs = {
            "/zwgk/index.shtml": ("政务公开", [("政府信息公开", "/zwgk/zfxxgk/index.shtml"), ("政策解读", "/zwgk/zcjd/index.shtml"),
                                               ("重点领域", "/zwgk/zdly/index.shtml"), ("建议提案", "/zwgk/jyta/index.shtml")]),
            "/zwgk/zfxxgk/index.shtml": ("政府信息公开", [("政府信息公开指南", "/zwgk/zfxxgk/zn/index.shtml"),
                                                           ("政府信息公开制度", "/zwgk/zfxxgk/zd/index.shtml"),
                                                           ("信息公开目录", "/zwgk/zfxxgkml/index.shtml"),
                                                           ("依申请公开", "/zwgk/zfxxgk/ysqgk/index.shtml")]),
            "/zwgk/zfxxgkml/index.shtml": ("信息公开目录", [("机构职能", "/zwgk/zfxxgkml/jgzn/list.shtml"),
                                                          ("政策文件", "/zwgk/zfxxgkml/zcwj/list.shtml"),
                                                          ("规划计划", "/zwgk/zfxxgkml/ghjh/list.shtml"),
                                                          ("财政预决算", "/zwgk/zfxxgkml/czyjs/list.shtml"),
                                                          (self.column_name, self.column_path)]),
        }
        routes: dict[str, Resource] = {}
        for path, (title, links) in hubs.items():
            routes[path] = self.html(render_hub(self.skin, title, links))
        for _path, (_title, links) in hubs.items():
            for name, link in links:
                if link not in hubs and link != self.column_path:
                    routes[link] = self.html(render_news_column(self.skin, name))
        return routes

    def pages(self) -> list[list[ListItem]]:
        items = self.sorted_items()
        return [items[i:i + self.per_page] for i in range(0, len(items), self.per_page)] or [[]]

    def page_path(self, number: int) -> str:
        return self.column_dir + ("list.shtml" if number == 1 else f"list-{number}.shtml")

    def render_column(self) -> dict[str, Resource]:
        pages = self.pages()
        routes: dict[str, Resource] = {}
        for number, chunk in enumerate(pages, 1):
            items_html = "\n".join(li(i.path, i.title, i.day) for i in chunk)
            if number == len(pages):
                next_link = '<span class="disabled">下一页</span>'
            elif number % 2 == 1:
                next_link = f'<a href="{self.page_path(number + 1).rsplit("/", 1)[1]}" class="next">下一页</a>'
            else:
                next_link = (f'<a href="javascript:void(0)" onclick="queryArticleByCondition(this,\'{self.page_path(number + 1)}\')"'
                             f' title="下一页">下一页</a>')
            previous = '<span class="disabled">上一页</span>' if number == 1 else '<a href="javascript:history.back()">上一页</a>'
            pager = (f'<div class="pagination" totalpage="{len(pages)}"><a href="list.shtml">首页</a>{previous}'
                     f'<span class="current">{number}</span>{next_link}<span>共{len(pages)}页</span></div>')
            routes[self.page_path(number)] = self.html(list_page(self.skin, self.column_name, items_html, pager, self.trail()))
        return routes

    def list_pages(self) -> list[dict[str, Any]]:
        return [{"method": "GET", "url": self.url(self.page_path(n))} for n in range(1, len(self.pages()) + 1)]


# ================================================================ (f) per-year and per-unit sub-columns


UNITS = {"qzf": "区政府", "bm": "区级部门", "zj": "镇街"}


class SubcolumnPortal(Portal):
    """A 年报 column of year sub-columns (2023n/), each split into 区政府 / 部门 / 镇街 sub-columns."""

    cms = "subcolumns"
    root = "/zwgk/zfxxgknb/"

    @property
    def column_path(self) -> str:
        return self.root + "index.html"

    def year_of(self, item: ListItem) -> int:
        return item.report.report_year if item.report else item.day.year - 1

    def detail_path(self, day: date, unit: str | None) -> str:
        return f"{self.root}{day.year - 1}n/{unit or 'qzf'}/{day:%Y%m}/t{day:%Y%m%d}_{self.new_id(8_000_000, 9_999_999)}.html"

    def years(self) -> list[int]:
        return sorted({self.year_of(i) for i in self.items}, reverse=True)

    def units(self, year: int) -> dict[str, str]:
        """The sub-columns a year page shows (all three here; the scale farm hides empty ones)."""
        return UNITS

    def unit_items(self, year: int, unit: str) -> list[ListItem]:
        return [i for i in self.sorted_items(unit) if self.year_of(i) == year]

    def render_column(self) -> dict[str, Resource]:
        routes: dict[str, Resource] = {}
        years = self.years()
        tabs = "".join(f'<li><a class="xxgk_more" href="./{y}n/index.html">{y}年度</a></li>' for y in years)
        body = (breadcrumb(self.skin, self.trail()) + f'<div class="main w1200"><div class="list-title">{self.column_name}'
                f'</div><ul class="year-tabs">{tabs}</ul><p>请选择年度查看各单位政府信息公开工作年度报告。</p></div>\n')
        routes[self.column_path] = self.html(page(self.skin, f"{self.column_name}_{self.skin.site_name}", body,
                                                  [("ColumnName", self.column_name)]))
        for year in years:
            blocks = []
            for unit, unit_name in self.units(year).items():
                preview = "".join(li(f"./{unit}/{i.path.split(f'/{unit}/', 1)[1]}", i.title, i.day)
                                  for i in self.unit_items(year, unit)[:2])
                blocks.append(f'<div class="unit-block"><div class="unit-title"><span>{unit_name}</span>'
                              f'<a class="xxgk_more" href="./{unit}/index.html">更多&gt;&gt;</a></div><ul>{preview}</ul></div>')
            trail = [*self.trail(), (f"{year}年度", f"{self.root}{year}n/index.html")]
            body = (breadcrumb(self.skin, trail) + f'<div class="main w1200"><div class="list-title">{year}年度</div>'
                    + "".join(blocks) + "</div>\n")
            routes[f"{self.root}{year}n/index.html"] = self.html(page(self.skin, f"{year}年度_{self.skin.site_name}", body,
                                                                     [("ColumnName", f"{year}年度")]))
            for unit, unit_name in self.units(year).items():
                chunk = self.unit_items(year, unit)
                items_html = "\n".join(li("./" + i.path.split(f"/{year}n/{unit}/", 1)[1], i.title, i.day) for i in chunk)
                pager = '<script type="text/javascript">createPageHTML(1, 0, "index", "html");</script>'
                routes[f"{self.root}{year}n/{unit}/index.html"] = self.html(list_page(
                    self.skin, unit_name, items_html, pager, [*trail, (unit_name, f"{self.root}{year}n/{unit}/index.html")]))
        return routes

    def list_pages(self) -> list[dict[str, Any]]:
        calls = [{"method": "GET", "url": self.column_url}]
        for year in self.years():
            calls.append({"method": "GET", "url": self.url(f"{self.root}{year}n/index.html")})
            calls += [{"method": "GET", "url": self.url(f"{self.root}{year}n/{unit}/index.html")} for unit in self.units(year)]
        return calls
