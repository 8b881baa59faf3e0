import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A regular file mapped read-only for the parallel catch-up to decode in place: the
/// bytes are read where the page cache holds them, never copied into a buffer first
/// (the copy was a tenth of a two-core load).
///
/// One range of addresses is reserved for the whole file and mapped piece by piece as
/// chunks are cut. Unmapping (or dropping) pages while another thread runs makes the
/// kernel interrupt that thread to flush its TLB: unmapping each chunk as it was decoded
/// was 6% of a two-thread load's CPU samples on the 11 MB file. A small file is kept
/// mapped to the end of its load and unmapped once; a larger one drops each chunk's
/// pages once it is decoded, as before, so the pages held stay those of the chunks in
/// hand (held to the end, a 1 GB file's last pages added 8–25 MiB to the peak).
///
/// A mapped file that shrinks while mapped raises SIGBUS on the next touch of a page
/// past its new end. `FileWindowGuard` turns that into zeros instead of a crash: the
/// chunk then fails to decode (its lines are counted as malformed, the truncation is
/// seen by the tailer as it is for read files) and nothing else is lost.
final class MappedFile: @unchecked Sendable {
    /// The reservation: file offset 0 is at `base`.
    private let base: UnsafeMutableRawPointer
    private let reservedLength: Int
    private let fd: Int32
    private let guardSlot: Int
    /// File bytes below this are mapped (a multiple of the page size, or the end).
    private var mappedEnd = 0
    /// Whether each window's pages are dropped once it is decoded.
    private let dropsDecodedPages: Bool

    /// Files up to this size stay mapped whole until their load ends.
    static let keptWholeBytes: Int64 = 16 << 20

    /// Reserves addresses for bytes `0..<limit` of `fd`; nil when that fails (or no
    /// guard slot is free), and the caller reads the file instead.
    init?(fd: Int32, limit: Int64) {
        let page = Int(FileWindowGuard.pageSize)
        let length = (Int(limit) + page - 1) / page * page
        guard length > 0, let slot = FileWindowGuard.reserve() else { return nil }
        let reserved = mmap(nil, length, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
        guard let reserved, reserved != MAP_FAILED else {
            FileWindowGuard.release(slot)
            return nil
        }
        base = reserved
        reservedLength = length
        self.fd = fd
        guardSlot = slot
        dropsDecodedPages = limit > Self.keptWholeBytes
        FileWindowGuard.watch(slot, start: reserved, length: length)
    }

    deinit {
        FileWindowGuard.release(guardSlot)
        munmap(base, reservedLength)
    }

    /// The window from `offset`, cut just before the last line that starts a record (as
    /// `ParallelDecoder.readChunk` does), grown up to `maxRecordBytes` when there is no
    /// such line. Nil when mapping fails (`unmappable` is then set) or there is no cut
    /// point. Called by one thread (the one cutting chunks).
    func window(at offset: Int64, size: Int, limit: Int64, maxRecordBytes: Int,
                unmappable: inout Bool) -> MappedFileWindow? {
        var size = size
        while true {
            size = Int(min(Int64(size), limit - offset))
            guard size > 1 else { return nil }
            let end = Int(offset) + size
            guard mapThrough(end) else {
                unmappable = true
                return nil
            }
            let all = UnsafeRawBufferPointer(start: base + Int(offset), count: size)
            if let cut = ParallelDecoder.wholeRecordsEnd(all, reachesFileEnd: Int64(end) >= limit) {
                return MappedFileWindow(file: self, bytes: UnsafeRawBufferPointer(rebasing: all[0..<cut]),
                                        start: Int(offset), end: Int(offset) + cut)
            }
            // Cut while searching: the file shrank, and a larger window would only read
            // more zeros.
            if wasCut(before: end) || Int64(end) >= limit || size >= maxRecordBytes { return nil }
            size = min(maxRecordBytes, size * 2)
        }
    }

    /// Maps the file's pages up to `end`, those not mapped yet, over the reservation.
    private func mapThrough(_ end: Int) -> Bool {
        guard end > mappedEnd else { return true }
        let page = Int(FileWindowGuard.pageSize)
        let newEnd = min(reservedLength, (end + page - 1) / page * page)
        let mapped = mmap(base + mappedEnd, newEnd - mappedEnd, PROT_READ, MAP_SHARED | MAP_FIXED, fd, off_t(mappedEnd))
        guard mapped != MAP_FAILED else { return false }
        mappedEnd = newEnd
        return true
    }

    /// Drops the pages wholly inside `start..<end` once their window is decoded (on a
    /// larger file); the pages it shares with its neighbours go with the mapping.
    fileprivate func decoded(_ start: Int, _ end: Int) {
        guard dropsDecodedPages else { return }
        let page = Int(FileWindowGuard.pageSize)
        let first = (start + page - 1) / page * page, last = end / page * page
        if last > first { _ = madvise(base + first, last - first, MADV_DONTNEED) }
    }

    /// Whether a page before file offset `end` was past the file's end when touched
    /// (the file shrank): from there on the bytes read as zeros.
    func wasCut(before end: Int) -> Bool {
        let cut = FileWindowGuard.cutAddress(guardSlot)
        return cut != 0 && cut < UInt(bitPattern: base + end)
    }
}

/// A chunk of a `MappedFile`; the file stays mapped while a window of it is held.
struct MappedFileWindow: @unchecked Sendable {
    let file: MappedFile
    /// The chunk's bytes.
    let bytes: UnsafeRawBufferPointer
    /// Where it starts and ends, as file offsets.
    let start: Int
    let end: Int

