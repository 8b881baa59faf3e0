/// A span's (or event's, or link's) attributes, packed into one byte buffer: keys as
/// numbers from `AttributeKeys`, values tagged and varint-framed. An array of
/// `Attribute` costs 40 bytes per entry plus a heap string for every value over 15
/// bytes; this costs the value's bytes plus two or three. Entries are decoded as they
/// are read; order and duplicates are kept exactly as given.
/// Sendable by the rule `ByteChunk` states: shared bytes are never written again.
public struct AttributeList: Hashable, @unchecked Sendable {
    /// The entries' bytes, at `lower..<upper` of a buffer that may hold other lists too
    /// (an arena: one allocation for the lists of many spans, instead of one with a
    /// 32-byte header each).
    private var storage: ByteChunk?
    private var lower: UInt32 = 0
    private var upper: UInt32 = 0

    public init() {}

    public init<S: Sequence>(_ attributes: S) where S.Element == Attribute {
        for a in attributes { append(a) }
    }

    /// A key in its encoded form: its `AttributeKeys` number plus one, or 0 and its text
    /// when the table is full (as `AttributeListBuilder.key` writes it).
    public struct EncodedKey: Sendable {
        fileprivate let bytes: [UInt8]

        public init(_ key: String) {
            var out: [UInt8] = []
            if let id = AttributeKeys.id(key) {
                Pack.varint(UInt64(id) + 1, into: &out)
            } else {
                out.append(0)
                Pack.string(key, into: &out)
            }
            bytes = out
        }
    }

    /// Reads the list's own bytes; offsets start at 0.
    fileprivate func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        guard let storage else { return body(UnsafeBufferPointer(start: nil, count: 0)) }
        return storage.withUnsafeMutablePointerToElements { base in
            body(UnsafeBufferPointer(start: base + Int(lower), count: Int(upper - lower)))
        }
    }

    private var byteCount: Int { Int(upper - lower) }

    /// Whether both lists' bytes are in one buffer (an arena's chunk).
    func sharesBuffer(with other: AttributeList) -> Bool {
        storage != nil && storage === other.storage
    }

    /// Counted by walking the entries: a stored count would cost 4 bytes on every list.
    public var count: Int {
        withBytes { buf in
            var r = Unpack(buf, at: 0)
            var n = 0
            while r.pos < buf.count {
                r.skipKey()
                r.skipValue()
                n += 1
            }
            return n
        }
    }

    public var isEmpty: Bool { upper == lower }

    /// Bytes held, for memory accounting.
    public var packedSize: Int { byteCount }

    public mutating func append(_ attribute: Attribute) {
        append(EncodedKey(attribute.key), attribute.value)
    }

    public mutating func append(_ key: EncodedKey, _ value: AttributeValue) {
        var size = SizeCount()
        Pack.value(value, into: &size)
        edit(size: key.bytes.count + size.count) { out in
            out.append(contentsOf: key.bytes)
            Pack.value(value, into: &out)
        }
    }

    /// Appends one entry of `size` bytes, written straight into the buffer: in place
    /// when this list alone owns its buffer's tail and it has room, else into a new
    /// buffer after copying the entries so far.
    private mutating func edit(size: Int, _ write: (inout PointerSink) -> Void) {
        let ownsTail = storage != nil && isKnownUniquelyReferenced(&storage!) && storage!.used == Int(upper)
        if !ownsTail || storage!.room < size {
            let grown = ByteChunk.make(capacity: Swift.max(64, 2 * (byteCount + size)))
            withBytes { grown.append($0) }
            storage = grown
            lower = 0
            upper = UInt32(grown.used)
        }
        let chunk = storage!
        chunk.withUnsafeMutablePointers { used, base in
            var sink = PointerSink(p: base + used.pointee)
            write(&sink)
            precondition(sink.p == base + used.pointee + size, "attribute entry size mismatch")
            used.pointee += size
        }
        upper = UInt32(chunk.used)
    }

    /// Empties the list, keeping its buffer when it owns one (to refill it without
    /// allocating).
    public mutating func removeAll(keepingCapacity: Bool = false) {
        if keepingCapacity, storage != nil, isKnownUniquelyReferenced(&storage!) {
            storage!.clear()
        } else {
            storage = nil
        }
        lower = 0
        upper = 0
    }

    /// The same list in a buffer of exactly its size (one allocation), to keep when
    /// it was built in a reused, larger one.
    public var compacted: AttributeList {
        guard !isEmpty else { return AttributeList() }
        let chunk = ByteChunk.make(capacity: byteCount)
        withBytes { chunk.append($0) }
        var copy = AttributeList()
        copy.storage = chunk
        copy.upper = UInt32(byteCount)
        return copy
    }

    public mutating func append<S: Sequence>(contentsOf attributes: S) where S.Element == Attribute {
        for a in attributes { append(a) }
    }

    /// Equal entries, however each was stored: a value may be inline in one list and
    /// shared (`AttributeStrings`) in another, a key numbered or written out. Equal
    /// bytes answer at once; otherwise the entries are compared decoded.
    public static func == (a: AttributeList, b: AttributeList) -> Bool {
        let sameBytes = a.withBytes { x in b.withBytes { y in x.elementsEqual(y) } }
        return sameBytes || a.elementsEqual(b)
    }

    /// Over the decoded entries, to agree with `==`.
    public func hash(into hasher: inout Hasher) {
        for attribute in self { hasher.combine(attribute) }
    }

    /// The value of the first attribute with this key; other values are skipped unread.
    public subscript(key key: String) -> AttributeValue? {
        withBytes { buf in
            var r = Unpack(buf, at: 0)
            while r.pos < buf.count {
                if r.key() == key { return r.value() }
                r.skipValue()
            }
            return nil
        }
    }

    /// The keys in order, without decoding values.
    public var keys: [String] {
        withBytes { buf in
            var r = Unpack(buf, at: 0)
            var out: [String] = []
            while r.pos < buf.count {
                out.append(r.key())
                r.skipValue()
            }
            return out
        }
    }
}

