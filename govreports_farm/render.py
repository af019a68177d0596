"""Portal pages around the reports: head metadata, navigation, 信息公开 block, content, footer.

A `Skin` holds what differs between CMS families and sites (content container, metadata block
style, charset, breadcrumb wording, footer); everything else is shared so each portal reads like
the real thing (docs/research/portal-patterns.md §4.3) without copying one real site.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape

from govreports_farm.reportdata import Report
from govreports_farm.tables import TableStyle, render_active_disclosure, render_applications, render_review

NAV = (("首页", "/"), ("新闻中心", "/xwzx/index.html"), ("政务公开", None), ("政策文件", "/zcwj/index.html"),
       ("领导信息", "/ldxx/index.html"), ("办事服务", "/bsfw/index.html"), ("互动交流", "/hdjl/index.html"),
       ("数据发布", "/sjfb/index.html"))


@dataclass
class Skin:
    """The look of one portal (what differs between CMS families and sites)."""

    site_name: str
    site_id_code: str
    encoding: str = "utf-8"               # how bytes are encoded
    declared_charset: str = "utf-8"       # what the <meta> says
    container: str = '<div class="TRS_Editor">'
    meta_style: str = "trs"               # trs | gov | pipe | gkmlpt | none
    info_style: str = "trs"               # trs | hanweb | plain
    breadcrumb: str = "您的位置："
    zwgk_path: str = "/zwgk/index.html"
    icp: str = "ICP备00000000号"
    police: str = "公网安备 00000000000000号"
    sponsor: str = ""
    word_tables: bool = False
    convert: Callable[[str], str] = field(default=lambda text: text)

    @property
    def table_style(self) -> TableStyle:
        return TableStyle(word=self.word_tables)

    @property
    def chrome_strings(self) -> list[str]:
        """Chrome text that must not survive into an item's `text` (the text_excludes)."""
        return [self.breadcrumb.rstrip("：:"), "版权所有", self.icp, "网站标识码", "扫一扫在手机打开当前页"]


def _head(skin: Skin, title: str, metas: Sequence[tuple[str, str]]) -> str:
    if skin.declared_charset.lower() == "utf-8":
        charset = '<meta charset="utf-8">'
    else:
        charset = f'<meta http-equiv="Content-Type" content="text/html; charset={skin.declared_charset}">'
    meta_tags = "\n".join(f'<meta name="{name}" content="{escape(value, quote=True)}">' for name, value in metas)
    return (f"<!DOCTYPE html>\n<html>\n<head>\n{charset}\n"
            f'<meta http-equiv="X-UA-Compatible" content="IE=edge">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
            f"<title>{escape(title)}</title>\n{meta_tags}\n"
            f'<link rel="stylesheet" type="text/css" href="/images/style.css">\n'
            f'<script type="text/javascript" src="/js/jquery-1.11.3.min.js"></script>\n</head>\n')


def header(skin: Skin) -> str:
    links = "".join(f'<li><a href="{path or skin.zwgk_path}" target="_self">{name}</a></li>' for name, path in NAV)
    return (f'<div class="top-bar"><div class="w1200"><span>今天是：<span id="today"></span></span>'
            f'<a href="javascript:void(0)" id="wza">无障碍</a> | <a href="javascript:void(0)" id="zbb">长辈版</a> | '
            f'<a href="/wap/index.html">手机版</a> | <a href="/login.html">登录</a></div></div>\n'
            f'<div class="header"><div class="logo"><a href="/"><img src="/images/logo.png" alt="{skin.site_name}">'
            f"<span>{skin.site_name}</span></a></div>"
            f'<div class="search"><form action="/search/index.html" method="get"><input name="q" placeholder="请输入关键字">'
            f'<button type="submit">搜索</button></form></div></div>\n<div class="nav"><ul>{links}</ul></div>\n')


def footer(skin: Skin) -> str:
    return (f'<div class="links"><span>国务院部门网站</span><span>地方政府网站</span><span>市政府部门网站</span>'
            f'<select onchange="window.open(this.value)"><option>---相关链接---</option>'
            f'<option value="http://www.gov.cn/">中国政府网</option></select></div>\n'
            f'<div class="footer"><p>版权所有：{skin.site_name}　主办单位：{skin.sponsor or skin.site_name + "办公室"}</p>'
            f"<p>网站标识码：{skin.site_id_code}　{skin.icp}　{skin.police}</p>"
            f'<p><a href="/wzdt/index.html">网站地图</a> | <a href="/lxwm/index.html">联系我们</a></p></div>\n'
            f'<script type="text/javascript" src="/js/common.js"></script>\n</body>\n</html>\n')


