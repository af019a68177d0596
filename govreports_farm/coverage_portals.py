"""Opt-in portals for the list shapes of issue 17 (coverage), served only when asked:
`Farm.start(run_dir, extra_portals=("json_only", …))`, so the default farm, the demo (125/125)
and every total other tests rely on stay as they are.

- `json_only` (`JsonOnlyPortal`, 127.0.0.20, 闽侯县): the 年报 column lists its documents only in an
  inline script, the shape of a real provincial platform:
  `var listData = {articleList: [{title, pubDate: "2024-01-15 10:30:00",
  urls: "{\\"pc\\":\\"/…/content_<19 digits>.html\\"}"}], pageCount: 3}`; no `<a>` in the list
  markup; pages `index_N.html` declared by `pageCount`. 10 reports, 2 decoys.
- `fjdzapp` (127.0.0.21, 福清市): the column's script posts to `/fjdzapp/search` with a channel id
  and `classsql=chnlid=…`; answers `{"docs": [{doctitle, chnldocurl, docreltime}], "pagecount"}`.
- `site_search` (127.0.0.22, 东湖区): Kaipu/Jiangxi style: the column is an iframe of
  `/search4/s?siteCode=…&channelId=…&pageNum=1`, an HTML result list with `共N页`.
- `code_id_list` (127.0.0.23, 船营区): chinatax style: `var channelId = "<hex>"` and a POST to
  `/getFileListByCodeId` answered by `{"code":200,"results":{"data":{"total","results":[…]}}}`.
- `json_feed` (127.0.0.24, 丰台区): gov.cn style: the column's script loads `./GKNB.json`, an array
  of `{"TITLE", "URL", "DOCRELPUBTIME"}`.
- `hanweb_encrypted` (127.0.0.25, 浏阳市): Hanweb jpage whose `nextgroup` link carries `columnid`
  and `unitid` only as base64 tokens (with `+` and `/`), absent from `param_NNN`; dataproxy.jsp
  answers only to the exact tokens.
- `yunnan_base64` (127.0.0.26, 元谋县): `index.html`, `index_1.html` … whose 下一页 link exists only
  in `<div id="pages">BASE64</div>`, decoded by `window.atob`.
- `liaoning_huidian` (127.0.0.27, 铁西区): 慧点 lists `be842d3c.shtml`, `be842d3c-2.shtml` … with the
  next page only in `onclick="queryArticleByCondition(this,'…')"` and `totalpage="N"`; documents at
  `/<19-digit id>/index.shtml`.
- `platform` (127.0.0.28, 平邑县): a county portal `www.pingyi.gov.cn` whose 政务公开 entry is its
  part of the city's platform `xxgk.linyi.gov.cn/pingyi/`; the column there also lists a
  neighbouring county's report under `/lanshan/`, which the crawl must refuse. Both host names map
  to 127.0.0.28 (`Farm.host_rules`: Scrapy's resolver and Chromium's --host-resolver-rules); the
  server answers each host only its own paths (Host header). The county's column also reposts the
  city's 2023 report; the city (临沂市, 127.0.0.29, a TRS portal) publishes it too: crawled together,
  it must come out once, under the city's agency (manifest `foreign_copies`).
- `nuxt` (127.0.0.30, 闽清县, host `www.minqing.gov.cn`): a Nuxt-style column whose state is
  computed by a function (`window.__NUXT__=(function(a,b,…){return {…}}(…))`) and written into
  the page by a script: plain HTML has no report link, so the list must go through Chromium, which
  reaches the host name only through --host-resolver-rules (GOVREPORTS_BROWSER_HOST_RULES).
- `attachments` (127.0.0.31, 永泰县): each report page is a stub linking the report as a file,
  written from the report's own page by govreports_farm/attachment_files.py: OFD (2024), a ZIP
  holding the OFD under a GBK name (2023), RTF (2022) and XLSX (2021, tables only).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from email.message import Message
from html import escape
from typing import Any, ClassVar

from govreports_farm.portals import (
    AgencyPlan,
    HanwebJpagePortal,
    ListItem,
    Portal,
    Resource,
    TrsPortal,
    li,
    list_page,
)
from govreports_farm.render import (
    Skin,
    page,
    render_decoy,
    render_hub,
    render_news_column,
)

COVERAGE_PORTALS: tuple[str, ...] = ("json_only", "fjdzapp", "site_search", "code_id_list", "json_feed",
                                        "hanweb_encrypted", "yunnan_base64", "liaoning_huidian", "platform",
                                        "nuxt", "attachments")


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


class SearchApiPortal(Portal):
    """A column filled by a search/list API: `shape` is one of fjdzapp, site_search, code_id_list, json_feed."""

    per_page = 4
    channel_id = "229105"
    column_filter = "chnlid=4910"
    tax_channel = "29a88b67e4b149cfa9fac7919dfb08a5"

    def __init__(self, *, shape: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.shape = shape
        self.cms = shape

    @property
    def column_path(self) -> str:
        return "/zhengce/gknb/index.htm" if self.shape == "json_feed" else "/xxgk/zfxxgknb/index.html"

    def detail_path(self, day: date, unit: str | None) -> str:
        if self.shape == "json_feed":
            return f"/zhengce/content/{day:%Y%m}/content_{self.new_id(1000000, 9999999)}.htm"
        return f"/xxgk/zfxxgknb/{day:%Y%m}/t{day:%Y%m%d}_{self.new_id()}.html"

    def chunks(self) -> list[list[ListItem]]:
        items = self.sorted_items()
        return [items[i:i + self.per_page] for i in range(0, len(items), self.per_page)] or [[]]

    def render_column(self) -> dict[str, Resource]:
        count, size = len(self.items), self.per_page
        scripts = {
            "fjdzapp": (f"<script>var pageConf = {{recordCount: '{count}', perPage: '{size}'}};\n"
                        "$.ajax({url: '/fjdzapp/search', type: 'POST', dataType: 'json', data: {channelid: "
                        f"'{self.channel_id}', sortfield: '-docorderpri,-docreltime', classsql: '{self.column_filter}', "
                        "classcol: 'publishyear', classnum: '100', classsort: '0', cache: 'true', page: 1, "
                        f"prepage: {size}}}, success: function (d) {{ render(d.docs); }}}});</script>"),
            "site_search": ('<iframe id="search-list" frameborder="0" width="100%" height="900" '
                            f'src="/search4/s?siteCode={self.skin.site_id_code}&amp;searchWord=&amp;channelId=7781'
                            '&amp;column=政府信息公开年报&amp;pageNum=1"></iframe>'),
            "code_id_list": (f'<script>var channelId = "{self.tax_channel}"; var codeId = "";\n'
                             "$.post('/getFileListByCodeId', {channelId: channelId, codeId: codeId, page: 1, size: 20},"
                             " function (d) { render(d.results.data.results); });</script>"),
            "json_feed": "<script>$.getJSON('./GKNB.json', function (list) { render(list); });</script>",
        }
        body = list_page(self.skin, self.column_name, "", "", self.trail())
        body = body.replace('<ul class="list-ul">\n\n</ul>', '<ul class="list-ul" id="list"></ul>' + scripts[self.shape])
        routes = {self.column_path: self.html(body)}
        if self.shape == "json_feed":
            feed = [{"TITLE": item.title, "URL": self.url(item.path), "DOCRELPUBTIME": f"{item.day.isoformat()} 08:00:00",
                     "SUB_TITLE": ""} for item in self.sorted_items()]
            routes["/zhengce/gknb/GKNB.json"] = Resource(json.dumps(feed, ensure_ascii=False).encode(),
                                                         "application/json;charset=UTF-8")
        return routes

    def dynamic(self, method: str, path: str, query: Mapping[str, str], form: Mapping[str, str]) -> Resource | None:
        chunks = self.chunks()
        if self.shape == "fjdzapp" and path == "/fjdzapp/search" and method == "POST":
            matches = form.get("channelid") == self.channel_id and form.get("classsql") == self.column_filter
            chunk = self.page_of(chunks, form.get("page", "1")) if matches else []
            docs = [{"doctitle": item.title, "chnldocurl": self.url(item.path), "docreltime": f"{item.day} 10:00:00",
                     "docid": self.new_id()} for item in chunk]
            return self.json({"docs": docs, "pagecount": len(chunks) if matches else 0,
                              "recordcount": len(self.items) if matches else 0, "page": form.get("page")})
        if self.shape == "site_search" and path == "/search4/s":
            chunk = self.page_of(chunks, query.get("pageNum", "1"))
            rows = "".join(f'<li><a href="{escape(item.path)}" target="_blank">{escape(item.title)}</a>'
                           f'<span class="date">{item.day}</span></li>' for item in chunk)
            html = (f'<html><head><meta charset="utf-8"></head><body><div class="search-result"><ul>{rows}</ul>'
                    f'<div class="pager">共{len(chunks)}页 <a href="/">首页</a></div></div></body></html>')
            return self.html(html)
        if self.shape == "code_id_list" and path == "/getFileListByCodeId" and method == "POST":
            matches = form.get("channelId") == self.tax_channel
            size = int(form.get("size") or 20)
            items = self.sorted_items() if matches else []
            page_no = int(form.get("page") or 1)
            chunk = items[(page_no - 1) * size: page_no * size]
            results = [{"title": item.title, "url": self.url(item.path), "writtendate": item.day.isoformat(),
                        "fileNum": "", "id": str(self.new_id())} for item in chunk]
            return self.json({"code": 200, "results": {"data": {"total": len(items), "page": page_no, "size": size,
                                                                "results": results}}})
        return None

    @staticmethod
    def page_of(chunks: list[list[ListItem]], page: str) -> list[ListItem]:
        number = int(page) if page.isdigit() else 1
        return chunks[number - 1] if 1 <= number <= len(chunks) else []

    @staticmethod
    def json(payload: object) -> Resource:
        return Resource(json.dumps(payload, ensure_ascii=False).encode(), "application/json;charset=UTF-8")

    def list_pages(self) -> list[dict[str, Any]]:
        pages: list[dict[str, Any]] = [{"method": "GET", "url": self.column_url}]
        count = len(self.chunks())
        if self.shape == "fjdzapp":
            pages += [{"method": "POST", "url": self.url("/fjdzapp/search"), "page": n} for n in range(1, count + 1)]
        elif self.shape == "site_search":
            pages += [{"method": "GET", "url": self.url(f"/search4/s?pageNum={n}")} for n in range(1, count + 1)]
        elif self.shape == "code_id_list":
            pages.append({"method": "POST", "url": self.url("/getFileListByCodeId")})
        else:
            pages.append({"method": "GET", "url": self.url("/zhengce/gknb/GKNB.json")})
        return pages


class EncryptedHanwebPortal(HanwebJpagePortal):
    """Hanweb jpage whose column and unit ids appear only as tokens in the nextgroup link."""

    cms = "hanweb_encrypted"
    column_token = "Vk1n+Qz/8wE="
    unit_token = "Tj3k+w/2Aa8="

    def render_column(self) -> dict[str, Resource]:
        routes = super().render_column()
        html = routes[self.column_path].body.decode(self.skin.encoding)
        html = html.replace(f"columnid={self.column_id}&amp;unitid={self.unit_id}",
                            f"columnid={self.column_token}&amp;unitid={self.unit_token}")
        html = re.sub(r"(var param_\d+ = \{)([^}]*)\}",
                      lambda m: m.group(1) + ",".join(part for part in m.group(2).split(",")
                                                      if not part.startswith(("columnid:", "unitid:"))) + "}", html)
        routes[self.column_path] = self.html(html)
        return routes

    def dynamic(self, method: str, path: str, query: Mapping[str, str], form: Mapping[str, str]) -> Resource | None:
        if path != self.proxy_path:
            return None
        decrypted = dict(form)
        known = form.get("columnid") == self.column_token and form.get("unitid") == self.unit_token
        decrypted["columnid"] = str(self.column_id) if known else "0"
        return super().dynamic(method, path, query, decrypted)


class NextLinkPortal(Portal):
    """Plain lists whose 下一页 link is hidden: a base64 pager (yunnan) or an onclick (liaoning)."""

    per_page = 4

    def __init__(self, *, shape: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.shape = shape
        self.cms = shape

    @property
    def directory(self) -> str:
        return "/xxgk/gknb/" if self.shape == "yunnan_base64" else "/fgw/zfxxgk/nb/"

    @property
    def column_path(self) -> str:
        return self.page_path(1)

    def page_path(self, number: int) -> str:
        if self.shape == "yunnan_base64":
            return self.directory + ("index.html" if number == 1 else f"index_{number - 1}.html")
        return self.directory + ("be842d3c.shtml" if number == 1 else f"be842d3c-{number}.shtml")

    def detail_path(self, day: date, unit: str | None) -> str:
        if self.shape == "yunnan_base64":
            return f"{self.directory}{day:%Y%m}/t{day:%Y%m%d}_{self.new_id(1000000, 9999999)}.html"
        return f"{self.directory}{self.new_id(10**18, 10**19 - 1)}/index.shtml"

    def pages(self) -> list[list[ListItem]]:
        items = self.sorted_items()
        return [items[i:i + self.per_page] for i in range(0, len(items), self.per_page)] or [[]]

    def render_column(self) -> dict[str, Resource]:
        pages = self.pages()
        routes: dict[str, Resource] = {}
        for number, chunk in enumerate(pages, 1):
            items_html = "\n".join(li(item.path, item.title, item.day) for item in chunk)
            following = self.page_path(number + 1) if number < len(pages) else None
            if self.shape == "yunnan_base64":
                inner = (f'<a href="{following.rsplit("/", 1)[1]}">下一页</a>' if following else "<span>下一页</span>")
                inner = f'<a href="index.html">首页</a>{inner}<span>共{len(pages)}页</span>'
                encoded = base64.b64encode(inner.encode("utf-8")).decode("ascii")
                pager = (f'<div id="pages">{encoded}</div><script>document.getElementById("pages").innerHTML = '
                         'decodeURIComponent(escape(window.atob(document.getElementById("pages").innerHTML)));</script>')
            else:
                next_link = (f'<a href="javascript:void(0)" onclick="queryArticleByCondition(this,\'{following}\')" '
                             f'title="下一页">&gt;</a>' if following else '<a href="javascript:void(0)" title="下一页">&gt;</a>')
                pager = f'<div class="page" totalpage="{len(pages)}"><span class="current">{number}</span>{next_link}</div>'
            routes[self.page_path(number)] = self.html(list_page(self.skin, self.column_name, items_html, pager,
                                                                 self.trail()))
        return routes

    def list_pages(self) -> list[dict[str, Any]]:
        return [{"method": "GET", "url": self.url(self.page_path(n))} for n in range(1, len(self.pages()) + 1)]


class PlatformCountyPortal(Portal):
    """A county portal whose 信息公开 lives on its city's platform, under the county's own path."""

    cms = "platform"
    county_host = "www.pingyi.gov.cn"
    platform_host = "xxgk.linyi.gov.cn"
    slug = "pingyi"
    neighbour = "lanshan"
    province_entry = "www.shandong.gov.cn"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.foreign: list[tuple[ListItem, Portal, ListItem]] = []  # (copy here, their portal, original)

    @property
    def host_names(self) -> tuple[str, ...]:
        return (self.county_host, self.platform_host)

    def add_foreign(self, portal: Portal, original: ListItem) -> None:
        """Repost another government's report in this county's column (a copy at a county URL)."""
        copy = ListItem(original.title, self.detail_path(original.day, None), original.day, "foreign", original.report)
        self.items.append(copy)
        self.foreign.append((copy, portal, original))

    @property
    def base_url(self) -> str:
        return f"http://{self.county_host}:{self.port}"

    def on_platform(self, path: str) -> bool:
        return path.startswith((f"/{self.slug}/", f"/{self.neighbour}/"))

    def url(self, path: str) -> str:
        host = self.platform_host if self.on_platform(path) else self.county_host
        return f"http://{host}:{self.port}{path}"

    @property
    def column_path(self) -> str:
        return f"/{self.slug}/zfxxgknb/index.html"

    @property
    def column_url(self) -> str:
        return self.url(self.column_path)

    @property
    def neighbour_report_path(self) -> str:
        return f"/{self.neighbour}/zfxxgknb/202401/t20240116_900001.html"

    def detail_path(self, day: date, unit: str | None) -> str:
        return f"/{self.slug}/zfxxgknb/{day:%Y%m}/t{day:%Y%m%d}_{self.new_id()}.html"

    def home_links(self) -> list[tuple[str, str]]:
        # a higher-level government and a root-level 信息公开 link: neither is this county's entry
        return [("临沂市人民政府", f"http://www.linyi.gov.cn:{self.port}/"),
                ("信息公开", f"http://{self.province_entry}:{self.port}/")]

    def render(self) -> dict[str, Resource]:
        self.skin.zwgk_path = self.url(f"/{self.slug}/index.html")
        routes = super().render()
        neighbour = render_decoy(self.skin, "兰山区2023年政府信息公开工作年度报告", "notice",
                                 url=self.url(self.neighbour_report_path), column_name=self.column_name,
                                 publish_iso="2024-01-16")
        routes[self.neighbour_report_path] = self.html(neighbour)
        return routes

    def render_hubs(self) -> dict[str, Resource]:
        links = [("政府信息公开指南", f"/{self.slug}/zn/index.html"), (self.column_name, self.column_path),
                 ("法定主动公开内容", f"/{self.slug}/fdzdgknr/index.html")]
        routes = {f"/{self.slug}/index.html": self.html(render_hub(self.skin, "政府信息公开", links))}
        for name, path in links:
            if path != self.column_path:
                routes[path] = self.html(render_news_column(self.skin, name))
        return routes

    def render_column(self) -> dict[str, Resource]:
        items = [li(item.path, item.title, item.day) for item in self.sorted_items()]
        items.append(li(self.neighbour_report_path, "兰山区2023年政府信息公开工作年度报告", date(2024, 1, 16)))
        body = list_page(self.skin, self.column_name, "\n".join(items), "", self.trail())
        return {self.column_path: self.html(body)}

    def gate(self, method: str, path: str, headers: Message) -> Resource | None:
        """Virtual hosting: each host name answers only its own paths."""
        host = (headers.get("Host") or "").rsplit(":", 1)[0].lower()
        if path == "/robots.txt":
            return None
        expected = self.platform_host if self.on_platform(path) else self.county_host
        if host != expected:
            return Resource(b"<html><body><h1>404 Not Found</h1></body></html>", "text/html", status=404)
        return None

    def list_pages(self) -> list[dict[str, Any]]:
        return [{"method": "GET", "url": self.column_url}]

    def manifest_entry(self, chaos: int | None = None) -> dict[str, Any]:
        return {**super().manifest_entry(chaos), "platform": f"{self.platform_host}/{self.slug}/",
                "refused": [self.url(self.neighbour_report_path)],
                "foreign_copies": {self.url(copy.path): portal.url(original.path)
                                   for copy, portal, original in self.foreign}}


class NuxtPortal(Portal):
    """A column built in the browser from function-computed Nuxt state, on a host name."""

    cms = "nuxt"
    host = "www.minqing.gov.cn"

    @property
    def host_names(self) -> tuple[str, ...]:
        return (self.host,)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def column_path(self) -> str:
        return "/xxgk/zfxxgknb/"

    def detail_path(self, day: date, unit: str | None) -> str:
        return f"/xxgk/zfxxgknb/{day:%Y%m}/t{day:%Y%m%d}_{self.new_id()}.html"

    def render_column(self) -> dict[str, Resource]:
        items = self.sorted_items()
        # as Nuxt serialises state: repeated values become the function's parameters
        dates = sorted({item.day.isoformat() for item in items})
        params = [f"p{n}" for n in range(len(dates))]
        records = ",".join(f'{{title:{json.dumps(item.title, ensure_ascii=False)},url:"{item.path}",'
                           f'date:{params[dates.index(item.day.isoformat())]},type:a}}' for item in items)
        state = (f"window.__NUXT__=(function(a,{','.join(params)}){{return {{layout:\"default\",data:[{{list:[{records}]}}],"
                 f"state:{{}}}}}}(\"article\",{','.join(json.dumps(d) for d in dates)}));")
        build = ("(function(){var l=window.__NUXT__.data[0].list,h='<ul class=\"list-ul\">';"
                 "for(var i=0;i<l.length;i++){h+='<li><a href=\"'+l[i].url+'\" target=\"_blank\">'+l[i].title+'</a>"
                 "<span>'+l[i].date+'</span></li>';}document.getElementById('list').innerHTML=h+'</ul>';})();")
        body = list_page(self.skin, self.column_name, "", "", self.trail())
        body = body.replace('<ul class="list-ul">\n\n</ul>', f'<div id="__nuxt"><div id="list"></div></div>'
                                                                 f"<script>{state}</script><script>{build}</script>")
        return {self.column_path: self.html(body)}

    def list_pages(self) -> list[dict[str, Any]]:
        return [{"method": "GET", "url": self.column_url}]

    def manifest_entry(self, chaos: int | None = None) -> dict[str, Any]:
        return {**super().manifest_entry(chaos), "needs_browser": "nuxt", "blocked": None}


class AttachmentPortal(Portal):
    """Report pages that are stubs linking the report as an OFD, ZIP, RTF or XLSX file."""

    cms = "attachments"
    directory = "/xxgk/zfxxgknb/"
    formats: ClassVar[dict[int, str]] = {2024: ".ofd", 2023: ".zip", 2022: ".rtf", 2021: ".xlsx"}

    @property
    def column_path(self) -> str:
        return self.directory + "index.html"

    def detail_path(self, day: date, unit: str | None) -> str:
        return f"{self.directory}{day:%Y%m}/t{day:%Y%m%d}_{self.new_id()}.html"

    def file_path(self, item: ListItem) -> str:
        assert item.report is not None
        suffix = self.formats.get(item.report.report_year, ".ofd")
        return item.path.replace(".html", "").replace("/t", "/P0", 1) + suffix

    def render(self) -> dict[str, Resource]:
        from govreports.parsing.html import html_to_document
        from govreports_farm.attachment_files import (
            grids_of,
            ofd_file,
            rtf_file,
            xlsx_file,
            zip_file,
        )

        routes = super().render()
        for item in self.items:
            if item.report is None:
                continue
            full = routes[item.path].body.decode(self.skin.encoding)
            document = html_to_document(full, self.url(item.path))
            title = item.report.title
            suffix = self.formats.get(item.report.report_year, ".ofd")
            if suffix == ".ofd":
                body, kind = ofd_file(document, title), "application/ofd"
            elif suffix == ".zip":
                body, kind = zip_file({f"{title}.ofd": ofd_file(document, title)}), "application/zip"
            elif suffix == ".rtf":
                body, kind = rtf_file(document), "application/rtf"
            else:
                body, kind = xlsx_file(grids_of(document), title=title), "application/octet-stream"
            routes[self.file_path(item)] = Resource(body, kind)
            stub = (f'<div class="main w1200"><div class="article"><h1 class="title">{escape(title)}</h1>'
                    f'{self.skin.container}<p>附件：<a href="{self.file_path(item)}">{escape(title)}{suffix}</a></p>'
                    "</div></div></div>")
            routes[item.path] = self.html(page(self.skin, f"{title}_{self.skin.site_name}", stub,
                                               [("ArticleTitle", title), ("PubDate", f"{item.report.publish_iso} 16:00")]),
                                          detail=True)
        return routes

    def render_column(self) -> dict[str, Resource]:
        items = "\n".join(li(item.path, item.title, item.day) for item in self.sorted_items())
        return {self.column_path: self.html(list_page(self.skin, self.column_name, items, "", self.trail()))}

    def list_pages(self) -> list[dict[str, Any]]:
        return [{"method": "GET", "url": self.column_url}]

    def manifest_entry(self, chaos: int | None = None) -> dict[str, Any]:
        entry = super().manifest_entry(chaos)
        files = {self.url(item.path): self.url(self.file_path(item)) for item in self.items if item.report}
        for report in entry["reports"]:
            report["attachment"] = files[report["url"]]
        return entry


_SEARCH_SITES = {
    "fjdzapp": ("127.0.0.21", "350181", "福清市", "福建省", "福清市人民政府"),
    "site_search": ("127.0.0.22", "360102", "东湖区", "江西省", "南昌市东湖区人民政府"),
    "code_id_list": ("127.0.0.23", "220204", "船营区", "吉林省", "吉林市船营区人民政府"),
    "json_feed": ("127.0.0.24", "110106", "丰台区", "北京市", "北京市丰台区人民政府"),
}

def report_title(agency: str) -> Callable[[int], str]:
    """`<agency><year>年政府信息公开工作年度报告`, the plain title of a government's report."""
    return lambda year: f"{agency}{year}年政府信息公开工作年度报告"


