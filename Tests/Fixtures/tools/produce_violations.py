#!/usr/bin/env python3
"""Writes a trace with planted tracing-guide violations through the real OpenTelemetry
Python SDK and its OTLP JSON file exporter: a generic span name, ids in a span name, an
exception without ERROR status, a custom `http_method` key, a card number and an API key.

usage: produce_violations.py OUT.jsonl
"""
import sys

from opentelemetry.exporter.otlp.json.file import FileSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import SpanKind, Status, StatusCode

provider = TracerProvider(resource=Resource.create({"service.name": "checkout"}))
provider.add_span_processor(SimpleSpanProcessor(FileSpanExporter(sys.argv[1])))
tracer = provider.get_tracer("violations")

with tracer.start_as_current_span("POST /api/checkout", kind=SpanKind.SERVER) as root:
    root.set_attribute("http.request.method", "POST")
    root.set_attribute("http.route", "/api/checkout")
    with tracer.start_as_current_span("handler"):
        pass
    with tracer.start_as_current_span("GET /api/v1/users/123/profile?include=preferences", kind=SpanKind.CLIENT) as call:
        call.set_attribute("http_method", "GET")
    with tracer.start_as_current_span("payment.charge", record_exception=False, set_status_on_exception=False) as pay:
        pay.set_attribute("payment.card_number", "4111111111111111")
        pay.set_attribute("vendor.config", "sk-abcdefghijklmnopqrstuvwx12")
        try:
            raise ValueError("card declined")
        except ValueError as exc:
            pay.record_exception(exc)
    with tracer.start_as_current_span("db.select_users", kind=SpanKind.CLIENT) as ok:
        ok.set_attribute("db.system.name", "postgresql")
        ok.set_attribute("user.id", "42")
    root.set_status(Status(StatusCode.OK))
provider.shutdown()