def page(skin: Skin, title: str, body: str, metas: Sequence[tuple[str, str]] = ()) -> str:
    """A full page in this skin (site metas of the 政府网站发展指引 tiers included)."""
    site_metas = [("SiteName", skin.site_name), ("SiteDomain", ""), ("SiteIDCode", skin.site_id_code), *metas]
    return _head(skin, title, site_metas) + "<body>\n" + header(skin) + body + footer(skin)


def breadcrumb(skin: Skin, trail: Sequence[tuple[str, str]]) -> str:
    links = " &gt; ".join(f'<a href="{path}">{escape(name)}</a>' for name, path in trail)
    return f'<div class="crumb">{escape(skin.breadcrumb)}<a href="/">首页</a> &gt; {links}</div>\n'


# ---------------------------------------------------------------- report bodies

def _p(text: str, strong: bool = False) -> str:
    inner = f"<strong>{escape(text)}</strong>" if strong else escape(text)
    return f'<p style="text-indent:2em;">{inner}</p>'


def _unit_word(agency: str) -> str:
    if agency.endswith(("街道办事处", "镇人民政府", "苏木", "乡人民政府")):
        return "本单位"
    if agency.endswith("人民政府"):
        return "全区" if "区" in agency[-6:] else "全市" if "市" in agency[-6:] else "全旗" if "旗" in agency else "全区"
    return "我局"


def render_report_body(report: Report, style: TableStyle) -> str:
    """The body of a generated report: the six sections, prose figures and the tables."""
    if report.body_html is not None:
        extra = "".join(_p(text) for text in report.corrections)
        return report.body_html + extra
    rng = random.Random(report.key)
    year = report.report_year
    unit = _unit_word(report.agency)
    figures = report.figures
    parts: list[str] = [_p(f"根据《中华人民共和国政府信息公开条例》规定，现公布{report.agency}{year}年政府信息公开工作年度报告。"
                           f"本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。如对本报告有疑问，"
                           f"请与{report.publisher}联系。")]
    if report.format == "pre2019":
        received = figures["applications_received"]
        parts += [_p("一、概述", True),
                  _p(f"{year}年，{unit}认真贯彻落实《中华人民共和国政府信息公开条例》，健全工作机制，完善公开平台，"
                     f"政府信息公开工作有序推进。"),
                  _p("二、主动公开政府信息情况", True),
                  _p(f"{year}年，{unit}共主动公开政府信息{figures['active_total']}条，其中政务动态信息"
                     f"{figures['active_total'] // 3}条，规范性文件{rng.randint(1, 30)}条。"),
                  _p("三、依申请公开政府信息情况", True)]
        if received:
            granted = rng.randint(0, received)
            parts.append(_p(f"{year}年共收到政府信息公开申请{received}件，办结{figures['applications_completed']}件，"
                            f"其中同意公开{granted}件，其余均依法作出答复。"))
        else:
            parts.append(_p(f"{year}年，{unit}未收到政府信息公开申请。"))
        parts += [_p("四、政府信息公开的收费及减免情况", True),
                  _p(f"{year}年，{unit}在政府信息公开工作中未收取任何费用。"),
                  _p("五、因政府信息公开申请行政复议、提起行政诉讼的情况", True)]
        review, litigation = figures["review_total"], figures["litigation_total"]
        if review or litigation:
            parts.append(_p(f"{year}年，因政府信息公开申请行政复议{review}件，提起行政诉讼{litigation}件。"))
        else:
            parts.append(_p(f"{year}年，未发生因政府信息公开申请行政复议、提起行政诉讼的情况。"))
        parts += [_p("六、政府信息公开工作存在的主要问题及改进措施", True),
                  _p("一是公开内容的深度和广度有待加强；二是信息更新不够及时。下一步将加强培训，完善考核。")]
    else:
        assert report.active is not None and report.applications is not None and report.review is not None
        parts += [_p("一、总体情况", True),
                  _p(f"{year}年，{report.agency}坚持以公开为常态、不公开为例外，全年共主动公开政府信息"
                     f"{figures['active_total']}条，全年共收到政府信息公开申请{figures['applications_received']}件。"),
                  _p("（一）主动公开情况"),
                  _p("围绕重点领域信息公开，及时发布政策文件、财政预决算、重大建设项目等信息。"),
                  _p("（二）依申请公开情况"),
                  _p("规范依申请公开办理流程，严格按照法定时限答复。"),
                  _p("二、主动公开政府信息情况", True),
                  render_active_disclosure(report.active, report.format, style, change_style=report.change_style,
                                           amount_bare=report.amount_style == "bare"),
                  _p("三、收到和处理政府信息公开申请情况", True),
                  render_applications(report.applications, style),
                  _p("四、政府信息公开行政复议、行政诉讼情况", True),
                  render_review(report.review, style),
                  _p("五、存在的主要问题及改进情况", True),
                  _p("一是政策解读形式还不够丰富；二是基层政务公开标准化规范化水平有待提升。下一步将持续改进。"),
                  _p("六、其他需要报告的事项", True),
                  _p("本年度未收取信息处理费。" if report.format == "2021" else "无其他需要报告的事项。")]
    parts += [f'<p style="text-align:right;">{escape(report.agency)}</p>',
              f'<p style="text-align:right;">{report.publish_date.year}年{report.publish_date.month}月{report.publish_date.day}日</p>']
    parts += [_p(text) for text in report.corrections]
    return "\n".join(parts)