/// Many lists' bytes in few allocations. Filled by one owner, then only read: the
/// decoder packs a batch's lists into arenas this way and hands the spans on after.
/// Full chunks are left as they are (lists point into them) and a new one is started.
public struct AttributeArena {
    private var chunk: ByteChunk?
    private let chunkSize: Int

    /// `chunkSize`: bytes per allocation; a list longer than that gets its own.
    public init(chunkSize: Int = 64 << 10) {
        self.chunkSize = max(64, chunkSize)
    }

    /// An arena of exactly `bytes`, for lists whose total size is known.
    public init(exactly bytes: Int) {
        chunkSize = max(1, bytes)
        chunk = bytes > 0 ? ByteChunk.make(capacity: bytes) : nil
    }

    /// A list with the same entries whose bytes live in this arena.
    public mutating func adopt(_ list: AttributeList) -> AttributeList {
        guard !list.isEmpty else { return AttributeList() }
        return list.withBytes { adopt(bytes: $0) }
    }

    /// Moves `list`'s bytes into this arena, in place: `list = adopt(list)` without the
    /// copy of the list read out (a retain and a release of its old buffer, per span of
    /// every record the decoder packs).
    public mutating func move(_ list: inout AttributeList) {
        guard !list.isEmpty else { return }
        list = list.withBytes { adopt(bytes: $0) }
    }

    fileprivate mutating func adopt(bytes: UnsafeBufferPointer<UInt8>) -> AttributeList {
        if chunk == nil || chunk!.room < bytes.count { chunk = ByteChunk.make(capacity: max(chunkSize, bytes.count)) }
        return AttributeList(copying: bytes, into: chunk!)
    }
}

