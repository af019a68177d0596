"""The rendering switch and its small parts, without a browser: which settings the add-on writes in
each mode, what the middleware asks scrapy-playwright for, what the browser may skip, how the
browser's cookies reach Scrapy's jar, and which challenges are worth one try in the browser."""

from __future__ import annotations

import logging
from pathlib import Path
from types import SimpleNamespace

import pytest
import pytest_twisted
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, Request
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from govreports import settings as project_settings
from govreports.listing.challenge import challenge_kind
from govreports.render import (
    Navigation,
    PageWatch,
    RenderAddon,
    RenderMiddleware,
    abort_heavy_resources,
    browser_may_pass,
    escalated,
    is_rendered,
    merge_cookie_headers,
)

CHROMIUM = Path("/usr/bin/chromium")


def addon_settings(**values: object) -> Settings:
    settings = Settings()
    settings.setmodule(project_settings, priority="project")
    for name, value in values.items():
        settings.set(name, value, priority="cmdline")
    RenderAddon().update_settings(settings)
    return settings


# --- the add-on ------------------------------------------------------------------------------
def test_never_keeps_plain_http_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="govreports.render"):
        settings = addon_settings(GOVREPORTS_RENDER="never")
    assert settings.getbool("GOVREPORTS_RENDER_ACTIVE") is False
    assert settings.get("GOVREPORTS_RENDER_OFF_REASON") == "GOVREPORTS_RENDER=never"
    assert "http" not in settings.getdict("DOWNLOAD_HANDLERS")
    assert [r.message for r in caplog.records if "rendering off" in r.message]


