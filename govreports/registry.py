"""The site registry: which portals exist, and what is special about each.

Two data files. Both ship with the package (`govreports/registry_data/`, read through
importlib.resources so an installed package works from any directory); `GOVREPORTS_REGISTRY` and
`GOVREPORTS_SITES_FILE` name a user's own (`registry_files`):

- `portals.csv` (columns `adcode,name,level,province,home_url,annual_report_url,source`): one row
  per portal. `annual_report_url` is the 年报 column when known; empty means "discover it from the
  home page".
- `sites.toml`: per-site overrides, one table per site keyed by its id or slug::

      [sites."511803"]
      start_urls = ["http://www.gaoping.gov.cn/zwgk/zfxxgknbnew/"]
      adapter = "trs"            # force a CMS adapter instead of detecting it
      render = "never"           # auto | never | always
      attachment_hosts = ["files.example.gov.cn"]
      download_delay = 2.0
      concurrency = 1

Every site has `id` = its adcode (or its slug when the registry has no adcode) and `slug` = the home
host without `www.` and port; both select it. Loading never raises on bad data: each bad row or
override is reported in `RegistryLoad.errors` with its line number / key and skipped.
"""

from __future__ import annotations

import csv
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REGISTRY_COLUMNS: tuple[str, ...] = (
    "adcode", "name", "level", "province", "home_url", "annual_report_url", "source",
)
LEVELS: tuple[str, ...] = ("province", "prefecture", "county")
RENDER_MODES: tuple[str, ...] = ("auto", "never", "always")
_ADCODE = re.compile(r"\d{6}")
_HOST = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")
_OVERRIDE_KEYS = frozenset({
    "start_urls", "adapter", "selectors", "render", "allowed_domains", "attachment_hosts",
    "download_delay", "concurrency",
})


@dataclass(frozen=True, slots=True)
class Site:
    """One portal: registry row plus its sites.toml overrides."""

    id: str
    slug: str
    name: str
    level: str
    province: str
    adcode: str | None
    home_url: str
    annual_report_url: str | None = None
    source: str = ""
    start_urls: tuple[str, ...] = ()
    adapter: str | None = None
    selectors: dict[str, str] = field(default_factory=dict, hash=False)
    render: str = "auto"
    allowed_domains: tuple[str, ...] = ()
    attachment_hosts: tuple[str, ...] = ()
    download_delay: float | None = None
    concurrency: int | None = None

    @property
    def host(self) -> str:
        return urlsplit(self.home_url).hostname or ""

    def domains(self) -> tuple[str, ...]:
        """Hosts the crawl may visit for this site: home, column, start URLs, declared extras."""
        hosts: list[str] = []
        for url in (self.home_url, self.annual_report_url, *self.start_urls):
            if url:
                host = urlsplit(url).hostname
                if host:
                    hosts.append(host.removeprefix("www.") if not _is_ip(host) else host)
        hosts.extend(self.allowed_domains)
        hosts.extend(self.attachment_hosts)
        return tuple(dict.fromkeys(h.lower() for h in hosts if h))

    def info(self) -> dict[str, Any]:
        """The `site` object items carry: {id, name, adcode, province, level}."""
        return {
            "id": self.id, "name": self.name, "adcode": self.adcode,
            "province": self.province, "level": self.level,
        }


@dataclass(frozen=True, slots=True)
class RegistryLoad:
    """What loading produced: the good sites, and one message per thing that was skipped."""

    sites: tuple[Site, ...]
    errors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Selection:
    """Sites chosen by `select_sites`, plus the ids nobody recognised."""

    sites: tuple[Site, ...]
    unknown: tuple[str, ...] = ()

    def messages(self) -> list[str]:
        return [f"unknown site id {ident!r}: not an adcode or slug in the registry" for ident in self.unknown]


def _is_ip(host: str) -> bool:
    return bool(re.fullmatch(r"\d{1,3}(\.\d{1,3}){3}", host))


def slug_for(url: str) -> str:
    """The slug rule: the URL's host without `www.` and without port."""
    host = (urlsplit(url).hostname or "").lower()
    return host if _is_ip(host) else host.removeprefix("www.")


