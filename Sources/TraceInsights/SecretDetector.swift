import TraceModel

/// Recognises secrets and PII by key and by value. The insights report by it and the
/// explorer masks by it, through the one rule in `exposure`.
public enum SecretDetector {
    /// The words of a key: `payment.card_number` → payment, card, number.
    static func words(_ key: String) -> [String] {
        var out: [String] = []
        var current = ""
        var previousLower = false
        for c in key {
            if c == "." || c == "_" || c == "-" || c == " " {
                if !current.isEmpty { out.append(current) }
                current = ""
                previousLower = false
            } else {
                // camelCase splits too: apiKey → api, key.
                if c.isUppercase && previousLower && !current.isEmpty { out.append(current); current = "" }
                current.append(Character(c.lowercased()))
                previousLower = c.isLowercase
            }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    /// What kind of secret a key names, or nil.
    public static func secretKey(_ key: String, config: InsightConfig = InsightConfig()) -> String? {
        let w = words(key)
        for pair in config.secretKeyPairs where w.count >= pair.count {
            for i in 0...(w.count - pair.count) where Array(w[i..<i + pair.count]) == pair { return pair.joined(separator: " ") }
        }
        if let word = w.first(where: { config.secretKeyWords.contains($0) }) { return word }
        return nil
    }

    /// Why an attribute's value must not be shown.
    public enum Exposure: Equatable, Sendable {
        /// Its key (or a key inside it) names a secret: the kind named.
        case namedByKey(String)
        /// It holds text that looks like a secret or PII: the kind it looks like.
        case looksLike(String)

        public var kind: String {
            switch self {
            case .namedByKey(let k), .looksLike(let k): return k
            }
        }
    }

    /// The one rule both the insights and the on-screen redaction follow, looking inside
    /// arrays and maps. Numbers and flags expose nothing (`token.count: 3`,
    /// `password.set: true`). `keyKind` is `secretKey(key)`, passed in when the caller
    /// already has it (the insights remember it per key).
    public static func exposure(key: String, value: AttributeValue, keyKind: String?? = nil,
                                config: InsightConfig = InsightConfig()) -> Exposure? {
        let named = { (keyKind ?? secretKey(key, config: config)).map(Exposure.namedByKey) }
        switch value {
        case .empty, .bool, .int, .double:
            return nil
        case .string(let s):
            return named() ?? secretValue(s).map(Exposure.looksLike)
        case .bytes:
            return named()
        case .array(let values):
            if let n = named() { return n }
            for v in values {
                if let e = exposure(key: "", value: v, keyKind: .some(nil), config: config) { return e }
            }
            return nil
        case .keyValueList(let entries):
            if let n = named() { return n }
            for e in entries {
                if let found = exposure(key: e.key, value: e.value, config: config) { return found }
            }
            return nil
        }
    }

    /// What kind of secret or PII a value looks like, or nil.
    public static func secretValue(_ value: String) -> String? {
        guard mightBeSecret(value) else { return nil }
        let trimmed = value.trimmingWhitespace
        if looksLikeCardNumber(trimmed) { return "card number" }
        if looksLikeJWT(trimmed) { return "JWT" }
        if trimmed.lowercased().hasPrefix("bearer "), trimmed.count > 20 { return "bearer token" }
        if looksLikeAWSKey(trimmed) { return "AWS access key" }
        if trimmed.hasPrefix("sk-"), trimmed.count >= 23, trimmed.dropFirst(3).allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) {
            return "API key"
        }
        if looksLikeEmail(trimmed) { return "e-mail address" }
        return nil
    }

    /// A byte-level first pass: every detector below needs one of these traits, and
    /// most values (ids, routes, numbers) have none, so they skip the slower checks.
    static func mightBeSecret(_ value: String) -> Bool {
        var digits = 0
        var head: UInt64 = 0  // the first bytes after leading spaces, ASCII-lowercased
        var headCount = 0
        var ascii = true
        for b in value.utf8 {
            if b == UInt8(ascii: "@") { return true }
            if b >= 0x80 { ascii = false }
            if b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") { digits += 1 }
            if headCount < 6 && (headCount > 0 || (b != 0x20 && b != 0x09 && b != 0x0A && b != 0x0D)) {
                head |= UInt64(b >= 0x41 && b <= 0x5A ? b | 0x20 : b) << (8 * headCount)
                headCount += 1
            }
        }
        if digits >= 13 { return true }
        guard ascii else { return false }
        for prefix in Self.secretPrefixes where head & prefix.mask == prefix.bits { return true }
        return false
    }

    /// Lower-cased prefixes packed little-endian, as `mightBeSecret` packs the head.
    private static let secretPrefixes: [(bits: UInt64, mask: UInt64)] = ["eyj", "bearer", "akia", "asia", "sk-"].map { p in
        var bits: UInt64 = 0
        for (i, b) in p.utf8.enumerated() { bits |= UInt64(b) << (8 * i) }
        return (bits, p.utf8.count == 8 ? ~0 : (UInt64(1) << (8 * p.utf8.count)) - 1)
    }

    /// 13–19 digits (spaces or dashes allowed between groups) passing the Luhn check.
    static func looksLikeCardNumber(_ s: String) -> Bool {
        guard s.count >= 13, s.count <= 23, s.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == " " || $0 == "-") }) else { return false }
        let digits = s.compactMap { $0.wholeNumberValue }
        guard (13...19).contains(digits.count), Set(digits).count > 1 else { return false }
        var sum = 0
        for (i, d) in digits.reversed().enumerated() {
            if i % 2 == 1 { let x = d * 2; sum += x > 9 ? x - 9 : x } else { sum += d }
        }
        return sum % 10 == 0
    }

    static func looksLikeJWT(_ s: String) -> Bool {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 3 && s.hasPrefix("eyJ") && parts[1].hasPrefix("eyJ") && parts.allSatisfy { p in
            p.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "=") }
        }
    }

    static func looksLikeAWSKey(_ s: String) -> Bool {
        (s.hasPrefix("AKIA") || s.hasPrefix("ASIA")) && s.count == 20 && s.allSatisfy { $0.isASCII && ($0.isUppercase || $0.isNumber) }
    }

    static func looksLikeEmail(_ s: String) -> Bool {
        guard !s.contains(" "), s.count <= 254, let at = s.firstIndex(of: "@"), at != s.startIndex else { return false }
        let domain = s[s.index(after: at)...]
        guard let dot = domain.lastIndex(of: "."), dot != domain.startIndex else { return false }
        let tld = domain[domain.index(after: dot)...]
        return tld.count >= 2 && tld.allSatisfy(\.isLetter) && !domain.contains("@")
    }
}

extension String {
    var trimmingWhitespace: String {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s.removeFirst() }
        while s.last?.isWhitespace == true { s.removeLast() }
        return String(s)
    }
}
