"""Challenge pages are recognised (and recorded as blocked), ordinary pages are not."""

from __future__ import annotations

from govreports.listing.challenge import challenge_kind

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