# ---------------------------------------------------------------- detail pages

def metadata_block(skin: Skin, report: Report) -> str:
    """The 信息公开 label block, in the skin's style (labels padded with odd spaces)."""
    index_no = report.index_no or ""
    date_text = report.publish_iso
    if skin.meta_style == "trs":
        return ('<table class="xxgk-table" width="100%"><tbody>'
                f'<tr><td class="t1">索 引 号</td><td>{escape(index_no)}</td><td class="t1">主题分类</td><td>{escape(report.topic)}</td></tr>'
                f'<tr><td class="t1">发布机构</td><td>{escape(report.publisher)}</td><td class="t1">发文日期</td><td>{date_text} 16:00:58</td></tr>'
                f'<tr><td class="t1">文\u00a0\u00a0号</td><td>{escape(report.doc_no or "")}</td><td></td><td></td></tr>'
                f'<tr><td class="t1">名\u00a0\u00a0称</td><td colspan="3">{escape(report.title)}</td></tr>'
                "</tbody></table>\n")
    if skin.meta_style == "gov":
        y, m, d = report.publish_date.year, report.publish_date.month, report.publish_date.day
        return ('<div class="zwxl-table"><table><tbody>'
                f'<tr><td><b>索\u3000引\u3000号：</b></td><td>{escape(index_no)}</td>'
                f'<td><b>主题分类：</b></td><td>{escape(report.topic)}</td></tr>'
                f'<tr><td><b>发布机构：</b></td><td>{escape(report.publisher)}</td>'
                f'<td><strong>成文日期：</strong></td><td>{y}年{m:02d}月{d:02d}日</td></tr>'
                f'<tr><td><b>标\u3000\u3000题：</b></td><td colspan="3">{escape(report.title)}</td></tr>'
                f'<tr><td><b>发文字号：</b></td><td>{escape(report.doc_no or "")}</td>'
                f'<td><b>发布日期：</b></td><td>{y}年{m:02d}月{d:02d}日</td></tr>'
                "</tbody></table></div>\n")
    if skin.meta_style == "pipe":
        return ('<div class="xxgk_info"><table><tbody>'
                f'<tr><td>索引号:{escape(index_no)}</td><td>体裁分类:政府信息公开年报</td><td>主题分类:{escape(report.topic)}</td></tr>'
                f'<tr><td>发文日期: {date_text}</td><td>发布机构:{escape(report.publisher)}</td><td>文号:</td></tr>'
                "</tbody></table></div>\n")
    if skin.meta_style == "gkmlpt":
        return ('<div class="introduce"><table class="table-introduce"><tbody>'
                f'<tr><th>索引号：</th><td>{escape(index_no)}</td><th>分类：</th><td>{escape(report.topic)}</td></tr>'
                f'<tr><th>发布机构：</th><td>{escape(report.publisher)}</td><th>成文日期：</th><td>{date_text}</td></tr>'
                f'<tr><th>名称：</th><td colspan="3">{escape(report.title)}</td></tr>'
                f'<tr><th>文号：</th><td></td><th>发布日期：</th><td>{date_text}</td></tr>'
                "</tbody></table></div>\n")
    return ""


