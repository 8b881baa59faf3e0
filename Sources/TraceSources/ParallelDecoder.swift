import Foundation
import TraceModel

/// Decodes a JSON Lines file that is already on disk on several threads: the reader cuts
/// the bytes into chunks that end just before a line opening a new top-level record,
/// workers decode chunks independently (each with its own decoder and string interner),
/// and results come back to the caller in file order, so spans arrive as if read
/// sequentially and line numbers in issues stay exact.
///
/// Only the regular-file catch-up uses this; what is appended later is tailed
/// sequentially. A file that does not start with a one-line record (a pretty-printed
/// document) is left to the sequential path, which handles every shape.
public enum ParallelDecoder {
    public struct Outcome: Sendable {
        /// Bytes handled; the caller continues reading from here.
        public var consumed: Int64
        /// The number of the line at `consumed`.
        public var nextLine: Int
    }

    /// Decodes a regular JSON Lines file from `fd`'s start on `workers` threads (one:
    /// on this one, chunk by chunk) when it is at least `minimumBytes`, then seeks `fd`
    /// past what was decoded. Nil (and `fd` untouched) when the file is not one to
    /// split: the caller reads it sequentially, from `nextLine` onwards when there is an
    /// outcome.
    public static func catchUp(
        fd: Int32, workers: Int, minimumBytes: Int64 = 0,
        deliver: (inout RecordDecoder.Result, _ done: Int64, _ total: Int64) -> Bool
    ) -> Outcome? {
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        let size = Int64(st.st_size)
        guard size >= minimumBytes, looksLikeJSONLines(fd: fd) else { return nil }
        let outcome = decode(fd: fd, limit: size, workers: workers, chunkBytes: chunkBytes(forFileOf: size, workers: workers)) {
            deliver(&$0, $1, size)
        }
        lseek(fd, off_t(outcome.consumed), SEEK_SET)
        return outcome
    }

    /// Chunks of 1 to 4 MiB, at least eight per worker: a 200 MB file decoded in 4 MiB
    /// chunks took a sixth less time on two threads than in 1 MiB ones (fewer hand-overs
    /// and mappings), and held 6 MB more at its peak (the chunks in flight).
    static func chunkBytes(forFileOf size: Int64, workers: Int) -> Int {
        Int(min(4 << 20, max(1 << 20, size / Int64(max(1, workers) * 8))))
    }

    /// How many bytes to cut at `offset`: `chunkBytes`, then less near the end, down to
    /// an eighth of it (a chunk still grows to hold one whole line). The last chunks are
    /// where one thread waits for the other, and their results are applied on the
    /// reading thread alone: it went on alone for 1.1 ms after the other thread's last
    /// chunk of an 11 MB load (median of 30 loads of 13 ms), 0.2 ms with chunks
    /// shrinking to the end.
    static func chunkSize(at offset: Int64, limit: Int64, chunkBytes: Int, workers: Int) -> Int {
        guard workers > 1 else { return chunkBytes }
        return Int(min(Int64(chunkBytes), max(Int64(chunkBytes / 8), (limit - offset) / Int64(2 * workers))))
    }

