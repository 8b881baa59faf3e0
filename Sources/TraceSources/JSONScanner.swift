import TraceModel
#if canImport(Glibc)
import Glibc
#endif

/// Why a JSON record was rejected, with the byte offset inside the record.
public struct JSONError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public var offset: Int

    public var description: String { "\(message) at byte \(offset)" }
}

/// A string read by the scanner: where its bytes are, or — when it held escapes — which
/// of the scanner's decoded texts it is. A plain value (no reference inside), so
/// passing one around costs no reference counting. Comparing against a literal
/// allocates nothing.
struct JSONKey {
    var start: Int
    var count: Int
    /// Index into `JSONScanner.decodedTexts`, or -1 for a string without escapes.
    var escaped: Int32 = -1

    var hasEscapes: Bool { escaped >= 0 }
}

/// A pull scanner over UTF-8 JSON bytes. It reads only what a decoder asks for and
/// skips the rest, so no intermediate tree or dictionary is ever built — the reason
/// spanscope does not use Foundation's JSON APIs on this hot path.
struct JSONScanner {
    /// The input as a plain pointer and length: never nil (an empty input points at a
    /// spare byte), so the hot paths test no optional on every byte they read.
    let base: UnsafeRawPointer
    let length: Int
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: length) }
    var pos = 0
    var depth = 0
    /// The texts of strings that held escapes (rare), for the keys naming them.
    private(set) var decodedTexts: [String] = []
    /// Deeper nesting than this is a counted error, never a stack overflow.
    let maxDepth: Int

    private nonisolated(unsafe) static let noBytes = UnsafeMutableRawPointer.allocate(byteCount: 8, alignment: 8)

    init(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = 96) {
        base = bytes.baseAddress.map { UnsafeRawPointer($0) } ?? UnsafeRawPointer(Self.noBytes)
        length = bytes.count
        self.maxDepth = maxDepth
    }

    func fail(_ message: String) -> JSONError { JSONError(message: message, offset: pos) }

    @inline(__always)
    mutating func skipWhitespace() {
        // Exporters write no spaces: the common case is one test.
        if pos < length, at(pos) > 0x20 { return }
        while pos < length {
            switch at(pos) {
            case 0x20, 0x0A, 0x0D, 0x09: pos += 1
            default: return
            }
        }
    }

    @inline(__always)
    mutating func peek() -> UInt8? {
        skipWhitespace()
        return pos < length ? at(pos) : nil
    }

    @inline(__always)
    mutating func expect(_ byte: UInt8, _ what: StaticString) throws {
        guard peek() == byte else { throw expected(what) }
        pos += 1
    }

    /// The error for `expect`, kept out of line: the hot path builds no message.
    @inline(never)
    private func expected(_ what: StaticString) -> JSONError {
        fail(pos < length ? "expected \(what)" : "unexpected end of input, expected \(what)")
    }

    mutating func expectEnd() throws {
        if peek() != nil { throw fail("unexpected data after the JSON value") }
    }

    /// The byte at `i`, which the caller has checked is below `length`.
    @inline(__always)
    func at(_ i: Int) -> UInt8 { base.load(fromByteOffset: i, as: UInt8.self) }

    // MARK: objects and arrays

    mutating func beginObject() throws {
        try expect(UInt8(ascii: "{"), "'{'")
        depth += 1
        if depth > maxDepth { throw fail("nesting deeper than \(maxDepth)") }
    }

    /// The next key of the current object, or nil after its closing brace.
    mutating func nextKey(first: inout Bool) throws -> JSONKey? {
        guard let c = peek() else { throw fail("unexpected end of input inside an object") }
        if c == UInt8(ascii: "}") {
            pos += 1
            depth -= 1
            return nil
        }
        if !first {
            guard c == UInt8(ascii: ",") else { throw fail("expected ',' or '}'") }
            pos += 1
            _ = peek()
        }
        first = false
        guard pos < length, at(pos) == UInt8(ascii: "\"") else { throw fail("expected a key") }
        let key = try readRawString()
        try expect(UInt8(ascii: ":"), "':'")
        return key
    }

    mutating func beginArray() throws {
        try expect(UInt8(ascii: "["), "'['")
        depth += 1
        if depth > maxDepth { throw fail("nesting deeper than \(maxDepth)") }
    }

    /// True when another element follows; false after the closing bracket.
    mutating func nextElement(first: inout Bool) throws -> Bool {
        guard let c = peek() else { throw fail("unexpected end of input inside an array") }
        if c == UInt8(ascii: "]") {
            pos += 1
            depth -= 1
            return false
        }
        if !first {
            guard c == UInt8(ascii: ",") else { throw fail("expected ',' or ']'") }
            pos += 1
        }
        first = false
        return true
    }

    /// Consumes a `null` and returns true, or leaves the input as it is.
    mutating func skipNull() -> Bool {
        guard peek() == UInt8(ascii: "n"), pos + 4 <= length,
              at(pos + 1) == UInt8(ascii: "u"), at(pos + 2) == UInt8(ascii: "l"),
              at(pos + 3) == UInt8(ascii: "l") else { return false }
        pos += 4
        return true
    }

    /// The text of a string that held escapes; nil for one read in place.
    @inline(__always)
    func decoded(_ key: JSONKey) -> String? {
        key.hasEscapes ? decodedTexts[Int(key.escaped)] : nil
    }

    /// The bytes of a string read in place (empty for one that held escapes).
    @inline(__always)
    func raw(_ key: JSONKey) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[key.start..<key.start + key.count])
    }

    @inline(__always)
    func key(_ key: JSONKey, is literal: StaticString) -> Bool {
        if key.hasEscapes {
            return decodedTexts[Int(key.escaped)].utf8.elementsEqual(UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
        }
        guard key.count == literal.utf8CodeUnitCount else { return false }
        return Self.sameBytes(base + key.start, literal.utf8Start, key.count)
    }

    /// memcmp for the short literals keys and fixed parts are: one or two word loads
    /// (overlapping for odd lengths) instead of a library call.
    @inline(__always)
    static func sameBytes(_ a: UnsafeRawPointer, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        let b = UnsafeRawPointer(b)
        switch n {
        case 17...32:
            // Long keys (`http.response.status_code`): four words, the last two overlapping.
            return a.loadUnaligned(as: UInt64.self) == b.loadUnaligned(as: UInt64.self)
                && a.loadUnaligned(fromByteOffset: 8, as: UInt64.self) == b.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
                && a.loadUnaligned(fromByteOffset: n - 16, as: UInt64.self) == b.loadUnaligned(fromByteOffset: n - 16, as: UInt64.self)
                && a.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) == b.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
        case 8...16:
            return a.loadUnaligned(as: UInt64.self) == b.loadUnaligned(as: UInt64.self)
                && a.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) == b.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
        case 4..<8:
            return a.loadUnaligned(as: UInt32.self) == b.loadUnaligned(as: UInt32.self)
                && a.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self) == b.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)
        case 2..<4:
            return a.loadUnaligned(as: UInt16.self) == b.loadUnaligned(as: UInt16.self)
                && a.load(fromByteOffset: n - 1, as: UInt8.self) == b.load(fromByteOffset: n - 1, as: UInt8.self)
        case 1:
            return a.load(as: UInt8.self) == b.load(as: UInt8.self)
        case 0:
            return true
        default:
            return memcmp(a, b, n) == 0
        }
    }

    /// Consumes `literal` when the input continues with exactly it (no spaces allowed).
    @inline(__always)
    mutating func skipLiteral(_ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard pos + n <= length, Self.sameBytes(base + pos, literal.utf8Start, n) else { return false }
        pos += n
        return true
    }

    /// Consumes the key `name` with its quotes and colon, and the comma before it unless
    /// it is the object's `first`, when the input continues with exactly that (no
    /// spaces); a decoder's guess at the next key, checked in place.
    @inline(__always)
    mutating func skipKey(_ name: StaticString, first: Bool) -> Bool {
        // `,"` and `":` are each one two-byte load (little-endian: first byte low).
        let n = name.utf8CodeUnitCount, open = first ? pos : pos + 1
        guard open + n + 3 <= length,
              first ? at(pos) == UInt8(ascii: "\"") : base.loadUnaligned(fromByteOffset: pos, as: UInt16.self) == UInt16(littleEndian: 0x222C),
              base.loadUnaligned(fromByteOffset: open + n + 1, as: UInt16.self) == UInt16(littleEndian: 0x3A22),
              Self.sameBytes(base + open + 1, name.utf8Start, n) else { return false }
        pos = open + n + 3
        return true
    }

    /// Where the string whose text starts at `from` ends (its closing quote), when it
    /// holds no escape; nil when it has one or is unterminated.
    @inline(__always)
    func plainStringEnd(from: Int) -> Int? {
        let i = quoteOrBackslash(from: from)
        return i < length && at(i) == UInt8(ascii: "\"") ? i : nil
    }

    /// The first quote or backslash at or after `from`, or the end. Eight bytes at a
    /// time (SWAR): a byte equal to c makes (w ^ c·0x01…) hold a zero byte, which the
    /// classic test marks; the lowest mark is exact (false marks only sit above a true
    /// one), so its position needs no byte-by-byte rescan.
    @inline(__always)
    func quoteOrBackslash(from: Int) -> Int {
        var i = from
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        while i + 8 <= length {
            let w = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let q = w ^ (ones &* 0x22), b = w ^ (ones &* 0x5C)
            let marks = ((q &- ones) & ~q | (b &- ones) & ~b) & highs
            if marks != 0 { return i + marks.trailingZeroBitCount >> 3 }
            i += 8
        }
        while i < length, at(i) != UInt8(ascii: "\""), at(i) != UInt8(ascii: "\\") { i += 1 }
        return i
    }

    /// The string as text (comparisons use `key(_:is:)`, which builds none).
    func text(of key: JSONKey) -> String {
        decoded(key) ?? String(decoding: raw(key), as: UTF8.self)
    }

    // MARK: strings

    /// Reads a string; the bytes are returned in place unless it holds escapes.
    @inline(__always)
    mutating func readRawString() throws -> JSONKey {
        try expect(UInt8(ascii: "\""), "a string")
        let start = pos
        let end = quoteOrBackslash(from: start)
        guard end < length else {
            pos = end
            throw fail("unterminated string")
        }
        if at(end) == UInt8(ascii: "\"") {
            pos = end + 1
            return JSONKey(start: start, count: end - start)
        }
        return try escapedString(from: start)
    }

    @inline(never)
    private mutating func escapedString(from start: Int) throws -> JSONKey {
        let text = try readEscapedString()
        decodedTexts.append(text)
        return JSONKey(start: start, count: 0, escaped: Int32(truncatingIfNeeded: decodedTexts.count - 1))
    }

    mutating func readString() throws -> String {
        let raw = try readRawString()
        return text(of: raw)
    }

    /// Slow path for strings with escapes; `pos` is just after the opening quote.
    private mutating func readEscapedString() throws -> String {
        var out: [UInt8] = []
        while pos < length {
            let b = at(pos)
            pos += 1
            if b == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
            guard b == UInt8(ascii: "\\") else { out.append(b); continue }
            guard pos < length else { break }
            let e = at(pos)
            pos += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try readHex4()
                if (0xD800..<0xDC00).contains(scalar), pos + 6 <= length,
                   at(pos) == UInt8(ascii: "\\"), at(pos + 1) == UInt8(ascii: "u") {
                    let save = pos
                    pos += 2
                    let low = try readHex4()
                    if (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        pos = save
                    }
                }
                let s = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                out.append(contentsOf: String(s).utf8)
            default:
                pos -= 1
                throw fail("invalid escape")
            }
        }
        throw fail("unterminated string")
    }

    private mutating func readHex4() throws -> UInt32 {
        guard pos + 4 <= length else { throw fail("truncated \\u escape") }
        var v: UInt32 = 0
        for i in 0..<4 {
            let b = at(pos + i)
            let n: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): n = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): n = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): n = UInt32(b - UInt8(ascii: "A") + 10)
            default: throw fail("invalid \\u escape")
            }
            v = v << 4 | n
        }
        pos += 4
        return v
    }

    // MARK: scalars

    /// The extent of a JSON number token starting at `pos`.
    private mutating func numberToken() throws -> Range<Int> {
        let start = pos
        if pos < length, at(pos) == UInt8(ascii: "-") { pos += 1 }
        while pos < length {
            switch at(pos) {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "e"),
                 UInt8(ascii: "E"), UInt8(ascii: "+"), UInt8(ascii: "-"):
                pos += 1
            default:
                if pos == start { throw fail("expected a number") }
                return start..<pos
            }
        }
        if pos == start { throw fail("expected a number") }
        return start..<pos
    }

    /// Parses a decimal integer from bytes, or nil on anything else or overflow.
    static func parseInt64(_ b: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int64? {
        var i = range.lowerBound
        guard i < range.upperBound else { return nil }
        let negative = b[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        guard i < range.upperBound else { return nil }
        var v: Int64 = 0
        while i < range.upperBound {
            let d = b[i] &- UInt8(ascii: "0")
            guard d < 10 else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = negative ? m.subtractingReportingOverflow(Int64(d)) : m.addingReportingOverflow(Int64(d))
            if o1 || o2 { return nil }
            v = a
            i += 1
        }
        return v
    }

    /// An int64 written as a number or, as protobuf JSON does, a decimal string.
    mutating func readInt64() throws -> Int64 {
        let start = pos
        let range: Range<Int>
        if peek() == UInt8(ascii: "\"") {
            // Protobuf JSON's usual form, "200": up to 18 digits cannot overflow.
            if let v = quotedDigits(upTo: 18) { return Int64(v) }
            let raw = try readRawString()
            range = raw.start..<raw.start + raw.count
        } else {
            range = try numberToken()
        }
        if let v = Self.parseInt64(bytes, range) { return v }
        // 1e3 or 5.0 are integers too; anything else (or out of range) is an error.
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        if let d = Double(text), d == d.rounded(), abs(d) < 9.2e18 { return Int64(d) }
        pos = start
        throw fail("not a 64-bit integer: \(text.prefix(40))")
    }

    /// A time in nanoseconds: uint64 on the wire, kept as Int64 (good until 2262).
    mutating func readUInt64AsInt64() throws -> Int64 {
        let start = pos
        // Fast path for the common "1795559836427600220" form.
        if peek() == UInt8(ascii: "\""), let v = quotedDigits(upTo: 19), v <= UInt64(Int64.max) { return Int64(v) }
        pos = start
        let v = try readInt64()
        if v < 0 { pos = start; throw fail("negative time") }
        return v
    }

    /// A string at `pos` of 1 to `maxDigits` (≤ 19) decimal digits and nothing else,
    /// consumed and returned; nil leaves `pos` where it was. One pass, eight bytes at a
    /// time (SWAR): a word's leading digits are found and converted together, and the
    /// byte after them must be the closing quote.
    @inline(__always)
    mutating func quotedDigits(upTo maxDigits: Int) -> UInt64? {
        let first = pos + 1
        // Unrolled where three words can be read: a count (1 to 7 digits) takes one word,
        // a time (19) two whole words and part of a third, with no loop around them.
        if first + 24 <= length {
            let w1 = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: first, as: UInt64.self))
            let n1 = Self.leadingDigits(w1)
            if n1 < 8 {
                guard n1 > 0, n1 <= maxDigits else { return nil }
                return closeDigits(at: first + n1, first: first, Self.digitsValue(w1, n1))
            }
            let w2 = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: first + 8, as: UInt64.self))
            let n2 = Self.leadingDigits(w2)
            let eight = Self.eightDigitsValue(w1)
            if n2 < 8 {
                guard 8 + n2 <= maxDigits else { return nil }
                let v = n2 == 0 ? eight : eight &* Self.powerOfTen(n2) &+ Self.digitsValue(w2, n2)
                return closeDigits(at: first + 8 + n2, first: first, v)
            }
            let w3 = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: first + 16, as: UInt64.self))
            let n3 = Self.leadingDigits(w3)
            guard n3 < 8, 16 + n3 <= maxDigits else { return nil }
            let sixteen = eight &* 100_000_000 &+ Self.eightDigitsValue(w2)
            let v = n3 == 0 ? sixteen : sixteen &* Self.powerOfTen(n3) &+ Self.digitsValue(w3, n3)
            return closeDigits(at: first + 16 + n3, first: first, v)
        }
        var i = first, v: UInt64 = 0
        while i + 8 <= length {
            let w = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let n = Self.leadingDigits(w)
            guard i - first + n <= maxDigits else { return nil }
            if n > 0 { v = v &* Self.powerOfTen(n) &+ Self.digitsValue(w, n) }
            i += n
            if n < 8 { return closeDigits(at: i, first: first, v) }
        }
        while i < length, i - first < maxDigits {
            let d = at(i) &- UInt8(ascii: "0")
            guard d < 10 else { break }
            v = v &* 10 &+ UInt64(d)
            i += 1
        }
        return closeDigits(at: i, first: first, v)
    }

    @inline(__always)
    private mutating func closeDigits(at i: Int, first: Int, _ v: UInt64) -> UInt64? {
        guard i > first, i < length, at(i) == UInt8(ascii: "\"") else { return nil }
        pos = i + 1
        return v
    }

    /// How many of the word's bytes, from its first (lowest), are ASCII digits. A digit
    /// has high nibble 3 and keeps it when 6 is added; a carry out of a non-digit byte
    /// only disturbs bytes after it, which are not counted.
    @inline(__always)
    static func leadingDigits(_ w: UInt64) -> Int {
        let highs: UInt64 = 0xF0F0_F0F0_F0F0_F0F0, threes: UInt64 = 0x3030_3030_3030_3030
        let off = ((w & highs) ^ threes) | (((w &+ 0x0606_0606_0606_0606) & highs) ^ threes)
        return off == 0 ? 8 : off.trailingZeroBitCount >> 3
    }

    /// The value of the word's first `n` (1...8) bytes as decimal digits: shifted to the
    /// top, the bytes below become leading zeros, then pairs, quads and the two halves
    /// combine with one multiply each.
    @inline(__always)
    static func digitsValue(_ w: UInt64, _ n: Int) -> UInt64 {
        var d = (w << (64 - 8 * UInt64(n))) & 0x0F0F_0F0F_0F0F_0F0F
        d = (d &* 10 &+ (d >> 8)) & 0x00FF_00FF_00FF_00FF
        d = (d &* 100 &+ (d >> 16)) & 0x0000_FFFF_0000_FFFF
        return (d &* 10000 &+ (d >> 32)) & 0xFFFF_FFFF
    }

    /// The value of a word of eight decimal digits (`digitsValue(w, 8)` without the shift).
    @inline(__always)
    static func eightDigitsValue(_ w: UInt64) -> UInt64 {
        var d = w & 0x0F0F_0F0F_0F0F_0F0F
        d = (d &* 10 &+ (d >> 8)) & 0x00FF_00FF_00FF_00FF
        d = (d &* 100 &+ (d >> 16)) & 0x0000_FFFF_0000_FFFF
        return (d &* 10000 &+ (d >> 32)) & 0xFFFF_FFFF
    }

    @inline(__always)
    static func powerOfTen(_ n: Int) -> UInt64 {
        switch n {
        case 1: return 10
        case 2: return 100
        case 3: return 1000
        case 4: return 10000
        case 5: return 100_000
        case 6: return 1_000_000
        case 7: return 10_000_000
        default: return 100_000_000
        }
    }

    /// A double as a number, or one of protobuf JSON's "NaN", "Infinity", "-Infinity" (or a numeric string).
    mutating func readDouble() throws -> Double {
        if let d = plainDecimal() { return d }
        let text: String
        if peek() == UInt8(ascii: "\"") {
            text = try readString()
        } else {
            let range = try numberToken()
            if let d = Self.simpleDecimal(bytes, range) { return d }
            text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        }
        switch text {
        case "NaN": return .nan
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        default:
            guard let d = Double(text) else { throw fail("not a number: \(text.prefix(40))") }
            return d
        }
    }

    /// The common `-?digits(.digits)?` number read in one pass where it stands (at most
    /// 15 significant digits, an exact division: see `simpleDecimal`); nil, `pos`
    /// untouched, for anything else, which the token path then reads.
    private mutating func plainDecimal() -> Double? {
        var i = pos
        let negative = i < length && at(i) == UInt8(ascii: "-")
        if negative { i += 1 }
        var mantissa: UInt64 = 0
        var significant = 0, fraction = 0
        let wholeStart = i
        i = digitRun(from: i, into: &mantissa, significant: &significant)
        guard i > wholeStart else { return nil }
        if i < length, at(i) == UInt8(ascii: ".") {
            let fractionStart = i + 1
            i = digitRun(from: fractionStart, into: &mantissa, significant: &significant)
            fraction = i - fractionStart
            guard fraction > 0 else { return nil }
        }
        if i < length {
            switch at(i) {
            case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "+"), UInt8(ascii: "-"): return nil
            default: break
            }
        }
        guard significant <= 15, fraction <= 22 else { return nil }
        pos = i
        let magnitude = Double(mantissa) / Self.exactPowersOfTen[fraction]
        return negative ? -magnitude : magnitude
    }

    /// Decimal digits from `from` appended to `mantissa` (counting the significant
    /// ones); returns where they stop.
    @inline(__always)
    private func digitRun(from: Int, into mantissa: inout UInt64, significant: inout Int) -> Int {
        var i = from
        while i < length {
            let d = at(i) &- UInt8(ascii: "0")
            guard d < 10 else { break }
            if mantissa != 0 || d != 0 { significant += 1 }
            mantissa = mantissa &* 10 &+ UInt64(d)
            i += 1
        }
        return i
    }

    private static let exactPowersOfTen: [Double] = (0...22).map { (0..<$0).reduce(1.0) { r, _ in r * 10 } }

    /// `-?digits(.digits)?` with at most 15 significant digits, the common case, without
    /// building a String: the digits and 10^k (k ≤ 22) are exact doubles and one IEEE
    /// division rounds correctly, so this equals what a full parser gives. Anything
    /// else (exponents, long mantissas, odd forms) is nil and takes the full parser.
    /// The whole of `range` must be that number; `plainDecimal` holds the rule.
    static func simpleDecimal(_ b: UnsafeRawBufferPointer, _ range: Range<Int>) -> Double? {
        var s = JSONScanner(UnsafeRawBufferPointer(rebasing: b[range]))
        guard let d = s.plainDecimal(), s.pos == s.length else { return nil }
        return d
    }

    mutating func readBool() throws -> Bool {
        guard let c = peek() else { throw fail("expected true or false") }
        if c == UInt8(ascii: "t"), matchLiteral("true") { return true }
        if c == UInt8(ascii: "f"), matchLiteral("false") { return false }
        throw fail("expected true or false")
    }

    private mutating func matchLiteral(_ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard pos + n <= length else { return false }
        let p = literal.utf8Start
        for i in 0..<n where at(pos + i) != p[i] { return false }
        pos += n
        return true
    }

    /// Skips one value of any type, checking its syntax and nesting depth.
    mutating func skipValue() throws {
        guard let c = peek() else { throw fail("unexpected end of input, expected a value") }
        switch c {
        case UInt8(ascii: "{"):
            try beginObject()
            var first = true
            while try nextKey(first: &first) != nil { try skipValue() }
        case UInt8(ascii: "["):
            try beginArray()
            var first = true
            while try nextElement(first: &first) { try skipValue() }
        case UInt8(ascii: "\""):
            _ = try readRawString()
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            _ = try readBool()
        case UInt8(ascii: "n"):
            if !skipNull() { throw fail("invalid literal") }
        default:
            _ = try numberToken()
        }
    }
}
