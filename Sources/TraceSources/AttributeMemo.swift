import TraceModel

/// What each attribute position held last time, for the decoder to check before reading:
/// spans of a kind repeat their keys in one order and many of their values (`GET`,
/// `https`, `200`, `true`), so an attribute's bytes are mostly the very bytes its
/// position held in the span before.
///
/// A position is named like the decoder's key hints: by the key entry before it and, in
/// a span's own list, by the span's name (spans of different names interleave, each
/// with its own key order: named by the key alone, a position after
/// `http.response.status_code` held `http.route` for one and `server.address` for the
/// next, and missed for both; with the name, the 10 MB file took 181.1M -> 170.7M
/// instructions). Each
/// keeps the attribute's whole input (`{"key":"k","value":{"stringValue":"v"}}`) and the
/// packed bytes it became, and how much of the input is the same for any value of that
/// key and type (`{"key":"k","value":{"stringValue":`) with its packed key:
/// - the whole input again: its packed bytes are written again, nothing is parsed;
/// - the key and type again: the key is written again and only the value is read.
/// Checks compare bytes, so a wrong guess costs a comparison and never a wrong value:
/// packing depends only on the input and on numbers that never change once given
/// (key numbers, shared string numbers).
///
/// One thread (the decoder's) uses it; its slots are one plain allocation.
final class AttributeMemo {
    /// The value types read after a remembered prefix.
    enum Kind: UInt8 {
        case none = 0, string, int, bool, double
    }

    static let slotCount = 1024
    /// Attributes longer than this are not remembered (long values rarely repeat).
    static let inputCapacity = 112
    /// Packed bytes: a key number, and a shared string number or a scalar.
    static let outputCapacity = 32

    private struct Header {
        var inputCount: UInt16 = 0
        var prefixCount: UInt8 = 0
        var outputCount: UInt8 = 0
        var keyOutputCount: UInt8 = 0
        var kind: UInt8 = 0
        /// The key's entry in the decoder's key table: what names the next position.
        var keyEntry: Int32 = -1
        /// The key's number plus one, for sharing a value read after the prefix.
        var keyID: UInt32 = 0
        /// Reads in a row after the prefix with a value other than the remembered one.
        var changes: UInt8 = 0
    }

    /// After this many new values in a row a position stops keeping its values (see
    /// `valueChanged`).
    static let changesBeforeKeepingOnlyThePrefix: UInt8 = 4

    private static let headerBytes = MemoryLayout<Header>.stride
    private static let slotBytes = (headerBytes + inputCapacity + outputCapacity + 7) & ~7

    private let storage: UnsafeMutableRawPointer

    init() {
        storage = .allocate(byteCount: Self.slotCount * Self.slotBytes, alignment: 8)
        for i in 0..<Self.slotCount {
            (storage + i * Self.slotBytes).initializeMemory(as: Header.self, repeating: Header(), count: 1)
        }
    }

    deinit { storage.deallocate() }

    /// A remembered attribute position.
    struct Slot {
        fileprivate let base: UnsafeMutableRawPointer

        private var header: UnsafeMutablePointer<Header> { base.assumingMemoryBound(to: Header.self) }
        private var input: UnsafeMutableRawPointer { base + AttributeMemo.headerBytes }
        private var output: UnsafeMutableRawPointer { base + AttributeMemo.headerBytes + AttributeMemo.inputCapacity }

        var inputCount: Int { Int(header.pointee.inputCount) }
        var prefixCount: Int { Int(header.pointee.prefixCount) }
        var kind: Kind { Kind(rawValue: header.pointee.kind) ?? .none }
        var keyEntry: Int32 { header.pointee.keyEntry }
        var keyID: UInt32 { header.pointee.keyID }

        /// Whether the `inputCount` bytes at `p` are the remembered attribute (the
        /// caller checked that many bytes are there).
        @inline(__always)
        func inputMatches(_ p: UnsafeRawPointer) -> Bool {
            AttributeMemo.sameBytes(p, input, inputCount)
        }

