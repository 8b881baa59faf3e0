#!/usr/bin/env python3
"""Writes a multi-service trace with the real OpenTelemetry Python SDK and its OTLP JSON
file exporter (opentelemetry-exporter-otlp-json-file), then prints a JSON manifest of
what it produced (ids, parents, times, services) so tests can compare exactly.

usage: produce_sdk_trace.py OUT.jsonl [--batches N]
"""
import json
import sys

from opentelemetry import trace
from opentelemetry.exporter.otlp.json.file import FileSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import Link, SpanKind, Status, StatusCode

out = sys.argv[1]
manifest = []


def provider(service):
    p = TracerProvider(resource=Resource.create({"service.name": service, "deployment.environment.name": "test"}))
    p.add_span_processor(SimpleSpanProcessor(FileSpanExporter(out)))
    return p


gateway = provider("api-gateway").get_tracer("gateway.http", "2.1.0")
orders = provider("orders").get_tracer("orders.handlers")
payments = provider("payments").get_tracer("payments.core")


def type_name(v):
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "double"
    if isinstance(v, str):
        return "string"
    return "array"


def record(span, service):
    ctx = span.get_span_context()
    parent = span.parent
    manifest.append({
        "name": span.name,
        "service": service,
        "traceId": format(ctx.trace_id, "032x"),
        "spanId": format(ctx.span_id, "016x"),
        "parentSpanId": format(parent.span_id, "016x") if parent else "",
        "start": span.start_time,
        "end": span.end_time,
        "status": span.status.status_code.name,
        "events": [e.name for e in span.events],
        "links": len(span.links),
        "attributes": {k: [type_name(v), list(v) if isinstance(v, tuple) else v] for k, v in span.attributes.items()},
    })


# An unrelated earlier trace that the checkout links to (a batch that triggered it).
with gateway.start_as_current_span("POST /api/cart", kind=SpanKind.SERVER) as cart:
    cart.set_attribute("http.request.method", "POST")
    cart_ctx = cart.get_span_context()
record(cart, "api-gateway")

with gateway.start_as_current_span(
    "GET /api/orders/{id}", kind=SpanKind.SERVER, links=[Link(cart_ctx, {"link.reason": "cart checkout"})]
) as root:
    root.set_attribute("http.request.method", "GET")
    root.set_attribute("http.route", "/api/orders/{id}")
    root.set_attribute("http.response.status_code", 200)
    root.set_attribute("server.address", "shop.example.com")
    root.set_attribute("feature.enabled", True)
    root.set_attribute("sample.ratio", 0.25)
    root.set_attribute("retry.delays_ms", [10, 20, 40])
    root.set_attribute("tags", ["checkout", "mobile", "ünïcødé 注文"])
    root.set_attribute("flags", [True, False])
    root.set_attribute("weights", [0.5, 1.5])
    with gateway.start_as_current_span("GET", kind=SpanKind.CLIENT) as call:
        call.set_attribute("http.request.method", "GET")
        call.set_attribute("url.full", "http://orders:8080/orders/42")
        with orders.start_as_current_span("GET /orders/{id}", kind=SpanKind.SERVER) as handler:
            handler.set_attribute("http.route", "/orders/{id}")
            with orders.start_as_current_span("SELECT orders", kind=SpanKind.CLIENT) as db:
                db.set_attribute("db.system.name", "postgresql")
                db.set_attribute("db.query.text", "SELECT * FROM orders WHERE id = $1")
                db.add_event("rows fetched", {"rows": 1})
            record(db, "orders")
            with payments.start_as_current_span("payments.authorize", kind=SpanKind.INTERNAL) as pay:
                try:
                    raise TimeoutError("processor did not answer in 2s")
                except TimeoutError as exc:
                    pay.record_exception(exc)
                    pay.set_status(Status(StatusCode.ERROR, "processor timeout"))
            record(pay, "payments")
        record(handler, "orders")
    record(call, "api-gateway")
record(root, "api-gateway")

print(json.dumps(manifest))
