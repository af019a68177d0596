"""Host names of the farm's multi-host portals mapped to loopback, for Scrapy and for Chromium.

Portals that live under real-looking host names (a county portal and its city's disclosure
platform, govreports_farm/coverage_portals.py) are reachable only through this mapping. One string
serves both programs, in Chromium's `--host-resolver-rules` syntax:
`MAP www.pingyi.gov.cn 127.0.0.28, MAP xxgk.linyi.gov.cn 127.0.0.28`.

- Scrapy: `-s TWISTED_DNS_RESOLVER=govreports_farm.resolver.FarmResolver -s FARM_HOSTS="<rules>"`;
  names not in the rules resolve as usual.
- Chromium: `-s GOVREPORTS_BROWSER_HOST_RULES="<rules>"` (govreports/render.py passes it on).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer
from twisted.internet.interfaces import IResolverSimple
from zope.interface import implementer


def host_rules(mapping: dict[str, str]) -> str:
    """`{host: ip}` as `MAP host ip, …` (Chromium's --host-resolver-rules syntax)."""
    return ", ".join(f"MAP {host} {address}" for host, address in sorted(mapping.items()))


def parse_host_rules(rules: str | None) -> dict[str, str]:
    """`MAP host ip, …` → {host: ip}; other rule kinds (EXCLUDE, wildcards) are not used by the farm."""
    mapping: dict[str, str] = {}
    for rule in (rules or "").split(","):
        words = rule.split()
        if len(words) == 3 and words[0].upper() == "MAP":
            mapping[words[1].lower()] = words[2]
    return mapping


@implementer(IResolverSimple)
class FarmResolver(CachingThreadedResolver):
    """Scrapy's caching resolver, answering the farm's host names from FARM_HOSTS first."""

    hosts: dict[str, str]

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> FarmResolver:
        resolver = super().from_crawler(crawler, reactor)
        resolver.hosts = parse_host_rules(crawler.settings.get("FARM_HOSTS"))
        return resolver

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> defer.Deferred[str]:
        address = self.hosts.get(name.lower())
        if address is not None:
            return defer.succeed(address)
        return super().getHostByName(name, timeout)
