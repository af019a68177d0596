"""One stdlib HTTP server per portal, each on its own loopback address (127.0.0.N).

Separate hosts make offsite filtering and per-site politeness real. Static pages come from the
portal's route table (swapped whole on re-render, so readers never see half a portal); list APIs
go to `Portal.dynamic`. With a `chaos` seed, the first request of about one path in seven fails
transiently (500/502/503, connection reset, a slow answer); later requests succeed. Paths in the
server's `chaos_plan` (govreports_farm/chaos.py) fail on every request while chaos is on.
"""

from __future__ import annotations

import errno
import hashlib
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from govreports_farm.chaos import answer_fault, mislabel
from govreports_farm.portals import Portal, Resource


class PortalServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], portal: Portal, chaos: int | None) -> None:
        self.portal = portal
        self.chaos = chaos
        self.hits: dict[str, int] = {}
        self.hits_lock = threading.Lock()
        self.faults: list[tuple[str, str]] = []        # (path, fault) injected by chaos
        self.chaos_plan: dict[str, str] = {}           # path → fault on every request while chaos is on (chaos.py)
        super().__init__(address, PortalHandler)

    def handle_error(self, request: socket.socket | tuple[bytes, socket.socket], client_address: object) -> None:
        """Connections we reset on purpose (chaos) and clients that hang up are not errors."""
        if isinstance(sys.exc_info()[1], (OSError, ValueError)):
            return
        super().handle_error(request, client_address)


class PortalHandler(BaseHTTPRequestHandler):
    server: PortalServer
    server_version = "nginx"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _answer(self, method: str) -> None:
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        form: dict[str, str] = {}
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            raw = self.rfile.read(length).decode("utf-8", errors="replace")
            if "x-www-form-urlencoded" in (self.headers.get("Content-Type") or "") or "=" in raw:
                form = dict(parse_qsl(raw, keep_blank_values=True))
        portal = self.server.portal
        with self.server.hits_lock:
            self.server.hits[parts.path] = self.server.hits.get(parts.path, 0) + 1
            first_hit = self.server.hits[parts.path] == 1
        planned = self.server.chaos_plan.get(parts.path) if self.server.chaos is not None else None
        if planned is not None:
            with self.server.hits_lock:
                self.server.faults.append((parts.path, planned))
            if answer_fault(self, planned, portal, parts.path, parts.query):
                return
        fault = chaos_fault(self.server.chaos, portal.ip, parts.path) if first_hit and planned is None else None
        if fault is not None:
            with self.server.hits_lock:
                self.server.faults.append((parts.path, fault))
            if self._inject(fault):
                return
        gate = getattr(portal, "gate", None)  # an anti-bot check in front of the portal (browser_portals.py)
        resource = gate(method, parts.path, self.headers) if gate is not None else None
        if resource is None:
            resource = portal.dynamic(method, parts.path, query, form)
        if resource is None and method in ("GET", "HEAD"):
            resource = portal.routes.get(parts.path)
            if resource is None and parts.path.endswith("/"):
                resource = portal.routes.get(parts.path + "index.html")
        if resource is None:
            resource = Resource(b"<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>",
                                "text/html", status=404)
        if planned == "wrong_charset":
            resource = mislabel(resource)
        self.send_response(resource.status)
        self.send_header("Content-Type", resource.content_type)
        self.send_header("Content-Length", str(len(resource.body)))
        for name, value in resource.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(resource.body)

    def _inject(self, fault: str) -> bool:
        """Answer the first request of a chaos-chosen path badly; True when the answer is complete."""
        if fault == "reset":
            self.close_connection = True
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            self.connection.close()
            return True
        if fault == "slow":
            time.sleep(1.5)
            return False
        status = int(fault)
        body = f"<html><body><h1>{status} Service Temporarily Unavailable</h1></body></html>".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return True

    def do_GET(self) -> None:
        self._answer("GET")

    def do_HEAD(self) -> None:
        self._answer("HEAD")

    def do_POST(self) -> None:
        self._answer("POST")


CHAOS_FAULTS = ("503", "502", "500", "reset", "slow")


def chaos_fault(chaos: int | None, host: str, path: str) -> str | None:
    """The transient fault (if any) that `chaos` assigns to the first request of a path.

    Deterministic per (seed, host, path); about one path in seven; robots.txt is spared. Only
    first requests fail, so a crawler that retries must still get everything.
    """
    if chaos is None or path == "/robots.txt":
        return None
    digest = int.from_bytes(hashlib.sha1(f"{chaos}:{host}:{path}".encode()).digest()[:8], "big")
    if digest % 7:
        return None
    return CHAOS_FAULTS[(digest // 7) % len(CHAOS_FAULTS)]


def bind(portal: Portal, port: int, chaos: int | None) -> PortalServer:
    """Bind the portal's address on `port` (0: any free port)."""
    return PortalServer((portal.ip, port), portal, chaos)


def serve_all(portals: list[Portal], chaos: int | None) -> list[tuple[PortalServer, threading.Thread]]:
    """Start every portal; they share one port when it is free on every address."""
    servers: list[tuple[PortalServer, threading.Thread]] = []
    shared_port = 0
    for portal in portals:
        try:
            server = bind(portal, shared_port, chaos)
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise
            server = bind(portal, 0, chaos)
        if shared_port == 0:
            shared_port = server.server_address[1]
        portal.port = server.server_address[1]
        portal.routes = portal.render()          # pages carry absolute URLs: render once the port is known
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"farm-{portal.ip}", daemon=True)
        thread.start()
        servers.append((server, thread))
    return servers


def wait_until_answering(portal: Portal, timeout: float = 5.0) -> None:
    """Block until the portal accepts a TCP connection (servers listen before serve_forever runs)."""
    with socket.create_connection((portal.ip, portal.port), timeout=timeout):
        pass
