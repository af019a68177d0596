"""`-a` arguments as people type them (govreports/selection.py)."""

from __future__ import annotations

import pytest
from scrapy.settings import Settings

from govreports.defaults import DEFAULTS
from govreports.selection import select, url_argument


@pytest.mark.parametrize(("typed", "first", "twin"), [
    ("www.x.gov.cn", "http://www.x.gov.cn/", "https://www.x.gov.cn/"),
    ("x.gov.cn/zwgk/", "http://x.gov.cn/zwgk/", "https://x.gov.cn/zwgk/"),
    ("  x.gov.cn/zwgk/zfxxgknb/index.html ", "http://x.gov.cn/zwgk/zfxxgknb/index.html",
     "https://x.gov.cn/zwgk/zfxxgknb/index.html"),
    ("127.0.0.10:8081/nb/", "http://127.0.0.10:8081/nb/", "https://127.0.0.10:8081/nb/"),
    ("https://www.x.gov.cn/", "https://www.x.gov.cn/", None),  # a scheme given is kept, no guessing
    ("http://www.x.gov.cn/zwgk/", "http://www.x.gov.cn/zwgk/", None),
])
def test_an_address_is_taken_as_typed(typed: str, first: str, twin: str | None) -> None:
    assert url_argument(typed) == (first, twin)


@pytest.mark.parametrize(("typed", "said"), [
    ("ftp://x.gov.cn/", "must start with http:// or https://"),
    ("http//x.gov.cn", "has no host name with a dot"),
    ("www x.gov.cn", "contains whitespace"),
    ("x.gov.cn:99999/", "is not a URL"),
])
def test_a_malformed_address_is_named(typed: str, said: str) -> None:
    problem = url_argument(typed)
    assert isinstance(problem, str) and problem.startswith(f"-a url={typed}") and said in problem


def test_a_bare_address_selects_one_site_with_its_https_twin() -> None:
    selection = select(Settings(dict(DEFAULTS)), {"url": "www.x.gov.cn/zwgk/"})
    (site,) = selection.sites
    assert site.id == "x.gov.cn" and site.start_urls == ("http://www.x.gov.cn/zwgk/",)
    assert selection.https_fallback == {"http://www.x.gov.cn/zwgk/": "https://www.x.gov.cn/zwgk/"}


def test_a_malformed_address_selects_nothing_and_says_why() -> None:
    selection = select(Settings(dict(DEFAULTS)), {"url": "ftp://x.gov.cn/", "years": "2019-2023"})
    assert selection.sites == () and selection.years == (2019, 2023)
    assert selection.argument_errors == ("-a url=ftp://x.gov.cn/ must start with http:// or https://: "
                                         "'ftp://x.gov.cn/'",)
