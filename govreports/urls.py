"""Canonical URLs: one spelling per page, so a report is fetched once per run and known across runs.

Government portals publish the same page under many spellings: `http` and `https`, with and
without `:80`, `/col/col91477/` and `/col/col91477/index.html`, a mobile twin
`t20240327_13086081_wap.html`, a `;jsessionid=…` path parameter, cache-busting `?_t=…` or
`utm_*` tracking queries, fragments. `canonical_url` folds all of those to one string; it is used
for request fingerprints (`CanonicalRequestFingerprinter`, set as `REQUEST_FINGERPRINTER_CLASS`)
and for the state store's `known_urls` lookups (early stop on already-known list pages).

The canonical form is a key, not an address to fetch: requests keep their original URL.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

CANONICAL_SCHEME = "http"
_DEFAULT_PORTS = {"http": 80, "https": 443}
# `index.html` & co. are what a directory URL serves on these CMSs (TRS, Hanweb, Beijing's list.shtml is
# a real page and is kept)
_DIRECTORY_INDEX = re.compile(r"/index\.(?:html?|shtml|jsp|php|aspx?)$", re.IGNORECASE)
# mobile twins of TRS/Hanweb detail pages: t20240327_13086081_wap.html, art_123_456_wap.html
_WAP_TWIN = re.compile(r"_wap(\.(?:html?|shtml))$", re.IGNORECASE)
_PATH_SESSION = re.compile(r";(?:jsessionid|phpsessid|sid)=[^/?#]*", re.IGNORECASE)
_TRACKING_PREFIXES = ("utm_",)
_TRACKING_PARAMS = frozenset(
    {
        "jsessionid",
        "phpsessid",
        "aspsessionid",
        "sessionid",
        "_",  # jQuery cache buster
        "_t",
        "_ts",
        "_timestamp",
        "timestamp",
        "spm",
        "random",
        "rnd",
        "fbclid",
        "gclid",
    }
)


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in _TRACKING_PARAMS or lowered.startswith(_TRACKING_PREFIXES)


@functools.lru_cache(maxsize=4096)
def canonical_url(url: str) -> str:
    """The one spelling of `url` used as a dedup key (never as an address to fetch).

    Kept for the last few thousand URLs: a report's URL is asked for by the spider, the request
    fingerprint, the archive and the state store (~50 µs each time, w3lib's canonicalize_url most).

    Folds scheme to http, lower-cases the host, drops default ports, `index.html`-style directory
    indexes, `_wap` mobile twins, `;jsessionid=` path parameters, tracking/cache-busting query
    parameters and the fragment; sorts the remaining query. Non-HTTP URLs (file:, data:) are only
    stripped of their fragment.
    """
    url = url.strip()
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))
    host = (parts.hostname or "").rstrip(".")
    try:
        port = parts.port
    except ValueError:  # a malformed port is kept verbatim rather than guessed at
        port = None
        host = parts.netloc.rsplit("@", 1)[-1].lower()
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = _PATH_SESSION.sub("", parts.path) or "/"
    path = _DIRECTORY_INDEX.sub("/", path)
    path = _WAP_TWIN.sub(r"\1", path)
    # filter on the raw `name=value` pairs: decoding them would garble GBK-escaped values
    query = "&".join(
        pair
        for pair in parts.query.split("&")
        if pair and not _is_tracking(unquote(pair.split("=", 1)[0]))
    )
    rebuilt = urlunsplit((CANONICAL_SCHEME, netloc, path, query, ""))
    # w3lib sorts the query and normalises percent-encoding (UTF-8 for non-ASCII paths)
    return canonicalize_url(rebuilt, keep_blank_values=True)


def visit_key(url: str) -> str:
    """The canonical URL, plus gkmlpt's category fragment (the one fragment that matters): what
    the spider remembers of the discovery and list pages it asked for."""
    fragment = urlsplit(url).fragment
    return canonical_url(url) + (f"#{fragment}" if fragment.isdigit() else "")


def is_site_root(url: str) -> bool:
    """Is `url` a host's root page (`/`, `/index.html`, `/index.shtml`, `/index.jsp` …)?"""
    path = urlsplit(url).path or "/"
    return _DIRECTORY_INDEX.sub("/", path) == "/"


def url_fingerprint(method: str, url: str, body: bytes = b"") -> bytes:
    """SHA1 over method, canonical URL and body: POST form bodies (Hanweb dataproxy) stay distinct."""
    payload = json.dumps(
        [method.upper(), canonical_url(url), hashlib.sha1(body).hexdigest()],
        separators=(",", ":"),
    )
    return hashlib.sha1(payload.encode("utf-8")).digest()


class CanonicalRequestFingerprinter:
    """Request fingerprinter (`REQUEST_FINGERPRINTER_CLASS`) keyed by `canonical_url`.

    Like Scrapy's default it covers method, URL and body and honours `meta["verbatim_url"]`
    (then the raw URL is used); unlike it, URL spellings of one page share a fingerprint, so the
    dupefilter and HTTP cache fetch a report once per run. Headers are not part of it.
    """

    def __init__(self, crawler: Crawler | None = None) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CanonicalRequestFingerprinter:
        return cls(crawler)

    def fingerprint(self, request: Request) -> bytes:
        if request.meta.get("verbatim_url"):
            payload = json.dumps(
                [request.method.upper(), request.url, hashlib.sha1(request.body).hexdigest()],
                separators=(",", ":"),
            )
            return hashlib.sha1(payload.encode("utf-8")).digest()
        return url_fingerprint(request.method, request.url, request.body)
