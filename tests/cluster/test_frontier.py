"""The shared frontier on a real Redis: leases, acknowledgement, dead workers, the end condition."""

from __future__ import annotations

import time

import pytest

from govreports.cluster.frontier import RedisFrontier
from govreports.cluster.liveness import Heartbeat, is_alive
from tests.cluster.conftest import RedisServer, requires_redis

pytestmark = [pytest.mark.redis, requires_redis]


def frontier_on(server: RedisServer) -> RedisFrontier:
    return RedisFrontier(server.client(), "test", "annual_reports")


def alive(frontier: RedisFrontier, worker: str, ttl: float = 30.0) -> Heartbeat:
    return Heartbeat(frontier.server, frontier.prefix, worker, ttl=ttl).start()


def test_a_leased_request_goes_to_one_worker_only(redis_server: RedisServer) -> None:
    frontier = frontier_on(redis_server)
    a, b = alive(frontier, "a"), alive(frontier, "b")
    frontier.join("a"), frontier.join("b")
    frontier.push(b"list page 1")
    first = frontier.lease("a")
    assert first is not None and first[1] == b"list page 1"
    assert frontier.lease("b") is None
    assert frontier.state().leased == {"a": 1, "b": 0}
    assert not frontier.state().drained  # a still works on it: b must not quit
    frontier.ack("a", [first[0]])
    assert frontier.state().drained
    assert frontier.server.hlen(frontier.requests_key) == 0  # acknowledged bodies are gone
    a.stop(), b.stop()


def test_higher_priority_first_then_first_in_first_out(redis_server: RedisServer) -> None:
    frontier = frontier_on(redis_server)
    for name, priority in [(b"report 1", 0), (b"report 2", 0), (b"retry", 10), (b"report 3", 0)]:
        frontier.push(name, priority)
    order = []
    while (leased := frontier.lease("a")) is not None:
        order.append(leased[1])
    assert order == [b"retry", b"report 1", b"report 2", b"report 3"]


def test_a_dead_workers_leases_return_to_the_queue_in_their_original_order(redis_server: RedisServer) -> None:
    frontier = frontier_on(redis_server)
    survivor = alive(frontier, "survivor")
    doomed = alive(frontier, "doomed", ttl=0.6)
    for n in range(4):
        frontier.push(f"page {n}".encode())
    taken = [frontier.lease("doomed"), frontier.lease("doomed")]
    assert [t[1] for t in taken if t] == [b"page 0", b"page 1"]
    doomed.stop(forget=False)  # SIGKILL: the key is not removed, it just stops being renewed
    assert frontier.dead_workers() == []
    time.sleep(0.8)
    assert not is_alive(frontier.server, frontier.prefix, "doomed")
    state = frontier.state()
    assert state.dead == {"doomed": 2} and not state.drained
    assert frontier.requeue("doomed") == 2
    assert frontier.workers() == []
    again = []
    while (leased := frontier.lease("survivor")) is not None:
        again.append(leased[1])
    assert again == [b"page 0", b"page 1", b"page 2", b"page 3"]
    survivor.stop()


def test_fingerprints_are_shared_by_every_worker(redis_server: RedisServer) -> None:
    one, other = frontier_on(redis_server), frontier_on(redis_server)
    assert one.seen("fp-report-1") is False
    assert other.seen("fp-report-1") is True
    assert other.fingerprints() == 1
    one.start_generation()  # the next crawl fetches everything again
    assert other.seen("fp-report-1") is False


def test_reset_forgets_the_crawl_but_not_other_spiders(redis_server: RedisServer) -> None:
    frontier = frontier_on(redis_server)
    neighbour = RedisFrontier(redis_server.client(), "test", "other_spider")
    frontier.push(b"x"), neighbour.push(b"y")
    frontier.lease("w")
    frontier.seen("fp")
    frontier.record_seed(sites=["511303"], arguments={}, requests=1)
    frontier.reset()
    assert frontier.queued() == 0 and frontier.workers() == [] and frontier.seed_info() is None
    assert frontier.fingerprints() == 0 and frontier.held("w") == 0
    assert neighbour.queued() == 1


def test_a_worker_waiting_on_a_site_takes_another_sites_request(redis_server: RedisServer) -> None:
    """Few sites, two workers: the second request of a site goes to the worker not already waiting on it."""
    frontier = frontier_on(redis_server)
    frontier.push(b"gaoping page 2", slot="site:511303")
    frontier.push(b"gaoping report", slot="site:511303")
    frontier.push(b"zixing report", slot="site:431081")
    picked = frontier.lease("a", busy=["site:511303"])
    assert picked is not None and picked[1] == b"zixing report"
    assert frontier.lease("a", busy=["site:511303", "site:431081"]) is None  # everything left is busy here
    picked = frontier.lease("b")
    assert picked is not None and picked[1] == b"gaoping page 2"
