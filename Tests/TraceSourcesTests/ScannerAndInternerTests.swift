import Testing
import TraceModel
@testable import TraceSources

/// The decoder's hot-path helpers: the eight-bytes-at-a-time string scan and the
/// byte-keyed interner.
@Suite struct ScannerAndInternerTests {
    /// A quote or backslash at every position of strings around the 8-byte word size:
    /// each reads back as JSON means it, and the scanner stops right after the string.
    @Test func stringsEndExactlyWhereTheyEnd() throws {
        for length in 0..<40 {
            for special in [-1] + Array(0..<length) {
                var chars = (0..<length).map { Character(UnicodeScalar(UInt8(97 + $0 % 26))) }
                var expected = String(chars)
                var json = "\"" + String(chars) + "\""
                if special >= 0 {
                    chars[special] = "\""
                    expected = String(chars)
                    json = "\"" + String(chars).map { $0 == "\"" ? "\\\"" : String($0) }.joined() + "\""
                }
                let text = json + ",\"next\""
                let (read, end) = try Array(text.utf8).withUnsafeBytes { raw in
                    var s = JSONScanner(raw)
                    return (try s.readString(), s.pos)
                }
                #expect(read == expected, "length \(length), quote at \(special)")
                #expect(end == json.utf8.count)
            }
        }
    }

    /// Doubles read without the full parser (plain decimals of up to 15 digits) equal
    /// what the full parser reads, and everything else still reads as the full parser
    /// reads it: random decimals, long mantissas, exponents, signs, odd forms.
    @Test func doublesReadAsTheFullParserReadsThem() throws {
        var state: UInt64 = 0xD0B1E
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        func digits(_ n: Int) -> String { String((0..<n).map { _ in Character(String(next(10))) }) }
        var texts = ["0", "-0", "0.0", "-0.0", "1", "0.1", "0.3", "123456789012345", "1234567890123456", "0.000000000000000000001",
                     "0.0000000000000000000001", "9007199254740993", "1e3", "1E-2", "2.5e+10", "-1.5", "00.5", "1.", ".5", "1.2.3",
                     "-", "--1", "1-2", "0.683", "4.35", "17.7"]
        for _ in 0..<3000 {
            var t = (next(4) == 0 ? "-" : "") + digits(1 + next(18))
            if next(3) > 0 { t += "." + digits(1 + next(24)) }
            if next(8) == 0 { t += ["e", "E"][next(2)] + ["", "+", "-"][next(3)] + digits(1 + next(3)) }
            texts.append(t)
        }
        var fast = 0
        for text in texts {
            let bytes = Array(text.utf8)
            try bytes.withUnsafeBytes { raw in
                if let d = JSONScanner.simpleDecimal(raw, 0..<raw.count) {
                    fast += 1
                    let full = try #require(Double(text), "\(text) read as \(d) but is no number")
                    #expect(d.bitPattern == full.bitPattern, "\(text): \(d) ≠ \(full)")
                }
                var s = JSONScanner(raw)
                if let full = Double(text) {
                    #expect(try s.readDouble().bitPattern == full.bitPattern, "\(text)")
                }
            }
            // Followed by more JSON, as in a record: the same value, read to its end.
            let followed = Array((text + "}]").utf8)
            try followed.withUnsafeBytes { raw throws in
                var s = JSONScanner(raw)
                if let full = Double(text) {
                    #expect(try s.readDouble().bitPattern == full.bitPattern, "\(text)}]")
                    #expect(s.pos == text.utf8.count, "\(text)}]")
                } else {
                    #expect(throws: JSONError.self, "\(text)}]") { _ = try s.readDouble() }
                }
            }
        }
        #expect(fast > 800, "the shortcut took \(fast) of \(texts.count)")
    }

