/// Span-supplied text is untrusted: before it reaches the terminal every control
/// character, escape sequence introducer, bidi override and zero-width character is
/// replaced by a visible escape, so data can never drive the terminal or hide text.
public enum SafeText {
    public static func sanitize(_ text: String) -> String {
        // Fast path: printable ASCII passes through untouched.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if let escaped = escape(scalar) { out += escaped } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }

    static func escape(_ scalar: Unicode.Scalar) -> String? {
        let v = scalar.value
        switch v {
        case 0x0A: return "\\n"
        case 0x0D: return "\\r"
        case 0x09: return "\\t"
        case 0x00..<0x20, 0x7F: return "\\x" + hex(v, digits: 2)
        case 0x80..<0xA0: return "\\u" + hex(v, digits: 4)
        // Bidi controls (Trojan Source), zero-width characters, BOM, soft hyphen,
        // line/paragraph separators, interlinear annotation and tag characters.
        case 0x061C, 0x200B...0x200F, 0x2028...0x202E, 0x2060...0x206F, 0xFEFF, 0x00AD,
             0xFFF9...0xFFFB, 0xE0000...0xE007F:
            return "\\u" + hex(v, digits: 4)
        default:
            if scalar.properties.generalCategory == .unassigned && v >= 0xE0000 { return "\\u" + hex(v, digits: 4) }
            return nil
        }
    }

    private static func hex(_ v: UInt32, digits: Int) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: max(0, digits - s.count)) + s
    }
}