    /// Is this file JSON Lines, judging by its first line? A line that opens an object
    /// and does not end with an opener or a separator is a whole record (the framer's
    /// rule). Reads with `pread`, so the descriptor's offset is untouched.
    public static func looksLikeJSONLines(fd: Int32, maxRecordBytes: Int = 64 << 20) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var offset: off_t = 0
        var first: UInt8?
        var lastNonSpace: UInt8?
        while Int(offset) < maxRecordBytes {
            let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, offset) }
            guard n > 0 else { return false }
            // The line's end found with memchr (a first line runs to half a megabyte);
            // only the bytes at its two ends are looked at one by one.
            let end = chunk.withUnsafeBytes { raw in memchr(raw.baseAddress!, 0x0A, n).map { UnsafeRawPointer($0) - raw.baseAddress! } } ?? n
            if first == nil, let i = chunk[0..<end].firstIndex(where: { !RecordFramer.isSpace($0) }) { first = chunk[i] }
            if let i = chunk[0..<end].lastIndex(where: { !RecordFramer.isSpace($0) }) { lastNonSpace = chunk[i] }
            if end < n {
                guard first == UInt8(ascii: "{"), let last = lastNonSpace else { return false }
                return !RecordFramer.leavesValueOpen(last)
            }
            offset += off_t(n)
        }
        return false
    }

    /// Decodes bytes `0..<limit` of `fd` (mapped, or read with `pread`) on `workers`
    /// threads, this one among them, and hands each chunk's result to `deliver` in order
    /// on this thread, with the bytes done so far. `deliver` returns false to stop early.
    /// Stops before a chunk that would need a line longer than `maxRecordBytes` (the
    /// sequential framer then counts it as oversized).
    public static func decode(
        fd: Int32, limit: Int64, workers: Int = 2, chunkBytes: Int = 1 << 20, maxRecordBytes: Int = 64 << 20,
        mapping: Bool = true, deliver: (inout RecordDecoder.Result, Int64) -> Bool
    ) -> Outcome {
        // One worker: chunks are decoded here as they are cut, with no thread to hand to.
        // The calling thread is one of the `workers`: it decodes queued chunks itself while
        // it waits for the next result in order, so `workers` threads share as many cores
        // (a third thread mostly asleep still cost switches, and chunks decoded here are
        // applied without crossing cores). Two workers: 0.231 -> 0.201 s median on the
        // 200 MB file, 20 interleaved runs each in one binary.
        let pool = workers > 1 ? WorkerPool(workers: workers - 1) : nil
        let helper = workers > 1 ? RecordDecoder() : nil
        defer { pool?.shutDown() }
        let here = pool == nil ? RecordDecoder() : nil
        var hereBuffer: [UInt8] = []
        var offset: Int64 = 0
        // Workers number lines from 1 in their chunk and count them (their framer finds
        // every line end anyway); chunks are renumbered here, in order.
        var nextLine = 1
        var submitted = 0
        var delivered = 0
        var endOffsets: [Int: Int64] = [:]
        // Chunks cut ahead of the one being applied: four per worker (up to 16 MiB). With
        // smaller chunks near the end, two per worker left the other thread idle 0.25 ms
        // of an 11 MB load (median of 30, on a slow spell of 13 ms loads), four 0.12 ms.
        let window = max(2 * workers, min(4 * workers, (16 << 20) / max(1, chunkBytes)))
        var stopped = false
        // Chunks are windows of the file mapped once (`MappedFile`) where it can be
        // mapped, read into buffers where not (or when no guard slot is free).
        let file = mapping ? MappedFile(fd: fd, limit: limit) : nil
        var unmappable = file == nil
        var inputLeft = true

        // In place: a copy of the result would share its spans, and the store, taking
        // them, would copy every span (retaining what each holds) to own them.
        func hand(_ result: inout RecordDecoder.Result, lines: Int, done: Int64) {
            delivered += 1
            for i in result.issues.indices { result.issues[i].line += nextLine - 1 }
            nextLine += lines
            if stopped { return }
            // A file that shrank has no more to map: the windows past its end would
            // only read as zeros.
            if !deliver(&result, done) || result.fileShrank { stopped = true }
        }

        // The next chunk from `offset` (which it moves past), or nil at the end, after a
        // stop, or before a line longer than `maxRecordBytes`.
        func cutNext() -> Chunk? {
            guard inputLeft, offset < limit, !stopped else {
                inputLeft = false
                return nil
            }
            let size = chunkSize(at: offset, limit: limit, chunkBytes: chunkBytes, workers: pool == nil ? 1 : workers)
            if !unmappable, let window = file?.window(at: offset, size: size, limit: limit,
                                                      maxRecordBytes: maxRecordBytes, unmappable: &unmappable) {
                offset += Int64(window.bytes.count)
                return .mapped(window)
            }
            if unmappable {
                var chunk = pool?.spareBuffer() ?? hereBuffer
                hereBuffer = []
                if readChunk(into: &chunk, fd: fd, at: offset, size: size, limit: limit, maxRecordBytes: maxRecordBytes) {
                    offset += Int64(chunk.count)
                    // Handed over whole: the worker holds the only reference and can recycle it.
                    return .buffer(consume chunk)
                }
            }
            inputLeft = false
            return nil
        }

        if let pool {
            // Keeps `window` chunks queued or decoded ahead of the one being applied.
            func topUp(applying: Int) {
                while submitted - delivered - applying < window, let chunk = cutNext() {
                    pool.submit(index: submitted, chunk: chunk)
                    endOffsets[submitted] = offset
                    submitted += 1
                }
            }
            // After a stop the rest are still taken (not delivered): the outcome's line
            // number is the one at `consumed`.
            while true {
                topUp(applying: 0)
                guard delivered < submitted,
                      var taken = pool.takeResult(delivered, wait: true, helpingWith: helper) else { break }
                // Queued before this result is applied: the workers would otherwise run
                // dry while this thread adds it to the store.
                topUp(applying: 1)
                hand(&taken.0, lines: taken.lines, done: endOffsets.removeValue(forKey: delivered) ?? offset)
            }
        } else if let here {
            while let chunk = cutNext() {
                var decoded = decodeChunk(chunk, with: here)
                if let spare = decoded.spare {
                    decoded.spare = nil
                    hereBuffer = spare
                }
                submitted += 1
                hand(&decoded.0, lines: decoded.lines, done: offset)
            }
        }
        return Outcome(consumed: offset, nextLine: nextLine)
    }

    /// Frames and decodes one chunk (it ends just after a newline): its result with
    /// issues numbered from its first line as 1, its number of lines, and its buffer
    /// to read into again.
    static func decodeChunk(_ chunk: Chunk, with decoder: RecordDecoder) -> (RecordDecoder.Result, lines: Int, spare: [UInt8]?) {
        var framer = RecordFramer(firstLine: 1)
        var result: RecordDecoder.Result
        var spare: [UInt8]?
        switch chunk {
        case .buffer(let bytes):
            result = bytes.withUnsafeBytes { decoder.decode($0, framing: &framer) }
            spare = bytes
        case .mapped(let window):
            result = decoder.decode(window.bytes, framing: &framer)
            if window.wasCutShort {
                // Past the cut the window held zeros, which read as bad records: they
                // say nothing about the file. The spans before it are kept.
                result.issues.removeAll()
                result.fileShrank = true
            }
            window.decoded()
        }
        let tail = decoder.decode(framer.finish())
        result.spans += tail.spans
        if !result.fileShrank { result.issues += tail.issues }
        return (result, framer.nextLine - 1, spare)
    }

    /// A chunk's bytes: read into a buffer (recycled after), or a window of the mapped
    /// file (which stays mapped while a window of it is held).
    enum Chunk {
        case buffer([UInt8])
        case mapped(MappedFileWindow)
    }

    /// Reads from `offset` (at most to `limit`) and trims the bytes to end just before
    /// the last line that starts a top-level record, so every chunk holds whole records
    /// and a half-written last line is left for the sequential reader. Grows the read
    /// when no cut point is found, up to `maxRecordBytes`; nil when there is none.
    /// `bytes` is a reused buffer: read over in place, its capacity kept (fresh pages for
    /// every megabyte read cost more in page faults than the read itself).
    static func readChunk(into bytes: inout [UInt8], fd: Int32, at offset: Int64, size: Int, limit: Int64,
                          maxRecordBytes: Int) -> Bool {
        var size = size
        while true {
            size = Int(min(Int64(size), limit - offset))
            guard size > 1 else { return false }
            // Resized in place: what the last chunk left is read over.
            if bytes.count > size {
                bytes.removeLast(bytes.count - size)
            } else if bytes.count < size {
                bytes += [UInt8](repeating: 0, count: size - bytes.count)
            }
            var got = 0
            while got < size {
                let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + got, size - got, off_t(offset) + off_t(got)) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                got += n
            }
            let reachesEnd = offset + Int64(got) >= limit
            if let cut = bytes.withUnsafeBytes({ wholeRecordsEnd(UnsafeRawBufferPointer(rebasing: $0[0..<got]), reachesFileEnd: reachesEnd) }) {
                bytes.removeLast(bytes.count - cut)
                return true
            }
            if got < size || offset + Int64(got) >= limit || size >= maxRecordBytes { return false }
            size = min(maxRecordBytes, size * 2)
        }
    }

    /// Where a chunk's whole records end: before its last line that starts a record, or,
    /// when the chunk reaches the file's end (`reachesFileEnd`) and that last line is one
    /// whole record with its newline, at the chunk's end. The last line was otherwise
    /// left to the sequential reader: a cold decoder on one thread after the parallel
    /// part, a twenty-sixth of an 11 MB file of 26 lines.
    static func wholeRecordsEnd(_ raw: UnsafeRawBufferPointer, reachesFileEnd: Bool) -> Int? {
        let cut = lastRecordStart(raw)
        if reachesFileEnd, endsWithOneWholeLine(raw, from: cut ?? 0) { return raw.count }
        return cut
    }

    /// Whether `raw[start...]` is one line ending in a newline that the framer takes as
    /// one record: it opens a value and does not end with an opener or a separator (a
    /// pretty-printed document's first line, which more lines would follow).
    static func endsWithOneWholeLine(_ raw: UnsafeRawBufferPointer, from start: Int) -> Bool {
        guard start < raw.count - 1, raw[raw.count - 1] == 0x0A, let base = raw.baseAddress,
              memchr(base + start, 0x0A, raw.count - 1 - start) == nil else { return false }
        let line = raw[start..<(raw.count - 1)]
        guard let first = line.firstIndex(where: { !RecordFramer.isSpace($0) }), opensRecord(raw, at: first),
              let last = line.lastIndex(where: { !RecordFramer.isSpace($0) }) else { return false }
        return !RecordFramer.leavesValueOpen(raw[last])
    }

    /// The index just after the last newline that is followed by `{` or `[`: a line
    /// opening a new record in JSON Lines, or a new unindented document. Scanned back
    /// eight bytes at a time: the search crosses half a line on average, and a line
    /// runs to half a megabyte.
    static func lastRecordStart(_ bytes: ArraySlice<UInt8>) -> Int? {
        bytes.withUnsafeBytes { lastRecordStart($0) }.map { bytes.startIndex + $0 }
    }

    /// The same, as an offset into `raw`.
    static func lastRecordStart(_ raw: UnsafeRawBufferPointer) -> Int? {
        if let memrchr = lastByte, let base = raw.baseAddress {
            // glibc's vectorized backward search: the scan crosses half a line (a
            // quarter of a megabyte) for every chunk cut, on the reading thread.
            var n = raw.count - 1
            while n > 0, let hit = memrchr(base, 0x0A, n) {
                let i = UnsafeRawPointer(hit) - base
                if opensRecord(raw, at: i + 1) { return i + 1 }
                n = i
            }
            return nil
        }
        return scanForLastRecordStart(raw)
    }

    /// The same without `memrchr`: eight bytes at a time.
    static func scanForLastRecordStart(_ raw: UnsafeRawBufferPointer) -> Int? {
        // Newlines at 0..<i are left to look at; one at the very end has no next byte.
        var i = raw.count - 1
        while i >= 8 {
            var marks = newlineMarks(raw.loadUnaligned(fromByteOffset: i - 8, as: UInt64.self))
            while marks != 0 {
                let byte = 7 - marks.leadingZeroBitCount >> 3
                if opensRecord(raw, at: i - 8 + byte + 1) { return i - 8 + byte + 1 }
                marks &= ~(0x80 << (8 * UInt64(byte)))
            }
            i -= 8
        }
        while i > 0 {
            i -= 1
            if raw[i] == 0x0A && opensRecord(raw, at: i + 1) { return i + 1 }
        }
        return nil
    }

    /// The index of the last newline in `raw`.
    static func lastNewline(in raw: UnsafeRawBufferPointer) -> Int? {
        guard let base = raw.baseAddress, raw.count > 0 else { return nil }
        if raw[raw.count - 1] == 0x0A { return raw.count - 1 }
        if let memrchr = lastByte {
            return memrchr(base, 0x0A, raw.count).map { UnsafeRawPointer($0) - base }
        }
        return raw.lastIndex(of: 0x0A)
    }

    /// Whether the line starting at `next` opens a record (`{`) or a document (`[`).
    @inline(__always)
    private static func opensRecord(_ raw: UnsafeRawBufferPointer, at next: Int) -> Bool {
        raw[next] == UInt8(ascii: "{") || raw[next] == UInt8(ascii: "[")
    }

    private typealias LastByte = @convention(c) (UnsafeRawPointer, Int32, Int) -> UnsafeMutableRawPointer?

    /// `memrchr`, looked up at run time (Glibc's module leaves it out); nil where the libc
    /// has none, and the scan below is used.
    private static let lastByte = LibcFunction.named("memrchr", as: LastByte.self)

    /// The high bit of every byte of `w` (little-endian) that is a newline, and of no
    /// other: the low seven bits plus 0x7F carry into the high bit unless they are all
    /// zero, and no sum carries into the next byte, so each mark is exact.
    @inline(__always)
    static func newlineMarks(_ w: UInt64) -> UInt64 {
        let x = UInt64(littleEndian: w) ^ 0x0A0A_0A0A_0A0A_0A0A
        let t = (x & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7F7F_7F7F_7F7F_7F7F
        return ~(t | x | 0x7F7F_7F7F_7F7F_7F7F)
    }

    public static func countNewlines(_ raw: UnsafeRawBufferPointer) -> Int {
        guard var p = raw.baseAddress else { return 0 }
        let end = p + raw.count
        var n = 0
        while p < end, let hit = memchr(p, 0x0A, end - p) {
            n += 1
            p = UnsafeRawPointer(hit) + 1
        }
        return n
    }
}

