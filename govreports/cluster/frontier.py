"""`RedisFrontier`: the shared request queue of a cluster crawl, with leases instead of plain pops.

Keys (all under `{prefix}:{spider}`):

- `queue`: sorted set of request ids, score = -priority; ids are zero-padded sequence numbers,
  so requests of one priority come out first in, first out;
- `requests`: hash id → serialized request (kept until the request is acknowledged);
- `slots`: hash id → download slot (the site), so that a worker leases requests of sites it is
  not already waiting on (few sites, several workers: the requests of one site spread out);
- `leases:{worker}`: hash id → score of the requests a worker took and has not finished;
- `workers`: the set of workers that ever took a lease in this crawl (dead ones are reclaimed);
- `dupefilter`: the set of request fingerprints (`CanonicalRequestFingerprinter`);
- `seeded`: hash describing the last `scrapy seed` (when, sites, arguments, requests).

`lease` moves a request from the queue into the worker's lease hash in one Lua script; `ack`
forgets it once the worker has completely handled it (callback output scheduled, items in the
feed). When a worker's heartbeat (`govreports.cluster.liveness`) expires, any other worker
`requeue`s its leases with their original scores: a killed worker's unfinished requests go to the
others. A request is therefore handled at least once; the state store's claims make the reports
come out once.

The frontier stores bytes; (de)serialising requests is the scheduler's business. The scripts use
keys built inside Lua, so this needs a single Redis server (not Redis Cluster).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from govreports.cluster.liveness import is_alive, reply_hash, reply_text

if TYPE_CHECKING:
    from redis import Redis

_PUSH = """
if ARGV[3] ~= '' and redis.call('SADD', KEYS[4], ARGV[3]) == 0 then return false end
local n = redis.call('INCR', KEYS[1])
local id = string.format('%012d', n)
redis.call('HSET', KEYS[2], id, ARGV[1])
if ARGV[4] ~= '' then redis.call('HSET', KEYS[5], id, ARGV[4]) end
redis.call('ZADD', KEYS[3], ARGV[2], id)
return id
"""

_LEASE = """
-- the first of the next ARGV[2] requests whose download slot is not busy in this worker
local busy = {}
for i = 3, #ARGV do busy[ARGV[i]] = true end
local head = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[2]) - 1, 'WITHSCORES')
for i = 1, #head, 2 do
  local id = head[i]
  local slot = redis.call('HGET', KEYS[5], id)
  if not slot or not busy[slot] then
    redis.call('ZREM', KEYS[1], id)
    redis.call('HSET', KEYS[3], id, head[i + 1])
    redis.call('SADD', KEYS[4], ARGV[1])
    local payload = redis.call('HGET', KEYS[2], id)
    return {id, payload or false}
  end
end
return false
"""

_REQUEUE = """
local items = redis.call('HGETALL', KEYS[1])
for i = 1, #items, 2 do
  redis.call('ZADD', KEYS[2], items[i + 1], items[i])