def info_line(skin: Skin, report: Report, hits: int) -> str:
    if skin.info_style == "hanweb":
        return (f'<div class="info">发布时间：{report.publish_iso} 11:17　浏览次数：<span id="hits">{hits}</span>　'
                f'字体：[ <a href="javascript:doZoom(16)">大</a> <a href="javascript:doZoom(14)">中</a> '
                f'<a href="javascript:doZoom(12)">小</a> ]</div>\n')
    if skin.info_style == "plain":
        return f'<div class="info"><span>日期：{report.publish_iso}</span></div>\n'
    return (f'<div class="info">来源：{escape(report.publisher)}　　发布日期：{report.publish_iso}　　'
            f'点击数：<span id="hits">{hits}</span> 人次　【字号：<a href="javascript:void(0)">大</a> '
            f'<a href="javascript:void(0)">中</a> <a href="javascript:void(0)">小</a>】'
            f'【<a href="javascript:window.print()">打印</a>】【<a href="javascript:window.close()">关闭</a>】</div>\n')


def render_detail(skin: Skin, report: Report, *, url: str, column_name: str, trail: Sequence[tuple[str, str]],
                  seed_chrome: dict[str, object] | None = None) -> str:
    """A report detail page: site metas, breadcrumb, 信息公开 block, title, content container, chrome."""
    metas = [("ColumnName", column_name), ("ColumnType", column_name), ("ArticleTitle", report.title),
             ("PubDate", f"{report.publish_iso} 16:00"), ("ContentSource", report.publisher), ("Keywords", ""),
             ("Author", report.publisher), ("Description", report.title), ("Url", url)]
    hits = 100 + (sum(map(ord, report.key)) % 900)
    chrome = seed_chrome or {}
    crumb = breadcrumb(skin, trail)
    if chrome.get("breadcrumb"):
        crumb = f'<div class="crumb">{escape(str(chrome["breadcrumb"]))}</div>\n'
    info = info_line(skin, report, hits)
    if chrome.get("info_line"):
        info = f'<div class="info">{escape(str(chrome["info_line"]))}</div>\n'
    after = "".join(f"<span>{escape(line)}</span>" for line in chrome.get("after_content", []))  # type: ignore[union-attr]
    seed_footer = "".join(f"<p>{escape(line)}</p>" for line in chrome.get("footer_lines", []))  # type: ignore[union-attr]
    closing = "</" + skin.container.split()[0].lstrip("<") + ">"
    body = (crumb + '<div class="main w1200">\n' + metadata_block(skin, report) +
            f'<div class="article">\n<h1 class="title">{escape(report.title)}</h1>\n' + info +
            skin.container + "\n" + render_report_body(report, skin.table_style) + "\n" + closing + "\n"
            f'<div class="share">分享到：<a href="javascript:void(0)">微信</a> <a href="javascript:void(0)">微博</a>'
            f'<div class="ewm">扫一扫在手机打开当前页{after}</div></div>\n'
            '<div class="prev-next"><p>上一篇：<a href="javascript:void(0)">关于公布政务服务事项清单的通知</a></p>'
            '<p>下一篇：<a href="javascript:void(0)">没有了</a></p></div>\n'
            '</div>\n</div>\n' + (f'<div class="seed-footer">{seed_footer}</div>\n' if seed_footer else ""))
    return skin.convert(page(skin, f"{report.title}_{skin.site_name}", body, metas))


# ---------------------------------------------------------------- decoys and hubs

