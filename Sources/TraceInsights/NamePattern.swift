/// Finds the varying parts of span names (ids, numbers, UUIDs, hex, e-mails, query
/// strings) and replaces them with `{id}`-style placeholders. Route templates such as
/// `{id}` or `:id` and plain words are left alone.
public enum NamePattern {
    /// Why a name is too specific, or nil.
    public static func highCardinalityReason(_ name: String) -> String? {
        if name.contains("?") && name.contains("/") { return "a query string" }
        let isPath = name.contains("/")
        for segment in segments(name) {
            if let kind = kind(of: segment, inPath: isPath) { return kind }
        }
        return nil
    }

    /// The name with each varying segment replaced (`/users/123/profile?x=1` → `/users/{id}/profile`).
    public static func template(_ name: String) -> String {
        var base = name
        if base.contains("/"), let q = base.firstIndex(of: "?") { base = String(base[..<q]) }
        var out = ""
        var token = ""
        func flush() {
            if let kind = kind(of: Substring(token), inPath: base.contains("/")) { out += placeholder(kind) } else { out += token }
            token = ""
        }
        for c in base {
            if c == "/" || c == " " || c == "=" {
                flush()
                out.append(c)
            } else {
                token.append(c)
            }
        }
        flush()
        return out
    }

    static func segments(_ name: String) -> [Substring] {
        var base = Substring(name)
        if let q = base.firstIndex(of: "?") { base = base[..<q] }
        return base.split(whereSeparator: { $0 == "/" || $0 == " " || $0 == "=" })
    }

    private static func placeholder(_ kind: String) -> String {
        switch kind {
        case "a UUID": return "{uuid}"
        case "an e-mail address": return "{email}"
        case "a hex id": return "{hex}"
        default: return "{id}"
        }
    }

    /// What kind of variable value a path segment is, or nil for a word or template.
    /// A lone digit counts only in a URL path (`/users/7`); in prose it is an ordinal (`task 1`).
    static func kind(of segment: Substring, inPath: Bool) -> String? {
        let s = segment
        guard !s.isEmpty, !s.hasPrefix("{"), !s.hasPrefix(":") else { return nil }
        if s.allSatisfy(\.isNumber), s.count >= 2 || inPath { return "a numeric id" }
        if s.count == 36, s.split(separator: "-").map(\.count) == [8, 4, 4, 4, 12], s.allSatisfy({ $0.isHexDigit || $0 == "-" }) {
            return "a UUID"
        }
        if s.count >= 12, s.allSatisfy(\.isHexDigit), s.contains(where: \.isNumber), s.contains(where: \.isLetter) { return "a hex id" }
        if s.contains("@"), s.contains("."), SecretDetector.looksLikeEmail(String(s)) { return "an e-mail address" }
        // Mixed words with long digit runs: order-12345, user_987654.
        let digits = s.filter(\.isNumber).count
        if digits >= 4, digits * 2 >= s.count { return "a numeric id" }
        return nil
    }
}