    /// The word-at-a-time id and digit readers agree with byte-by-byte ones on random
    /// text drawn mostly from the bytes around each accepted range's edges.
    @Test func wordAtATimeHexAndDigitsMatchByteByByte() {
        var state: UInt64 = 0x5EED
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        let edges: [UInt8] = Array("0123456789abcdefABCDEF/:@G`g \"".utf8) + [0x00, 0x7F, 0x80, 0xB0, 0xE6, 0xFF]
        func naiveHex(_ b: [UInt8]) -> UInt64? {
            var v: UInt64 = 0
            for c in b {
                guard let n = Int(String(UnicodeScalar(c)), radix: 16), c < 0x80 else { return nil }
                v = v << 4 | UInt64(n)
            }
            return v
        }
        var validHex = 0, validDigits = 0
        for round in 0..<20000 {
            var bytes = (0..<16).map { _ in edges[next(16)] }   // mostly hex
            if round % 3 == 0 { bytes[next(16)] = edges[next(edges.count)] }
            let fast = bytes.withUnsafeBytes { OTLPJSONDecoder.hex16($0, 0) }
            #expect(fast == naiveHex(bytes), "\(bytes)")
            if fast != nil { validHex += 1 }

            // A quoted number of 0 to 22 digits, maybe one byte changed, then 0 to 29
            // more bytes (so it ends at every offset of a word and of the input, and the
            // unrolled path, which wants three words to read, meets every length), read
            // with a limit of 19 digits (times) or 18 (integers).
            let count = next(23)
            var digits = (0..<count).map { _ in UInt8(ascii: "0") + UInt8(next(10)) }
            if round % 4 == 0, count > 0 { digits[next(count)] = edges[next(edges.count)] }
            let closed = round % 7 != 0
            let text = [UInt8(ascii: "\"")] + digits + (closed ? [UInt8(ascii: "\"")] : []) + (0..<next(30)).map { _ in edges[next(edges.count)] }
            let limit = round % 2 == 0 ? 19 : 18
            // Byte by byte: the digits after the opening quote, then a closing quote.
            let run = text.dropFirst().prefix { $0 >= 0x30 && $0 <= 0x39 }
            let naive: UInt64? = !run.isEmpty && run.count <= limit && text.count > run.count + 1 && text[run.count + 1] == UInt8(ascii: "\"")
                ? run.reduce(0) { $0 &* 10 &+ UInt64($1 - 0x30) } : nil
            text.withUnsafeBytes { raw in
                var s = JSONScanner(raw)
                #expect(s.quotedDigits(upTo: limit) == naive, "\(text)")
                #expect(s.pos == (naive == nil ? 0 : run.count + 2), "\(text)")
            }
            if naive != nil { validDigits += 1 }
        }
        #expect(validHex > 5000 && validDigits > 7000)
    }

    /// The word-at-a-time comparison of short literals and keys agrees with memcmp at
    /// every length it handles in words, with a difference at every position.
    @Test func wordComparisonMatchesByteComparison() {
        var state: UInt64 = 0xC0DE
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        for n in 0...40 {
            for changed in -1..<n {
                let a = (0..<n).map { _ in UInt8(next(256)) }
                var b = a
                if changed >= 0 { b[changed] ^= UInt8(1 << next(8)) }
                let same = a.withUnsafeBytes { ra in b.withUnsafeBufferPointer { rb in
                    JSONScanner.sameBytes(ra.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, rb.baseAddress ?? UnsafePointer(bitPattern: 1)!, n)
                } }
                #expect(same == (changed < 0), "length \(n), byte \(changed)")
            }
        }
    }

