import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import TraceModel

/// Which of Jaeger's HTTP APIs a server speaks.
public enum JaegerAPI: String, Sendable, CaseIterable {
    /// Jaeger v2's supported API: `/api/v3/…`, OTLP JSON inside `{"result": …}`.
    case v3
    /// Jaeger 1.x's internal API: `/api/…`, the Jaeger JSON model inside `{"data": …}`.
    case legacy
}

/// A failed request, with what a person needs to act on it. Never includes credentials.
public enum JaegerError: Error, Equatable, CustomStringConvertible, Sendable {
    case http(status: Int, message: String)
    case transport(String)
    case badResponse(String)
    case notFound(String)
    case noAPI(String)

    public var description: String {
        switch self {
        case .http(let status, let message): return "HTTP \(status): \(message)"
        case .transport(let m): return m
        case .badResponse(let m): return "unreadable response: \(m)"
        case .notFound(let m): return m
        case .noAPI(let m): return m
        }
    }
}

/// A trace search, as the Jaeger UI's search panel has it. Times in epoch nanoseconds.
public struct JaegerQuery: Sendable, Equatable {
    public var service: String
    public var operation: String?
    public var attributes: [String: String]
    public var start: Int64
    public var end: Int64
    public var minDuration: Int64?
    public var maxDuration: Int64?
    public var limit: Int

    public init(service: String, operation: String? = nil, attributes: [String: String] = [:], start: Int64, end: Int64,
                minDuration: Int64? = nil, maxDuration: Int64? = nil, limit: Int = 20) {
        self.service = service
        self.operation = operation
        self.attributes = attributes
        self.start = start
        self.end = end
        self.minDuration = minDuration
        self.maxDuration = maxDuration
        self.limit = limit
    }
}

/// Talks to a Jaeger query service over HTTP (Foundation's URLSession: no extra build
/// time, TLS with the system trust store). Responses are decoded by spanscope's own
/// OTLP and Jaeger decoders, so a server's quirks never reach the model.
public final class JaegerClient: Sendable {
    public let baseURL: URL
    private let authorization: String?
    private let session: URLSession

    /// `authorization` is a whole header value (`Bearer …` or `Basic …`), read from the
    /// environment by the caller; it is sent and never printed.
    public init(baseURL: URL, authorization: String? = nil, timeoutSeconds: Double = 10) {
        self.baseURL = baseURL
        self.authorization = authorization
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = timeoutSeconds
        config.timeoutIntervalForResource = timeoutSeconds * 3
        config.requestCachePolicy = .reloadIgnoringLocalCacheData
        session = URLSession(configuration: config)
    }

    // MARK: transport

    struct Response {
        var status: Int
        var body: [UInt8]
    }

