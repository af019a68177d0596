"""The farm's bad night: persistent faults chosen per seed, listed in the manifest, ended by set_chaos(None)."""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from govreports_farm import Farm
from govreports_farm.chaos import EXPECTED_FAILURE, plan_faults
from govreports_farm.farm import build_portals


def plan_of(farm: Farm) -> dict[str, str]:
    return {url: fault for entry in farm.manifest["portals"].values() for url, fault in entry["chaos_plan"].items()}


def test_the_plan_is_deterministic_per_seed_and_covers_every_fault() -> None:
    first, again, other = plan_faults(7, build_portals()), plan_faults(7, build_portals()), plan_faults(8, build_portals())
    assert first == again
    assert first != other
    for plan in (first, other):
        assert sorted(fault for faults in plan.values() for fault in faults.values()) == sorted(EXPECTED_FAILURE)


def _get(url: str, timeout: float = 2.0) -> tuple[int, bytes, str]:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=timeout) as answer:
            return answer.status, answer.read(), answer.headers.get("Content-Type", "")
    except urllib.error.HTTPError as error:
        return error.code, b"", error.headers.get("Location", "")


def test_faults_last_all_night_and_the_next_night_is_calm(tmp_path: Path) -> None:
    with Farm.start(tmp_path, chaos=5) as farm:
        plan = plan_of(farm)
        transient = {url for entry in farm.manifest["portals"].values() for url in entry["chaos_faults"]}
        assert not transient & set(plan)  # a page fails one way only
        by_fault = {fault: url for url, fault in plan.items()}
        for _ in range(2):  # not only the first request
            assert _get(by_fault["http_503"])[0] == 503
            status, location = _get(by_fault["column_home"])[0::2]
            assert status == 301 and urlsplit(location).path == "/"
            status, location = _get(by_fault["redirect_loop"])[0::2]
            assert status == 302 and location.endswith("?from=loop")
            assert "页面不存在".encode() in _get(by_fault["soft_404"])[1]
            with pytest.raises((http.client.IncompleteRead, ConnectionError, urllib.error.URLError)):
                _get(by_fault["truncated"])
        status, body, content_type = _get(by_fault["wrong_charset"])
        assert content_type == "text/html; charset=utf-8" and body.decode("gbk")
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")  # the header lies
        farm.set_chaos(None)
        assert farm.manifest["chaos"] is None and not plan_of(farm)
        for url, fault in plan.items():
            if fault != "wrong_charset":
                assert _get(url)[0] == 200, (fault, url)
