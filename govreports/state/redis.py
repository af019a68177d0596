"""`RedisStateStore`: the `StateStore` shared by the workers of a cluster crawl (one Redis server).

Same questions and same claim → fsync → commit protocol as `SqliteStateStore` (see
`govreports.state`); what changes is that several crawls write at once, on several machines:

- **Atomic claim.** `claim` is one Lua script: it refuses (returns False) when another *live* run
  holds a claim on the report, or when the committed state already has this content or a revision
  at least as new (another worker delivered it meanwhile). `RunState.claim` turns a refusal into a
  dropped duplicate, so two workers never both emit a report. `commit` is one script too, and only
  the run that holds the claim can commit it.
- **Liveness by heartbeat, not by pid.** A run is alive while its heartbeat key
  (`{prefix}:alive:{run_id}`, `govreports.cluster.liveness`) exists; `begin_run` starts it and
  `end_run` removes it. `recover_dead_runs` (called at start-up by `RunState` and by the cluster
  scheduler before it requeues a dead worker's requests) reconciles the pending claims of runs
  whose heartbeat expired against their feeds when those are readable on this machine (same host
  or a shared file system), and releases them otherwise; a released report is emitted again, and a
  copy that was in fact in the dead worker's feed is folded by `scrapy merge` / `scrapy dataset`
  (same id and revision). One recovery at a time (a Redis lock).
- **Site status of overlapping runs is merged**: workers of one crawl each saw part of a site;
  their counts add up, a block or a failure on any of them counts, the first column found wins.

Keys (`{prefix}:state:`…): `report:{id}` (hash), `revisions:{id}` (revision → JSON),
`report_ids` (set), `claim:{id}` (hash), `claims` (sorted set, claim order), `claims:{run}` (set),
`runs` (sorted set, start order), `run:{run}` (hash), `run_feeds:{run}` (list), `urls`
(canonical URL → JSON {key, site_id, last_seen}), `site:{site_id}` (JSON), `seq`, `recovering`.
Settings: `GOVREPORTS_REDIS_URL`, `GOVREPORTS_REDIS_PREFIX` ("govreports"),
`GOVREPORTS_CLUSTER_HEARTBEAT_TTL` (30 s).
"""

from __future__ import annotations

import json
import logging
import os
from collections import defaultdict
from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING, Any

from govreports.cluster.liveness import DEFAULT_TTL, Heartbeat, alive_key, reply_hash, reply_text
from govreports.keys import id_of_key
from govreports.state.base import Claim, RunInfo, Seen, SiteStatus, utc_now
from govreports.state.recovery import Recovery, delivered_in_feeds
from govreports.urls import canonical_url

if TYPE_CHECKING:
    from redis import Redis
    from redis.typing import EncodableT
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

_CLAIM = """
-- KEYS: claim, report, claims (zset), claims:{run}, seq ; ARGV: id, run_id, content_hash, revision,
-- then the claim fields as field/value pairs; returns 'ok' or why it was refused
local holder = redis.call('HGET', KEYS[1], 'run_id')
if holder and holder ~= ARGV[2] and redis.call('EXISTS', ARGV[5] .. holder) == 1 then
  return 'held:' .. holder
end
local committed = redis.call('HMGET', KEYS[2], 'content_hash', 'revision')
if committed[1] and committed[1] == ARGV[3] then return 'delivered' end
if committed[2] and tonumber(committed[2]) >= tonumber(ARGV[4]) then return 'stale' end
if holder and holder ~= ARGV[2] then
  redis.call('SREM', ARGV[6] .. holder, ARGV[1])
end
redis.call('DEL', KEYS[1])
local fields = {}
for i = 7, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('SADD', KEYS[4], ARGV[1])
redis.call('ZADD', KEYS[3], redis.call('INCR', KEYS[5]), ARGV[1])
return 'ok'
"""

_COMMIT = """
-- KEYS: claim, report, revisions, claims (zset), claims:{run}, report_ids, urls ; ARGV: id, run_id, now
local claim = redis.call('HGETALL', KEYS[1])
if #claim == 0 then return 0 end
local c = {}
for i = 1, #claim, 2 do c[claim[i]] = claim[i + 1] end
if c['run_id'] ~= ARGV[2] then return 0 end
local existing = redis.call('HGET', KEYS[2], 'revision')
if not existing then
  redis.call('HSET', KEYS[2], 'key', c['key'], 'id', c['id'], 'site_id', c['site_id'], 'url', c['url'],
             'content_hash', c['content_hash'], 'revision', c['revision'], 'first_seen', ARGV[3], 'last_seen', ARGV[3])
  redis.call('SADD', KEYS[6], ARGV[1])
elseif tonumber(existing) <= tonumber(c['revision']) then
  redis.call('HSET', KEYS[2], 'url', c['url'], 'content_hash', c['content_hash'], 'revision', c['revision'],
             'last_seen', ARGV[3])
end
redis.call('HSET', KEYS[3], c['revision'], cjson.encode({c['content_hash'], ARGV[3], c['run_id']}))
redis.call('HSET', KEYS[7], c['canonical_url'], cjson.encode({key = c['key'], site_id = c['site_id'], last_seen = ARGV[3]}))
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('SREM', KEYS[5], ARGV[1])
return 1
"""

