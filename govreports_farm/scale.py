"""The portal farm at scale: hundreds to thousands of generated portals in one asyncio process.

The sample farm (farm.py) gives each of its six portals a thread-per-request server; thousands of
portals cannot afford that. Here every portal still has its OWN loopback address (127.77.x.y, one
listening socket each, all on one port), so offsite filtering, robots.txt and per-site download
slots stay exactly as real as on the sample farm, and the crawl is pointed at the farm with the
usual registry CSV: no custom resolver, the crawl command is the one users run. All sockets share
one asyncio loop in a child process (`python -m govreports_farm.scale`, so the farm never competes with the crawler for the GIL).

Portals cycle through the six CMS families of the sample farm (same classes, same page shapes),
each with its own name, adcode (900000 + i) and address, `reports` reports (2019–2024, the three
statistics tables; one department after another publishes six years) and two decoys. Pages are
rendered on first request and kept in a bounded LRU, so 3,000 portals cost little memory.

Hooks for benchmarks: `latency` (mean seconds added before each answer, drawn per path in
[0.5, 1.5) × latency, deterministic), `set_latency()`, and the hit log (`take_hits()`: every
request served, in order, with method, URL and form body), from which the benchmark's empty
spider replays exactly the pages the real crawl fetched.

A realistic network (`network="realistic"`, CLI `--network realistic`): loopback is a perfect
network, the real one is not, so each portal gets a behaviour (`host_behaviours`, deterministic
per portal) played by the farm's own sockets, with no root and no tc: live hosts answer after a
per-host latency drawn from a long-tailed (log-normal) distribution, median 0.3 s, p99 ≈ 3 s;
≈ 10 % of hosts accept the connection and never answer (a timeout), ≈ 5 % refuse connections
(nothing listens on their address), a few cut every path's first, third … answer mid-body, a few are listed
with https and answer the TLS handshake with garbage, and a few are very slow but alive (4–8 s per
answer). `behaviours.json` in the run dir says which host does what, for the benchmark's bound.

    with ScaleFarm.start(run_dir, portals=200, reports=20) as farm:
        farm.registry_path, farm.sites_path, farm.manifest, farm.report_urls
        hits = farm.take_hits()

CLI: `python -m govreports_farm.scale --run-dir DIR --portals 200 --reports 20 [--latency 0.2]` prints
`farm ready: <n> portals, registry=<path>` and serves until killed.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import dataclasses
import hashlib
import json
import math
import os
import select
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from govreports_farm.farm import REGISTRY_COLUMNS, build_portals
from govreports_farm.portals import AgencyPlan, Portal, Resource, SubcolumnPortal

REPO_ROOT = Path(__file__).resolve().parents[1]
ADDRESS_PREFIX = "127.77"
FIRST_YEAR, LAST_YEAR = 2019, 2024          # every generated report has the national tables
RENDER_CACHE_PORTALS = 256
NOT_FOUND = Resource(b"<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>",
                     "text/html", status=404)
DEPARTMENTS = ("财政局", "教育局", "卫生健康局", "自然资源局", "住房和城乡建设局", "交通运输局", "农业农村局",
               "市场监督管理局", "生态环境局", "人力资源和社会保障局")
STATUS_TEXT = {200: "OK", 404: "Not Found", 400: "Bad Request", 500: "Internal Server Error"}


def portal_address(index: int) -> str:
    """The loopback address of portal `index` (127.77.0.1, …, 127.77.0.250, 127.77.1.1, …)."""
    return f"{ADDRESS_PREFIX}.{index // 250}.{index % 250 + 1}"


class ScaleSubcolumnPortal(SubcolumnPortal):
    """Year sub-columns that show only the units with something in them.

    With few reports per portal most unit sub-columns would be empty; an empty list page makes the
    crawler try the browser (a list with scripts but no links), which is not what these
    benchmarks measure. Real portals do have empty sub-columns; the sample farm keeps them.
    """

    def units(self, year: int) -> dict[str, str]:
        return {unit: name for unit, name in super().units(year).items() if self.unit_items(year, unit)}


def build_scaled_portals(count: int, reports: int) -> list[Portal]:
    """`count` portals cycling through the sample farm's six CMS families, `reports` reports each."""
    templates = build_portals()
    portals: list[Portal] = []
    for index in range(count):
        template = templates[index % len(templates)]
        name = f"样本{index:04d}县"
        site_name = f"样本{index:04d}县人民政府"
        skin = dataclasses.replace(template.skin, site_name=site_name, site_id_code=f"{900000 + index}0001",
                                   sponsor="")
        kind = ScaleSubcolumnPortal if isinstance(template, SubcolumnPortal) else type(template)
        portal = kind(ip=portal_address(index), adcode=f"{900000 + index}", name=name, province="样本省", skin=skin,
                      discover=template.discover)
        subcolumns = isinstance(portal, SubcolumnPortal)
        years_per_agency = LAST_YEAR - FIRST_YEAR + 1
        remaining = reports
        for number in range(-(-reports // years_per_agency)):
            agency = site_name if number == 0 else f"{name}{DEPARTMENTS[(number - 1) % len(DEPARTMENTS)]}"
            if number > len(DEPARTMENTS):
                agency += f"第{number}分局"
            first = LAST_YEAR - min(remaining, years_per_agency) + 1
            remaining -= LAST_YEAR - first + 1
            portal.add_plan(AgencyPlan(agency, agency if number else f"{name}人民政府办公室", range(first, LAST_YEAR + 1),
                                       1.0 if number == 0 else 0.3,
                                       lambda year, agency=agency: f"{agency}{year}年政府信息公开工作年度报告",
                                       unit=("qzf" if number == 0 else ("bm", "zj")[(number - 1) % 2]) if subcolumns else None))
        unit = "qzf" if subcolumns else None
        # published with the newest report, so no (sub-)column holds decoys only
        portal.add_decoy(f"{site_name}门户网站{LAST_YEAR}年度工作年度报表", "website_report", date(LAST_YEAR + 1, 1, 15),
                         unit=unit)
        portal.add_decoy(f"关于做好{LAST_YEAR + 1}年政务公开工作的通知", "notice", date(LAST_YEAR + 1, 4, 10), unit=unit)
        portals.append(portal)
    return portals


@dataclass(frozen=True)
class HostBehaviour:
    """How one portal's host behaves on the simulated network."""

    kind: str            # live | slow | timeout | refuse | reset | tls
    latency: float = 0.0  # mean seconds before each answer (live, slow, reset)

    @property
    def dead(self) -> bool:
        """Never answers a whole page (what the live sites' politeness bound leaves out)."""
        return self.kind in ("timeout", "refuse", "tls")


# share of hosts per failure kind on the realistic network; the rest are live
NETWORK_SHARES: tuple[tuple[str, float], ...] = (
    ("timeout", 0.10), ("refuse", 0.05), ("reset", 0.02), ("tls", 0.01), ("slow", 0.02),
)
LIVE_MEDIAN_LATENCY = 0.3
LIVE_LATENCY_SIGMA = 1.0          # log-normal: p99 = median × e^(2.33 σ) ≈ 3.1 s
MAX_LIVE_LATENCY = 8.0
SLOW_LATENCY = (4.0, 8.0)


def _unit(*parts: object) -> float:
    """A deterministic number in [0, 1) for these parts."""
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def host_behaviours(count: int, network: str = "perfect") -> list[HostBehaviour]:
    """Each portal's behaviour: all live with no added latency on the perfect network; on the
    realistic one, kinds by NETWORK_SHARES (spread evenly over the indexes) and log-normal latency."""
    if network == "perfect":
        return [HostBehaviour("live") for _ in range(count)]
    if network != "realistic":
        raise ValueError(f"unknown network {network!r} (perfect, realistic)")
    behaviours = []
    for index in range(count):
        draw, bound, kind = _unit("kind", index), 0.0, "live"
        for name, share in NETWORK_SHARES:
            bound += share
            if draw < bound:
                kind = name
                break
        if kind == "slow":
            low, high = SLOW_LATENCY
            latency = low + (high - low) * _unit("slow", index)
        else:
            gauss = statistics.NormalDist().inv_cdf(min(max(_unit("latency", index), 1e-9), 1 - 1e-9))
            latency = min(MAX_LIVE_LATENCY, LIVE_MEDIAN_LATENCY * math.exp(LIVE_LATENCY_SIGMA * gauss))
        behaviours.append(HostBehaviour(kind, latency))
    return behaviours


def answer_delay(host: str, target: str, mean: float) -> float:
    """The seconds the farm waits before answering `target` on `host`: [0.5, 1.5) × mean, deterministic
    (so a benchmark can work out the least time a polite crawl needs from the hit log)."""
    if mean <= 0:
        return 0.0
    fraction = int.from_bytes(hashlib.blake2b(f"{host}{target}".encode(), digest_size=4).digest(), "big") / 2**32
    return mean * (0.5 + fraction)


@dataclass(frozen=True)
class Hit:
    """One request the farm answered."""

    method: str
    url: str
    content_type: str
    body: str
    at: float = 0.0          # when the request arrived (time.time(), before any latency)


class ScaleServer:
    """Every portal on its own address, one asyncio loop; LRU-rendered routes; latency; hit log."""

    def __init__(self, portals: list[Portal], latency: float = 0.0,
                 behaviours: list[HostBehaviour] | None = None) -> None:
        self.portals = portals
        self.latency = latency
        self.behaviours = {portal.ip: behaviour for portal, behaviour in
                           zip(portals, behaviours or host_behaviours(len(portals)), strict=True)}
        self.answered: dict[str, int] = {}
        self.hits: list[Hit] = []
        self.rendered: OrderedDict[str, dict[str, Resource]] = OrderedDict()
        self.servers: list[asyncio.base_events.Server] = []
        self.port = 0

    async def listen(self) -> None:
        """Bind every portal's address on one shared port (the first free one on the first address)."""
        for portal in self.portals:
            if self.behaviours[portal.ip].kind == "refuse":
                continue  # nothing listens there: connections are refused
            server = await asyncio.start_server(lambda r, w, p=portal: self.connection(p, r, w),
                                                host=portal.ip, port=self.port, reuse_address=True, backlog=128)
            if not self.port:
                self.port = server.sockets[0].getsockname()[1]
            self.servers.append(server)
        for portal in self.portals:
            portal.port = self.port

    def routes(self, portal: Portal) -> dict[str, Resource]:
        routes = self.rendered.get(portal.ip)
        if routes is None:
            routes = self.rendered[portal.ip] = portal.render()
            if len(self.rendered) > RENDER_CACHE_PORTALS:
                self.rendered.popitem(last=False)
        else:
            self.rendered.move_to_end(portal.ip)
        return routes

    def delay_for(self, host: str, target: str) -> float:
        """Per-path latency in [0.5, 1.5) × the mean (the farm's, or the host's on the realistic
        network): deterministic."""
        behaviour = self.behaviours.get(host)
        return answer_delay(host, target, behaviour.latency if behaviour is not None and behaviour.latency > 0
                            else self.latency)

    def answer(self, portal: Portal, method: str, target: str, headers: dict[str, str], body: bytes) -> Resource:
        parts = urlsplit(target)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        form: dict[str, str] = {}
        if body:
            raw = body.decode("utf-8", errors="replace")
            if "x-www-form-urlencoded" in headers.get("content-type", "") or "=" in raw:
                form = dict(parse_qsl(raw, keep_blank_values=True))
        resource = portal.dynamic(method, parts.path, query, form)
        if resource is None and method in ("GET", "HEAD"):
            routes = self.routes(portal)
            resource = routes.get(parts.path)
            if resource is None and parts.path.endswith("/"):
                resource = routes.get(parts.path + "index.html")
        return resource or NOT_FOUND

    async def connection(self, portal: Portal, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """HTTP/1.1 with keep-alive: enough of it for Scrapy's client (and the realistic network's faults)."""
        behaviour = self.behaviours[portal.ip]
        try:
            if behaviour.kind == "tls":  # a TLS ClientHello answered with bytes that are no TLS record
                await reader.read(1024)
                writer.write(b"HTTP/1.1 400 Bad Request\r\n\r\n\x00\x01garbage")
                await writer.drain()
                return
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                try:
                    method, target, _version = lines[0].split(" ", 2)
                except ValueError:
                    return
                headers = {}
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    if value:
                        headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length") or 0)
                body = await reader.readexactly(length) if length else b""
                self.hits.append(Hit(method, f"http://{portal.ip}:{portal.port}{target}",
                                     headers.get("content-type", ""), body.decode("utf-8", errors="replace"), time.time()))
                if behaviour.kind == "timeout":  # holds the connection, never answers
                    await reader.read()
                    return
                delay = self.delay_for(portal.ip, target)
                if delay:
                    await asyncio.sleep(delay)
                resource = self.answer(portal, method, target, headers, body)
                extra = "".join(f"{name}: {value}\r\n" for name, value in resource.headers.items())
                writer.write((f"HTTP/1.1 {resource.status} {STATUS_TEXT.get(resource.status, 'OK')}\r\n"
                              f"Server: nginx\r\nContent-Type: {resource.content_type}\r\n"
                              f"Content-Length: {len(resource.body)}\r\n{extra}\r\n").encode("latin-1"))
                key = f"{portal.ip}{target}"
                answered = self.answered[key] = self.answered.get(key, 0) + 1
                if behaviour.kind == "reset" and answered % 2 and method != "HEAD":
                    writer.write(resource.body[: len(resource.body) // 2])  # each path's odd answers cut mid-body
                    await writer.drain()
                    writer.transport.abort()
                    return
                if method != "HEAD":
                    writer.write(resource.body)
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    return
        except ConnectionError:
            return
        finally:
            writer.close()

    def close(self) -> None:
        for server in self.servers:
            server.close()


def describe(portals: list[Portal]) -> dict[str, Any]:
    """The scale farm's manifest: per portal its family, URLs and report URLs (ground truth kept light)."""
    entries = {}
    for portal in portals:
        items = portal.sorted_items()
        entries[portal.adcode] = {
            "id": portal.id, "cms": portal.cms, "home_url": portal.home_url, "column_url": portal.column_url,
            "discover": portal.discover,
            "reports": [portal.url(i.path) for i in items if i.kind == "report"],
            "decoys": [portal.url(i.path) for i in items if i.kind == "decoy"],
        }
    return {"about": "Ground truth of a generated scale farm (govreports_farm/scale.py).", "portals": entries,
            "totals": {"portals": len(entries), "reports": sum(len(e["reports"]) for e in entries.values()),
                       "decoys": sum(len(e["decoys"]) for e in entries.values())}}


def write_files(run_dir: Path, portals: list[Portal], behaviours: list[HostBehaviour] | None = None) -> dict[str, Any]:
    run_dir.mkdir(parents=True, exist_ok=True)
    behaviours = behaviours or host_behaviours(len(portals))
    with (run_dir / "registry.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=REGISTRY_COLUMNS)
        writer.writeheader()
        for portal, behaviour in zip(portals, behaviours, strict=True):
            row = portal.registry_row()
            row["source"] = f"govreports scale farm ({portal.cms}); synthetic pages"
            if behaviour.kind == "tls":  # listed with https: the handshake meets garbage
                row = {key: value.replace("http://", "https://", 1) if key.endswith("_url") else value
                       for key, value in row.items()}
            writer.writerow(row)
    (run_dir / "sites.toml").write_text("# Scale farm: no per-site overrides.\n", encoding="utf-8")
    manifest = describe(portals)
    (run_dir / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    (run_dir / "behaviours.json").write_text(json.dumps(
        {portal.ip: dataclasses.asdict(behaviour) for portal, behaviour in zip(portals, behaviours, strict=True)}),
        encoding="utf-8")
    return manifest


def _raise_file_limit() -> None:
    """Thousands of listening sockets need more than the usual 1,024 descriptors."""
    try:
        import resource
        _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    except (ImportError, ValueError, OSError):
        pass


async def _serve(run_dir: Path, count: int, reports: int, latency: float, *, control: bool,
                 network: str = "perfect") -> None:
    """Build, bind, write the files, then serve until SIGTERM/SIGINT (or, with `control`, 'stop').

    With `control` the farm talks JSON lines: one `{"ready": …}` line on stdout, then one answer
    per command read from stdin (`{"command": "hits"}`, `{"command": "latency", "seconds": x}`,
    `{"command": "stop"}`); stdin closing also stops it.
    """
    _raise_file_limit()
    behaviours = host_behaviours(count, network)
    server = ScaleServer(build_scaled_portals(count, reports), latency, behaviours)
    try:
        await server.listen()
    except OSError as error:
        if control:
            print(json.dumps({"error": f"{type(error).__name__}: {error}"}), flush=True)
        raise
    manifest = write_files(run_dir, server.portals, behaviours)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    if not control:
        print(f"farm ready: {count} portals, registry={run_dir / 'registry.csv'}", flush=True)
    else:
        def reply(payload: Any) -> None:
            sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
            sys.stdout.flush()

        def command() -> None:
            line = sys.stdin.readline()
            if not line:
                stop.set()
                return
            request = json.loads(line)
            if request["command"] == "hits":
                reply([dataclasses.astuple(hit) for hit in server.hits])
                server.hits = []
            elif request["command"] == "latency":
                server.latency = float(request["seconds"])
                reply({"latency": server.latency})
            elif request["command"] == "stop":
                stop.set()

        loop.add_reader(sys.stdin.fileno(), command)
        reply({"ready": True, "port": server.port, "totals": manifest["totals"]})
    await stop.wait()
    server.close()


class ScaleFarm:
    """A generated farm served by a child process (`python -m govreports_farm.scale --control`)."""

    def __init__(self, run_dir: Path, process: subprocess.Popen[str], port: int, totals: dict[str, int]) -> None:
        self.run_dir = run_dir
        self.process = process
        self.port = port
        self.totals = totals
        self.registry_path = run_dir / "registry.csv"
        self.sites_path = run_dir / "sites.toml"
        self.manifest_path = run_dir / "manifest.json"

    @classmethod
    def start(cls, run_dir: Path, *, portals: int, reports: int, latency: float = 0.0,
              timeout: float = 300.0, network: str = "perfect") -> ScaleFarm:
        """Build and serve the farm; returns once every portal's socket listens."""
        run_dir = Path(run_dir)
        command = [sys.executable, "-m", "govreports_farm.scale", "--control", "--run-dir", str(run_dir),
                   "--portals", str(portals), "--reports", str(reports), "--latency", str(latency),
                   "--network", network]
        process = subprocess.Popen(command, cwd=REPO_ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   text=True, encoding="utf-8")
        assert process.stdout is not None
        ready = select.select([process.stdout], [], [], timeout)[0]
        line = process.stdout.readline() if ready else ""
        message = json.loads(line) if line.strip() else {}
        if not message.get("ready"):
            process.kill()
            process.wait()
            why = message.get("error") or (f"exit {process.returncode}" if line or ready else f"no answer in {timeout:.0f}s")
            raise RuntimeError(f"scale farm failed to start: {why}")
        return cls(run_dir, process, message["port"], message["totals"])

    def _ask(self, payload: dict[str, Any]) -> Any:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(payload) + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    @property
    def manifest(self) -> dict[str, Any]:
        return json.loads(self.manifest_path.read_text(encoding="utf-8"))

    @property
    def behaviours(self) -> dict[str, HostBehaviour]:
        """Each portal address's behaviour on the simulated network."""
        raw = json.loads((self.run_dir / "behaviours.json").read_text(encoding="utf-8"))
        return {address: HostBehaviour(**fields) for address, fields in raw.items()}

    @property
    def report_urls(self) -> list[str]:
        return [url for entry in self.manifest["portals"].values() for url in entry["reports"]]

    def take_hits(self) -> list[Hit]:
        """Every request answered since the last call (in order), and forget them."""
        return [Hit(*fields) for fields in self._ask({"command": "hits"})]

    def cpu_seconds(self) -> float:
        """CPU time the farm process has used so far (to tell a farm-bound benchmark from a crawler-bound one)."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def set_latency(self, seconds: float) -> None:
        self._ask({"command": "latency", "seconds": seconds})

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                assert self.process.stdin is not None
                self.process.stdin.write(json.dumps({"command": "stop"}) + "\n")
                self.process.stdin.close()
            except (BrokenPipeError, OSError):
                pass
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()

    def __enter__(self) -> ScaleFarm:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()


def address_available(address: str = portal_address(0)) -> bool:
    """Whether the scale farm's loopback range can be bound here (Linux routes all of 127/8)."""
    try:
        with socket.socket() as probe:
            probe.bind((address, 0))
        return True
    except OSError:
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m govreports_farm.scale", description=__doc__.splitlines()[0])
    parser.add_argument("--run-dir", type=Path, required=True)
    parser.add_argument("--portals", type=int, default=200)
    parser.add_argument("--reports", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.0, help="mean seconds added to each answer")
    parser.add_argument("--network", choices=("perfect", "realistic"), default="perfect",
                        help="realistic: long-tailed latency, dead, refusing, resetting, broken-TLS and slow hosts")
    parser.add_argument("--control", action="store_true", help="JSON-lines control on stdin/stdout (ScaleFarm)")
    args = parser.parse_args(argv)
    asyncio.run(_serve(args.run_dir, args.portals, args.reports, args.latency, control=args.control,
                       network=args.network))
    return 0


if __name__ == "__main__":
    sys.exit(main())
