"""The sample portal farm: six portals of five CMS families on 127.0.0.10–15.

`Farm.start(run_dir)` builds every portal (deterministic: same pages, numbers and URLs paths on
every run; only the port varies), serves them, writes the registry CSV, an (empty) sites.toml and
manifest.json, and returns once every portal answers. The manifest is the ground truth for crawl
and end-to-end tests: every report URL with what a correct parser must give, decoys that must not
be harvested, second postings that must come out once, the list pages a crawler must walk.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Any

from govreports_farm.browser_portals import build_extra_portals
from govreports_farm.chaos import plan_faults
from govreports_farm.coverage_portals import COVERAGE_PORTALS, build_coverage_portals
from govreports_farm.portals import (AgencyPlan, GkmlptPortal, HanwebJpagePortal, JpaasPortal, ListItem, PlainPortal,
                                Portal, SubcolumnPortal, TrsPortal)
from govreports_farm.render import Skin
from govreports_farm.resolver import host_rules
from govreports_farm.server import PortalServer, serve_all, wait_until_answering

REGISTRY_COLUMNS = ("adcode", "name", "level", "province", "home_url", "annual_report_url", "source")
SEED_GAOPING, SEED_ZIXING, SEED_XUANHUA, SEED_EWENKI, SEED_JIULONGPO = (
    "000_5ba05a78ac51eaa2.txt", "001_210389a21b6a26dd.txt", "002_936b004d97e1931c.txt",
    "003_d58dcb8ff1b8f53b.txt", "004_7d9c962fed462d95.txt")


def build_portals() -> list[Portal]:
    """The farm's portals, each with its agencies, reports, decoys and second postings."""
    portals: list[Portal] = []

    # (a) TRS, GBK, discovered from the home page through 政务公开
    gaoping = TrsPortal(ip="127.0.0.10", adcode="511303", name="高坪区", province="四川省", discover=True, skin=Skin(
        site_name="南充市高坪区人民政府", site_id_code="5113030001", encoding="gbk", declared_charset="gb2312",
        container='<div class="TRS_Editor">', meta_style="trs", info_style="trs", breadcrumb="您的位置：",
        icp="蜀ICP备05003227号", police="川公网安备 51130302000123号",
        sponsor="南充市高坪区人民政府办公室（网站联系人：王喆）"))
    gaoping.add_plan(AgencyPlan("南充市高坪区人民政府", "区政府办", range(2008, 2025), 1.0,
                                lambda y: f"南充市高坪区人民政府{y}年政府信息公开工作年度报告",
                                seeds={2018: SEED_GAOPING}, deviations={2023: "continuity"}))
    gaoping.add_plan(AgencyPlan("南充市高坪区财政局", "区财政局", range(2019, 2025), 0.3,
                                lambda y: f"南充市高坪区财政局{y}年政府信息公开工作年度报告", deviations={2020: "balance"}))
    gaoping.add_plan(AgencyPlan("南充市高坪区教育局", "区教育局", range(2021, 2025), 0.4,
                                lambda y: f"南充市高坪区教育局{y}年度政府信息公开工作年度报告"))
    gaoping.robots_disallow.append("/zwgk/hzbb/")
    gaoping.add_decoy("南充市高坪区人民政府门户网站2023年度工作年度报表", "website_report", date(2024, 1, 15))
    gaoping.add_decoy("高坪区2023年度政府信息公开工作年度报告汇总", "summary", date(2024, 3, 29),
                      path=f"/zwgk/hzbb/202403/t20240329_{gaoping.new_id()}.html")
    gaoping.add_decoy("关于做好2024年政务公开工作的通知", "notice", date(2024, 4, 10))
    gaoping.add_decoy("南充市高坪区财政局2023年度部门决算", "final_accounts", date(2024, 8, 20))
    gaoping.add_decoy("高坪区2022年政府信息公开工作要点", "notice", date(2022, 3, 5))
    portals.append(gaoping)

    # (b) Hanweb JCMS jpage: embedded first group + dataproxy.jsp POST groups
    zixing = HanwebJpagePortal(ip="127.0.0.11", adcode="431081", name="资兴市", province="湖南省", discover=False, skin=Skin(
        site_name="资兴市人民政府", site_id_code="4310810001", container='<div id="zoom">', meta_style="none",
        info_style="hanweb", breadcrumb="当前位置：", zwgk_path="/col/col5290/index.html", icp="湘ICP备10201712号",
        police="湘公网安备 43108102000101号"))
    zixing.add_plan(AgencyPlan("资兴市人民政府", "资兴市人民政府办公室", range(2008, 2025), 0.8,
                               lambda y: f"资兴市{y}年度政府信息公开工作年度报告", seeds={2017: SEED_ZIXING}))
    zixing.add_plan(AgencyPlan("资兴市发展和改革局", "资兴市发展和改革局", range(2019, 2025), 0.3,
                               lambda y: f"资兴市发展和改革局{y}年政府信息公开工作年度报告", deviations={2021: "review_sum"}))
    zixing.add_decoy("资兴市人民政府网站2023年度工作报表", "website_report", date(2024, 1, 20))
    zixing.add_decoy("资兴市2023年度政府信息公开工作年度报告汇总", "summary", date(2024, 3, 30))
    zixing.add_decoy("关于开展2023年度政务公开工作考核的通知", "notice", date(2023, 11, 2))
    zixing.add_decoy("资兴市发展和改革局2022年度部门决算", "final_accounts", date(2023, 8, 25))
    zixing.add_decoy("资兴市政府信息公开指南", "notice", date(2021, 6, 1))
    portals.append(zixing)

    # (c) Hanweb jpaas: the list only comes from the unitbuild JSON API
    xuanhua = JpaasPortal(ip="127.0.0.12", adcode="130705", name="宣化区", province="河北省", discover=False, skin=Skin(
        site_name="张家口市宣化区人民政府", site_id_code="1307050001", container='<div class="wzzw-article">',
        meta_style="pipe", info_style="plain", breadcrumb="当前位置：", zwgk_path="/col/col1220/index.html",
        icp="冀ICP备09047917号", police="冀公网安备 13070502000011号"))
    xuanhua.add_plan(AgencyPlan("张家口市宣化区人民政府", "政府办公室", range(2014, 2025), 0.6,
                                lambda y: f"张家口市宣化区政府信息公开工作年度报告({y}年)", seeds={2019: SEED_XUANHUA}))
    xuanhua.add_plan(AgencyPlan("张家口市宣化区卫生健康局", "区卫生健康局", range(2021, 2025), 0.3,
                                lambda y: f"张家口市宣化区卫生健康局{y}年政府信息公开工作年度报告", deviations={2022: "row_sum"}))
    xuanhua.add_decoy("张家口市宣化区人民政府网站2023年度工作报表", "website_report", date(2024, 1, 18))
    xuanhua.add_decoy("宣化区2023年度政府信息公开年报汇总", "summary", date(2024, 3, 28))
    xuanhua.add_decoy("关于公布2024年政务公开工作要点的通知", "notice", date(2024, 4, 3))
    xuanhua.add_decoy("张家口市宣化区卫生健康局2023年度部门决算", "final_accounts", date(2024, 8, 12))
    portals.append(xuanhua)

    # (d) Guangdong gkmlpt JSON API
    longgang = GkmlptPortal(ip="127.0.0.13", adcode="440307", name="龙岗区", province="广东省", discover=False, skin=Skin(
        site_name="深圳市龙岗区人民政府", site_id_code="4403070001", container='<div class="article-content">',
        meta_style="gkmlpt", info_style="plain", breadcrumb="当前位置：", icp="粤ICP备05060421号",
        police="粤公网安备 44030702000010号"))
    longgang.add_plan(AgencyPlan("深圳市龙岗区人民政府", "深圳市龙岗区人民政府办公室", range(2014, 2025), 1.2,
                                 lambda y: f"深圳市龙岗区人民政府{y}年政府信息公开工作年度报告"))
    longgang.add_plan(AgencyPlan("深圳市龙岗区教育局", "深圳市龙岗区教育局", range(2021, 2025), 0.5,
                                 lambda y: f"深圳市龙岗区教育局{y}年政府信息公开工作年度报告"))
    longgang.add_plan(AgencyPlan("深圳市龙岗区布吉街道办事处", "布吉街道办事处", range(2019, 2021), 0.2,
                                 lambda y: f"深圳市龙岗区布吉街道办事处{y}年政府信息公开工作年度报告"))
    longgang.add_decoy("深圳市龙岗区人民政府门户网站2023年度工作年度报表", "website_report", date(2024, 1, 22))
    longgang.add_decoy("龙岗区2023年度政府信息公开工作年度报告汇总", "summary", date(2024, 3, 27))
    longgang.add_decoy("关于做好政府信息公开工作年度报告编制发布工作的通知", "notice", date(2024, 1, 5))
    longgang.add_decoy("深圳市龙岗区教育局2023年度部门决算", "final_accounts", date(2024, 8, 30))
    portals.append(longgang)

    # (e) plain 下一页 lists, column only behind 政务公开 → 政府信息公开 → 信息公开目录
    ewenki = PlainPortal(ip="127.0.0.14", adcode="150724", name="鄂温克族自治旗", province="内蒙古自治区", discover=True,
                         skin=Skin(site_name="鄂温克族自治旗人民政府", site_id_code="1507240004", container='<div id="ivs_content">',
                                   meta_style="gov", info_style="plain", breadcrumb="您现在的位置：",
                                   zwgk_path="/zwgk/index.shtml", icp="蒙ICP备2021001176号",
                                   police="蒙公网安备 15072402000013号"))
    ewenki.add_plan(AgencyPlan("鄂温克族自治旗人民政府", "旗政府办公室", range(2010, 2025), 0.5,
                               lambda y: f"鄂温克族自治旗{y}年政府信息公开工作年度报告"))
    ewenki.add_plan(AgencyPlan("鄂温克族自治旗巴彦嵯岗苏木", "巴彦嵯岗苏木", range(2019, 2022), 0.1,
                               lambda y: f"鄂温克族自治旗巴彦嵯岗苏木{y}年政府信息公开工作年度报告", seeds={2020: SEED_EWENKI}))
    ewenki.robots_disallow.append("/zwgk/hzbb/")
    ewenki.add_decoy("鄂温克族自治旗2023年度政府信息公开工作年度报告汇总", "summary", date(2024, 3, 26),
                     path=f"/zwgk/hzbb/202403/c04_{ewenki.new_id()}.shtml")
    ewenki.add_decoy("鄂温克族自治旗人民政府门户网站2023年度工作年度报表", "website_report", date(2024, 1, 19))
    ewenki.add_decoy("关于开展政务公开专项检查的通知", "notice", date(2023, 9, 14))
    ewenki.add_decoy("鄂温克族自治旗财政局2023年度部门决算", "final_accounts", date(2024, 8, 9))
    portals.append(ewenki)

    # (f) year sub-columns split into 区政府 / 部门 / 镇街, some reports posted twice
    jiulongpo = SubcolumnPortal(ip="127.0.0.15", adcode="500107", name="九龙坡区", province="重庆市", discover=False, skin=Skin(
        site_name="重庆市九龙坡区人民政府", site_id_code="5001070014",
        container='<div class="trs_editor_view TRS_UEDITOR trs_paper_default">', meta_style="gov", info_style="trs",
        breadcrumb="您当前的位置：", icp="渝ICP备05003300号", police="渝公网安备 50010702500123号", word_tables=True))
    jiulongpo.add_plan(AgencyPlan("重庆市九龙坡区人民政府", "区政府办公室", range(2019, 2025), 1.0,
                                  lambda y: f"重庆市九龙坡区人民政府{y}年政府信息公开工作年度报告", unit="qzf",
                                  seeds={2020: SEED_JIULONGPO}))
    jiulongpo.add_plan(AgencyPlan("重庆市九龙坡区教育委员会", "区教委", range(2019, 2025), 0.4,
                                  lambda y: f"重庆市九龙坡区教育委员会{y}年政府信息公开工作年度报告", unit="bm"))
    jiulongpo.add_plan(AgencyPlan("重庆市九龙坡区财政局", "区财政局", range(2022, 2025), 0.3,
                                  lambda y: f"重庆市九龙坡区财政局{y}年政府信息公开工作年度报告", unit="bm"))
    jiulongpo.add_plan(AgencyPlan("重庆市九龙坡区西彭镇人民政府", "西彭镇人民政府", range(2019, 2025), 0.1,
                                  lambda y: f"重庆市九龙坡区西彭镇人民政府{y}年政府信息公开工作年度报告", unit="zj"))
    jiulongpo.add_plan(AgencyPlan("重庆市九龙坡区杨家坪街道办事处", "杨家坪街道办事处", range(2021, 2025), 0.1,
                                  lambda y: f"重庆市九龙坡区杨家坪街道办事处{y}年政府信息公开工作年度报告", unit="zj"))
    jiulongpo.add_duplicate("重庆市九龙坡区教育委员会", 2023, "qzf")
    jiulongpo.add_duplicate("重庆市九龙坡区教育委员会", 2022, "qzf")
    jiulongpo.add_duplicate("重庆市九龙坡区西彭镇人民政府", 2021, "qzf")
    jiulongpo.add_decoy("重庆市九龙坡区人民政府网站2023年度工作年度报表", "website_report", date(2024, 1, 16), unit="qzf")
    jiulongpo.add_decoy("九龙坡区2023年度政府信息公开工作年度报告汇总", "summary", date(2024, 3, 31), unit="qzf")
    jiulongpo.add_decoy("重庆市九龙坡区教育委员会2023年度部门决算", "final_accounts", date(2024, 8, 28), unit="bm")
    jiulongpo.add_decoy("关于进一步加强基层政务公开工作的通知", "notice", date(2023, 5, 8), unit="zj")
    portals.append(jiulongpo)
    return portals


