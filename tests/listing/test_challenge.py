"""Challenge pages are recognised (and recorded as blocked), ordinary pages are not."""

from __future__ import annotations

from govreports.listing.challenge import challenge_kind, script_builds_list

RUISHU = (b'<html><head><meta id="9DhefwqGPrzGxEp9hPaoag" content="abc" r="m"><script>$_ts=window[\'$_ts\'];'
          b'if(!$_ts)$_ts={};$_ts.nsd=12345;$_ts.cd="qqqq";</script><script src="/X9f/c.js" r="m"></script></head></html>')
JIASULE = b"<script>document.cookie='__jsluid_s=3c1e; max-age=3600; path=/';location.reload();</script>"


def test_ruishu_challenge_with_412_or_200():
    assert challenge_kind(412, RUISHU) == "ruishu"
    assert challenge_kind(200, RUISHU) == "ruishu"


def test_jiasule_cookie_reload_page():
    assert challenge_kind(521, JIASULE) == "jiasule"
    assert challenge_kind(200, JIASULE) == "jiasule"


def test_waf_block_page_and_bare_403():
    assert challenge_kind(403, "<html>您的访问已被拦截，请联系管理员</html>".encode()) == "waf"
    assert challenge_kind(403, b"<html>Forbidden</html>") == "forbidden"


def test_ordinary_pages_and_errors_are_not_challenges():
    assert challenge_kind(200, "<html><body>政府信息公开年报</body></html>".encode()) is None
    assert challenge_kind(404, b"<html>404 Not Found</html>") is None
    assert challenge_kind(500, b"Internal Server Error") is None


def test_a_list_built_by_a_fetching_script_calls_for_the_browser() -> None:
    page = """<ul id="report-list"></ul><script>
    fetch('/api/list.json').then(r => r.json()).then(d => d.list.forEach(it => {
      var li = document.createElement('li'); document.getElementById('report-list').appendChild(li); }));
    </script>"""
    assert script_builds_list(page)
    assert script_builds_list("<script>$.getJSON('/col/list', function (d) { render(d) })</script>")


def test_an_empty_sub_column_with_only_menu_and_analytics_scripts_does_not() -> None:
    page = """<div class="nav"></div><script src="/js/jquery.min.js"></script>
    <script>var _hmt = _hmt || []; $(function () { $('.nav li').hover(function () {}); });</script>
    <script type="text/javascript">document.getElementById('year').className = 'on';</script>
    <p>暂无信息</p>"""
    assert not script_builds_list(page)


def test_markers_are_recognised_in_any_case_and_only_on_small_pages():
    assert challenge_kind(200, b"<META Content='x' R='M'><SCRIPT>$_TS = WINDOW['$_ts']</SCRIPT>") == "ruishu"
    assert challenge_kind(200, b"<script>Document.Cookie='a=1';\nLocation.Reload()</script>") == "jiasule"
    assert challenge_kind(200, b"<script>var __JSLUID_S='1'</script>") == "jiasule"
    assert challenge_kind(200, b"<script>$_ts=window['$_ts']</script>" + b" " * 50000) is None
    assert challenge_kind(200, b"__jsluid" + b" " * 20000) is None
