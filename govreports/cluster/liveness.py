"""Which cluster processes are alive: a key per process that expires unless its heartbeat renews it.

A worker (and the state-store run inside it) is alive while `{prefix}:alive:{member}` exists. A
daemon thread renews the key every `ttl / 3` seconds, so a SIGKILLed or crashed worker (or a
machine that lost power) disappears after at most `ttl` seconds, and nothing that worker held (its
leased requests, its report claims) stays stuck. A thread rather than a reactor timer: a reactor
busy for a few seconds (a long parse) must not make a healthy worker look dead to the others.
A hung-but-running process keeps beating; that is the price of the thread and is stated here.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from redis import Redis

logger = logging.getLogger(__name__)

DEFAULT_TTL = 30.0


def reply_text(reply: object) -> str:
    """One Redis reply as text. Our clients decode replies (`decode_responses=True`), but redis-py
    types them as `bytes | str` (and lists of them) whatever the client does."""
    return reply.decode("utf-8") if isinstance(reply, bytes) else str(reply)


def reply_hash(row: Mapping[bytes | str, bytes | str]) -> dict[str, str]:
    """A hash reply (HGETALL) with text keys and values."""
    return {reply_text(key): reply_text(value) for key, value in row.items()}


def alive_key(prefix: str, member: str) -> str:
    return f"{prefix}:alive:{member}"


def is_alive(server: Redis, prefix: str, member: str) -> bool:
    return bool(server.exists(alive_key(prefix, member)))


class Heartbeat:
    """Keeps `{prefix}:alive:{member}` alive from a daemon thread until `stop()`."""

    def __init__(self, server: Redis, prefix: str, member: str, *, ttl: float = DEFAULT_TTL) -> None:
        self.server = server
        self.key = alive_key(prefix, member)
        self.member = member
        self.ttl = max(float(ttl), 0.3)
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self.failures = 0

    def beat(self) -> None:
        self.server.set(self.key, f"{time.time():.3f}", px=int(self.ttl * 1000))

    def start(self) -> Heartbeat:
        """Mark the member alive now (synchronously) and keep it so in the background."""
        self.beat()
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=f"heartbeat-{self.member}", daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stopped.wait(self.ttl / 3):
            try:
                self.beat()
            except Exception:  # Redis restarting: keep trying, the others judge by the key
                self.failures += 1
                logger.warning("heartbeat of %s could not reach Redis", self.member, exc_info=True)

    def stop(self, *, forget: bool = True) -> None:
        """Stop beating; with `forget`, delete the key at once (a clean exit is not a death)."""
        self._stopped.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        if forget:
            try:
                self.server.delete(self.key)
            except Exception:
                logger.warning("could not remove the heartbeat key %s", self.key, exc_info=True)

    @property
    def running(self) -> bool:
        return self._thread is not None and not self._stopped.is_set()