/// memcpy for the few dozen bytes of a packed entry: word moves, the last one
/// overlapping when there are 8 bytes or more, no library call (which costs more than
/// such a copy).
public enum ShortBytes {
    @inlinable @inline(__always)
    public static func copy(from source: UnsafeRawPointer, to destination: UnsafeMutableRawPointer, count n: Int) {
        guard n >= 8 else {
            for i in 0..<n { destination.storeBytes(of: source.load(fromByteOffset: i, as: UInt8.self), toByteOffset: i, as: UInt8.self) }
            return
        }
        var i = 0
        while i + 8 < n {
            destination.storeBytes(of: source.loadUnaligned(fromByteOffset: i, as: UInt64.self), toByteOffset: i, as: UInt64.self)
            i += 8
        }
        destination.storeBytes(of: source.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self), toByteOffset: n - 8, as: UInt64.self)
    }
}

/// Writes one list's entries in the packed form straight into a reused buffer: the
/// decoder's scratch space, one list at a time. Unlike appending to an `AttributeList`
/// it makes no list value, checks no uniqueness and touches no reference count per
/// entry; `AttributeArena.adopt` copies the finished entries out. An entry is a
/// `key` call followed by one value call.
public final class AttributeListBuilder {
    // One thread writes a builder, entry after entry: the run-time exclusivity checks
    // on these would cost more than the writes.
    // Visible to inlined code: the decoder (another module) writes a dozen entries a
    // span, and a call per entry costs as much as the write.
    @usableFromInline @exclusivity(unchecked) var base: UnsafeMutablePointer<UInt8>
    @usableFromInline @exclusivity(unchecked) var capacity: Int
    /// Bytes written since the last `reset`.
    @usableFromInline @exclusivity(unchecked) var used = 0
    public var count: Int { used }

    public init(capacity: Int = 4096) {
        self.capacity = max(64, capacity)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    public var isEmpty: Bool { count == 0 }

    public func reset() { used = 0 }

    @inlinable @inline(__always)
    func reserve(_ n: Int) {
        if count + n > capacity { grow(to: count + n) }
    }

    @usableFromInline @inline(never)
    func grow(to needed: Int) {
        var size = capacity * 2
        while size < needed { size *= 2 }
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        grown.update(from: base, count: count)
        base.deallocate()
        base = grown
        capacity = size
    }

    @inlinable @inline(__always)
    func put(_ byte: UInt8) {
        base[count] = byte
        used += 1
    }

    @inlinable @inline(__always)
    func putVarint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            put(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        put(UInt8(v))
    }

    @inlinable @inline(__always)
    func putBytes(_ bytes: UnsafeRawBufferPointer) {
        if let src = bytes.baseAddress, !bytes.isEmpty {
            UnsafeMutableRawPointer(base + count).copyMemory(from: src, byteCount: bytes.count)
            used += bytes.count
        }
    }

    /// A key by its `AttributeKeys` number plus one, or 0 and its UTF-8 text (a key
    /// the full table has no number for).
    @inlinable @inline(__always)
    public func key(_ idPlusOne: UInt32, text: UnsafeRawBufferPointer) {
        reserve(20 + (idPlusOne == 0 ? text.count : 0))
        putVarint(UInt64(idPlusOne))
        if idPlusOne == 0 {
            putVarint(UInt64(text.count))
            putBytes(text)
        }
    }

    /// A string value by its `AttributeStrings` number.
    @inlinable @inline(__always)
    public func sharedString(_ id: UInt32) {
        reserve(6)
        put(PackTag.sharedString.rawValue)
        putVarint(UInt64(id))
    }

    /// A string value from its UTF-8 bytes.
    @inlinable @inline(__always)
    public func string(_ utf8: UnsafeRawBufferPointer) {
        reserve(11 + utf8.count)
        put(PackTag.string.rawValue)
        putVarint(UInt64(utf8.count))
        putBytes(utf8)
    }

    @inlinable @inline(__always)
    public func int(_ i: Int64) {
        reserve(11)
        put(PackTag.int.rawValue)
        putVarint(UInt64(bitPattern: (i << 1) ^ (i >> 63)))
    }

    @inlinable @inline(__always)
    public func bool(_ b: Bool) {
        reserve(1)
        put(b ? PackTag.boolTrue.rawValue : PackTag.boolFalse.rawValue)
    }

    @inlinable @inline(__always)
    public func double(_ d: Double) {
        reserve(9)
        put(PackTag.double.rawValue)
        UnsafeMutableRawPointer(base + count).storeBytes(of: d.bitPattern.littleEndian, as: UInt64.self)
        used += 8
    }

    /// An empty value (an AnyValue object with no value field).
    public func empty() {
        reserve(1)
        put(PackTag.empty.rawValue)
    }

    /// Starts an array whose length is not known yet: its elements follow as value
    /// calls, then `endArray(mark, count:)` with the mark this returns.
    public func beginArray() -> Int {
        reserve(2)
        put(PackTag.array.rawValue)
        put(0)
        return count - 1
    }

    /// Writes the element count into the place `beginArray` kept (one byte; the rare
    /// longer count moves the elements along).
    public func endArray(_ mark: Int, count n: Int) {
        var length = 1
        while UInt64(n) >> (7 * length) != 0 { length += 1 }
        if length > 1 {
            reserve(length - 1)
            (base + mark + length).update(from: base + mark + 1, count: count - mark - 1)
            used += length - 1
        }
        var v = UInt64(n)
        for i in 0..<length {
            base[mark + i] = UInt8(truncatingIfNeeded: v) | (i < length - 1 ? 0x80 : 0)
            v >>= 7
        }
    }

    /// Drops what was written after `mark` (a value that a later field replaces).
    public func truncate(to mark: Int) { used = min(used, max(0, mark)) }

    /// The bytes written since `mark`, valid until the next write.
    @inlinable @inline(__always)
    public func written(since mark: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + mark, count: count - mark)
    }

