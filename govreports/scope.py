"""Crawl scope: which URLs a site's crawl may fetch, and why any other is refused.

Pure rules (no Scrapy): the middlewares in `govreports/middlewares.py` apply them to every request
and every redirect. A site's crawl may fetch

- http(s) URLs only (`file:`, `ftp:`, `javascript:`, `data:` … are never fetched: reason `scheme`);
- on the site's own domains from the registry (home, column, start URLs, `allowed_domains`) and
  its registered `attachment_hosts`, subdomains included (`xxgk.gaoping.gov.cn` is inside
  `gaoping.gov.cn`); any other host is `offsite`;
- an IP-literal host only when the registry itself names that address (some real portals live on
  a bare IP), on the registry's port or 80/443; any other IP literal is `ip_literal`, or
  `private_address` when it is loopback, private, link-local, reserved, multicast or unspecified
  (a portal steering the crawler into the operator's own network);
- a host name that resolves to such an address only when it lies in `allowed_private_nets`
  (GOVREPORTS_ALLOWED_PRIVATE_NETS, empty by default; the tests allow 127.0.0.0/8): reason
  `private_address`;
- on a *disclosure platform* outside the site's domains (a county's 信息公开 platform hosted by
  its city, province or a vendor) only under the path prefix the portal's own home page or hub
  linked as its 政务公开/信息公开 entry (`SiteScope.with_platform`); the platform's other paths are
  refused as `platform_path` (another county's pages on the same platform).

Domains are judged by the public suffix list (tldextract with its bundled snapshot, never fetched):
`gov.cn` is a suffix, so a site on `www.gov.cn` is that host only, never every `*.gov.cn`, and
`www.` is dropped from a site's host only when what is left is not itself a suffix.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import tldextract

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

FETCHABLE_SCHEMES = frozenset({"http", "https"})
DEFAULT_PORTS = {"http": 80, "https": 443}
# every reason a URL can be refused, for stats keys `govreports/scope/refused/<reason>`
REFUSAL_REASONS = ("scheme", "no_host", "offsite", "ip_literal", "private_address", "port", "platform_path")
# the public suffix list as bundled with tldextract: no download at run time (suffix_list_urls=())
_SUFFIXES = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@functools.lru_cache(maxsize=4096)
def is_public_suffix(host: str) -> bool:
    """True when `host` is itself a public suffix (`gov.cn`, `com.cn`, `cn`): nobody's domain."""
    host = host.lower().strip(".")
    if not host or ip_literal(host) is not None:
        return False
    return not _SUFFIXES(host).domain


def registrable_domain(host: str) -> str:
    """The domain a registrant holds (`hd.gov.cn` for `xxgk.hd.gov.cn`); the host itself for IPs."""
    host = host.lower().strip(".")
    if ip_literal(host) is not None:
        return host
    parts = _SUFFIXES(host)
    return f"{parts.domain}.{parts.suffix}" if parts.domain and parts.suffix else host


@functools.lru_cache(maxsize=4096)
def site_domain(host: str) -> str:
    """A site's scope domain: its host without `www.`, unless that would leave a public suffix."""
    host = host.lower().strip(".")
    bare = host.removeprefix("www.")
    return bare if bare != host and not is_public_suffix(bare) else host


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a URL is out of scope: `reason` (one of REFUSAL_REASONS) and a sentence for the log."""

    reason: str
    detail: str


@dataclass(frozen=True, slots=True)
class SiteScope:
    """What one site's crawl may reach.

    `domains`: host names (lower case, no `www.` needed: subdomains are inside);
    `addresses`: IP literals the registry names, each with the ports it names.
    """

    domains: frozenset[str] = frozenset()
    addresses: dict[str, frozenset[int]] = field(default_factory=dict, hash=False)
    platforms: frozenset[tuple[str, str]] = frozenset()  # (host, path prefix) of disclosure platforms

    @classmethod
    def from_urls_and_hosts(cls, urls: Iterable[str | None], hosts: Iterable[str] = ()) -> SiteScope:
        """The scope of a registry entry: the hosts of its URLs plus declared extra hosts."""
        domains: set[str] = set()
        addresses: dict[str, set[int]] = {}
        for url in urls:
            if not url:
                continue
            parts = urlsplit(url)
            host = (parts.hostname or "").lower()
            if not host:
                continue
            if ip_literal(host) is not None:
                port = _port(parts.port, parts.scheme)
                addresses.setdefault(host, set()).add(port)
            else:
                domains.add(site_domain(host))
        for host in hosts:
            host = host.strip().lower()
            if not host:
                continue
            if ip_literal(host) is not None:
                addresses.setdefault(host, set()).update(DEFAULT_PORTS.values())
            else:
                domains.add(site_domain(host))
        return cls(frozenset(domains), {host: frozenset(ports) for host, ports in addresses.items()})

    def union(self, other: SiteScope) -> SiteScope:
        addresses = dict(self.addresses)
        for host, ports in other.addresses.items():
            addresses[host] = addresses.get(host, frozenset()) | ports
        return SiteScope(self.domains | other.domains, addresses, self.platforms | other.platforms)

    def with_platform(self, host: str, prefix: str) -> SiteScope:
        """This scope plus the paths under `prefix` on `host` (a disclosure platform)."""
        entry = (host.lower().strip("."), prefix if prefix.endswith("/") else prefix + "/")
        return SiteScope(self.domains, self.addresses, self.platforms | {entry})

    def platform_refusal(self, host: str, path: str) -> Refusal | None:
        """None when `path` on platform `host` belongs to the site; a `platform_path` refusal when the
        host is one of its platforms but the path is another's; `offsite` when it is no platform."""
        prefixes = sorted(prefix for platform, prefix in self.platforms if platform == host)
        if not prefixes:
            return Refusal("offsite", f"{host} is not one of the site's domains ({self.describe()})")
        if path == "/robots.txt" or any(path.startswith(prefix) for prefix in prefixes):
            return None
        return Refusal("platform_path", f"{host}{path} is outside the site's part of that disclosure platform "
                                        f"({', '.join(host + prefix for prefix in prefixes)})")

    def owns(self, url: str) -> bool:
        """True when `url` is on the site's own domains or addresses (its platforms excluded)."""
        host = (urlsplit(url).hostname or "").lower()
        return bool(host) and (host_in_domains(host, self.domains) or host in self.addresses)

    def describe(self) -> str:
        hosts = sorted(self.domains) + sorted(self.addresses) + sorted(host + prefix for host, prefix in self.platforms)
        return ", ".join(hosts) or "nothing"


