import Foundation
import Synchronization
import TraceModel

/// Reads an OTLP JSON file on a background thread and, when following, keeps reading
/// what is appended: a half-written last line waits for its newline, truncation and
/// rotation (the path now names a new file) restart from the new file's start, and
/// nothing is read twice or skipped. Results go to the inbox as batches.
public final class FileTailer: Sendable {
    public let path: String
    public let follow: Bool
    private let inbox: SourceInbox
    private let pollMicroseconds: UInt32
    private let stopped = Atomic<Bool>(false)

    public init(path: String, follow: Bool, inbox: SourceInbox, pollMilliseconds: Int = 20) {
        self.path = path
        self.follow = follow && path != "-"
        self.inbox = inbox
        self.pollMicroseconds = UInt32(max(1, pollMilliseconds) * 1000)
    }

    public func start() {
        let thread = Thread { [self] in
            // Below the main loop, and so are the decoding threads it starts.
            BackgroundPriority.lowerCurrentThread()
            var worker = TailWorker(tailer: self)
            worker.run()
        }
        thread.name = "spanscope.file-tail"
        thread.start()
    }

    public func stop() { stopped.store(true, ordering: .relaxed) }

    /// Files at least this big on disk are first decoded on every core.
    static let parallelMinimumBytes: Int64 = 4 << 20
    var isStopped: Bool { stopped.load(ordering: .relaxed) }

    fileprivate func post(_ event: SourceEvent) { inbox.post(event) }

    /// Posts a result's spans and issues. The spans are moved out first: a list still
    /// held here when the explorer takes it into its store would be copied span by span.
    fileprivate static func publish(_ result: inout RecordDecoder.Result, to tailer: FileTailer) {
        var spans: [Span] = []
        swap(&spans, &result.spans)
        if !spans.isEmpty { tailer.post(.spans(consume spans)) }
        for issue in result.issues { tailer.post(.decodeIssue(issue)) }
        if result.fileShrank {
            tailer.post(.notice(tailer.follow ? "file shrank: rereading it"
                                              : "file shrank: its end is gone"))
        }
    }
    fileprivate func pause() { usleep(pollMicroseconds) }
}

/// The tailer's thread-confined state.
private struct TailWorker {
    let tailer: FileTailer
    var fd: Int32 = -1
    var identity: (dev: UInt64, ino: UInt64) = (0, 0)
    var offset: Int64 = 0
    var framer = RecordFramer()
    let decoder = RecordDecoder()
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    var lastHealth: SourceHealth?
    /// The catch-up saw the file shrink and said so: the truncation found next is that one.
    var shrankInCatchUp = false

    init(tailer: FileTailer) {
        self.tailer = tailer
    }

    mutating func run() {
        while !tailer.isStopped {
            if fd < 0 && !openFile() {
                guard tailer.follow else { return }
                sleepSeconds(1)
                continue
            }
            if offset == 0 && !framer.hasPendingBytes { catchUpInParallel() }
            let readSome = drain()
            if tailer.isStopped { break }
            if !tailer.follow {
                publish(decoder.decode(framer.finish()))
                setHealth(.done)
                break
            }
            if !readSome {
                if lastHealth != .following { setHealth(.following) }
                checkForRotationOrTruncation()
                tailer.pause()
            }
        }
        if fd >= 0 { close(fd) }
    }

    private mutating func openFile() -> Bool {
        if FileHandleFD.isFIFO(tailer.path) { setHealth(.waiting("waiting for a writer on the FIFO")) }
        do {
            fd = try FileHandleFD.open(tailer.path)
        } catch let error as FileSourceError {
            setHealth(.failed(message: error.reason, retryInSeconds: tailer.follow ? 1 : nil))
            return false
        } catch {
            return false
        }
        var st = stat()
        fstat(fd, &st)
        identity = (UInt64(st.st_dev), UInt64(st.st_ino))
        offset = 0
        return true
    }

    /// A big JSON Lines file already on disk is decoded on every core first, in file
    /// order, with progress; what follows (and anything appended) is read as usual.
    private mutating func catchUpInParallel() {
        let tailer = self.tailer
        var health = lastHealth
        var shrank = false
        let outcome = ParallelDecoder.catchUp(fd: fd, workers: FileLoader.defaultWorkers,
                                              minimumBytes: FileTailer.parallelMinimumBytes) { result, done, total in
            shrank = shrank || result.fileShrank
            FileTailer.publish(&result, to: tailer)
            health = .loading(bytesRead: done, totalBytes: total)
            tailer.post(.health(health!))
            return !tailer.isStopped
        }
        lastHealth = health
        shrankInCatchUp = shrank
        guard let outcome else { return }
        offset = outcome.consumed
        framer = RecordFramer(firstLine: outcome.nextLine)
    }

    /// Reads to the current end of the file; true when anything was read.
    private mutating func drain() -> Bool {
        var any = false
        var st = stat()
        fstat(fd, &st)
        let total = Int64(st.st_size)
        let isRegular = (st.st_mode & S_IFMT) == S_IFREG
        while !tailer.isStopped {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                setHealth(.failed(message: String(cString: strerror(errno)), retryInSeconds: 1))
                return any
            }
            if n == 0 { break }
            any = true
            offset += Int64(n)
            publish(buffer.withUnsafeBytes { decoder.decode(UnsafeRawBufferPointer(rebasing: $0[0..<n]), framing: &framer) })
            if isRegular && offset < total { setHealth(.loading(bytesRead: offset, totalBytes: total)) }
        }
        return any
    }

    private mutating func checkForRotationOrTruncation() {
        var now = stat()
        if stat(tailer.path, &now) != 0 {
            setHealth(.waiting("file is gone; waiting for it to reappear"))
            return
        }
        if (UInt64(now.st_dev), UInt64(now.st_ino)) != identity {
            // Rotated: the old file is read to its end already; its last line counts
            // even without a newline, then the new file is read from its start.
            _ = drain()
            publish(decoder.decode(framer.finish()))
            close(fd)
            fd = -1
            framer.reset()
            tailer.post(.notice("file rotated: reading new one"))
            return
        }
        var mine = stat()
        fstat(fd, &mine)
        if Int64(mine.st_size) < offset {
            // Truncated in place: what was before is gone, start over. A catch-up that
            // the truncation cut short said so already.
            lseek(fd, 0, SEEK_SET)
            if !shrankInCatchUp { tailer.post(.notice("file truncated: rereading it")) }
            shrankInCatchUp = false
            offset = 0
            framer.reset()
        }
    }

    private func publish(_ result: consuming RecordDecoder.Result) {
        FileTailer.publish(&result, to: tailer)
    }

    private mutating func setHealth(_ health: SourceHealth) {
        if case .loading = health, case .loading = lastHealth {
            // Progress is posted at most once per read chunk; that is cheap enough.
        } else if health == lastHealth {
            return
        }
        lastHealth = health
        tailer.post(.health(health))
    }

    private func sleepSeconds(_ s: Double) {
        var waited = 0.0
        while waited < s && !tailer.isStopped {
            usleep(50_000)
            waited += 0.05
        }
    }
}
