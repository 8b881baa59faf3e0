#!/usr/bin/env python3
"""A Jaeger-query-compatible server for spanscope's tests, serving stored OTLP JSON
traces through both of Jaeger's HTTP APIs with real search semantics (service,
operation, attributes, time window, min/max duration, limit), and injectable faults.

  API v3 (Jaeger v2):  /api/v3/services, /api/v3/operations, /api/v3/traces,
                       /api/v3/traces/{id}, /api/v3/trace-summaries (with --summaries)
  legacy (Jaeger 1.x): /api/services, /api/services/{s}/operations, /api/operations,
                       /api/traces, /api/traces/{id}

usage: jaeger_fixture_server.py FILE_OR_DIR... [--port N] [--api v3|legacy|both]
       [--base-path /jaeger] [--token T] [--summaries] [--lifetime SECONDS]
Prints "listening on PORT" once ready. Faults are switched at run time with
POST /_fixture/fault?mode=none|slow|500|malformed|truncated|refuse&seconds=S
(refuse closes connections without answering). Only binds to 127.0.0.1.
"""
import argparse, json, os, re, signal, sys, threading, time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlparse

KINDS = {0: "unspecified", 1: "internal", 2: "server", 3: "client", 4: "producer", 5: "consumer"}


def any_value(v):
    """An OTLP AnyValue as (python value, jaeger type)."""
    if "stringValue" in v: return v["stringValue"], "string"
    if "boolValue" in v: return bool(v["boolValue"]), "bool"
    if "intValue" in v: return int(v["intValue"]), "int64"
    if "doubleValue" in v: return float(v["doubleValue"]), "float64"
    if "bytesValue" in v: return v["bytesValue"], "binary"
    return json.dumps(v, separators=(",", ":")), "string"


def text(value):
    """How Jaeger compares tag values: as strings (true, 123, 72.5)."""
    if isinstance(value, bool): return "true" if value else "false"
    return str(value)


class Span:
    def __init__(self, resource, scope, raw):
        self.resource, self.scope, self.raw = resource, scope, raw
        self.trace_id = raw["traceId"].lower().rjust(32, "0")
        self.service = next((text(any_value(a["value"])[0]) for a in resource.get("attributes", [])
                             if a["key"] == "service.name"), "unknown_service")
        self.name = raw.get("name", "")
        self.start = int(raw.get("startTimeUnixNano", 0))
        self.end = int(raw.get("endTimeUnixNano", 0))
        self.kind = KINDS.get(int(raw.get("kind", 0)), "unspecified")

    def spots(self):
        """Every attribute list a tag query may match in (Jaeger: span, resource, events, scope, links)."""
        yield self.raw.get("attributes", [])
        yield self.resource.get("attributes", [])
        yield self.scope.get("attributes", [])
        for e in self.raw.get("events", []): yield e.get("attributes", [])
        for l in self.raw.get("links", []): yield l.get("attributes", [])

    def has_tags(self, tags):
        found = {}
        for spot in self.spots():
            for a in spot:
                found.setdefault(a["key"], text(any_value(a["value"])[0]))
        if "scope.name" not in found and self.scope.get("name"): found["otel.scope.name"] = self.scope["name"]
        return all(found.get(k) == text(v) for k, v in tags.items())


def load(paths, recorded):
    """OTLP documents become the searchable traces; Jaeger-model documents (real legacy
    API responses, {"data": [trace…]}) are kept to be served verbatim for their id."""
    traces = {}
    files = []
    for p in paths:
        if os.path.isdir(p):
            files += [os.path.join(p, f) for f in sorted(os.listdir(p)) if f.endswith(".json") and "quer" not in f]
        else:
            files.append(p)
    for f in files:
        with open(f) as fh:
            content = fh.read()
        docs = [json.loads(content)] if content.lstrip().startswith("{\n") or "\n" not in content.strip() \
            else [json.loads(line) for line in content.splitlines() if line.strip()]
        for doc in docs:
            if isinstance(doc.get("data"), list):
                for trace in doc["data"]:
                    recorded[trace["traceID"].lower().rjust(32, "0")] = trace
                continue
            for rs in doc.get("resourceSpans", []):
                for ss in rs.get("scopeSpans", []) + rs.get("instrumentationLibrarySpans", []):
                    scope = ss.get("scope", ss.get("instrumentationLibrary", {}))
                    for raw in ss.get("spans", []):
                        s = Span(rs.get("resource", {}), scope, raw)
                        traces.setdefault(s.trace_id, []).append(s)
    return traces


