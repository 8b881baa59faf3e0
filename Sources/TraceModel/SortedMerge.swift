/// `sorted` with `additions` (in the same order) merged in at their places, leaving out
/// the elements `drop` picks; an addition goes before the elements it ties with. One
/// pass, for lists kept sorted across changes (a trace's children, the trace list).
/// Inlinable so each caller's comparison is specialized into the loop.
@inlinable
public func mergeSorted<T>(_ sorted: [T], with additions: [T], by before: (T, T) -> Bool,
                           dropping drop: (T) -> Bool = { _ in false }, capacity: Int? = nil) -> [T] {
    var out: [T] = []
    out.reserveCapacity(capacity ?? sorted.count + additions.count)
    var a = 0
    for x in sorted {
        if drop(x) { continue }
        while a < additions.count, before(additions[a], x) {
            out.append(additions[a])
            a += 1
        }
        out.append(x)
    }
    out += additions[a...]
    return out
}
