"""The spider's `-a` arguments → the sites of one run, with one clear line per bad argument.

Arguments: `sites=ID,ID` (adcode, slug or host), `province=四川省`, `level=county`, `url=…` (an
ad-hoc portal, home page or column, typed as people type addresses: `www.x.gov.cn`,
`x.gov.cn/zwgk/` or a full URL; a bare address is tried over http first, then https), `years=`
(`2019-2023`, `2021`, `2019-`, `-2020`), `full=1` (no early stop). No argument = the whole
registry (`GOVREPORTS_REGISTRY` + `GOVREPORTS_SITES_FILE`, else the bundled registry).

A bad value costs only its own effect and is named (logged as an error, listed in the run
summary's `argument_errors`): an unknown site id selects nothing for that id, a bad year range
means no year filter, a malformed URL selects nothing. When nothing at all is selected the run
says so and `scrapy crawl` exits with status 2 (govreports/commands/crawl.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from scrapy.settings import BaseSettings

from govreports.listing.candidates import parse_years
from govreports.registry import Site, adhoc_site, check_url, load_registry, registry_files, select_sites

logger = logging.getLogger(__name__)

ARGUMENT_NAMES: tuple[str, ...] = ("sites", "province", "level", "url", "years", "full")


@dataclass(frozen=True, slots=True)
class SiteSelection:
    """What one run crawls, and what was wrong with what it was asked."""

    sites: tuple[Site, ...] = ()
    arguments: dict[str, str] = field(default_factory=dict)  # the -a values as given (the cluster seed keeps them)
    years: tuple[int, int] | None = None
    full: bool = False
    adhoc: bool = False  # `-a url=`: one site not from the registry
    https_fallback: dict[str, str] = field(default_factory=dict)  # http start URL -> https twin (bare addresses)
    argument_errors: tuple[str, ...] = ()
    registry_errors: tuple[str, ...] = ()
    registry_sites: int = 0
    unknown_ids: int = 0

    @property
    def site_ids(self) -> tuple[str, ...]:
        return tuple(site.id for site in self.sites)


def url_argument(value: str) -> tuple[str, str | None] | str:
    """`-a url=` as typed → (URL to try first, https twin or None); a str is what is wrong."""
    text = value.strip()
    bare = "://" not in text
    url = f"http://{text.lstrip('/')}" if bare else text
    if bare and "/" not in urlsplit(url).path[:1]:
        url += "/"
    problem = check_url(url, f"-a url={value}")
    if problem is not None:
        return problem
    if "." not in (urlsplit(url).hostname or ""):
        return f"-a url={value} has no host name with a dot in it: {value!r}"
    return url, ("https://" + url.removeprefix("http://")) if bare else None


def select(settings: BaseSettings, arguments: dict[str, str]) -> SiteSelection:
    """The run's sites for these `-a` arguments (names in ARGUMENT_NAMES)."""
    given = {name: value for name, value in arguments.items() if value not in (None, "")}
    errors: list[str] = []
    years = None
    if given.get("years"):
        try:
            years = parse_years(given["years"])
        except ValueError as error:
            errors.append(f"-a years={given['years']}: {error}; the year filter is ignored, every year is harvested")
    arguments_given, full = given, str(given.get("full", "")).lower() in ("1", "true", "yes")
    if "url" in given:
        parsed = url_argument(given["url"])
        if isinstance(parsed, str):
            return _said(SiteSelection(arguments=arguments_given, years=years, full=full, adhoc=True,
                                       argument_errors=(*errors, parsed)))
        url, twin = parsed
        return _said(SiteSelection(sites=(adhoc_site(url),), arguments=arguments_given, years=years, full=full,
                                   adhoc=True, https_fallback={url: twin} if twin else {},
                                   argument_errors=tuple(errors)))
    load = load_registry(*registry_files(settings.get("GOVREPORTS_REGISTRY"), settings.get("GOVREPORTS_SITES_FILE")))
    for message in load.errors:
        logger.warning("registry: %s", message)
    ids = [part for part in given.get("sites", "").replace(";", ",").split(",") if part.strip()] or None
    chosen = select_sites(load.sites, ids=ids, province=given.get("province"), level=given.get("level"))
    errors.extend(f"-a sites: {message}" for message in chosen.messages())
    return _said(SiteSelection(sites=chosen.sites, arguments=arguments_given, years=years, full=full,
                               argument_errors=tuple(errors), registry_errors=load.errors,
                               registry_sites=len(load.sites), unknown_ids=len(chosen.unknown)))


def _said(selection: SiteSelection) -> SiteSelection:
    for message in selection.argument_errors:
        logger.error("%s", message)
    logger.info("%d site(s) selected", len(selection.sites))
    if not selection.sites:
        asked = " ".join(f"{name}={value}" for name, value in selection.arguments.items()) or "the whole registry"
        logger.error("no site selected (%s): nothing to crawl", asked)
    return selection


def slot_of(site: Site) -> str:
    """One download slot per site (not per host): politeness and per-site delays follow the site."""
    return f"site:{site.id}"


def apply_download_slots(settings: BaseSettings, sites: tuple[Site, ...]) -> None:
    """Give the sites with their own delay or concurrency (sites.toml) their DOWNLOAD_SLOTS entry.
    The spider calls it from `from_crawler`, before the crawler freezes its settings."""
    slots = download_slots(sites)
    if slots and not settings.frozen:
        settings.set("DOWNLOAD_SLOTS", {**settings.getdict("DOWNLOAD_SLOTS"), **slots}, priority="spider")
    elif slots:
        logger.warning("settings already frozen: per-site download_delay/concurrency not applied")


def download_slots(sites: tuple[Site, ...]) -> dict[str, dict[str, float | int]]:
    """DOWNLOAD_SLOTS entries for the sites with their own delay or concurrency (sites.toml)."""
    slots: dict[str, dict[str, float | int]] = {}
    for site in sites:
        slot: dict[str, float | int] = {}
        if site.download_delay is not None:
            slot["delay"] = site.download_delay
        if site.concurrency is not None:
            slot["concurrency"] = site.concurrency
        if slot:
            slots[slot_of(site)] = slot
    return slots
