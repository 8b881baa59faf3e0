import Glibc

/// Background work (decoding a file, rebuilding a waterfall) runs a little below the
/// main loop: on two cores, two threads decoding a big file left the main loop a third
/// of a core, and a key pressed while it loaded waited up to 0.36 s. Only when threads
/// compete does this change anything; alone, a thread at a higher niceness runs as fast.
public enum BackgroundPriority {
    /// Added to the niceness of a background thread (threads it starts inherit it).
    public static let niceness: Int32 = 5

    /// Lowers the calling thread's priority (raising niceness needs no privilege). On
    /// Linux niceness is per thread, and process 0 names the calling thread.
    public static func lowerCurrentThread() {
        let thread: id_t = 0
        let which = __priority_which_t(PRIO_PROCESS.rawValue)
        errno = 0
        let now = getpriority(which, thread)
        guard errno == 0 else { return }
        _ = setpriority(which, thread, min(19, now + niceness))
    }

    /// The calling thread's niceness (tests read it).
    public static func currentNiceness() -> Int32 {
        getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
    }
}
