import TraceModel

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
        let (y, m, d) = civilDate(fromDays: days)
        let h = msOfDay / 3_600_000, mi = msOfDay / 60_000 % 60, s = msOfDay / 1000 % 60, ms = msOfDay % 1000
        return ("\(y)-\(two(m))-\(two(d))", "\(two(h)):\(two(mi)):\(two(s)).\(three(ms))")
    }

    private static func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
    private static func three(_ v: Int64) -> String { v < 10 ? "00\(v)" : v < 100 ? "0\(v)" : "\(v)" }
}
