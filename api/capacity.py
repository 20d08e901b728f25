"""Back-pressure for model work: a bounded pool of worker threads with a bounded queue in front of it.

A request that finds the queue full is refused at once (503 with Retry-After) instead of waiting its turn behind
every other; one admitted waits at most until its deadline. A job that overruns its deadline keeps its worker until
it ends (a thread cannot be stopped), so the queue counts it and later requests are refused rather than piled up.
"""

import asyncio
import contextvars
import math
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from prometheus_client import Counter, Gauge

from search.stages import STAGE_SECONDS

QUEUE_DEPTH = Gauge("hjemmel_queue_depth", "Requests admitted and waiting for a model worker.")
IN_FLIGHT = Gauge("hjemmel_model_workers_busy", "Model workers running a request.")
REJECTED = Counter(
    "hjemmel_rejected_total",
    "Requests refused at once (queue_full) or cut off by their deadline (deadline: a 503, or an /ask returning the "
    "sources it had found, flagged partial).",
    ["route", "reason"],
)

T = TypeVar("T")

# Seconds a request is assumed to take before any has finished, for the first Retry-After.
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
        self._admitted = 0
        self._running = 0
        self._service_seconds = _FIRST_GUESS

    @property
    def queued(self) -> int:
        return self._admitted - self._running

    def retry_after(self) -> int:
        """Seconds until the work now admitted should be done, spread over the workers; at least 1."""
        return max(1, math.ceil(self._admitted * self._service_seconds / self.workers))

    async def run(self, route: str, deadline: float, work: Callable[[], T]) -> T:
        """`work()` on a model worker, or Busy: at once when the queue is full, at `deadline` (time.monotonic) when
        it has not finished by then."""
        with self._lock:
            if self._admitted >= self.workers + self.queue_size:
                REJECTED.labels(route, "queue_full").inc()
                raise Busy(f"{self._admitted} requests are ahead; the queue holds {self.queue_size}", self.retry_after())
            self._admitted += 1
            self._update_gauges()
        enqueued = time.perf_counter()
        context = contextvars.copy_context()
        future = self._pool.submit(context.run, self._timed, work, enqueued)
        future.add_done_callback(self._release)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), timeout=max(0.0, deadline - time.monotonic()))
        except TimeoutError:
            future.cancel()  # removes it from the queue if no worker has taken it yet
            REJECTED.labels(route, "deadline").inc()
            raise Busy("the request's deadline passed before it was done", self.retry_after()) from None

    def _timed(self, work: Callable[[], T], enqueued: float) -> T:
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
                self._service_seconds += _SMOOTHING * (elapsed - self._service_seconds)

    def _release(self, _: Future) -> None:
        with self._lock:
            self._admitted -= 1
            self._update_gauges()

    def _update_gauges(self) -> None:
        QUEUE_DEPTH.set(self.queued)
        IN_FLIGHT.set(self._running)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
