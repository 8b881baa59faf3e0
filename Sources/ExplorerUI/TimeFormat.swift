/// Wall-clock formatting without Foundation's locale machinery: deterministic in tests,
/// with the caller choosing the UTC offset (the UI passes the local one).
public enum TimeFormat {
    /// `2026-11-25 14:03:07.123` for epoch nanoseconds.
    public static func dateTime(_ ns: Int64, utcOffsetSeconds: Int = 0) -> String {
        let (date, time) = parts(ns, utcOffsetSeconds)
        return date + " " + time
    }

    /// `14:03:07.123`.
    public static func timeOfDay(_ ns: Int64, utcOffsetSeconds: Int = 0) -> String {
        parts(ns, utcOffsetSeconds).1
    }

    private static func parts(_ ns: Int64, _ offset: Int) -> (String, String) {
        let millis = ns / 1_000_000 + Int64(offset) * 1000
        var days = millis / 86_400_000
        var msOfDay = millis % 86_400_000
        if msOfDay < 0 { msOfDay += 86_400_000; days -= 1 }
        // Howard Hinnant's civil-from-days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        let h = msOfDay / 3_600_000, mi = msOfDay / 60_000 % 60, s = msOfDay / 1000 % 60, ms = msOfDay % 1000
        return ("\(y)-\(two(m))-\(two(d))", "\(two(h)):\(two(mi)):\(two(s)).\(three(ms))")
    }

    private static func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
    private static func three(_ v: Int64) -> String { v < 10 ? "00\(v)" : v < 100 ? "0\(v)" : "\(v)" }
}
