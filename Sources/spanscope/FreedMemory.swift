import Foundation
import TraceSources

/// Gives memory the process freed back to the system. glibc keeps freed heap pages
/// mapped: after a big file is loaded and its first look worked out, the transient
/// buffers of both (tens of megabytes for a million spans) stay resident though unused.
/// `malloc_trim` is looked up at run time, so a libc without it costs nothing.
enum FreedMemory {
    private typealias Trim = @convention(c) (Int) -> Int32

    private static let trim = LibcFunction.named("malloc_trim", as: Trim.self)

    static func release() {
        _ = trim?(0)
    }
}
