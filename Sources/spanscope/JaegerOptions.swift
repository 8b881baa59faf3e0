import ArgumentParser
import Foundation
import TraceModel
import TraceSources

/// Options for reading from a Jaeger query service.
struct JaegerOptions: ParsableArguments {
    @Option(help: ArgumentHelp("""
        A Jaeger query service, e.g. http://localhost:16686, with its base path if behind a \
        proxy; with no source named, $SPANSCOPE_JAEGER_URL. Credentials come only from \
        $SPANSCOPE_JAEGER_TOKEN (bearer) or $SPANSCOPE_JAEGER_AUTHORIZATION (a whole header \
        value, e.g. "Basic …").
        """, valueName: "url"))
    var jaeger: String?

    @Option(help: "Jaeger API: v3, legacy, or auto (try v3, fall back).")
    var api: String = "auto"

    @Option(help: "Seconds before a request to Jaeger gives up.")
    var timeout: Double = 10

    /// The URL given, or $SPANSCOPE_JAEGER_URL when no other source was named.
    var isSet: Bool { jaeger != nil || ProcessInfo.processInfo.environment["SPANSCOPE_JAEGER_URL"] != nil }

    func validate() throws {
        if !["auto", "v3", "legacy"].contains(api) { throw ValidationError("--api takes v3, legacy or auto.") }
        if let j = jaeger, URL(string: j)?.scheme.map({ ["http", "https"].contains($0) }) != true {
            throw ValidationError("--jaeger needs an http:// or https:// URL, not '\(j)'.")
        }
        if timeout <= 0 { throw ValidationError("--timeout must be positive.") }
    }

    static var defaultURL: String {
        ProcessInfo.processInfo.environment["SPANSCOPE_JAEGER_URL"] ?? "http://localhost:16686"
    }

    func client() -> JaegerClient {
        let env = ProcessInfo.processInfo.environment
        let auth = env["SPANSCOPE_JAEGER_AUTHORIZATION"] ?? env["SPANSCOPE_JAEGER_TOKEN"].map { "Bearer " + $0 }
        let url = URL(string: jaeger ?? Self.defaultURL) ?? URL(string: "http://localhost:16686")!
        return JaegerClient(baseURL: url, authorization: auth, timeoutSeconds: timeout)
    }

    func resolveAPI(_ client: JaegerClient) async throws -> JaegerAPI {
        if let fixed = JaegerAPI(rawValue: api) { return fixed }
        return try await client.detectAPI()
    }
}

extension JaegerOptions {
    /// For the one-shot commands: one trace by id, or a search over the last `window`
    /// nanoseconds. Failures become one-line errors naming the server.
    func fetch(traceID: TraceID?, service: String, window: Int64, limit: Int) throws -> [Span] {
        let client = client()
        let options = self
        do {
            return try blocking {
                let api = try await options.resolveAPI(client)
                if let traceID { return try await client.trace(traceID, api: api) }
                var now = timespec()
                clock_gettime(CLOCK_REALTIME, &now)
                let end = Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
                return try await client.search(JaegerQuery(service: service, start: end - window, end: end, limit: limit), api: api)
            }
        } catch let error as JaegerError {
            throw CLIError("\(client.baseURL.absoluteString): \(error)")
        }
    }
}

/// Runs async work from the synchronous command entry points.
func blocking<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
    let result = Locked<Result<T, any Error>?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
        let r: Result<T, any Error>
        do { r = .success(try await work()) } catch { r = .failure(error) }
        result.withLock { $0 = r }
        done.signal()
    }
    done.wait()
    return try result.withLock { $0! }.get()
}