    /// Writes bytes a builder wrote before (`written(since:)`) again: an entry or a
    /// part of one, as it was packed.
    @inlinable @inline(__always)
    public func repeatWritten(_ start: UnsafeRawPointer, count n: Int) {
        reserve(n)
        ShortBytes.copy(from: start, to: UnsafeMutableRawPointer(base + count), count: n)
        used += n
    }

    /// Appends what another builder holds (a value written on its own).
    public func append(contentsOf other: AttributeListBuilder) {
        reserve(other.count)
        putBytes(UnsafeRawBufferPointer(start: other.base, count: other.count))
    }

    /// Any value, nested ones included; scalars take their direct writers.
    public func value(_ v: AttributeValue) {
        switch v {
        case .int(let i): return int(i)
        case .bool(let b): return bool(b)
        case .double(let d): return double(d)
        case .empty: return empty()
        default: break
        }
        var size = SizeCount()
        Pack.value(v, into: &size)
        reserve(size.count)
        var sink = PointerSink(p: base + count)
        Pack.value(v, into: &sink)
        used += size.count
    }

    fileprivate var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }
}

extension AttributeArena {
    /// The builder's entries as a list in this arena (the builder can then be reset).
    public mutating func adopt(_ builder: AttributeListBuilder) -> AttributeList {
        builder.isEmpty ? AttributeList() : adopt(bytes: builder.bytes)
    }
}

extension AttributeList {
    fileprivate init(copying bytes: UnsafeBufferPointer<UInt8>, into chunk: ByteChunk) {
        lower = UInt32(chunk.used)
        chunk.append(bytes)
        upper = UInt32(chunk.used)
        storage = chunk
    }
}

/// A fixed-capacity byte buffer shared by reference; the header counts bytes used.
/// Bytes a list points at are never rewritten: appends go past every handed-out
/// range, and a list writes in place only when it holds the sole reference, so the
/// chunk can be read from any thread once its filler is done with it. Its bytes are
/// reached through pointers, which skips the run-time exclusivity checks a class's
/// stored array would cost on every read.
private final class ByteChunk: ManagedBuffer<ByteChunk.Header, UInt8> {
    struct Header {
        var used: Int
        let capacity: Int
    }

    static func make(capacity: Int) -> ByteChunk {
        let buffer = ByteChunk.create(minimumCapacity: capacity) { _ in Header(used: 0, capacity: capacity) }
        return unsafeDowncast(buffer, to: ByteChunk.self)
    }

