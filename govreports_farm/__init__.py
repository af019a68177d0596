"""The sample portal farm: realistic government portals on loopback for crawl and e2e tests.

    from govreports_farm import Farm
    with Farm.start(run_dir) as farm:
        farm.registry_path, farm.sites_path, farm.manifest, farm.portals
"""

from govreports_farm.farm import Farm

__all__ = ["Farm"]