class Farm:
    """The running farm: portals, servers, registry/sites/manifest files, mutation helpers."""

    def __init__(self, run_dir: Path, *, chaos: int | None = None, extra_portals: Sequence[str] = ()) -> None:
        self.run_dir = Path(run_dir)
        self.chaos = chaos
        # opt-in portals only a browser can read (govreports_farm/browser_portals.py: js, cookie, ruishu)
        # and the list shapes of issue 17 (govreports_farm/coverage_portals.py)
        extras = tuple(extra_portals)
        browser = tuple(name for name in extras if name not in COVERAGE_PORTALS)
        self.portals: list[Portal] = (build_portals() + build_extra_portals(browser)
                                      + build_coverage_portals(extras))
        self.servers: list[PortalServer] = []
        self.registry_path = self.run_dir / "registry.csv"
        self.sites_path = self.run_dir / "sites.toml"
        self.manifest_path = self.run_dir / "manifest.json"
        self.manifest: dict[str, Any] = {}
        # {portal ip: {path: fault}}: pages failing on every request while chaos is on (chaos.py)
        self.chaos_plan: dict[str, dict[str, str]] = plan_faults(chaos, self.portals) if chaos is not None else {}

    @classmethod
    def start(cls, run_dir: Path, *, chaos: int | None = None, extra_portals: Sequence[str] = ()) -> Farm:
        """Build, serve and describe the farm; returns when every portal answers."""
        farm = cls(run_dir, chaos=chaos, extra_portals=extra_portals)
        farm.run_dir.mkdir(parents=True, exist_ok=True)
        farm.servers = [server for server, _thread in serve_all(farm.portals, chaos)]
        for server in farm.servers:
            server.chaos_plan = farm.chaos_plan.get(server.portal.ip, {})
        for portal in farm.portals:
            wait_until_answering(portal)
        farm.write_registry()
        farm.write_sites()
        farm.write_manifest()
        return farm

    def __enter__(self) -> Farm:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()
        self.servers = []

    # ------------------------------------------------------------ files
    def write_registry(self) -> None:
        with self.registry_path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=REGISTRY_COLUMNS)
            writer.writeheader()
            for portal in self.portals:
                writer.writerow(portal.registry_row())

    def write_sites(self) -> None:
        self.sites_path.write_text(
            "# Per-site overrides for the sample portal farm. Every farm portal is meant to work\n"
            "# without overrides (adapters detect themselves), so this file is empty on purpose.\n",
            encoding="utf-8")

    def write_manifest(self) -> None:
        portals = {portal.adcode: portal.manifest_entry(self.chaos) for portal in self.portals}
        for portal in self.portals:
            planned = {portal.url(path): fault for path, fault in self.chaos_plan.get(portal.ip, {}).items()} \
                if self.chaos is not None else {}
            entry = portals[portal.adcode]
            entry["chaos_plan"] = planned
            entry["chaos_faults"] = {url: fault for url, fault in entry["chaos_faults"].items() if url not in planned}
        self.manifest = {
            "about": "Ground truth of the sample portal farm (tests/farm). expected uses the format of "
                     "seeds/expected.json (tests/expectations.py).",
            "chaos": self.chaos,
            "portals": portals,
            "continuity_breaks": [{"portal": adcode, "urls": entry["continuity_break"]}
                                  for adcode, entry in portals.items() if entry["continuity_break"]],
            "totals": {"portals": len(portals),
                       "reports": sum(len(e["reports"]) for e in portals.values()),
                       "decoys": sum(len(e["decoys"]) for e in portals.values()),
                       "duplicates": sum(len(e["duplicates"]) for e in portals.values())},
        }
        self.manifest_path.write_text(json.dumps(self.manifest, ensure_ascii=False, indent=1), encoding="utf-8")

    @property
    def host_rules(self) -> str:
        """The farm's host names mapped to their loopback addresses (`MAP host ip, …`): for
        FARM_HOSTS (govreports_farm/resolver.py) and GOVREPORTS_BROWSER_HOST_RULES (Chromium)."""
        return host_rules({host: portal.ip for portal in self.portals for host in getattr(portal, "host_names", ())})

    # ------------------------------------------------------------ lookups
    def portal(self, portal_id: str) -> Portal:
        """A portal by registry id (adcode) or slug (host)."""
        for portal in self.portals:
            if portal_id in (portal.adcode, portal.id, portal.name):
                return portal
        raise KeyError(f"no farm portal {portal_id!r}")

    def find(self, url: str) -> tuple[Portal, ListItem]:
        for portal in self.portals:
            for item in portal.items:
                if portal.url(item.path) == url:
                    return portal, item
        raise KeyError(f"no farm page at {url}")

    def report_entries(self) -> list[dict[str, Any]]:
        return [report for entry in self.manifest["portals"].values() for report in entry["reports"]]

    # ------------------------------------------------------------ mutations
    def modify_report(self, url: str) -> None:
        """Publish a corrected version of one report at the same URL (a number changes)."""
        portal, item = self.find(url)
        if item.report is None:
            raise KeyError(f"{url} is not a report")
        correct_report(item.report)
        portal.routes = portal.render()
        self.write_manifest()

    def add_report(self, portal_id: str) -> dict[str, Any]:
        """Publish the main agency's next-year report at the top of the column; its manifest entry."""
        portal = self.portal(portal_id)
        item = portal.next_report()
        portal.routes = portal.render()
        self.write_manifest()
        return portal.report_entry(item)

    def set_chaos(self, chaos: int | None) -> None:
        """Turn chaos on (a seed) or off (None: the next night, every page answers); the plan of
        persistent faults stays the one chosen at start."""
        self.chaos = chaos
        for server in self.servers:
            server.chaos = chaos
        self.write_manifest()

    def hits(self, portal_id: str) -> dict[str, int]:
        """How often each path of a portal was requested (for politeness tests)."""
        portal = self.portal(portal_id)
        server = next(s for s in self.servers if s.portal is portal)
        with server.hits_lock:
            return dict(server.hits)


def correct_report(report: Any) -> None:
    """A typical correction: one published number changes, a note says so, revision goes up."""
    report.revision += 1
    if report.seed is not None:
        report.corrections.append(f"更正说明：本报告于发布后第{report.revision - 1}次更正，个别文字表述已修改。")
        return
    if report.active is not None:
        report.active["licensing"]["decisions"] += 7
        report.corrections.append("更正说明：第二十条第（五）项行政许可处理决定数量更正。")
    else:
        report.figures["active_total"] += 10
        report.corrections.append("更正说明：主动公开政府信息数量更正。")