    var used: Int { withUnsafeMutablePointerToHeader { $0.pointee.used } }
    var room: Int { withUnsafeMutablePointerToHeader { $0.pointee.capacity - $0.pointee.used } }

    func clear() { withUnsafeMutablePointerToHeader { $0.pointee.used = 0 } }

    func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let src = bytes.baseAddress, !bytes.isEmpty else { return }
        withUnsafeMutablePointers { header, base in
            precondition(header.pointee.used + bytes.count <= header.pointee.capacity, "ByteChunk overflow")
            (base + header.pointee.used).update(from: src, count: bytes.count)
            header.pointee.used += bytes.count
        }
    }

    func withUnsafeMutablePointers<R>(_ body: (UnsafeMutablePointer<Int>, UnsafeMutablePointer<UInt8>) -> R) -> R {
        withUnsafeMutablePointers { (header: UnsafeMutablePointer<Header>, base: UnsafeMutablePointer<UInt8>) in
            withUnsafeMutablePointer(to: &header.pointee.used) { body($0, base) }
        }
    }
}

extension AttributeList: Collection {
    public struct Index: Comparable, Sendable {
        fileprivate let offset: Int
        public static func < (a: Index, b: Index) -> Bool { a.offset < b.offset }
    }

    public var startIndex: Index { Index(offset: 0) }
    public var endIndex: Index { Index(offset: byteCount) }

    public subscript(position: Index) -> Attribute {
        withBytes { buf in
            var r = Unpack(buf, at: position.offset)
            let key = r.key()
            return Attribute(key, r.value())
        }
    }

    public func index(after i: Index) -> Index {
        withBytes { buf in
            var r = Unpack(buf, at: i.offset)
            r.skipKey()
            r.skipValue()
            return Index(offset: r.pos)
        }
    }
}

extension AttributeList: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: Attribute...) {
        self.init(elements)
    }
}

extension AttributeList: CustomStringConvertible {
    public var description: String { Array(self).description }
}

/// The first byte of a packed value: which kind it is.
@usableFromInline enum PackTag: UInt8 {
    case empty = 0, string, boolFalse, boolTrue, int, double, bytes, array, map, sharedString
}

/// The encoding. Values: a tag byte, then a varint length and bytes (string, bytes), a
/// varint `AttributeStrings` number (shared string), a zigzag varint (int), 8
/// little-endian bytes (double), nothing (bool, empty), or a varint count and the
/// elements (array: values; map: key and value pairs).
enum Pack {
    typealias Tag = PackTag

    static func varint<Out: PackSink>(_ v: UInt64, into out: inout Out) {
        var v = v
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    static func string<Out: PackSink>(_ s: String, into out: inout Out) {
        varint(UInt64(s.utf8.count), into: &out)
        out.append(contentsOf: s.utf8)
    }

    static func value<Out: PackSink>(_ value: AttributeValue, into out: inout Out) {
        switch value {
        case .empty: out.append(Tag.empty.rawValue)
        case .string(let s):
            out.append(Tag.string.rawValue)
            string(s, into: &out)
        case .bool(let b): out.append(b ? Tag.boolTrue.rawValue : Tag.boolFalse.rawValue)
        case .int(let i):
            out.append(Tag.int.rawValue)
            varint(UInt64(bitPattern: (i << 1) ^ (i >> 63)), into: &out)
        case .double(let d):
            out.append(Tag.double.rawValue)
            var bits = d.bitPattern
            for _ in 0..<8 {
                out.append(UInt8(truncatingIfNeeded: bits))
                bits >>= 8
            }
        case .bytes(let b):
            out.append(Tag.bytes.rawValue)
            varint(UInt64(b.count), into: &out)
            out.append(contentsOf: b)
        case .array(let values):
            out.append(Tag.array.rawValue)
            varint(UInt64(values.count), into: &out)
            for v in values { Pack.value(v, into: &out) }
        case .keyValueList(let attrs):
            out.append(Tag.map.rawValue)
            varint(UInt64(attrs.count), into: &out)
            for a in attrs {
                out.append(contentsOf: AttributeList.EncodedKey(a.key).bytes)
                Pack.value(a.value, into: &out)
            }
        }
    }
}

/// Where `Pack` writes: a growing array, a size count (to reserve before writing), or
/// memory already reserved.
protocol PackSink {
    mutating func append(_ byte: UInt8)
    mutating func append<C: Collection>(contentsOf bytes: C) where C.Element == UInt8
}

extension Array: PackSink where Element == UInt8 {}

private struct SizeCount: PackSink {
    var count = 0
    mutating func append(_ byte: UInt8) { count += 1 }
    mutating func append<C: Collection>(contentsOf bytes: C) where C.Element == UInt8 { count += bytes.count }
}

private struct PointerSink: PackSink {
    var p: UnsafeMutablePointer<UInt8>
    mutating func append(_ byte: UInt8) {
        p.pointee = byte
        p += 1
    }
    mutating func append<C: Collection>(contentsOf bytes: C) where C.Element == UInt8 {
        let copied: Void? = bytes.withContiguousStorageIfAvailable { b in
            if let src = b.baseAddress { p.update(from: src, count: b.count) }
            p += b.count
        }
        if copied == nil {
            for b in bytes { append(b) }
        }
    }
}

/// Reads what `Pack` wrote. Only ever given buffers `Pack` produced.
struct Unpack {
    let buf: UnsafeBufferPointer<UInt8>
    var pos: Int