_RELEASE = """
-- KEYS: claims (zset), claims:{run} ; ARGV: run_id, claim key prefix, ids...
local released = 0
for i = 3, #ARGV do
  local key = ARGV[2] .. ARGV[i]
  if redis.call('HGET', key, 'run_id') == ARGV[1] then
    redis.call('DEL', key)
    redis.call('ZREM', KEYS[1], ARGV[i])
    released = released + 1
  end
  redis.call('SREM', KEYS[2], ARGV[i])
end
return released
"""

_NONE = ""  # Redis hashes hold strings: None is stored as the empty string


class RedisStateStore:
    """The `StateStore` on one Redis server, for several concurrent crawls (see module docstring)."""

    def __init__(self, server: Redis, *, prefix: str = "govreports", heartbeat_ttl: float = DEFAULT_TTL) -> None:
        self.server = server
        self.prefix = prefix
        self.base = f"{prefix}:state"
        self.heartbeat_ttl = heartbeat_ttl
        self._heartbeats: dict[str, Heartbeat] = {}
        self._claim = server.register_script(_CLAIM)
        self._commit = server.register_script(_COMMIT)
        self._release = server.register_script(_RELEASE)

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> RedisStateStore:
        import redis

        server = redis.Redis.from_url(url, decode_responses=True, socket_connect_timeout=5, health_check_interval=30)
        try:
            server.ping()
        except redis.RedisError as error:
            raise ConnectionError(f"state store {url}: Redis does not answer ({error})") from error
        return cls(server, **kwargs)

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> RedisStateStore:
        url = settings.get("GOVREPORTS_REDIS_URL")
        if not url:
            raise ValueError("RedisStateStore needs GOVREPORTS_REDIS_URL (redis://host:port/db)")
        return cls.from_url(url, prefix=settings.get("GOVREPORTS_REDIS_PREFIX") or "govreports",
                            heartbeat_ttl=settings.getfloat("GOVREPORTS_CLUSTER_HEARTBEAT_TTL", DEFAULT_TTL))

    def _k(self, *parts: str) -> str:
        return ":".join((self.base, *parts))

    # --- delivered reports -----------------------------------------------------------------
    def lookup(self, key: str) -> Seen | None:
        report_id = id_of_key(key)
        row = reply_hash(self.server.hgetall(self._k("report", report_id)))
        if not row:
            return None
        revision = int(row["revision"])
        previous = [json.loads(value)[0] for number, value in self._revisions(report_id) if number < revision]
        return Seen(key=row["key"], id=row["id"], content_hash=row["content_hash"], revision=revision,
                    url=row["url"], site_id=row["site_id"] or None, first_seen=row["first_seen"],
                    last_seen=row["last_seen"], previous_hashes=tuple(previous))

    def _revisions(self, report_id: str) -> list[tuple[int, str]]:
        raw = self.server.hgetall(self._k("revisions", report_id))
        return sorted((int(number), reply_text(value)) for number, value in raw.items())

    def touch(self, key: str, run_id: str) -> None:
        report = self._k("report", id_of_key(key))
        if self.server.exists(report):
            self.server.hset(report, "last_seen", utc_now())

    def history(self, key: str) -> list[tuple[int, str, str]]:
        result = []
        for number, value in self._revisions(id_of_key(key)):
            content_hash, delivered_at, _run = json.loads(value)
            result.append((number, content_hash, delivered_at))
        return result

    def count_reports(self) -> int:
        return int(self.server.scard(self._k("report_ids")))

    # --- claim / commit --------------------------------------------------------------------
    def claim(self, claim: Claim) -> bool:
        """Claim atomically; False when another live run holds it or it was delivered meanwhile."""
        report_id = id_of_key(claim.key)
        fields = {
            "key": claim.key, "id": claim.id, "content_hash": claim.content_hash, "revision": claim.revision,
            "url": claim.url, "canonical_url": canonical_url(claim.url), "site_id": claim.site_id or _NONE,
            "run_id": claim.run_id, "claimed_at": utc_now(),
        }
        flat = [str(value) for pair in fields.items() for value in pair]
        verdict = self._claim(
            keys=[self._k("claim", claim.id), self._k("report", report_id), self._k("claims"),
                  self._k("claims", claim.run_id), self._k("seq")],
            args=[claim.id, claim.run_id, claim.content_hash, claim.revision, alive_key(self.prefix, ""),
                  self._k("claims", ""), *flat],
        )
        if verdict != "ok":
            logger.info("claim of %s refused (%s): %s", claim.id, verdict, claim.url)
            return False
        return True

    def commit(self, report_id: str, run_id: str) -> bool:
        claim = reply_hash(self.server.hgetall(self._k("claim", report_id)))
        if not claim:
            return False
        stored_id = id_of_key(claim["key"])
        done = self._commit(
            keys=[self._k("claim", report_id), self._k("report", stored_id), self._k("revisions", stored_id),
                  self._k("claims"), self._k("claims", claim["run_id"]), self._k("report_ids"), self._k("urls")],
            args=[report_id, run_id, utc_now()],
        )
        return bool(done)

    def pending_claims(self, run_id: str | None = None) -> list[Claim]:
        ids = [reply_text(claim_id) for claim_id in self.server.zrange(self._k("claims"), 0, -1)]
        if run_id is not None:
            mine = self.server.smembers(self._k("claims", run_id))
            ids = [claim_id for claim_id in ids if claim_id in mine]
        pipe = self.server.pipeline(transaction=False)
        for claim_id in ids:
            pipe.hgetall(self._k("claim", claim_id))
        claims = []
        for row in pipe.execute():
            if not row or (run_id is not None and row["run_id"] != run_id):
                continue
            claims.append(Claim(key=row["key"], id=row["id"], content_hash=row["content_hash"],
                                revision=int(row["revision"]), url=row["url"], site_id=row["site_id"] or None,
                                run_id=row["run_id"]))
        return claims

    def release(self, run_id: str, report_ids: Iterable[str] | None = None) -> int:
        ids = list(self.server.smembers(self._k("claims", run_id)) if report_ids is None else report_ids)
        if not ids:
            return 0
        return int(self._release(keys=[self._k("claims"), self._k("claims", run_id)],
                                 args=[run_id, self._k("claim", ""), *ids]))

    # --- runs ------------------------------------------------------------------------------
    def begin_run(self, run: RunInfo) -> None:
        pipe = self.server.pipeline(transaction=True)
        pipe.hset(self._k("run", run.run_id), mapping={"run_id": run.run_id, "pid": run.pid, "host": run.host,
                                                      "started_at": run.started_at})
        pipe.zadd(self._k("runs"), {run.run_id: self.server.incr(self._k("seq"))})
        pipe.execute()
        if run.pid == os.getpid() and run.run_id not in self._heartbeats:
            self._heartbeats[run.run_id] = Heartbeat(self.server, self.prefix, run.run_id,
                                                     ttl=self.heartbeat_ttl).start()

    def end_run(self, run_id: str, outcome: str) -> None:
        self.server.hset(self._k("run", run_id), mapping={"finished_at": utc_now(), "outcome": outcome})
        heartbeat = self._heartbeats.pop(run_id, None)
        if heartbeat is not None:
            heartbeat.stop()

    def record_feed(self, run_id: str, path: str) -> None:
        key = self._k("run_feeds", run_id)
        if path not in self.server.lrange(key, 0, -1):
            self.server.rpush(key, path)

    def runs(self, *, unfinished_only: bool = False) -> list[RunInfo]:
        run_ids = [reply_text(run_id) for run_id in self.server.zrange(self._k("runs"), 0, -1)]
        pipe = self.server.pipeline(transaction=False)
        for run_id in run_ids:
            pipe.hgetall(self._k("run", run_id))
            pipe.lrange(self._k("run_feeds", run_id), 0, -1)
        rows = pipe.execute()
        result = []
        for row, feeds in zip(rows[::2], rows[1::2]):
            if not row or (unfinished_only and row.get("finished_at")):
                continue
            result.append(RunInfo(run_id=row["run_id"], pid=int(row["pid"]), host=row["host"],
                                  started_at=row["started_at"], finished_at=row.get("finished_at") or None,
                                  outcome=row.get("outcome") or None, feeds=tuple(feeds)))
        return result

    def run_alive(self, run_id: str) -> bool:
        return bool(self.server.exists(alive_key(self.prefix, run_id)))

    def recover_dead_runs(self) -> Recovery:
        """Settle the pending claims of every run whose heartbeat expired (see module docstring)."""
        result = Recovery()
        with self.server.lock(self._k("recovering"), timeout=300, blocking_timeout=60):
            runs = {run.run_id: run for run in self.runs()}
            by_run: dict[str, list[Claim]] = defaultdict(list)
            for claim in self.pending_claims():
                by_run[claim.run_id].append(claim)
            unfinished = {run_id for run_id, run in runs.items() if run.finished_at is None}
            for run_id in sorted(set(by_run) | unfinished):
                if self.run_alive(run_id):
                    result.live_runs_skipped += 1
                    continue
                run = runs.get(run_id)
                claims = by_run.get(run_id, [])
                local_feeds = [path for path in (run.feeds if run else ()) if os.path.exists(path)]
                if run is not None and claims and len(local_feeds) < len(run.feeds):
                    logger.warning("run %s (host %s) died; %d of its feed(s) are not readable here: its "
                                   "pending reports are emitted again (scrapy merge folds any copy)",
                                   run_id, run.host, len(run.feeds) - len(local_feeds))
                delivered = delivered_in_feeds(local_feeds, result) if claims else set()
                for claim in claims:
                    if (claim.id, claim.revision) in delivered and self.commit(claim.id, run_id):
                        result.recovered += 1
                result.released += self.release(run_id, [c.id for c in claims if (c.id, c.revision) not in delivered])
                if run is not None and run.finished_at is None:
                    self.end_run(run_id, "killed")
                    result.dead_runs += 1
        if result.recovered or result.released:
            logger.warning("recovered an interrupted run: %d report(s) found in its feed and committed, "
                           "%d not delivered and to be emitted again", result.recovered, result.released)
        return result

    # --- URLs ------------------------------------------------------------------------------
    def remember_urls(self, key: str, urls: Iterable[str], site_id: str | None = None) -> None:
        value = json.dumps({"key": key, "site_id": site_id or _NONE, "last_seen": utc_now()}, ensure_ascii=False)
        mapping: dict[EncodableT, EncodableT] = {canonical_url(url): value for url in urls}
        if mapping:
            self.server.hset(self._k("urls"), mapping=mapping)

    def url_key(self, url: str) -> str | None:
        raw = self.server.hget(self._k("urls"), canonical_url(url))
        return None if raw is None else str(json.loads(raw)["key"])

    def known_urls(self, urls: Iterable[str], *, sites: Collection[str] | None = None) -> set[str]:
        given = list(urls)
        if not given:
            return set()
        rows = self.server.hmget(self._k("urls"), [canonical_url(url) for url in given])
        known = set()
        for url, raw in zip(given, rows):
            if raw is None:
                continue
            site_id = json.loads(raw).get("site_id") or None
            if sites is None or site_id in sites:
                known.add(url)
        return known

    # --- sites -----------------------------------------------------------------------------
    def record_site_status(self, status: SiteStatus) -> None:
        from redis.exceptions import WatchError

        key = self._k("site", str(status.site_id))
        with self.server.pipeline(transaction=True) as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    previous = _status_from_json(raw) if raw else None
                    merged = status
                    if previous is not None and previous.run_id != status.run_id and self._overlapping(previous, status):
                        merged = _merge_status(previous, status)
                    pipe.multi()
                    pipe.set(key, _status_to_json(merged))
                    pipe.execute()
                    return
                except WatchError:  # another worker wrote this site meanwhile: merge again
                    continue

    def _overlapping(self, previous: SiteStatus, current: SiteStatus) -> bool:
        """Did the run that recorded `previous` run at the same time as `current`'s run (one crawl)?"""
        if not previous.run_id or not current.run_id:
            return False
        before = reply_hash(self.server.hgetall(self._k("run", previous.run_id)))
        now = reply_hash(self.server.hgetall(self._k("run", current.run_id)))
        if not before or not now:
            return False
        ended = before.get("finished_at") or None
        return ended is None or ended >= now["started_at"]

    def site_status(self, site_id: str) -> SiteStatus | None:
        raw = self.server.get(self._k("site", str(site_id)))
        return _status_from_json(raw) if raw else None

    def close(self) -> None:
        for heartbeat in self._heartbeats.values():
            heartbeat.stop(forget=False)  # an unfinished run stays "alive" until its key expires
        self._heartbeats.clear()
        try:
            self.server.close()
        except Exception:  # noqa: S110  # closing is best effort: the connection may be gone already
            pass


def _status_to_json(status: SiteStatus) -> str:
    return json.dumps(status.to_json(), ensure_ascii=False, default=str)


def _status_from_json(raw: str | bytes) -> SiteStatus:
    return SiteStatus.from_json(json.loads(raw))


def _merge_status(previous: SiteStatus, current: SiteStatus) -> SiteStatus:
    """Two workers of one crawl each saw part of a site: add up what they saw."""
    return previous.merged_with(current)
