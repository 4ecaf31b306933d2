"""The process's Prometheus metrics (``prometheus-client``), served at ``GET /metrics``.

Every layer counts here (this module imports only :mod:`argmap.errors`): the HTTP middleware
(:mod:`argmap.api._ops`) counts requests, the store's writes are timed by
:func:`instrument_store`, ``argmap.query`` reports its per-version caches with
:func:`cache_lookup`, the search index its builds, typesetting its PDF children.

Metrics live in prometheus-client's default registry, one set per process, as one server
is one process (:mod:`argmap._serve`). Label values are bounded: routes are templates
(``/maps/{map_id}``), never paths.
"""

from __future__ import annotations

import threading
import time
from bisect import bisect_left
from contextlib import contextmanager

from prometheus_client import (
    REGISTRY,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
)
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector

from argmap.errors import ArgmapError

disable_created_metrics()  # the *_created series double the output and say only when we started

__all__ = ["CACHE", "PDF_RUNNING", "REQUESTS", "SEARCH_BUILDS", "WRITES", "WRITE_SECONDS",
           "cache_lookup", "instrument_store"]

# Latency buckets from 1 ms (a cached read) to 60 s (a PDF at its deadline).
_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

class _Requests(Collector):
    """Requests by method, route template and status, and their latency by route: counted in
    plain dicts by the one thread that runs the event loop (:class:`argmap.api._ops.Observe`),
    so a request costs two dict updates instead of two locked metric updates; prometheus-client
    renders them at each scrape (a custom collector, as its documentation describes)."""

    def __init__(self):
        self.counts: dict[tuple[str, str, int], int] = {}
        self.latency: dict[tuple[str, str], list] = {}  # per bucket (le), then +Inf, then the sum

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        self.counts[key] = self.counts.get(key, 0) + 1
        bins = self.latency.get((method, route))
        if bins is None:
            bins = self.latency[method, route] = [0] * (len(_BUCKETS) + 1) + [0.0]
        bins[bisect_left(_BUCKETS, seconds)] += 1
        bins[-1] += seconds

    def collect(self):
        requests = CounterMetricFamily("argmap_http_requests", "HTTP requests answered, by method, route "
                                       "template and status.", labels=["method", "route", "status"])
        for (method, route, status), n in list(self.counts.items()):
            requests.add_metric([method, route, str(status)], n)
        yield requests
        latency = HistogramMetricFamily("argmap_http_request_duration_seconds", "Time from the request's "
                                        "arrival to the end of its answer, by route template.",
                                        labels=["method", "route"])
        for (method, route), bins in list(self.latency.items()):
            cumulative, buckets = 0, []
            for le, n in zip([*map(str, _BUCKETS), "+Inf"], bins[:-1]):
                cumulative += n
                buckets.append((le, cumulative))
            latency.add_metric([method, route], buckets, sum_value=bins[-1])
        yield latency


REQUESTS = _Requests()
REGISTRY.register(REQUESTS)
WRITES = Counter("argmap_write_transactions", "Store write transactions, by outcome: committed, refused "
                 "(bad input, a conflict: nothing written) or failed.", ["outcome"])
WRITE_SECONDS = Histogram("argmap_write_transaction_duration_seconds",
                          "Time of a store write transaction, waiting for the writer lock included.",
                          buckets=_BUCKETS)
GROUPS = Histogram("argmap_write_group_size", "Write requests committed together by one database commit "
                   "(group commit): the count is the commits, the sum the requests.",
                   buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256))
FORWARDED = Counter("argmap_writes_forwarded", "Write requests this server sent on to the server leading "
                    "its lake's writes (answered there).")
LEADING = Gauge("argmap_lake_leading", "1 while this server leads its lake's writes (the others forward theirs "
                "to it), else 0.")
CACHE = Counter("argmap_cache_lookups", "Lookups in the per-map-version caches (support graph, "
                "statements, speakers), by cache and result (hit or miss).", ["cache", "result"])
PDF_RUNNING = Gauge("argmap_pdf_children_running", "PDF renders running now, each in a child process.")
SEARCH_BUILDS = Counter("argmap_search_index_builds", "Builds of a map's full-text search index "
                        "(one after each write to a map that is then searched).")

_cache_children: dict[tuple[str, bool], object] = {}


def cache_lookup(cache: str, hit: bool) -> None:
    """Count one lookup in the cache named ``cache``: found current (``hit``) or not."""
    child = _cache_children.get((cache, hit))
    if child is None:
        child = _cache_children[cache, hit] = CACHE.labels(cache, "hit" if hit else "miss")
    child.inc()


def instrument_store(store) -> None:
    """Time and count the outermost write transactions of ``store`` (its public ``write``;
    a write made inside another joins it and is not counted again)."""
    if getattr(store, "_argmap_metrics", False):
        return
    inner = store.write
    depth = threading.local()
    committed, refused, failed = WRITES.labels("committed"), WRITES.labels("refused"), WRITES.labels("failed")

    @contextmanager
    def counted():
        t0 = time.perf_counter()
        try:
            yield
        except ArgmapError:
            refused.inc()
            raise
        except BaseException:
            failed.inc()
            raise
        finally:
            WRITE_SECONDS.observe(time.perf_counter() - t0)
        committed.inc()

    def write(fn, *args, **kwargs):
        if getattr(depth, "n", 0):
            return inner(fn, *args, **kwargs)
        depth.n = 1
        try:
            with counted():
                return inner(fn, *args, **kwargs)
        finally:
            depth.n = 0

    inner_async = store.write_async

    async def write_async(fn, *args, **kwargs):
        with counted():
            return await inner_async(fn, *args, **kwargs)

    store.write = write
    store.write_async = write_async
    store._writer.on_commit.append(GROUPS.observe)
    store._argmap_metrics = True