/// Threads that each own a `RecordDecoder`; chunks in, results out by index. The thread
/// taking results decodes queued chunks too while it waits (with its own decoder). All
/// shared state is behind one condition lock.
private final class WorkerPool: @unchecked Sendable {
    private struct Job {
        var index: Int
        var chunk: ParallelDecoder.Chunk
    }

    private let condition = NSCondition()
    private var jobs: [Job] = []
    private var jobHead = 0
    /// Each chunk's result, its issues numbered from the chunk's first line as 1, and
    /// how many lines the chunk held.
    private var results: [Int: (RecordDecoder.Result, lines: Int)] = [:]
    private var closing = false
    private var running = 0
    /// Chunk buffers the workers are done with, for the reader to fill again.
    private var spares: [[UInt8]] = []
    /// A buffer grown this far for a long record is let go rather than kept.
    private let spareLimit = 4 << 20

    init(workers: Int) {
        running = workers
        for n in 0..<workers {
            let thread = Thread { [self] in work() }
            thread.name = "spanscope.decode-\(n)"
            thread.start()
        }
    }

    func submit(index: Int, chunk: ParallelDecoder.Chunk) {
        condition.lock()
        jobs.append(Job(index: index, chunk: chunk))
        condition.broadcast()
        condition.unlock()
    }