    private func url(_ path: String, _ query: [(String, String)] = []) -> URL {
        var components = URLComponents(url: baseURL, resolvingAgainstBaseURL: false)!
        let base = components.path.hasSuffix("/") ? String(components.path.dropLast()) : components.path
        components.path = base + path
        if !query.isEmpty { components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) } }
        // `+` in values must reach the server as a plus, not a space.
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        return components.url!
    }

    func get(_ path: String, _ query: [(String, String)] = []) async throws -> Response {
        var request = URLRequest(url: url(path, query))
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        if let authorization { request.setValue(authorization, forHTTPHeaderField: "Authorization") }
        do {
            let (data, response) = try await session.data(for: request)
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            return Response(status: status, body: Array(data))
        } catch let error as URLError {
            throw JaegerError.transport(Self.describe(error))
        } catch {
            throw JaegerError.transport("\(error)")
        }
    }

    static func describe(_ e: URLError) -> String {
        switch e.code {
        case .cannotConnectToHost: return "connection refused"
        case .timedOut: return "timed out"
        case .cannotFindHost, .dnsLookupFailed: return "host not found"
        case .networkConnectionLost: return "connection lost"
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate:
            return "TLS failed (\(e.localizedDescription))"
        default: return e.localizedDescription
        }
    }

    private func json(_ r: Response) throws -> JSONValue {
        try r.body.withUnsafeBytes { raw in
            var s = JSONScanner(raw, maxDepth: 200)
            do {
                let v = try s.readValue()
                try s.expectEnd()
                return v
            } catch let e as JSONError {
                throw JaegerError.badResponse(e.description)
            }
        }
    }

    /// The error message a Jaeger response carries, in either API's shape.
    private func failure(_ r: Response) -> JaegerError {
        let message = (try? json(r)).flatMap { v in
            v["error"]?["message"]?.string ?? v["errors"]?.array?.compactMap { $0["msg"]?.string }.joined(separator: "; ")
        } ?? String(decoding: r.body.prefix(200), as: UTF8.self)
        return .http(status: r.status, message: message.isEmpty ? "no message" : message)
    }

    // MARK: API

    /// Tries API v3, then the legacy API.
    public func detectAPI() async throws -> JaegerAPI {
        let v3 = try await get("/api/v3/services")
        if v3.status == 200, (try? json(v3))?["services"] != nil { return .v3 }
        if v3.status == 401 || v3.status == 403 { throw failure(v3) }
        let legacy = try await get("/api/services")
        if legacy.status == 200, (try? json(legacy))?["data"] != nil { return .legacy }
        if legacy.status == 401 || legacy.status == 403 { throw failure(legacy) }
        throw JaegerError.noAPI("\(baseURL.absoluteString) answers neither Jaeger's API v3 (HTTP \(v3.status)) nor its legacy API (HTTP \(legacy.status))")
    }

    public func services(api: JaegerAPI) async throws -> [String] {
        let r = try await get(api == .v3 ? "/api/v3/services" : "/api/services")
        guard r.status == 200 else { throw failure(r) }
        let list = api == .v3 ? try json(r)["services"] : try json(r)["data"]
        return (list?.array ?? []).compactMap(\.string).sorted()
    }

    public func operations(service: String, api: JaegerAPI) async throws -> [String] {
        let r: Response
        if api == .v3 {
            r = try await get("/api/v3/operations", [("service", service)])
        } else {
            let escaped = service.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? service
            r = try await get("/api/services/\(escaped)/operations")
        }
        guard r.status == 200 else { throw failure(r) }
        let v = try json(r)
        let names = api == .v3 ? (v["operations"]?.array ?? []).compactMap { $0["name"]?.string } : (v["data"]?.array ?? []).compactMap(\.string)
        return Array(Set(names)).sorted()
    }

    /// Spans of every trace matching the query (an empty result is not an error).
    public func search(_ q: JaegerQuery, api: JaegerAPI) async throws -> [Span] {
        if api == .v3 {
            let r = try await get("/api/v3/traces", v3SearchParameters(q))
            if r.status == 404, (try? json(r))?["error"] != nil { return [] }
            guard r.status == 200 else { throw failure(r) }
            return try decodeOTLP(r)
        }
        var params: [(String, String)] = [("service", q.service), ("start", String(q.start / 1000)),
                                          ("end", String(q.end / 1000)), ("limit", String(q.limit))]
        if let op = q.operation, !op.isEmpty { params.append(("operation", op)) }
        if let d = q.minDuration { params.append(("minDuration", "\(d)ns")) }
        if let d = q.maxDuration { params.append(("maxDuration", "\(d)ns")) }
        if !q.attributes.isEmpty { params.append(("tags", Self.jsonObject(q.attributes))) }
        let r = try await get("/api/traces", params)
        guard r.status == 200 else { throw failure(r) }
        return try decodeJaeger(r)
    }

    /// Cheap rows from `/api/v3/trace-summaries`, or nil when the server has no such
    /// endpoint (a plain-text 404, as Go's router answers; "no traces" is a JSON 404).
    public func searchSummaries(_ q: JaegerQuery) async throws -> [TraceSummary]? {
        let r = try await get("/api/v3/trace-summaries", v3SearchParameters(q))
        if r.status == 404 {
            guard let body = try? json(r), body["error"] != nil else { return nil }
            return []
        }
        guard r.status == 200 else { throw failure(r) }
        guard let rows = try json(r)["summaries"]?.array else { throw JaegerError.badResponse("no summaries array") }
        return rows.compactMap { row in
            guard let id = row["traceId"]?.string.flatMap(TraceID.init) else { return nil }
            let start = (row["minStartTimeUnixNano"] ?? .null).int64 ?? 0
            let end = (row["maxEndTimeUnixNano"] ?? .null).int64 ?? start
            return TraceSummary(traceID: id, rootService: row["rootServiceName"]?.string ?? "",
                                rootName: row["rootOperationName"]?.string ?? "",
                                hasRoot: ((row["orphanSpanCount"] ?? .null).int64 ?? 0) == 0 || row["rootOperationName"]?.string != nil,
                                startTime: start, duration: max(0, end - start),
                                spanCount: Int((row["spanCount"] ?? .null).int64 ?? 0),
                                errorCount: Int((row["errorSpanCount"] ?? .null).int64 ?? 0),
                                serviceCount: row["services"]?.array?.count ?? 1)
        }
    }

    private func v3SearchParameters(_ q: JaegerQuery) -> [(String, String)] {
        var params: [(String, String)] = [("query.serviceName", q.service),
                                          ("query.startTimeMin", RFC3339.format(q.start)),
                                          ("query.startTimeMax", RFC3339.format(q.end)),
                                          ("query.searchDepth", String(q.limit))]
        if let op = q.operation, !op.isEmpty { params.append(("query.operationName", op)) }
        if let d = q.minDuration { params.append(("query.durationMin", "\(d)ns")) }
        if let d = q.maxDuration { params.append(("query.durationMax", "\(d)ns")) }
        if !q.attributes.isEmpty { params.append(("query.attributes", Self.jsonObject(q.attributes))) }
        return params
    }

    /// One whole trace.
    public func trace(_ id: TraceID, api: JaegerAPI) async throws -> [Span] {
        let r = try await get(api == .v3 ? "/api/v3/traces/\(id.hex)" : "/api/traces/\(id.hex)")
        if r.status == 404 { throw JaegerError.notFound("trace \(id.hex) not found") }
        guard r.status == 200 else { throw failure(r) }
        return api == .v3 ? try decodeOTLP(r) : try decodeJaeger(r)
    }

    private func decodeOTLP(_ r: Response) throws -> [Span] {
        do { return try OTLPJSONDecoder().decode(r.body).spans } catch let e as JSONError { throw JaegerError.badResponse(e.description) }
    }

    private func decodeJaeger(_ r: Response) throws -> [Span] {
        do { return try JaegerJSONDecoder().decode(r.body).spans } catch let e as JSONError { throw JaegerError.badResponse(e.description) }
    }

    static func jsonObject(_ d: [String: String]) -> String {
        func quote(_ s: String) -> String {
            var out = "\""
            for u in s.unicodeScalars {
                switch u {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
                default: out.unicodeScalars.append(u)
                }
            }
            return out + "\""
        }
        return "{" + d.keys.sorted().map { quote($0) + ":" + quote(d[$0]!) }.joined(separator: ",") + "}"
    }
}
