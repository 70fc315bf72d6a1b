"""OpenTelemetry tracing: W3C `traceparent` in and out, one trace id from a request to its events,
its Dramatiq messages and its pushes.

The SDK's tracer provider is installed once per process with the W3C TraceContext propagator and,
by default, no exporter (spans cost little and go nowhere); when `OTEL_EXPORTER_OTLP_ENDPOINT` is
set, spans are exported there in batches (OTLP over HTTP, `opentelemetry-exporter-otlp-proto-http`),
as service `gymgenius-core` unless `OTEL_SERVICE_NAME` says otherwise.
The trace id that structlog binds (`trace_id`) is the OTel trace id of the current span, in 32
lowercase hex digits, except when a client sent only its own `X-Trace-Id` (kept for compatibility).
"""

from __future__ import annotations

import os
import re
import threading
from typing import Any

import dramatiq
import structlog
from dramatiq.broker import MessageProxy
from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.metrics import get_meter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from sqlalchemy import Engine

log = structlog.get_logger("gymgenius.telemetry")
# version 00, a trace id that is not all zeros, a parent span id that is not all zeros, flags
TRACEPARENT = re.compile(r"00-(?!0{32})([0-9a-f]{32})-(?!0{16})([0-9a-f]{16})-([0-9a-f]{2})")
PROPAGATOR = TraceContextTextMapPropagator()
_installed = threading.Lock()
_done: list[bool] = []
SERVICE = "gymgenius-core"
_exporting: list[bool] = []  # whether spans go anywhere (an OTLP exporter was configured)


def install() -> None:
    """The process's tracer provider and propagator (once; later calls do nothing)."""
    with _installed:
        if _done:
            return
        _done.append(True)
        propagate.set_global_textmap(PROPAGATOR)
        # service.name: OTEL_SERVICE_NAME (or OTEL_RESOURCE_ATTRIBUTES) when set, else ours
        named = "OTEL_SERVICE_NAME" in os.environ or "service.name=" in os.environ.get(
            "OTEL_RESOURCE_ATTRIBUTES", "")
        provider = TracerProvider(resource=Resource.create({} if named else {"service.name": SERVICE}))
        endpoint = os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
        if endpoint:
            _export(provider, endpoint)
        trace.set_tracer_provider(provider)


def _export(provider: TracerProvider, endpoint: str) -> None:
    """Spans in batches to the collector at `endpoint` (OTLP over HTTP, protobuf, to
    `<endpoint>/v1/traces`); the exporter reads the other `OTEL_EXPORTER_OTLP_*` settings itself
    (headers, timeout, compression). What is still queued is sent when the process exits."""
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    _exporting.append(True)
    log.info("otlp_export", endpoint=endpoint)


def tracer() -> trace.Tracer:
    return trace.get_tracer("gymgenius")


def parent_of(traceparent: str | None) -> otel_context.Context | None:
    """The remote parent a valid W3C `traceparent` names, or None (an invalid one is ignored)."""
    if traceparent is None:
        return None
    found = TRACEPARENT.fullmatch(traceparent.strip())
    if found is None:
        return None
    trace_id, span_id, flags = found.groups()
    remote = SpanContext(int(trace_id, 16), int(span_id, 16), is_remote=True,
                         trace_flags=TraceFlags(int(flags, 16) & TraceFlags.SAMPLED))
    return trace.set_span_in_context(NonRecordingSpan(remote))


def request_parent(traceparent: str | None) -> tuple[otel_context.Context, bool]:
    """The context a request's span starts in, and whether a valid `traceparent` named it.

    FastAPI's own telemetry (on once a tracer provider is installed) has already opened a server
    span, from the same header but with laxer rules (it takes future versions): the request's span
    is its child when it has the trace id this header names (or when there is no header); after an
    invalid header, a new trace begins, so nothing a client sent in a wrong shape is kept."""
    current = otel_context.get_current()
    current_trace = trace.get_current_span(current).get_span_context()
    if traceparent is None:
        return current, False
    parent = parent_of(traceparent)
    if parent is None:
        return otel_context.Context(), False
    named = trace.get_current_span(parent).get_span_context().trace_id
    return (current if current_trace.is_valid and current_trace.trace_id == named else parent), True


def hex_trace_id(span: trace.Span) -> str:
    return format(span.get_span_context().trace_id, "032x")


def traceparent_of(span: trace.Span) -> str:
    """The `traceparent` header value that names this span as the parent."""
    carrier: dict[str, str] = {}
    PROPAGATOR.inject(carrier, context=trace.set_span_in_context(span))
    return carrier.get("traceparent", "")


def instrument_engines(*engines: Engine) -> None:
    """SQL statements as child spans of the current span (OpenTelemetry's SQLAlchemy tracer),
    when spans are exported: otherwise every statement, thousands a second in a busy worker,
    would pay for a span that goes nowhere (trace ids come from the request and message spans)."""
    if not _exporting:
        return
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer

    usage = get_meter("gymgenius").create_up_down_counter("db.client.connections.usage")
    for engine in engines:
        EngineTracer(tracer(), engine, usage)


class TraceMiddleware(dramatiq.Middleware):
    """Copies the current trace id (and `traceparent`) into every message's options, and binds it
    in structlog's context while an actor handles the message, so a worker's lines carry it."""

    def before_enqueue(self, broker: dramatiq.Broker, message: dramatiq.Message[Any], delay: int) -> None:
        trace_id = structlog.contextvars.get_contextvars().get("trace_id")
        if isinstance(trace_id, str) and trace_id and "trace_id" not in message.options:
            message.options["trace_id"] = trace_id
            carrier: dict[str, str] = {}
            PROPAGATOR.inject(carrier)
            if "traceparent" in carrier:
                message.options["traceparent"] = carrier["traceparent"]

    def before_process_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        trace_id = message.options.get("trace_id")
        if isinstance(trace_id, str) and trace_id:
            structlog.contextvars.bind_contextvars(trace_id=trace_id[:64])

    def after_process_message(self, broker: dramatiq.Broker, message: MessageProxy, *,
                              result: Any = None, exception: BaseException | None = None) -> None:
        structlog.contextvars.unbind_contextvars("trace_id")

    def after_skip_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        structlog.contextvars.unbind_contextvars("trace_id")