def check_url(value: str, what: str) -> str | None:
    """None when `value` is an absolute http(s) URL with a sane host, else why not."""
    if any(ch.isspace() for ch in value):
        return f"{what} contains whitespace: {value!r}"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as error:
        return f"{what} is not a URL ({error}): {value!r}"
    if parts.scheme not in ("http", "https"):
        return f"{what} must start with http:// or https://: {value!r}"
    host = parts.hostname or ""
    if not host or not _HOST.fullmatch(host):
        return f"{what} has no valid host: {value!r}"
    return None


def site_from_row(row: dict[str, str]) -> Site:
    """Build a Site from a registry row; ValueError says what is wrong."""
    missing = [column for column in REGISTRY_COLUMNS if row.get(column) is None]
    if missing:
        raise ValueError(f"missing columns: {', '.join(missing)}")
    if any(key not in REGISTRY_COLUMNS for key in row):
        raise ValueError(f"too many fields, {len(REGISTRY_COLUMNS)} expected (an unquoted comma?)")
    adcode = row["adcode"].strip()
    name = row["name"].strip()
    level = row["level"].strip()
    province = row["province"].strip()
    home_url = row["home_url"].strip()
    column_url = row["annual_report_url"].strip()
    if adcode and not _ADCODE.fullmatch(adcode):
        raise ValueError(f"adcode must be 6 digits: {adcode!r}")
    if not name:
        raise ValueError("name is empty")
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}: {level!r}")
    if not home_url:
        raise ValueError("home_url is empty")
    problem = check_url(home_url, "home_url") or (
        check_url(column_url, "annual_report_url") if column_url else None
    )
    if problem:
        raise ValueError(problem)
    slug = slug_for(home_url)
    return Site(
        id=adcode or slug, slug=slug, name=name, level=level, province=province,
        adcode=adcode or None, home_url=home_url, annual_report_url=column_url or None,
        source=row["source"].strip(),
    )


def _read_rows(path: Path, errors: list[str]) -> list[tuple[int, dict[str, str]]]:
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        errors.append(f"{path}: cannot read registry: {error}")
        return rows
    with handle:
        reader = csv.DictReader(handle, restkey="__extra__")
        header = tuple(reader.fieldnames or ())
        if header != REGISTRY_COLUMNS:
            errors.append(f"{path}:1: header must be {','.join(REGISTRY_COLUMNS)}, got {','.join(header)}")
            if not set(REGISTRY_COLUMNS) <= set(header):
                return rows
        try:
            for row in reader:
                if not any(isinstance(value, str) and value.strip() for value in row.values()):
                    continue  # blank line
                rows.append((reader.line_num, row))
        except (csv.Error, UnicodeDecodeError) as error:
            errors.append(f"{path}:{reader.line_num}: unreadable CSV ({error}); rest of file skipped")
    return rows


def _apply_overrides(site: Site, override: dict[str, Any]) -> Site:
    """A copy of `site` with its sites.toml table applied; ValueError on a bad value."""
    unknown = sorted(set(override) - _OVERRIDE_KEYS)
    if unknown:
        raise ValueError(f"unknown keys {', '.join(unknown)}")
    changes: dict[str, Any] = {}
    for key in ("start_urls", "allowed_domains", "attachment_hosts"):
        if key in override:
            value = override[key]
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"{key} must be a list of strings")
            if key == "start_urls":
                for url in value:
                    problem = check_url(url, "start_urls entry")
                    if problem:
                        raise ValueError(problem)
            changes[key] = tuple(v.strip().lower() if key != "start_urls" else v.strip() for v in value)
    if "adapter" in override:
        if not isinstance(override["adapter"], str):
            raise ValueError("adapter must be a string")
        changes["adapter"] = override["adapter"]
    if "selectors" in override:
        selectors = override["selectors"]
        if not isinstance(selectors, dict) or not all(isinstance(v, str) for v in selectors.values()):
            raise ValueError("selectors must be a table of strings")
        changes["selectors"] = dict(selectors)
    if "render" in override:
        if override["render"] not in RENDER_MODES:
            raise ValueError(f"render must be one of {', '.join(RENDER_MODES)}")
        changes["render"] = override["render"]
    if "download_delay" in override:
        delay = override["download_delay"]
        if isinstance(delay, bool) or not isinstance(delay, (int, float)) or delay < 0:
            raise ValueError("download_delay must be a number >= 0")
        changes["download_delay"] = float(delay)
    if "concurrency" in override:
        concurrency = override["concurrency"]
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
            raise ValueError("concurrency must be an integer >= 1")
        changes["concurrency"] = concurrency
    return replace(site, **changes)