end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[3], ARGV[1])
return #items / 2
"""


@dataclass(frozen=True, slots=True)
class FrontierState:
    """A snapshot of the shared crawl: what is queued, who holds what."""

    queued: int
    leased: dict[str, int]  # live worker -> leases held
    dead: dict[str, int]  # dead worker -> leases left behind (to be requeued)

    @property
    def in_flight(self) -> int:
        return sum(self.leased.values())

    @property
    def drained(self) -> bool:
        """Nothing queued, nothing held by anyone, nothing left behind by the dead."""
        return self.queued == 0 and not self.in_flight and not any(self.dead.values())


class RedisFrontier:
    def __init__(self, server: Redis, prefix: str, spider: str) -> None:
        self.server = server
        self.prefix = prefix
        self.base = f"{prefix}:{spider}"
        self.queue_key = f"{self.base}:queue"
        self.requests_key = f"{self.base}:requests"
        self.seq_key = f"{self.base}:seq"
        self.workers_key = f"{self.base}:workers"
        self.dupefilter_key = f"{self.base}:dupefilter"
        self.seeded_key = f"{self.base}:seeded"
        self.slots_key = f"{self.base}:slots"
        self._push = server.register_script(_PUSH)
        self._lease = server.register_script(_LEASE)
        self._requeue = server.register_script(_REQUEUE)

    def leases_key(self, worker: str) -> str:
        return f"{self.base}:leases:{worker}"

    # --- the queue ---------------------------------------------------------------------------
    def push(self, payload: bytes, priority: int = 0, *, fingerprint: str = "", slot: str = "") -> str | None:
        """Queue one serialized request; returns its id. With a `fingerprint`, the request is
        queued only if no worker recorded that fingerprint before (None then): recording it and
        queueing are one step, so a kill cannot leave a fingerprint without its request. `slot` is
        its download slot (the site), so a worker can pass over sites it is already busy with."""
        request_id = self._push(keys=[self.seq_key, self.requests_key, self.queue_key, self.dupefilter_key,
                                      self.slots_key],
                                args=[payload, -priority, fingerprint, slot])
        return reply_text(request_id) if request_id else None

    def lease(self, worker: str, *, busy: Iterable[str] = (), scan: int = 200) -> tuple[str, bytes | None] | None:
        """Take the next request for `worker` (None when the queue is empty), passing over
        requests of the download slots in `busy` (sites this worker already has a request waiting
        for: another worker can fetch them sooner) among the first `scan` of the queue. The
        payload is None only if the request's body vanished (a `reset` raced us)."""
        got = self._lease(keys=[self.queue_key, self.requests_key, self.leases_key(worker), self.workers_key,
                                self.slots_key],
                          args=[worker, scan, *busy])
        if not got:
            return None
        request_id, payload = got
        return reply_text(request_id), (payload if payload else None)

    def ack(self, worker: str, request_ids: Iterable[str]) -> int:
        """`worker` has completely handled these requests: forget them."""
        ids = list(request_ids)
        if not ids:
            return 0
        pipe = self.server.pipeline(transaction=True)
        pipe.hdel(self.leases_key(worker), *ids)
        pipe.hdel(self.requests_key, *ids)
        pipe.hdel(self.slots_key, *ids)
        released, _, _ = pipe.execute()
        return int(released)

    def requeue(self, worker: str) -> int:
        """Put every request `worker` holds back in the queue (original priority and order) and
        drop the worker from the crawl; returns how many."""
        return int(self._requeue(keys=[self.leases_key(worker), self.queue_key, self.workers_key], args=[worker]))

    def queued(self) -> int:
        return int(self.server.zcard(self.queue_key))

    def held(self, worker: str) -> int:
        return int(self.server.hlen(self.leases_key(worker)))

    def join(self, worker: str) -> None:
        self.server.sadd(self.workers_key, worker)

    def leave(self, worker: str) -> int:
        """A worker ends cleanly: whatever it still holds goes back to the queue."""
        return self.requeue(worker)

    # --- who is alive ------------------------------------------------------------------------
    def workers(self) -> list[str]:
        return sorted(reply_text(member) for member in self.server.smembers(self.workers_key))

    def state(self) -> FrontierState:
        workers = self.workers()
        pipe = self.server.pipeline(transaction=False)
        pipe.zcard(self.queue_key)
        for worker in workers:
            pipe.hlen(self.leases_key(worker))
        counts = pipe.execute()
        leased: dict[str, int] = {}
        dead: dict[str, int] = {}
        for worker, count in zip(workers, counts[1:]):
            (leased if is_alive(self.server, self.prefix, worker) else dead)[worker] = int(count)
        return FrontierState(queued=int(counts[0]), leased=leased, dead=dead)

    def dead_workers(self) -> list[str]:
        return [worker for worker in self.workers() if not is_alive(self.server, self.prefix, worker)]

    # --- dupefilter ---------------------------------------------------------------------------
    def fingerprint_known(self, fingerprint: str) -> bool:
        return bool(self.server.sismember(self.dupefilter_key, fingerprint))

    def seen(self, fingerprint: str) -> bool:
        """Record the fingerprint; True when some worker had already recorded it."""
        return self.server.sadd(self.dupefilter_key, fingerprint) == 0

    def fingerprints(self) -> int:
        return int(self.server.scard(self.dupefilter_key))

    # --- the crawl as a whole -----------------------------------------------------------------
    def record_seed(self, *, sites: list[str], arguments: dict[str, Any], requests: int) -> None:
        self.server.hset(self.seeded_key, mapping={
            "seeded_at": f"{time.time():.3f}",
            "sites": json.dumps(sites, ensure_ascii=False),
            "arguments": json.dumps(arguments, ensure_ascii=False, default=str),
            "requests": str(requests),
        })

    def seed_info(self) -> dict[str, Any] | None:
        raw = reply_hash(self.server.hgetall(self.seeded_key))
        if not raw:
            return None
        return {
            "seeded_at": float(raw.get("seeded_at") or 0),
            "sites": json.loads(raw.get("sites") or "[]"),
            "arguments": json.loads(raw.get("arguments") or "{}"),
            "requests": int(raw.get("requests") or 0),
        }

    def reset(self) -> None:
        """Forget the whole crawl: queue, request bodies, leases, workers, fingerprints, seed."""
        keys = [self.queue_key, self.requests_key, self.workers_key, self.dupefilter_key, self.seeded_key,
                self.seq_key, self.slots_key]
        keys += [self.leases_key(worker) for worker in self.workers()]
        keys += [reply_text(k) for k in self.server.scan_iter(match=f"{self.base}:leases:*")]
        self.server.delete(*set(keys))

    def start_generation(self) -> None:
        """A new crawl over a drained frontier: the old fingerprints and seed record go."""
        self.server.delete(self.dupefilter_key, self.seeded_key)