def rfc3339_ns(value):
    m = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$", value or "")
    if not m: raise ValueError("not RFC 3339: %r" % value)
    base = datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S")
    tz = timezone.utc if m.group(3) == "Z" else datetime.strptime(m.group(3).replace(":", ""), "%z").tzinfo
    seconds = int(base.replace(tzinfo=tz).timestamp())
    return seconds * 10**9 + int((m.group(2) or "0").ljust(9, "0"))


def go_duration_ns(value):
    """Go's time.ParseDuration subset Jaeger accepts: 1.5s, 120ms, 250us, 2m, 1h30m."""
    if not value: return None
    units = {"ns": 1, "us": 10**3, "µs": 10**3, "ms": 10**6, "s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)", value)
    if not parts or "".join(a + b for a, b in parts) != value: raise ValueError("bad duration %r" % value)
    return int(sum(float(n) * units[u] for n, u in parts))


def search(traces, service, operation, tags, start_min, start_max, dur_min, dur_max, limit):
    hits = []
    for tid, spans in traces.items():
        def ok(s):
            if service and s.service != service: return False
            if operation and s.name != operation: return False
            if start_min is not None and s.start < start_min: return False
            if start_max is not None and s.start > start_max: return False
            d = s.end - s.start
            if dur_min and d < dur_min: return False
            if dur_max and d > dur_max: return False
            return s.has_tags(tags) if tags else True
        if any(ok(s) for s in spans):
            hits.append((max(s.start for s in spans), tid))
    hits.sort(reverse=True)
    return [tid for _, tid in hits[: limit or len(hits)]]


def otlp_document(traces, ids):
    """Spans of the traces regrouped by resource and scope, as Jaeger v3 answers."""
    groups = {}
    for tid in ids:
        for s in traces[tid]:
            key = (json.dumps(s.resource, sort_keys=True), json.dumps(s.scope, sort_keys=True))
            groups.setdefault(key, []).append(s.raw)
    return {"resourceSpans": [{"resource": json.loads(r), "scopeSpans": [{"scope": json.loads(sc), "spans": sp}]}
                              for (r, sc), sp in groups.items()]}


