"""The sample portal farm: realistic government portals on loopback for crawl and e2e tests.

    from tests.farm import Farm
    with Farm.start(run_dir) as farm:
        farm.registry_path, farm.sites_path, farm.manifest, farm.portals
"""

from tests.farm.farm import Farm

__all__ = ["Farm"]
