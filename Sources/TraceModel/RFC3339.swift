/// RFC 3339 timestamps with nanoseconds, as Jaeger API v3 takes them.
public enum RFC3339 {
    public static func format(_ ns: Int64) -> String {
        var days = ns / 86_400_000_000_000
        var rem = ns % 86_400_000_000_000
        if rem < 0 { rem += 86_400_000_000_000; days -= 1 }
        let (y, m, d) = civilDate(fromDays: days)
        let secs = rem / 1_000_000_000, nanos = rem % 1_000_000_000
        func pad(_ v: Int64, _ n: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, n - s.count)) + s }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(secs / 3600, 2)):\(pad(secs / 60 % 60, 2)):\(pad(secs % 60, 2)).\(pad(nanos, 9))Z"
    }

    /// Parses `2017-01-26T15:46:31.639875Z` or with a `±hh:mm` offset; a space may stand
    /// for the `T`, and a time without a zone is taken as UTC.
    public static func parse(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        guard b.count >= 19, b[4] == 45, b[7] == 45, b[10] == 84 || b[10] == 116 || b[10] == 32, b[13] == 58, b[16] == 58 else { return nil }
        func num(_ r: Range<Int>) -> Int64? { Int64(String(decoding: b[r], as: UTF8.self)) }
        guard let y = num(0..<4), let mo = num(5..<7), let d = num(8..<10), let h = num(11..<13), let mi = num(14..<16),
              let s = num(17..<19), (1...12).contains(mo), (1...31).contains(d) else { return nil }
        var i = 19
        var nanos: Int64 = 0
        if i < b.count, b[i] == 46 {
            i += 1
            var digits = 0
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                if digits < 9 { nanos = nanos * 10 + Int64(b[i] - 48) }
                digits += 1
                i += 1
            }
            for _ in digits..<9 where digits < 9 { nanos *= 10 }
        }
        var offset: Int64 = 0
        if i == b.count {
            // No zone: UTC.
        } else if i < b.count, b[i] == 90 || b[i] == 122 {
            i += 1
        } else if i + 6 == b.count, b[i] == 43 || b[i] == 45, let oh = num(i + 1..<i + 3), let om = num(i + 4..<i + 6) {
            offset = (oh * 60 + om) * 60 * (b[i] == 45 ? -1 : 1)
            i += 6
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        // Days from civil (Howard Hinnant).
        let yy = mo <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return ((days * 86400 + h * 3600 + mi * 60 + s) - offset) * 1_000_000_000 + nanos
    }
}

/// Year, month and day of a count of days since 1970-01-01 (Howard Hinnant's algorithm).
public func civilDate(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
}