def render_decoy(skin: Skin, title: str, kind: str, *, url: str, column_name: str, publish_iso: str) -> str:
    """A non-report document that sits in the 年报 column (website report, 汇总, notice, 决算)."""
    if kind == "website_report":
        content = ('<table border="1"><tr><td colspan="2">政府网站基本信息</td></tr>'
                   f'<tr><td>网站名称</td><td>{skin.site_name}</td></tr><tr><td>网站标识码</td><td>{skin.site_id_code}</td></tr>'
                   '<tr><td>独立用户访问总量（单位：个）</td><td>182345</td></tr><tr><td>网站总访问量（单位：次）</td><td>1032456</td></tr>'
                   '<tr><td>信息发布总数（单位：条）</td><td>5321</td></tr></table>')
    elif kind == "summary":
        content = "".join(f'<p><a href="javascript:void(0)">{escape(name)}</a></p>' for name in
                          ("区政府办公室政府信息公开工作年度报告", "区发展改革委政府信息公开工作年度报告", "区教育局政府信息公开工作年度报告"))
        content = "<p>现将各单位政府信息公开工作年度报告汇总如下：</p>" + content
    elif kind == "final_accounts":
        content = ("<p>一、部门基本情况</p><p>二、部门决算表</p>"
                   '<table border="1"><tr><td>收入总计</td><td>3456.78</td></tr><tr><td>支出总计</td><td>3321.09</td></tr></table>')
    else:
        content = "<p>各有关单位：</p><p>为做好政务公开工作，现将有关事项通知如下。</p><p>特此通知。</p>"
    metas = [("ColumnName", column_name), ("ArticleTitle", title), ("PubDate", f"{publish_iso} 09:30"), ("Url", url)]
    body = (f'<div class="main w1200"><div class="article"><h1 class="title">{escape(title)}</h1>'
            f'<div class="info">发布日期：{publish_iso}</div>{skin.container}{content}</div></div></div>\n')
    return skin.convert(page(skin, f"{title}_{skin.site_name}", body, metas))


def render_hub(skin: Skin, title: str, links: Sequence[tuple[str, str]], trail: Sequence[tuple[str, str]] = ()) -> str:
    """A navigation page (政务公开 / 政府信息公开 / 信息公开目录, or any other nav column)."""
    items = "".join(f'<li><a href="{path}" target="_self">{escape(name)}</a></li>' for name, path in links)
    body = (breadcrumb(skin, trail or [(title, "#")]) +
            f'<div class="main w1200"><div class="left-menu"><h2>{escape(title)}</h2><ul>{items}</ul></div>'
            f'<div class="right-content"><div class="list-title">{escape(title)}</div>'
            f'<ul class="list"><li><a href="javascript:void(0)">暂无更多内容</a></li></ul></div></div>\n')
    return skin.convert(page(skin, f"{title}_{skin.site_name}", body, [("ColumnName", title)]))


def render_news_column(skin: Skin, title: str) -> str:
    """An ordinary nav column (新闻, 领导信息…): some items, no links into the 年报 column."""
    items = "".join(f'<li><a href="javascript:void(0)">{escape(title)}动态第{n}期</a><span>2024-0{n}-1{n}</span></li>'
                    for n in range(1, 6))
    body = (breadcrumb(skin, [(title, "#")]) +
            f'<div class="main w1200"><div class="list-title">{escape(title)}</div><ul class="list">{items}</ul></div>\n')
    return skin.convert(page(skin, f"{title}_{skin.site_name}", body, [("ColumnName", title)]))


def render_home(skin: Skin, extra_links: Sequence[tuple[str, str]] = ()) -> str:
    """A home page: banner, news, many non-report links, and the 政务公开 entry."""
    news = "".join(f'<li><a href="/xwzx/index.html">{escape(text)}</a><span>2024-03-0{i}</span></li>' for i, text in enumerate(
        ("召开全体会议研究部署重点工作", "开展安全生产大检查", "举行重大项目集中开工仪式", "召开优化营商环境推进会"), 1))
    services = "".join(f'<li><a href="/bsfw/index.html">{name}</a></li>' for name in
                       ("个人办事", "法人办事", "部门服务", "便民查询", "办件公示"))
    more = "".join(f'<li><a href="{path}">{escape(name)}</a></li>' for name, path in extra_links)
    body = ('<div class="banner"><img src="/images/banner.jpg" alt=""></div>\n<div class="main w1200">'
            f'<div class="news"><h2><a href="/xwzx/index.html">新闻中心</a></h2><ul>{news}</ul></div>'
            f'<div class="zwgk"><h2><a href="{skin.zwgk_path}">政务公开</a></h2><ul>'
            f'<li><a href="/zcwj/index.html">政策文件</a></li><li><a href="/ldxx/index.html">领导信息</a></li>{more}</ul></div>'
            f'<div class="bsfw"><h2><a href="/bsfw/index.html">办事服务</a></h2><ul>{services}</ul></div>'
            f'<div class="hdjl"><h2><a href="/hdjl/index.html">互动交流</a></h2><ul><li><a href="/hdjl/index.html">领导信箱</a></li>'
            f'<li><a href="/hdjl/index.html">在线访谈</a></li></ul></div></div>\n')
    return skin.convert(page(skin, skin.site_name, body, [("ColumnName", "首页")]))