    /// A buffer to read the next chunk into: a returned one when there is one.
    func spareBuffer() -> [UInt8] {
        condition.lock()
        defer { condition.unlock() }
        return spares.popLast() ?? []
    }

    /// The result for chunk `index`, waiting for it when `wait`; a waiting caller with a
    /// `decoder` decodes the next queued chunk meanwhile.
    func takeResult(_ index: Int, wait: Bool, helpingWith decoder: RecordDecoder? = nil) -> (RecordDecoder.Result, lines: Int)? {
        condition.lock()
        defer { condition.unlock() }
        while results[index] == nil {
            guard wait else { return nil }
            if let decoder, jobHead < jobs.count {
                runNextJob(with: decoder)
                continue
            }
            condition.wait()
        }
        return results.removeValue(forKey: index)
    }

    /// Stops the workers once queued jobs are done and waits for them to leave.
    func shutDown() {
        condition.lock()
        closing = true
        jobs.removeAll()
        jobHead = 0
        condition.broadcast()
        while running > 0 { condition.wait() }
        condition.unlock()
    }

    private func work() {
        let decoder = RecordDecoder()
        while true {
            condition.lock()
            while jobHead >= jobs.count && !closing { condition.wait() }
            if closing {
                running -= 1
                condition.broadcast()
                condition.unlock()
                return
            }
            runNextJob(with: decoder)
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Takes the next queued job, decodes it with the lock let go, and files its result;
    /// called and returns with the lock held, and a job queued.
    private func runNextJob(with decoder: RecordDecoder) {
        var job = jobs[jobHead]
        jobs[jobHead].chunk = .buffer([])
        jobHead += 1
        if jobHead > 64 && jobHead * 2 > jobs.count {
            jobs.removeFirst(jobHead)
            jobHead = 0
        }
        condition.unlock()

        let chunk = job.chunk
        job.chunk = .buffer([])
        let (result, lines, spare) = ParallelDecoder.decodeChunk(consume chunk, with: decoder)

        condition.lock()
        // Moved, not copied: the thread delivering it then holds the only reference to the spans.
        results[job.index] = (consume result, lines)
        // The only reference now, so the reader can refill it in place.
        if let spare, spare.capacity <= spareLimit && spares.count < 16 { spares.append(spare) }
    }
}
