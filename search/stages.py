"""Time spent per stage of a request (queue wait, each pipeline component, answer building), as one Prometheus
histogram on the default registry, so a slow request shows which stage was slow.

Pipeline components are timed through Haystack's tracing hook, so the pipelines themselves stay as they are.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from haystack import tracing
from haystack.tracing import Span, Tracer
from haystack.tracing.tracer import NullSpan
from prometheus_client import Histogram

STAGE_SECONDS = Histogram(
    "hjemmel_stage_seconds",
    "Seconds spent per stage: queue (waiting for a model worker), a search pipeline component (expander, embedder, "
    "sparse, retriever, units), answer, applicable.",
    ["stage"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)

_COMPONENT_SPAN = "haystack.component.run"
_COMPONENT_NAME = "haystack.component.name"


@contextmanager
def timed(stage: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        STAGE_SECONDS.labels(stage).observe(time.perf_counter() - started)


class StageTracer(Tracer):
    """Observes each component run's wall time under the component's name; records nothing else."""

    @contextmanager
    def trace(self, operation_name: str, tags: dict[str, Any] | None = None, parent_span: Span | None = None) -> Iterator[Span]:
        name = (tags or {}).get(_COMPONENT_NAME) if operation_name == _COMPONENT_SPAN else None
        if name is None:
            yield NullSpan()
            return
        with timed(name):
            yield NullSpan()

    def current_span(self) -> Span | None:
        return None


def enable_stage_metrics() -> None:
    """Installs the stage tracer unless another tracer (OpenTelemetry, Datadog) was set up: that one wins."""
    if not tracing.is_tracing_enabled():
        tracing.enable_tracing(StageTracer())