def jaeger_trace(tid, spans):
    """OTLP spans converted to Jaeger's JSON model (as jaeger-query's legacy API does)."""
    processes, out = {}, []
    for s in spans:
        ptags = [{"key": a["key"], "type": any_value(a["value"])[1], "value": any_value(a["value"])[0]}
                 for a in s.resource.get("attributes", []) if a["key"] != "service.name"]
        pkey = json.dumps([s.service, ptags], sort_keys=True)
        pid = next((k for k, v in processes.items() if json.dumps([v["serviceName"], v["tags"]], sort_keys=True) == pkey), None)
        if pid is None:
            pid = "p%d" % (len(processes) + 1)
            processes[pid] = {"serviceName": s.service, "tags": ptags}
        raw = s.raw
        tags = [{"key": a["key"], "type": any_value(a["value"])[1], "value": any_value(a["value"])[0]} for a in raw.get("attributes", [])]
        if s.scope.get("name"): tags.append({"key": "otel.scope.name", "type": "string", "value": s.scope["name"]})
        if s.scope.get("version"): tags.append({"key": "otel.scope.version", "type": "string", "value": s.scope["version"]})
        if s.kind not in ("unspecified", "internal"): tags.append({"key": "span.kind", "type": "string", "value": s.kind})
        status = raw.get("status", {})
        code = int(status.get("code", 0)) if str(status.get("code", 0)).isdigit() else 0
        if code == 2:
            tags.append({"key": "error", "type": "bool", "value": True})
            tags.append({"key": "otel.status_code", "type": "string", "value": "ERROR"})
            if status.get("message"): tags.append({"key": "otel.status_description", "type": "string", "value": status["message"]})
        elif code == 1:
            tags.append({"key": "otel.status_code", "type": "string", "value": "OK"})
        refs = []
        if raw.get("parentSpanId"):
            refs.append({"refType": "CHILD_OF", "traceID": tid, "spanID": raw["parentSpanId"].lower()})
        for l in raw.get("links", []):
            refs.append({"refType": "FOLLOWS_FROM", "traceID": l["traceId"].lower().rjust(32, "0"), "spanID": l["spanId"].lower()})
        logs = []
        for e in raw.get("events", []):
            fields = [{"key": "event", "type": "string", "value": e["name"]}] if e.get("name") else []
            fields += [{"key": a["key"], "type": any_value(a["value"])[1], "value": any_value(a["value"])[0]} for a in e.get("attributes", [])]
            logs.append({"timestamp": int(e.get("timeUnixNano", 0)) // 1000, "fields": fields})
        out.append({"traceID": tid, "spanID": raw["spanId"].lower(), "operationName": s.name, "references": refs,
                    "startTime": s.start // 1000, "duration": (s.end - s.start) // 1000, "tags": tags, "logs": logs,
                    "processID": pid, "flags": int(raw.get("flags", 0)) & 0xFF, "warnings": None})
    return {"traceID": tid, "spans": out, "processes": processes, "warnings": None}


class Fault:
    lock = threading.Lock()
    mode, seconds = "none", 0.0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "jaeger-fixture"

    def log_message(self, *args):
        pass

    def send_json(self, status, body):
        data = json.dumps(body).encode()
        with Fault.lock:
            mode, seconds = Fault.mode, Fault.seconds
        if mode == "slow":
            time.sleep(seconds)
        if mode == "500":
            status, data = 500, json.dumps({"error": {"httpCode": 500, "message": "injected failure"}}).encode()
        elif mode == "malformed":
            data = b'{"result": {"resourceSpans": [ this is not json'
        elif mode == "truncated":
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.close_connection = True
            return
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        url = urlparse(self.path)
        if url.path == "/_fixture/fault":
            q = parse_qs(url.query)
            with Fault.lock:
                Fault.mode = q.get("mode", ["none"])[0]
                Fault.seconds = float(q.get("seconds", ["0"])[0])
            return self.send_plain(200, "ok")
        self.send_json(404, {"error": {"httpCode": 404, "message": "not found"}})

    def send_plain(self, status, body):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        with Fault.lock:
            refuse = Fault.mode == "refuse"
        if refuse:
            self.close_connection = True
            self.connection.close()
            return
        cfg = self.server.cfg
        url = urlparse(self.path)
        path = url.path
        if cfg.base_path:
            if not path.startswith(cfg.base_path + "/"):
                return self.send_json(404, {"error": {"httpCode": 404, "message": "outside the base path"}})
            path = path[len(cfg.base_path):]
        if cfg.token and self.headers.get("Authorization") != "Bearer " + cfg.token:
            return self.send_json(401, {"error": {"httpCode": 401, "message": "unauthorized"}})
        q = {k: v[-1] for k, v in parse_qs(url.query).items()}
        try:
            if path.startswith("/api/v3/") and cfg.api in ("v3", "both"):
                return self.v3(path, q)
            if path.startswith("/api/") and not path.startswith("/api/v3/") and cfg.api in ("legacy", "both"):
                return self.legacy(path, q, parse_qs(url.query))
        except ValueError as e:
            if path.startswith("/api/v3/"):
                return self.send_json(400, {"error": {"httpCode": 400, "message": str(e)}})
            return self.send_json(400, {"data": None, "total": 0, "limit": 0, "offset": 0, "errors": [{"code": 400, "msg": str(e)}]})
        self.send_json(404, {"error": {"httpCode": 404, "message": "404 page not found"}})

    def v3(self, path, q):
        traces = self.server.traces
        if path == "/api/v3/services":
            return self.send_json(200, {"services": sorted({s.service for ss in traces.values() for s in ss})})
        if path == "/api/v3/operations":
            service, kind = q.get("service", ""), q.get("spanKind", "")
            ops = sorted({(s.name, s.kind) for ss in traces.values() for s in ss
                          if s.service == service and (not kind or s.kind == kind)})
            return self.send_json(200, {"operations": [{"name": n, "spanKind": k} for n, k in ops]})
        m = re.match(r"^/api/v3/traces/([0-9a-fA-F]{1,32})$", path)
        if m:
            tid = m.group(1).lower().rjust(32, "0")
            if tid not in traces:
                return self.send_json(404, {"error": {"httpCode": 404, "message": "trace not found"}})
            return self.send_json(200, {"result": otlp_document(traces, [tid])})
        if path in ("/api/v3/traces", "/api/v3/trace-summaries"):
            if path.endswith("summaries") and not self.server.cfg.summaries:
                # Go's ServeMux answers an unknown route in plain text, not JSON.
                return self.send_plain(404, "404 page not found\n")
            get = lambda *names: next((q[n] for n in names if n in q), "")
            smin, smax = get("query.startTimeMin", "query.start_time_min"), get("query.startTimeMax", "query.start_time_max")
            if not smin or not smax:
                raise ValueError("query.startTimeMin and query.startTimeMax are required")
            attrs = get("query.attributes")
            ids = search(traces, get("query.serviceName", "query.service_name"), get("query.operationName", "query.operation_name"),
                         json.loads(attrs) if attrs else {}, rfc3339_ns(smin), rfc3339_ns(smax),
                         go_duration_ns(get("query.durationMin", "query.duration_min")),
                         go_duration_ns(get("query.durationMax", "query.duration_max")),
                         int(get("query.searchDepth", "query.num_traces") or 0))
            if not ids:
                return self.send_json(404, {"error": {"httpCode": 404, "message": "No traces found"}})
            if path.endswith("summaries"):
                return self.send_json(200, {"summaries": [summary(tid, traces[tid]) for tid in ids]})
            return self.send_json(200, {"result": otlp_document(traces, ids)})
        self.send_json(404, {"error": {"httpCode": 404, "message": "404 page not found"}})

    def legacy(self, path, q, multi):
        traces = self.server.traces
        env = lambda data, errors=None: {"data": data, "total": len(data) if isinstance(data, list) else 0,
                                         "limit": 0, "offset": 0, "errors": errors}
        if path == "/api/services":
            return self.send_json(200, env(sorted({s.service for ss in traces.values() for s in ss})))
        m = re.match(r"^/api/services/([^/]+)/operations$", path)
        if m:
            service = unquote(m.group(1))
            return self.send_json(200, env(sorted({s.name for ss in traces.values() for s in ss if s.service == service})))
        if path == "/api/operations":
            ops = sorted({(s.name, s.kind) for ss in traces.values() for s in ss if s.service == q.get("service")})
            return self.send_json(200, env([{"name": n, "spanKind": k} for n, k in ops]))
        m = re.match(r"^/api/traces/([0-9a-fA-F]{1,32})$", path)
        if m:
            tid = m.group(1).lower().rjust(32, "0")
            if tid in self.server.recorded:
                return self.send_json(200, env([self.server.recorded[tid]]))
            if tid not in traces:
                return self.send_json(404, env(None, [{"code": 404, "msg": "trace not found"}]))
            return self.send_json(200, env([jaeger_trace(tid, traces[tid])]))
        if path == "/api/traces":
            if not q.get("service"):
                raise ValueError("parameter 'service' is required")
            tags = json.loads(q["tags"]) if q.get("tags") else {}
            for t in multi.get("tag", []):
                k, _, v = t.partition(":")
                tags[k] = v
            us = lambda name: int(q[name]) * 1000 if q.get(name) else None
            ids = search(traces, q["service"], q.get("operation", ""), tags, us("start"), us("end"),
                         go_duration_ns(q.get("minDuration")), go_duration_ns(q.get("maxDuration")), int(q.get("limit") or 0))
            return self.send_json(200, env([jaeger_trace(tid, traces[tid]) for tid in ids]))
        self.send_json(404, env(None, [{"code": 404, "msg": "404 page not found"}]))


def summary(tid, spans):
    ids = {s.raw["spanId"].lower() for s in spans}
    roots = [s for s in spans if not s.raw.get("parentSpanId")] or sorted(spans, key=lambda s: s.start)
    root = min(roots, key=lambda s: s.start)
    errors = lambda ss: sum(1 for s in ss if int(s.raw.get("status", {}).get("code", 0) or 0) == 2)
    services = sorted({s.service for s in spans})
    return {"traceId": tid, "rootServiceName": root.service, "rootOperationName": root.name,
            "minStartTimeUnixNano": str(min(s.start for s in spans)), "maxEndTimeUnixNano": str(max(s.end for s in spans)),
            "spanCount": len(spans), "errorSpanCount": errors(spans),
            "orphanSpanCount": sum(1 for s in spans if s.raw.get("parentSpanId") and s.raw["parentSpanId"].lower() not in ids),
            "services": [{"name": n, "spanCount": sum(1 for s in spans if s.service == n),
                          "errorSpanCount": errors([s for s in spans if s.service == n])} for n in services]}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("paths", nargs="+")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--api", choices=["v3", "legacy", "both"], default="both")
    p.add_argument("--base-path", default="")
    p.add_argument("--token", default="")
    p.add_argument("--summaries", action="store_true")
    p.add_argument("--lifetime", type=float, default=600, help="exit after this many seconds, whatever happens")
    cfg = p.parse_args()
    # Started from a thread that blocks signals (a test runner's), we would inherit the mask.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT, signal.SIGHUP})
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    server = ThreadingHTTPServer(("127.0.0.1", cfg.port), Handler)
    server.daemon_threads = True
    server.recorded = {}
    server.cfg, server.traces = cfg, load(cfg.paths, server.recorded)
    parent = os.getppid()

    def exit_with_parent():
        # A test runner that dies must not leave servers behind.
        deadline = time.time() + cfg.lifetime
        while os.getppid() == parent and time.time() < deadline:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=exit_with_parent, daemon=True).start()
    print("listening on %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