    /// A guessed key is taken only when the input holds exactly it, with its comma
    /// unless first; cut short at any length, or changed at any byte, it is left alone.
    @Test func guessedKeysMatchOnlyThemselves() {
        for (text, first) in [(#","name":1"#, false), (#""name":1"#, true)] {
            let whole = Array(text.utf8)
            for cut in 0...whole.count {
                Array(whole[..<cut]).withUnsafeBytes { raw in
                    var s = JSONScanner(raw)
                    let matched = s.skipKey("name", first: first)
                    #expect(matched == (cut >= whole.count - 1), "\(text) cut at \(cut)")
                    #expect(s.pos == (matched ? whole.count - 1 : 0))
                }
            }
            for i in 0..<(whole.count - 1) {
                var changed = whole
                changed[i] ^= 0x01
                changed.withUnsafeBytes { raw in
                    var s = JSONScanner(raw)
                    let matched = s.skipKey("name", first: first)
                    #expect(!matched, "\(text) changed at \(i)")
                }
            }
            // The other form of the key is not this one.
            whole.withUnsafeBytes { raw in
                var s = JSONScanner(raw)
                let matched = s.skipKey("name", first: !first)
                #expect(!matched)
            }
        }
    }

    @Test func unterminatedStringsFailAtEveryLength() {
        for length in 0..<30 {
            let text = "\"" + String(repeating: "x", count: length)
            Array(text.utf8).withUnsafeBytes { raw in
                var s = JSONScanner(raw)
                #expect(throws: JSONError.self) { _ = try s.readString() }
            }
        }
    }

    private final class Box {
        let text: String
        init(_ text: String) { self.text = text }
    }

    /// Equal bytes get the one shared value, across table growth; past the capacity new
    /// strings still come back right, only unshared.
    @Test func internerSharesEqualStringsAndCapsItsTable() {
        let interner = Interner<Box>(capacity: 3000) { Box($0) }
        var first: [String: Box] = [:]
        let words = (0..<5000).map { "key.\($0 % 7 == 0 ? "long.name.with.many.words." : "")\($0)" } + ["", "ü", "a\u{0}b"]
        for w in words { first[w] = interner.intern(w) }
        #expect(interner.count == 3000)
        var shared = 0
        for w in words {
            let again = interner.intern(w)
            #expect(again.text == w)
            if again === first[w] { shared += 1 }
        }
        #expect(shared == 3000)
        // Invalid UTF-8 comes back repaired and is never cached under its raw bytes.
        let bad: [UInt8] = [0x61, 0xFF, 0x62]
        let repaired = bad.withUnsafeBytes { interner.intern($0) }
        #expect(repaired.text == "a\u{FFFD}b")
    }

    /// A hint only saves work: right, wrong, stale or out-of-range hints all give the
    /// value the bytes are interned under, and the hint comes back naming their entry.
    @Test func hintsNeverChangeWhatIsFound() {
        let interner = Interner<Box>(capacity: 1000) { Box($0) }
        let words = (0..<1500).map { "k\($0 % 3 == 0 ? ".same.prefix.long" : "")\($0)" } + ["", "k1", "k10"]
        var entry: [String: Int32] = [:]
        var state: UInt64 = 7
        for round in 0..<6000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let w = words[Int(state >> 33) % words.count]
            var hint: Int32 = [-1, 0, 5, 999, 1000, 5000, .max, entry[w] ?? -1][round % 8]
            let got = Array(w.utf8).withUnsafeBytes { interner.intern($0, hint: &hint) }
            #expect(got.text == w)
            if hint >= 0 {
                if let known = entry[w] { #expect(hint == known, "\(w)") }
                entry[w] = hint
                var again = hint
                #expect(Array(w.utf8).withUnsafeBytes { interner.intern($0, hint: &again) } === got)
            }
        }
        #expect(entry.count == 1000)
    }

    @Test func hashDependsOnEveryByteAndTheSeed() {
        var seen = Set<UInt64>()
        for length in 0..<24 {
            for position in 0..<max(length, 1) {
                var bytes = [UInt8](repeating: 0x41, count: length)
                if length > 0 { bytes[position] = 0x42 }
                seen.insert(bytes.withUnsafeBytes { ByteHash.hash($0, seed: 1) })
            }
        }
        #expect(seen.count == 1 + (1..<24).reduce(0, +))
        let x = Array("service.name".utf8)
        #expect(x.withUnsafeBytes { ByteHash.hash($0, seed: 1) } != x.withUnsafeBytes { ByteHash.hash($0, seed: 2) })
    }

    /// Used as a cache (the decoder's shared-value numbers): `cached` finds only what
    /// `add` put in, never makes anything, and a full table starts again empty instead
    /// of refusing new entries.
    @Test func cacheFindsWhatWasAddedAndRestartsWhenFull() {
        let cache = Interner<UInt32>(capacity: 100) { _ in 99_999 }
        func bytes(_ i: Int) -> [UInt8] { Array("value-\(i)".utf8) }
        for i in 0..<250 {
            bytes(i).withUnsafeBytes { b in
                var hint: Int32 = -1
                #expect(cache.cached(b, hint: &hint) == nil)
                #expect(hint == -1)
                cache.add(b, UInt32(i), hint: &hint)
                var again = hint, none: Int32 = -1
                #expect(cache.cached(b, hint: &again) == UInt32(i) && cache.cached(b, hint: &none) == UInt32(i))
            }
            #expect(cache.count == i % 100 + 1)
        }
        // The last 50 are held; the ones before the restart are gone.
        for i in 0..<250 {
            bytes(i).withUnsafeBytes { b in
                var hint: Int32 = -1
                #expect(cache.cached(b, hint: &hint) == (i >= 200 ? UInt32(i) : nil))
            }
        }
    }
}
