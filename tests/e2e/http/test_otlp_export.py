"""Spans leave the process over OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set: the real
exporter (`opentelemetry-exporter-otlp-proto-http`) posts protobuf to a loopback collector that
decodes `ExportTraceServiceRequest`, as an OpenTelemetry Collector would. The app runs in a child
process, since a process installs its tracer provider once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

ROOT = Path(__file__).resolve().parents[3]
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT = "00f067aa0ba902b7"

APP = f"""
import json, sys
from fastapi.testclient import TestClient
from interfaces.asgi import create
with TestClient(create()) as client:
    answers = [client.get(path, headers={{"traceparent": "00-{TRACE_ID}-{PARENT}-01"}}).status_code
               for path in ("/healthz", "/v1/queries/plans")]
print(json.dumps(answers))
"""  # the provider's exit hook sends what is still queued


class Collector(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.received: list[tuple[str, str, ExportTraceServiceRequest]] = []


class Handler(BaseHTTPRequestHandler):
    server: Collector

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        request = ExportTraceServiceRequest()
        request.ParseFromString(body)
        self.server.received.append((self.path, self.headers["Content-Type"], request))
        answer = ExportTraceServiceResponse().SerializeToString()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def collector() -> Iterator[Collector]:
    server = Collector()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _run_app(tmp_path: Path, **env: str) -> list[int]:
    settings = {"GYMGENIUS_PROFILE": "embedded", "GYMGENIUS_DATA_DIR": str(tmp_path),
                "GYMGENIUS_LOG_JSON": "false", **env}
    done = subprocess.run([sys.executable, "-c", APP], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={k: v for k, v in os.environ.items() if not k.startswith("OTEL_")} | settings,
                          check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def test_with_an_endpoint_each_request_s_spans_reach_the_collector_under_its_traceparent(collector, tmp_path):
    answers = _run_app(tmp_path, OTEL_EXPORTER_OTLP_ENDPOINT=f"http://127.0.0.1:{collector.server_port}")
    assert answers == [200, 401]  # the second asks a token: a refused request is traced too
    assert collector.received, "no export reached the collector"
    posted = {(path, kind) for path, kind, _ in collector.received}
    assert posted == {("/v1/traces", "application/x-protobuf")}
    spans, services = [], set()
    for _, _, request in collector.received:
        for batch in request.resource_spans:
            services |= {a.value.string_value for a in batch.resource.attributes if a.key == "service.name"}
            spans += [span for scoped in batch.scope_spans for span in scoped.spans]
    assert services == {"gymgenius-core"}
    ours = [span for span in spans if span.trace_id.hex() == TRACE_ID]
    assert {"GET /healthz", "GET /v1/queries/plans"} <= {span.name for span in ours}
    ids = {span.span_id.hex() for span in ours}  # one tree under the caller's span, all of it sent
    assert all(span.parent_span_id.hex() in ids | {PARENT} for span in ours)
    assert sum(span.parent_span_id.hex() == PARENT for span in ours) == 2  # a server span per request
    statuses = {a.value.int_value for span in ours if span.name == "GET /v1/queries/plans"
                for a in span.attributes if a.key == "http.response.status_code"}
    assert statuses == {401}


def test_a_service_name_of_the_deployment_s_own_wins(collector, tmp_path):
    _run_app(tmp_path, OTEL_EXPORTER_OTLP_ENDPOINT=f"http://127.0.0.1:{collector.server_port}",
             OTEL_SERVICE_NAME="gymgenius-query-api")
    batches = [batch for _, _, request in collector.received for batch in request.resource_spans]
    services = {a.value.string_value for batch in batches for a in batch.resource.attributes
                if a.key == "service.name"}
    assert services == {"gymgenius-query-api"}


def test_without_an_endpoint_nothing_is_sent(collector, tmp_path):
    assert _run_app(tmp_path) == [200, 401]
    assert collector.received == []
