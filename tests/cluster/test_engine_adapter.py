"""The one engine-private access of the cluster scheduler (govreports/cluster/engine.py) still works
with the installed Scrapy: in a real crawl, the request being handled is among the engine's
requests in progress, and the engine can be woken. When Scrapy moves these, this test fails and
the pin in pyproject (`scrapy>=2.19,<2.20`) says why it is there."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SPIDER = '''
import json
import scrapy
from govreports.cluster.engine import requests_in_progress, wake


class Probe(scrapy.Spider):
    name = "probe"

    async def start(self):
        yield scrapy.Request("data:text/html,<p>probe</p>", callback=self.parse)

    def parse(self, response):
        inprogress = requests_in_progress(self.crawler.engine)
        print(json.dumps({"seen": inprogress is not None and response.request in inprogress,
                          "woken": wake(self.crawler.engine)}), flush=True)
'''


def test_the_engine_adapter_sees_the_request_in_progress_and_wakes_the_engine(tmp_path: Path) -> None:
    spider = tmp_path / "probe.py"
    spider.write_text(SPIDER, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "scrapy", "runspider", str(spider), "-s", "LOG_LEVEL=WARNING"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"seen": True, "woken": True}, done.stderr[-3000:]


def test_outside_a_crawl_the_adapter_says_it_cannot_see() -> None:
    from govreports.cluster.engine import requests_in_progress, wake

    assert requests_in_progress(None) is None and wake(None) is False