    /// A window of a file mapped for it alone (tests).
    static func map(fd: Int32, at offset: Int64, size: Int, limit: Int64, maxRecordBytes: Int,
                    unmappable: inout Bool) -> MappedFileWindow? {
        guard let file = MappedFile(fd: fd, limit: limit) else {
            unmappable = true
            return nil
        }
        return file.window(at: offset, size: size, limit: limit, maxRecordBytes: maxRecordBytes, unmappable: &unmappable)
    }

    /// Whether a page of this window was past the file's end when touched (the file
    /// shrank): its bytes read as zeros from there.
    var wasCutShort: Bool { file.wasCut(before: end) }

    /// Says the window is decoded: its bytes are not read again.
    func decoded() { file.decoded(start, end) }
}

/// The SIGBUS handler for mapped windows: a fault inside a watched window maps zero
/// pages over the rest of it and returns, so the read goes on and sees zeros; any
/// other SIGBUS goes to the handler that was there before (the terminal's restore, or
/// the runtime's crash report), as if this one were not installed.
///
/// Windows are watched in a fixed table the handler reads without a lock (a signal
/// handler may take none): a slot's end is written before its start and cleared after
/// it, so a start the handler sees always has its end.
enum FileWindowGuard {
    private static let slotCount = 64
    /// start, end, cut flag per slot; start 0 is an empty slot.
    nonisolated(unsafe) private static let table: UnsafeMutablePointer<UInt> = {
        let t = UnsafeMutablePointer<UInt>.allocate(capacity: slotCount * 3)
        t.initialize(repeating: 0, count: slotCount * 3)
        return t
    }()
    /// Slots handed out (a slot is reserved before its window is mapped).
    nonisolated(unsafe) private static var taken = [Bool](repeating: false, count: slotCount)
    private static let lock = NSLock()
    nonisolated(unsafe) private static var previous = sigaction()
    nonisolated(unsafe) private static var installed = false
    /// Read in the handler, which may not call `sysconf`.
    static let pageSize = UInt(sysconf(Int32(_SC_PAGESIZE)))

    private static let handler: @convention(c) (Int32, UnsafeMutablePointer<siginfo_t>?, UnsafeMutableRawPointer?) -> Void = { signal, info, context in
        let address = UInt(bitPattern: info?.pointee._sifields._sigfault.si_addr)
        if FileWindowGuard.coverFault(at: address) { return }
        FileWindowGuard.passOn(signal, info, context)
    }

    /// A free slot, with the handler installed; nil when all are in use.
    static func reserve() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        installIfNeeded()
        guard let slot = taken.firstIndex(of: false) else { return nil }
        taken[slot] = true
        table[slot * 3 + 2] = 0
        return slot
    }

    static func watch(_ slot: Int, start: UnsafeMutableRawPointer, length: Int) {
        let s = UInt(bitPattern: start)
        table[slot * 3 + 1] = s + UInt(length)
        table[slot * 3] = s
    }

    /// The lowest page address a fault in the slot's range was covered at; 0 for none.
    static func cutAddress(_ slot: Int) -> UInt { table[slot * 3 + 2] }

    static func release(_ slot: Int) {
        lock.lock()
        defer { lock.unlock() }
        table[slot * 3] = 0
        table[slot * 3 + 1] = 0
        taken[slot] = false
    }

    /// Installs the handler, or installs it again when something replaced it since (the
    /// terminal backend installs its own at start): the one found is kept to pass on to.
    private static func installIfNeeded() {
        _ = pageSize
        var current = sigaction()
        sigaction(SIGBUS, nil, &current)
        let ours = unsafeBitCast(handler, to: UInt.self)
        if installed, current.sa_flags & SA_SIGINFO != 0,
           let found = current.__sigaction_handler.sa_sigaction, unsafeBitCast(found, to: UInt.self) == ours {
            return
        }
        var action = sigaction()
        action.__sigaction_handler.sa_sigaction = handler
        action.sa_flags = SA_SIGINFO | SA_NODEFER
        sigemptyset(&action.sa_mask)
        sigaction(SIGBUS, &action, &previous)
        installed = true
    }

    /// Maps zeros from the faulting page to its window's end; false when the address is
    /// in no watched window.
    private static func coverFault(at address: UInt) -> Bool {
        for slot in 0..<slotCount {
            let start = table[slot * 3]
            guard start != 0, address >= start else { continue }
            let end = table[slot * 3 + 1]
            guard address < end else { continue }
            let from = address - address % pageSize
            let zeros = mmap(UnsafeMutableRawPointer(bitPattern: from), Int(end - from), PROT_READ,
                             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0)
            guard zeros != MAP_FAILED else { return false }
            let cut = table[slot * 3 + 2]
            if cut == 0 || from < cut { table[slot * 3 + 2] = from }
            return true
        }
        return false
    }

    /// Hands a SIGBUS that is not ours to the handler installed before this one; with
    /// none, restores the default so the faulting access, retried, ends the process.
    private static func passOn(_ signal: Int32, _ info: UnsafeMutablePointer<siginfo_t>?, _ context: UnsafeMutableRawPointer?) {
        if previous.sa_flags & SA_SIGINFO != 0, let next = previous.__sigaction_handler.sa_sigaction {
            next(signal, info, context)
            return
        }
        let next = previous.__sigaction_handler.sa_handler
        let raw = next.map { unsafeBitCast($0, to: Int.self) } ?? 0
        // SIG_DFL is 0 and SIG_IGN is 1: either way the fault must kill.
        if raw > 1, let next {
            next(signal)
        } else {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = nil
            sigaction(SIGBUS, &action, nil)
        }
    }
}