def test_auto_without_chromium_degrades_to_never_with_one_log_line(tmp_path: Path,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    missing = tmp_path / "no-such-chromium"
    with caplog.at_level(logging.INFO, logger="govreports.render"):
        settings = addon_settings(GOVREPORTS_RENDER="auto", GOVREPORTS_CHROMIUM=str(missing))
    assert settings.getbool("GOVREPORTS_RENDER_ACTIVE") is False
    assert f"no Chromium at {missing}" in settings.get("GOVREPORTS_RENDER_OFF_REASON")
    assert "http" not in settings.getdict("DOWNLOAD_HANDLERS")
    lines = [r for r in caplog.records if r.name == "govreports.render"]
    assert len(lines) == 1 and lines[0].levelno == logging.WARNING
    assert "rendering off" in lines[0].message and str(missing) in lines[0].message


def test_a_file_that_cannot_run_is_no_browser(tmp_path: Path) -> None:
    not_executable = tmp_path / "chromium"
    not_executable.write_text("#!/bin/sh\n")
    settings = addon_settings(GOVREPORTS_CHROMIUM=str(not_executable))
    assert settings.getbool("GOVREPORTS_RENDER_ACTIVE") is False
    assert "not executable" in settings.get("GOVREPORTS_RENDER_OFF_REASON")


def test_an_unknown_mode_is_refused_not_guessed(caplog: pytest.LogCaptureFixture) -> None:
    settings = addon_settings(GOVREPORTS_RENDER="sometimes")
    assert settings.getbool("GOVREPORTS_RENDER_ACTIVE") is False
    assert any(r.levelno == logging.ERROR for r in caplog.records)


def test_auto_with_a_browser_installs_the_lazy_playwright_path(tmp_path: Path) -> None:
    fake_chromium = tmp_path / "chromium"
    fake_chromium.write_text("#!/bin/sh\n")
    fake_chromium.chmod(0o755)
    settings = addon_settings(GOVREPORTS_RENDER="auto", GOVREPORTS_CHROMIUM=str(fake_chromium))
    assert settings.getbool("GOVREPORTS_RENDER_ACTIVE") is True
    handlers = settings.getdict("DOWNLOAD_HANDLERS")
    assert handlers["http"] == handlers["https"] == "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
    launch = settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")
    assert launch["executable_path"] == str(fake_chromium) and launch["headless"] is True
    assert {"--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"} <= set(launch["args"])
    assert settings.get("PLAYWRIGHT_BROWSER_PROVIDER") == "govreports.render.LazyBrowserProvider"
    assert settings.getint("PLAYWRIGHT_MAX_CONTEXTS") == 1
    assert settings.getint("PLAYWRIGHT_MAX_PAGES_PER_CONTEXT") == 2
    assert settings.get("PLAYWRIGHT_ABORT_REQUEST") == "govreports.render.abort_heavy_resources"
    middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
    # after the cookie middleware (700) on the way in, before it on the way out (cookies carried over)
    assert any(str(key).endswith("RenderMiddleware") and value > 700 for key, value in middlewares.items())
    # the project's own middlewares are kept
    assert middlewares.get("govreports.middlewares.BackoffRetryMiddleware") == 550


@pytest_twisted.ensureDeferred
async def test_the_lazy_provider_is_importable_by_name_and_starts_nothing() -> None:
    from scrapy.utils.misc import load_object
    from scrapy_playwright.provider import PlaywrightBrowserProvider

    provider_class = load_object("govreports.render.LazyBrowserProvider")
    assert issubclass(provider_class, PlaywrightBrowserProvider)
    provider = provider_class(SimpleNamespace(launch_options={}, browser_type_name="chromium"))
    await provider.start()  # what the handler does when the engine starts: no Playwright driver yet
    assert provider.playwright is None and not provider._started


# --- the middleware --------------------------------------------------------------------------
def active_crawler(tmp_path: Path):  # type: ignore[no-untyped-def]
    fake_chromium = tmp_path / "chromium"
    fake_chromium.write_text("#!/bin/sh\n")
    fake_chromium.chmod(0o755)
    return get_crawler(settings_dict={"GOVREPORTS_RENDER_ACTIVE": True, "GOVREPORTS_RENDER_SETTLE": 4})


def test_the_middleware_exists_only_when_rendering_is_on() -> None:
    with pytest.raises(NotConfigured, match="no Chromium"):
        RenderMiddleware.from_crawler(get_crawler(settings_dict={
            "GOVREPORTS_RENDER_ACTIVE": False, "GOVREPORTS_RENDER_OFF_REASON": "no Chromium at /nowhere"}))


def test_plain_and_auto_requests_stay_plain_http(tmp_path: Path) -> None:
    middleware = RenderMiddleware.from_crawler(active_crawler(tmp_path))
    for meta in ({}, {"govreports_render": "auto"}, {"govreports_render": "always", "govreports_kind": "attachment"}):
        request = Request("http://127.0.0.1/a.html", meta=dict(meta))
        middleware.process_request(request)
        assert "playwright" not in request.meta, meta


def test_always_and_escalated_requests_go_through_the_browser_and_wait_for_the_page_to_settle(tmp_path: Path) -> None:
    crawler = active_crawler(tmp_path)
    middleware = RenderMiddleware.from_crawler(crawler)
    plain = Request("http://127.0.0.1/col/index.html", meta={"govreports_render": "auto", "download_slot": "site:1"})
    for request in (Request("http://127.0.0.1/a.html", meta={"govreports_render": "always"}),
                    escalated(plain, "list page with scripts but no report links")):
        middleware.process_request(request)
        assert request.meta["playwright"] is True
        assert request.meta["playwright_page_goto_kwargs"]["wait_until"] == "commit"
        (method,) = request.meta["playwright_page_methods"]
        watch = request.meta["govreports_render_watch"]
        assert method.method == watch.settle and watch.settle_seconds == 4
    assert crawler.stats.get_value("govreports/render/requests") == 2


def test_an_escalated_request_is_the_same_request_in_the_same_slot() -> None:
    original = Request("http://127.0.0.1/col/index.html", callback=print, cb_kwargs={"site_id": "1"},
                       meta={"download_slot": "site:1", "govreports_kind": "column", "retry_times": 2})
    retry = escalated(original, "jiasule challenge (HTTP 521)")
    assert retry.url == original.url and retry.callback is print and retry.cb_kwargs == {"site_id": "1"}
    assert retry.dont_filter and is_rendered(retry) and not is_rendered(original)
    assert retry.meta["download_slot"] == "site:1"  # same politeness as the site's plain requests
    assert retry.meta["govreports_render_reason"] == "jiasule challenge (HTTP 521)"
    assert "retry_times" not in retry.meta


def rendered_response(request: Request, status: int, body: str, content_type: str = "text/html") -> HtmlResponse:
    return HtmlResponse(request.url, status=status, body=body.encode("utf-8"), encoding="utf-8",
                        headers={"Content-Type": content_type}, request=request, flags=["playwright"])


def test_a_passed_challenge_answers_with_the_final_document_and_hands_its_cookies_to_scrapy(tmp_path: Path) -> None:
    crawler = active_crawler(tmp_path)
    middleware = RenderMiddleware.from_crawler(crawler)
    request = escalated(Request("http://127.0.0.17/zwgk/index.html"), "jiasule challenge (HTTP 521)")
    middleware.process_request(request)
    watch: PageWatch = request.meta["govreports_render_watch"]
    watch.navigations += [Navigation(request.url, 521, "text/html"), Navigation(request.url, 200, "text/html")]
    watch.settled = True
    watch.cookies = [{"name": "__jsl_clearance_s", "value": "1732147200.417|0|x", "path": "/", "httpOnly": False},
                     {"name": "__jsluid_s", "value": "6f1c", "path": "/", "httpOnly": True}]
    response = middleware.process_response(request, rendered_response(request, 521, "<html>年报</html>"))
    assert response.status == 200
    assert response.headers.getlist("Set-Cookie") == [b"__jsl_clearance_s=1732147200.417|0|x; Path=/",
                                                      b"__jsluid_s=6f1c; Path=/; HttpOnly"]
    assert response.headers["Content-Type"] == b"text/html; charset=utf-8"
    assert "govreports_render_watch" not in request.meta and "playwright_page_methods" not in request.meta
    assert crawler.stats.get_value("govreports/render/challenge_passed") == 1


def test_a_challenge_still_shown_keeps_its_status(tmp_path: Path) -> None:
    middleware = RenderMiddleware.from_crawler(active_crawler(tmp_path))
    request = escalated(Request("http://127.0.0.18/"), "ruishu challenge (HTTP 412)")
    middleware.process_request(request)
    watch: PageWatch = request.meta["govreports_render_watch"]
    watch.navigations += [Navigation(request.url, 412, "text/html")] * 3
    response = middleware.process_response(request, rendered_response(request, 412, "<html>$_ts</html>"))
    assert response.status == 412


def test_json_shown_by_the_browser_comes_back_as_the_bytes_the_server_sent(tmp_path: Path) -> None:
    middleware = RenderMiddleware.from_crawler(active_crawler(tmp_path))
    request = Request("http://127.0.0.1/api/list.json", meta={"govreports_render": "always"})
    middleware.process_request(request)
    watch: PageWatch = request.meta["govreports_render_watch"]
    watch.navigations.append(Navigation(request.url, 200, "application/json;charset=UTF-8"))
    watch.raw_body = b'{"list": []}'
    response = middleware.process_response(request, rendered_response(request, 200, "<html><pre>{}</pre></html>"))
    assert response.body == b'{"list": []}'
    assert response.headers["Content-Type"] == b"application/json;charset=UTF-8"


# --- small parts ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("resource_type", "url", "aborted"), [
    ("image", "http://x/logo.png", True), ("font", "http://x/f.woff2", True), ("media", "http://x/v.mp4", True),
    ("other", "http://x/banner.JPG?v=2", True), ("document", "http://x/index.html", False),
    ("script", "http://x/js/list.js", False), ("xhr", "http://x/api/list.json", False),
    ("fetch", "http://x/api/list.json", False), ("stylesheet", "http://x/style.css", False),
])
def test_the_browser_skips_images_fonts_and_media_only(resource_type: str, url: str, aborted: bool) -> None:
    assert abort_heavy_resources(SimpleNamespace(resource_type=resource_type, url=url)) is aborted


def test_the_cookie_a_challenge_script_set_wins_over_the_jar() -> None:
    assert merge_cookie_headers("__jsluid_s=1; a=old", "a=new; __jsl_clearance_s=2") == \
        "__jsluid_s=1; a=new; __jsl_clearance_s=2"
    assert merge_cookie_headers("", "") == ""


@pytest.mark.parametrize(("status", "body", "worth_a_browser"), [
    (412, b"<meta id='x' content='y' r='m'><script>$_ts=window['$_ts'];</script>", True),   # 瑞数
    (200, b"<script>$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=1;</script>", True),      # 瑞数 as 200
    (521, b"<script>document.cookie='__jsluid_s=1';location.reload()</script>", True),      # 加速乐
    (412, b"Precondition Failed", True),                                                     # a bare 412 stub
    (403, "<h1>访问被拦截</h1>创宇盾".encode(), False),                                      # a WAF block page
    (403, b"Forbidden", False),
    (200, "<html><body><a href='/a.html'>2023年报告</a></body></html>".encode(), False),
])
def test_only_script_challenges_are_worth_a_browser(status: int, body: bytes, worth_a_browser: bool) -> None:
    assert browser_may_pass(challenge_kind(status, body), status) is worth_a_browser