    init(_ buf: UnsafeBufferPointer<UInt8>, at pos: Int) {
        self.buf = buf
        self.pos = pos
    }

    mutating func varint() -> UInt64 {
        var v: UInt64 = 0, shift: UInt64 = 0
        while true {
            let b = buf[pos]
            pos += 1
            v |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return v }
            shift += 7
        }
    }

    mutating func string() -> String {
        let n = Int(varint())
        defer { pos += n }
        return String(decoding: UnsafeBufferPointer(rebasing: buf[pos..<pos + n]), as: UTF8.self)
    }

    mutating func key() -> String {
        let k = varint()
        return k == 0 ? string() : AttributeKeys.name(UInt32(k - 1))
    }

    mutating func skipKey() {
        if varint() == 0 { pos += Int(varint()) }
    }

    mutating func value() -> AttributeValue {
        let tag = Pack.Tag(rawValue: buf[pos]) ?? .empty
        pos += 1
        switch tag {
        case .empty: return .empty
        case .string: return .string(string())
        case .sharedString: return .string(AttributeStrings.value(UInt32(truncatingIfNeeded: varint())))
        case .boolFalse: return .bool(false)
        case .boolTrue: return .bool(true)
        case .int:
            let z = varint()
            return .int(Int64(bitPattern: z >> 1) ^ -Int64(bitPattern: z & 1))
        case .double:
            var bits: UInt64 = 0
            for i in 0..<8 { bits |= UInt64(buf[pos + i]) << (8 * UInt64(i)) }
            pos += 8
            return .double(Double(bitPattern: bits))
        case .bytes:
            let n = Int(varint())
            defer { pos += n }
            return .bytes(Array(buf[pos..<pos + n]))
        case .array:
            let n = Int(varint())
            var values: [AttributeValue] = []
            values.reserveCapacity(n)
            for _ in 0..<n { values.append(value()) }
            return .array(values)
        case .map:
            let n = Int(varint())
            var attrs: [Attribute] = []
            attrs.reserveCapacity(n)
            for _ in 0..<n {
                let k = key()
                attrs.append(Attribute(k, value()))
            }
            return .keyValueList(attrs)
        }
    }

    mutating func skipValue() {
        let tag = Pack.Tag(rawValue: buf[pos]) ?? .empty
        pos += 1
        switch tag {
        case .empty, .boolFalse, .boolTrue: return
        case .string, .bytes: pos += Int(varint())
        case .int, .sharedString: _ = varint()
        case .double: pos += 8
        case .array: for _ in 0..<varint() { skipValue() }
        case .map:
            for _ in 0..<varint() {
                skipKey()
                skipValue()
            }
        }
    }
}