def load_overrides(path: Path | None, errors: list[str]) -> dict[str, dict[str, Any]]:
    """The `[sites.<id>]` tables of sites.toml; a missing file means no overrides."""
    if path is None or not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        errors.append(f"{path}: cannot read site overrides: {error}")
        return {}
    sites = data.get("sites", {})
    if not isinstance(sites, dict):
        errors.append(f"{path}: [sites] must be a table of tables")
        return {}
    good: dict[str, dict[str, Any]] = {}
    for key, table in sites.items():
        if not isinstance(table, dict):
            errors.append(f"{path}: sites.{key} must be a table")
        else:
            good[str(key)] = table
    return good


def bundled_file(name: str) -> Path:
    """A file of the bundled registry (`portals.csv`, `sites.toml`) inside the installed package."""
    return Path(str(resources.files("govreports").joinpath("registry_data", name)))


def registry_files(registry: str | None, sites_file: str | None) -> tuple[Path, Path | None]:
    """The registry CSV and overrides file a crawl uses: the settings' paths, else the bundled files.

    The bundled overrides go only with the bundled registry: their keys name the bundled sites,
    and against a user's own registry each would be reported as unknown.
    """
    if registry:
        return Path(registry), Path(sites_file) if sites_file else None
    return bundled_file("portals.csv"), Path(sites_file) if sites_file else bundled_file("sites.toml")


def load_registry(portals_csv: Path | str, sites_toml: Path | str | None = None) -> RegistryLoad:
    """Read the registry and apply overrides; bad rows are reported (with line numbers) and skipped."""
    portals_csv = Path(portals_csv)
    errors: list[str] = []
    sites: list[Site] = []
    seen: dict[str, int] = {}
    for line, row in _read_rows(portals_csv, errors):
        try:
            site = site_from_row(row)
        except ValueError as error:
            errors.append(f"{portals_csv}:{line}: {error}; row skipped")
            continue
        clash = seen.get(site.id) or seen.get(site.slug)
        if clash:
            errors.append(f"{portals_csv}:{line}: id {site.id} / slug {site.slug} already on line {clash}; row skipped")
            continue
        seen[site.id] = seen[site.slug] = line
        sites.append(site)
    overrides = load_overrides(Path(sites_toml) if sites_toml else None, errors)
    if overrides:
        index = {key: i for i, site in enumerate(sites) for key in (site.id, site.slug)}
        for key, table in overrides.items():
            where = index.get(key)
            if where is None:
                errors.append(f"{sites_toml}: sites.{key}: no such site in the registry; override ignored")
                continue
            try:
                sites[where] = _apply_overrides(sites[where], table)
            except ValueError as error:
                errors.append(f"{sites_toml}: sites.{key}: {error}; override ignored")
    return RegistryLoad(sites=tuple(sites), errors=tuple(errors))


def adhoc_site(url: str) -> Site:
    """A site for `-a url=`: not in the registry, known only by the URL given."""
    slug = slug_for(url)
    parts = urlsplit(url)
    home = f"{parts.scheme}://{parts.netloc}/"
    return Site(
        id=slug, slug=slug, name=slug, level="", province="", adcode=None, home_url=home,
        start_urls=(url,), source="ad-hoc -a url",
    )


def select_sites(
    sites: Sequence[Site],
    ids: Iterable[str] | None = None,
    province: str | None = None,
    level: str | None = None,
) -> Selection:
    """Filter by ids (adcode or slug), province, level; unknown ids are reported, not fatal."""
    chosen: list[Site] = list(sites)
    unknown: list[str] = []
    if ids is not None:
        wanted = [ident.strip() for ident in ids if ident.strip()]
        index: dict[str, Site] = {}
        for site in sites:
            index.setdefault(site.id, site)
            index.setdefault(site.slug, site)
            index.setdefault(site.host, site)
        picked: dict[str, Site] = {}
        for ident in wanted:
            site = index.get(ident) or index.get(ident.lower().removeprefix("www."))
            if site is None:
                unknown.append(ident)
            else:
                picked.setdefault(site.id, site)
        chosen = list(picked.values())
    if province:
        chosen = [site for site in chosen if site.province == province or site.province.startswith(province)]
    if level:
        chosen = [site for site in chosen if site.level == level]
    return Selection(sites=tuple(chosen), unknown=tuple(unknown))
