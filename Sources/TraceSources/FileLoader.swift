import Foundation
import TraceModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a file could not be read at all (as opposed to a bad record inside it).
public struct FileSourceError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var reason: String
    public var description: String { "\(path): \(reason)" }
}

/// Reads a whole file (or standard input, `-`) once: what `show` and tests use.
public enum FileLoader {
    public struct Loaded: Sendable {
        public var spans: [Span]
        public var issues: [DecodeIssue]
    }

    public static func load(path: String, workers: Int = defaultWorkers) throws -> Loaded {
        var loaded = Loaded(spans: [], issues: [])
        try stream(path: path, workers: workers) { result in
            // The first batch is taken whole; later ones are appended.
            if loaded.spans.isEmpty {
                swap(&loaded.spans, &result.spans)
            } else {
                loaded.spans.append(contentsOf: result.spans)
            }
            loaded.issues.append(contentsOf: result.issues)
        }
        return loaded
    }

    /// How much a sequential load reads at a time. Big: a line that straddles two reads
    /// is copied to be joined, and lines run to half a megabyte (a batch of 512 spans).
    public static let readBytes = 8 << 20

    /// One decoding thread per core.
    public static var defaultWorkers: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// Reads a file to its end, handing decoded batches to `deliver` in file order. A
    /// regular JSON Lines file is decoded on `workers` threads; anything else (pipes,
    /// pretty-printed documents, one worker) is read sequentially. Each result is handed
    /// over to `deliver`, which may take its spans (`TraceStore.add(taking:)`).
    public static func stream(path: String, workers: Int = defaultWorkers, _ deliver: (inout RecordDecoder.Result) -> Void) throws {
        let fd = try FileHandleFD.open(path)
        defer { close(fd) }
        var framer = RecordFramer()
        if let outcome = ParallelDecoder.catchUp(fd: fd, workers: workers, deliver: { result, _, _ in
            deliver(&result)
            return true
        }) {
            framer = RecordFramer(firstLine: outcome.nextLine)
        }
        // Made when there is something to decode: after a catch-up there is usually
        // nothing left, and a decoder's tables cost as much to set up as a line to read.
        var made: RecordDecoder?
        func decoder() -> RecordDecoder {
            if let made { return made }
            let fresh = RecordDecoder()
            made = fresh
            return fresh
        }
        // Small until a read fills it: after a catch-up there is usually nothing left,
        // and 8 MB held for nothing would be most of a small file's footprint.
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileSourceError(path: path, reason: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            var result = buffer.withUnsafeBytes { decoder().decode(UnsafeRawBufferPointer(rebasing: $0[0..<n]), framing: &framer) }
            deliver(&result)
            if n == buffer.count && buffer.count < readBytes { buffer = [UInt8](repeating: 0, count: readBytes) }
        }
        let rest = framer.finish()
        guard !rest.isEmpty else { return }
        var last = decoder().decode(rest)
        deliver(&last)
    }

    public static func load(bytes: [UInt8]) -> Loaded {
        var framer = RecordFramer()
        let decoder = RecordDecoder()
        var r = decoder.decode(framer.feed(bytes))
        let tail = decoder.decode(framer.finish())
        r.spans += tail.spans
        r.issues += tail.issues
        return Loaded(spans: r.spans, issues: r.issues)
    }
}

/// Opening a path with errors a person can act on.
enum FileHandleFD {
    static func isFIFO(_ path: String) -> Bool {
        var st = stat()
        return path != "-" && stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFIFO
    }

    static func open(_ path: String) throws -> Int32 {
        if path == "-" { return dup(0) }
        var st = stat()
        if stat(path, &st) != 0 {
            throw FileSourceError(path: path, reason: String(cString: strerror(errno)))
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            throw FileSourceError(path: path, reason: "is a directory")
        }
        if (st.st_mode & S_IFMT) == S_IFIFO {
            // Like `cat`: wait for a writer. Reading before one connects sees end-of-file
            // at once, and `show` would print an empty list.
            let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
            if fd < 0 { throw FileSourceError(path: path, reason: String(cString: strerror(errno))) }
            return fd
        }
        // O_NONBLOCK so a device or special file that blocks on open cannot hang us;
        // reads then block as usual once it is cleared.
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        if fd < 0 { throw FileSourceError(path: path, reason: String(cString: strerror(errno))) }
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK)
        return fd
    }
}