def _port(port: int | None, scheme: str) -> int:
    return port if port is not None else DEFAULT_PORTS.get(scheme.lower(), 80)


@functools.lru_cache(maxsize=8192)
def ip_literal(host: str) -> IPAddress | None:
    """The address when `host` is an IP literal (IPv6 without brackets), else None.

    Kept per host: every request, response and list link asks about the same few thousand hosts,
    and parsing an address (or failing to, for a name) costs ~10 µs."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def is_private(address: IPAddress) -> bool:
    """Addresses a public portal has no business sending us to."""
    return bool(address.is_private or address.is_loopback or address.is_link_local or address.is_reserved
                or address.is_multicast or address.is_unspecified
                or (isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None
                    and is_private(address.ipv4_mapped)))


def parse_networks(value: str | Iterable[str] | None) -> tuple[tuple[IPNetwork, ...], list[str]]:
    """GOVREPORTS_ALLOWED_PRIVATE_NETS ("127.0.0.0/8, 10.1.2.3" or a list) → networks, plus one
    message per entry that is not a network (skipped)."""
    if value is None:
        return (), []
    items = value.replace(";", ",").replace(" ", ",").split(",") if isinstance(value, str) else list(value)
    networks: list[IPNetwork] = []
    errors: list[str] = []
    for item in items:
        item = str(item).strip()
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            errors.append(f"not an IP network: {item!r}")
    return tuple(networks), errors


def in_networks(address: IPAddress, networks: Iterable[IPNetwork]) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def host_in_domains(host: str, domains: Iterable[str]) -> bool:
    """`host` is one of `domains` or a subdomain of one (the OffsiteMiddleware rule); a domain that is
    a public suffix (`gov.cn`) covers only itself."""
    host = host.lower().rstrip(".")
    return any(host == domain or (host.endswith("." + domain) and not is_public_suffix(domain)) for domain in domains)


def ignored_scheme(url: str) -> str | None:
    """The scheme of a link that is never fetched (`javascript`, `file`, `ftp`, `mailto` …), else None."""
    scheme = urlsplit(url.strip()).scheme.lower()
    return None if scheme in FETCHABLE_SCHEMES else (scheme or "relative")


def refusal(url: str, scope: SiteScope, allowed_private_nets: Iterable[IPNetwork] = ()) -> Refusal | None:
    """None when the site's crawl may fetch `url`; else the Refusal saying why not.

    Host names are judged by name only here; `resolved_refusal` judges the addresses they resolve to.
    """
    scheme = ignored_scheme(url)
    if scheme is not None:
        return Refusal("scheme", f"{scheme}: URLs are never fetched")
    try:
        parts = urlsplit(url)
        port = _port(parts.port, parts.scheme)
    except ValueError as error:
        return Refusal("no_host", f"unparsable URL ({error})")
    host = (parts.hostname or "").lower()
    if not host:
        return Refusal("no_host", "no host in the URL")
    address = ip_literal(host)
    if address is None:
        if host_in_domains(host, scope.domains):
            return None
        return scope.platform_refusal(host, parts.path or "/")
    named = scope.addresses.get(str(address)) or scope.addresses.get(host)
    if named is not None:
        if port in named or port in DEFAULT_PORTS.values():
            return None
        return Refusal("port", f"{host}:{port} is not the port the registry names for {host}")
    if is_private(address) and not in_networks(address, allowed_private_nets):
        return Refusal("private_address", f"{host} is a private/loopback address the registry does not name")
    return Refusal("ip_literal", f"{host} is an IP address the registry does not name")


def resolved_refusal(host: str, addresses: Iterable[str], allowed_private_nets: Iterable[IPNetwork]) -> Refusal | None:
    """A host name in scope that resolves to a private address outside the allowance is refused."""
    networks = tuple(allowed_private_nets)
    for text in addresses:
        address = ip_literal(text)
        if address is not None and is_private(address) and not in_networks(address, networks):
            return Refusal("private_address", f"{host} resolves to {address}, a private/loopback address "
                                              "outside GOVREPORTS_ALLOWED_PRIVATE_NETS")
    return None