        @inline(__always)
        func prefixMatches(_ p: UnsafeRawPointer) -> Bool {
            AttributeMemo.sameBytes(p, input, prefixCount)
        }

        /// The remembered value came again: its run of new values is over.
        @inline(__always)
        func repeated() {
            if header.pointee.changes != 0 { header.pointee.changes = 0 }
        }

        /// A new value was read after the prefix; whether to remember it. A key whose
        /// value is new every time (an address, a size, a thread id) keeps only its
        /// prefix after a few: copying each value in and comparing against it cost more
        /// than it saved. Its values are tried again now and then (a few reads in every
        /// 256), in case they start to repeat.
        @inline(__always)
        func valueChanged() -> Bool {
            let changes = header.pointee.changes &+ 1
            header.pointee.changes = changes
            if changes < AttributeMemo.changesBeforeKeepingOnlyThePrefix { return true }
            if changes == AttributeMemo.changesBeforeKeepingOnlyThePrefix { header.pointee.inputCount = 0 }
            return false
        }

        var changes: UInt8 { header.pointee.changes }

        /// The whole attribute's packed bytes, written again.
        @inline(__always)
        func writeOutput(into list: AttributeListBuilder) {
            list.repeatWritten(output, count: Int(header.pointee.outputCount))
        }

        /// The packed key, written again.
        @inline(__always)
        func writeKey(into list: AttributeListBuilder) {
            list.repeatWritten(output, count: Int(header.pointee.keyOutputCount))
        }

        /// Remembers an attribute read at this position: `input` the bytes it was read
        /// from, `output` what it was packed to (the key's `keyOutputCount` bytes first),
        /// `prefixCount` the input bytes up to its value (0: none to reuse), `changes`
        /// the run of new values it ends (0 for another key).
        func remember(input bytes: UnsafeRawBufferPointer, output packed: UnsafeRawBufferPointer,
                      prefixCount: Int, keyOutputCount: Int, kind: Kind, keyEntry: Int32, keyID: UInt32,
                      changes: UInt8 = 0) {
            guard bytes.count >= 8, prefixCount <= bytes.count, prefixCount <= Int(UInt8.max),
                  keyOutputCount <= packed.count else {
                header.pointee = Header()
                return
            }
            let keepsInput = bytes.count <= AttributeMemo.inputCapacity && packed.count <= AttributeMemo.outputCapacity
            // Too long to keep whole: only its prefix and key, if those fit.
            let keptInput = keepsInput ? bytes.count : (prefixCount >= 8 && prefixCount <= AttributeMemo.inputCapacity ? prefixCount : 0)
            let keptOutput = keepsInput ? packed.count : min(keyOutputCount, AttributeMemo.outputCapacity)
            guard keptInput > 0, keptOutput >= keyOutputCount else {
                header.pointee = Header()
                return
            }
            ShortBytes.copy(from: bytes.baseAddress!, to: input, count: keptInput)
            ShortBytes.copy(from: packed.baseAddress!, to: output, count: keptOutput)
            header.pointee = Header(
                // A prefix-only entry never matches whole: its count says "none".
                inputCount: keepsInput ? UInt16(keptInput) : 0,
                prefixCount: kind == .none ? 0 : UInt8(prefixCount),
                outputCount: UInt8(keptOutput), keyOutputCount: UInt8(keyOutputCount),
                kind: kind.rawValue, keyEntry: keyEntry, keyID: keyID, changes: changes)
        }
    }

    /// The position after the key with entry `previous` (-1: a list's first).
    @inline(__always)
    func slot(after previous: Int32, context: Int = 0) -> Slot {
        Slot(base: storage + ((Int(previous + 1) &+ context) & (Self.slotCount - 1)) * Self.slotBytes)
    }

    /// memcmp for the 8 to 112 bytes compared here: word loads, the last one
    /// overlapping, no library call.
    @inline(__always)
    static func sameBytes(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Bool {
        var i = 0
        while i + 8 < n {
            if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
            i += 8
        }
        return n >= 8 && a.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) == b.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
    }
}
