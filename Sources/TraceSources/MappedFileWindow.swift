import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A chunk of a file mapped read-only, for the parallel catch-up to decode in place: the
/// bytes are read where the page cache holds them, never copied into a buffer first
/// (the copy was a tenth of a two-core load).
///
/// A mapped file that shrinks while mapped raises SIGBUS on the next touch of a page
/// past its new end. `FileWindowGuard` turns that into zeros instead of a crash: the
/// chunk then fails to decode (its lines are counted as malformed, the truncation is
/// seen by the tailer as it is for read files) and nothing else is lost.
struct MappedFileWindow: @unchecked Sendable {
    /// The mapping (page-aligned) and its length.
    private let mapping: UnsafeMutableRawPointer
    private let mappedLength: Int
    /// The chunk inside the mapping.
    let bytes: UnsafeRawBufferPointer
    private let guardSlot: Int

    /// Maps `offset..<offset + size` of `fd`, then cuts it just before the last line
    /// that starts a record (as `ParallelDecoder.readChunk` does), growing the window up
    /// to `maxRecordBytes` when there is no such line. Nil when the file cannot be
    /// mapped (`unmappable` is then set) or holds no cut point.
    static func map(fd: Int32, at offset: Int64, size: Int, limit: Int64, maxRecordBytes: Int,
                    unmappable: inout Bool) -> MappedFileWindow? {
        var size = size
        let page = Int64(FileWindowGuard.pageSize)
        while true {
            size = Int(min(Int64(size), limit - offset))
            guard size > 1 else { return nil }
            let aligned = offset - offset % page
            let lead = Int(offset - aligned)
            guard let slot = FileWindowGuard.reserve() else {
                unmappable = true
                return nil
            }
            let mapped = mmap(nil, lead + size, PROT_READ, MAP_SHARED, fd, off_t(aligned))
            guard let mapped, mapped != MAP_FAILED else {
                FileWindowGuard.release(slot)
                unmappable = true
                return nil
            }
            FileWindowGuard.watch(slot, start: mapped, length: lead + size)
            let all = UnsafeRawBufferPointer(start: mapped + lead, count: size)
            if let cut = ParallelDecoder.wholeRecordsEnd(all, reachesFileEnd: offset + Int64(size) >= limit) {
                return MappedFileWindow(mapping: mapped, mappedLength: lead + size,
                                        bytes: UnsafeRawBufferPointer(rebasing: all[0..<cut]), guardSlot: slot)
            }
            // Cut while searching: the file shrank, and a larger window would only map
            // more zeros.
            let shrank = FileWindowGuard.wasCut(slot)
            FileWindowGuard.release(slot)
            munmap(mapped, lead + size)
            if shrank || offset + Int64(size) >= limit || size >= maxRecordBytes { return nil }
            size = min(maxRecordBytes, size * 2)
        }
    }

    /// Whether a page of this window was past the file's end when touched (the file
    /// shrank): its bytes read as zeros.
    var wasCutShort: Bool { FileWindowGuard.wasCut(guardSlot) }

    /// Unmaps the window; its bytes must not be used after.
    func unmap() {
        FileWindowGuard.release(guardSlot)
        munmap(mapping, mappedLength)
    }
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

    static func wasCut(_ slot: Int) -> Bool { table[slot * 3 + 2] != 0 }

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
            table[slot * 3 + 2] = 1
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