_PAGER_SITES = {
    "yunnan_base64": ("127.0.0.26", "532328", "元谋县", "云南省", "元谋县人民政府"),
    "liaoning_huidian": ("127.0.0.27", "210106", "铁西区", "辽宁省", "沈阳市铁西区人民政府"),
}


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
    for shape, (ip, adcode, name, province, site_name) in _SEARCH_SITES.items():
        if shape not in names:
            continue
        search = SearchApiPortal(shape=shape, ip=ip, adcode=adcode, name=name, province=province, discover=False,
                                 skin=Skin(site_name=site_name, site_id_code=f"{adcode}0001",
                                           container='<div class="article-content">', meta_style="gov",
                                           info_style="plain", breadcrumb="当前位置：", icp="ICP备05012345号",
                                           police=f"公网安备 {adcode}02000123号"))
        search.add_plan(AgencyPlan(site_name, f"{name}人民政府办公室", range(2018, 2025), 0.5, report_title(site_name)))
        search.add_decoy(f"{site_name}门户网站2023年度工作年度报表", "website_report", date(2024, 1, 19))
        portals.append(search)
    if "hanweb_encrypted" in names:
        hanweb = EncryptedHanwebPortal(ip="127.0.0.25", adcode="430181", name="浏阳市", province="湖南省", discover=False,
                                       skin=Skin(site_name="浏阳市人民政府", site_id_code="4301810001",
                                                 container='<div id="zoom">', meta_style="none", info_style="hanweb",
                                                 breadcrumb="当前位置：", icp="湘ICP备05012345号",
                                                 police="湘公网安备 43018102000123号"))
        hanweb.add_plan(AgencyPlan("浏阳市人民政府", "浏阳市人民政府办公室", range(2012, 2025), 0.5,
                                   lambda y: f"浏阳市{y}年政府信息公开工作年度报告"))
        hanweb.add_decoy("浏阳市人民政府网站2023年度工作报表", "website_report", date(2024, 1, 20))
        portals.append(hanweb)
    if "platform" in names:
        city = TrsPortal(ip="127.0.0.29", adcode="371300", name="临沂市", province="山东省", discover=False,
                         skin=Skin(site_name="临沂市人民政府", site_id_code="3713000001", encoding="gbk",
                                   declared_charset="gb2312", container='<div class="TRS_Editor">',
                                   meta_style="trs", info_style="trs", breadcrumb="您的位置：", icp="鲁ICP备05000001号",
                                   police="鲁公网安备 37130002000001号"))
        city.level = "prefecture"
        city.add_plan(AgencyPlan("临沂市人民政府", "临沂市人民政府办公室", range(2021, 2025), 1.2,
                                 lambda y: f"临沂市人民政府{y}年政府信息公开工作年度报告"))
        portals.append(city)
        county = PlatformCountyPortal(ip="127.0.0.28", adcode="371326", name="平邑县", province="山东省", discover=True,
                                      skin=Skin(site_name="平邑县人民政府", site_id_code="3713260001",
                                                container='<div class="TRS_Editor">', meta_style="trs",
                                                info_style="trs", breadcrumb="您的位置：", icp="鲁ICP备05012345号",
                                                police="鲁公网安备 37132602000123号"))
        county.add_plan(AgencyPlan("平邑县人民政府", "平邑县人民政府办公室", range(2017, 2025), 0.5,
                                   lambda y: f"平邑县人民政府{y}年政府信息公开工作年度报告"))
        county.add_decoy("关于做好2024年政务公开工作的通知", "notice", date(2024, 4, 11))
        county.add_foreign(city, next(item for item in city.items if item.report and item.report.report_year == 2023))
        portals.append(county)
    if "nuxt" in names:
        nuxt = NuxtPortal(ip="127.0.0.30", adcode="350124", name="闽清县", province="福建省", discover=False,
                          skin=Skin(site_name="闽清县人民政府", site_id_code="3501240001",
                                    container='<div class="article-content">', meta_style="gov", info_style="plain",
                                    breadcrumb="当前位置：", icp="闽ICP备05012346号", police="闽公网安备 35012402000123号"))
        nuxt.add_plan(AgencyPlan("闽清县人民政府", "闽清县人民政府办公室", range(2019, 2025), 0.5,
                                 lambda y: f"闽清县人民政府{y}年政府信息公开工作年度报告"))
        nuxt.add_decoy("关于做好2024年政务公开工作的通知", "notice", date(2024, 4, 12))
        portals.append(nuxt)
    if "attachments" in names:
        files = AttachmentPortal(ip="127.0.0.31", adcode="350125", name="永泰县", province="福建省", discover=False,
                                 skin=Skin(site_name="永泰县人民政府", site_id_code="3501250001",
                                           container='<div class="article-content">', meta_style="none",
                                           info_style="plain", breadcrumb="当前位置：", icp="闽ICP备05012347号",
                                           police="闽公网安备 35012502000123号"))
        files.add_plan(AgencyPlan("永泰县人民政府", "永泰县人民政府办公室", range(2021, 2025), 0.6,
                                  report_title("永泰县人民政府")))
        portals.append(files)
    for shape, (ip, adcode, name, province, site_name) in _PAGER_SITES.items():
        if shape not in names:
            continue
        pager = NextLinkPortal(shape=shape, ip=ip, adcode=adcode, name=name, province=province, discover=False,
                               skin=Skin(site_name=site_name, site_id_code=f"{adcode}0001",
                                         container='<div class="article-content">', meta_style="gov",
                                         info_style="plain", breadcrumb="当前位置：", icp="ICP备05012345号",
                                         police=f"公网安备 {adcode}02000123号"))
        pager.add_plan(AgencyPlan(site_name, f"{name}人民政府办公室", range(2015, 2025), 0.5, report_title(site_name)))
        pager.add_decoy("关于做好2024年政务公开工作的通知", "notice", date(2024, 4, 9))
        portals.append(pager)
    return portals


__all__ = [
    "COVERAGE_PORTALS",
    "EncryptedHanwebPortal",
    "JsonOnlyPortal",
    "NextLinkPortal",
    "NuxtPortal",
    "PlatformCountyPortal",
    "SearchApiPortal",
    "build_coverage_portals",
]
