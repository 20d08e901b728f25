"""Back-pressure for model work: a bounded pool of worker threads with a bounded queue in front of it.

A request that finds the queue full is refused at once (503 with Retry-After) instead of waiting its turn behind
every other, and so is one that would wait for a worker past its deadline, judged by the work ahead of it at each
route's recent time per request: under overload on 2 cores the workers slow down, and requests admitted by queue
length alone were held their whole 5 s deadline to be refused then (overload phase of `evals.bench_load`, in the
service: p99 5.0–5.4 s). One admitted waits at most until its deadline. A job that overruns its deadline keeps its
worker until it ends (a thread cannot be stopped), so the queue counts it and later requests are refused rather than
piled up.
"""

import asyncio
import collections
import contextvars
import math
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from prometheus_client import Counter, Gauge

from search.stages import STAGE_SECONDS

QUEUE_DEPTH = Gauge("hjemmel_queue_depth", "Requests admitted and waiting for a model worker.")
IN_FLIGHT = Gauge("hjemmel_model_workers_busy", "Model workers running a request.")
REJECTED = Counter(
    "hjemmel_rejected_total",
    "Requests refused at once (queue_full; would_miss_deadline: the expected wait for a worker passes the deadline) "
    "or cut off by their deadline (deadline: a 503, or an /ask returning the sources it had found, flagged partial).",
    ["route", "reason"],
)

T = TypeVar("T")

# Seconds a request is assumed to take before one of its route has finished, for Retry-After. A guess is no ground
# to refuse on: until each route ahead has a measured time, only a full queue refuses (with this guess the first 16
# searches of a fresh server were refused as «would miss the deadline», and their clients' retries after them).
_FIRST_GUESS = 1.0
_SMOOTHING = 0.2


class Busy(Exception):
    """The service cannot take or finish the request now; `retry_after` is a fair guess in whole seconds."""

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class Capacity:
    def __init__(self, workers: int, queue_size: int) -> None:
        self.workers = workers
        self.queue_size = queue_size
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="model")
        self._lock = threading.Lock()
        self._admitted: collections.Counter[str] = collections.Counter()  # by route
        self._running = 0
        # Smoothed seconds of work per request, by route: an /ask takes ten times a /search.
        self._service: dict[str, float] = {}

    @property
    def queued(self) -> int:
        return self._admitted.total() - self._running

    def _work_ahead(self) -> float:
        return sum(n * self._service.get(route, _FIRST_GUESS) for route, n in self._admitted.items())

    def retry_after(self) -> int:
        """Seconds until the work now admitted should be done, spread over the workers; at least 1."""
        return max(1, math.ceil(self._work_ahead() / self.workers))

    def expected_seconds(self, route: str) -> float | None:
        """When a `route` request admitted now should be done (the work ahead of it spread over the workers, then
        its own), or None while some route involved has no measured time."""
        involved = {route} | {r for r, n in self._admitted.items() if n}
        if not involved <= self._service.keys():
            return None
        return self._work_ahead() / self.workers + self._service[route]

    async def run(self, route: str, deadline: float, work: Callable[[], T]) -> T:
        """`work()` on a model worker, or Busy: at once when the queue is full or the request would wait past
        `deadline` (time.monotonic), else at `deadline` when it has not finished by then."""
        with self._lock:
            admitted = self._admitted.total()
            if admitted >= self.workers + self.queue_size:
                REJECTED.labels(route, "queue_full").inc()
                raise Busy(f"{admitted} requests are ahead; the queue holds {self.queue_size}", self.retry_after())
            expected = self.expected_seconds(route)
            if admitted >= self.workers and expected is not None and expected > deadline - time.monotonic():
                REJECTED.labels(route, "would_miss_deadline").inc()
                raise Busy(
                    f"{admitted} requests are ahead; by their recent times this one would end in {expected:.1f} s, "
                    "past its deadline",
                    self.retry_after(),
                )
            self._admitted[route] += 1
            self._update_gauges()
        enqueued = time.perf_counter()
        context = contextvars.copy_context()
        future = self._pool.submit(context.run, self._timed, route, work, enqueued)
        future.add_done_callback(lambda _: self._release(route))
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), timeout=max(0.0, deadline - time.monotonic()))
        except TimeoutError:
            future.cancel()  # removes it from the queue if no worker has taken it yet
            REJECTED.labels(route, "deadline").inc()
            raise Busy("the request's deadline passed before it was done", self.retry_after()) from None

    def _timed(self, route: str, work: Callable[[], T], enqueued: float) -> T:
        STAGE_SECONDS.labels("queue").observe(time.perf_counter() - enqueued)
        with self._lock:
            self._running += 1
            self._update_gauges()
        started = time.perf_counter()
        try:
            return work()
        finally:
            elapsed = time.perf_counter() - started
            with self._lock:
                self._running -= 1
                before = self._service.get(route, elapsed)
                self._service[route] = before + _SMOOTHING * (elapsed - before)

    def _release(self, route: str) -> None:
        with self._lock:
            self._admitted[route] -= 1
            self._update_gauges()

    def _update_gauges(self) -> None:
        QUEUE_DEPTH.set(self.queued)
        IN_FLIGHT.set(self._running)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
