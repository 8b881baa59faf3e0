import CNcursesw
#if canImport(Glibc)
import Glibc
#endif

/// The terminal is restored however spanscope ends: a quit, SIGINT/SIGTERM/SIGHUP (an
/// SSH drop), or a crash. Termination signals only set a flag the main loop reads
/// (it never blocks for more than one input timeout); crash signals restore the
/// terminal at once and re-raise so the process still dies as it should.
public enum TerminalRestore {
    nonisolated(unsafe) static var active = false
    nonisolated(unsafe) private static var requestedSignal: sig_atomic_t = 0
    nonisolated(unsafe) private static var installed = false

    /// The termination signal received, or 0.
    public static var pendingSignal: Int32 { Int32(requestedSignal) }

    static func install() {
        guard !installed else { return }
        installed = true
        // A parent that launched us from a thread with signals blocked passes that mask
        // on; the signals we rely on must get through.
        var mask = sigset_t()
        sigemptyset(&mask)
        for sig in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGWINCH, SIGTSTP, SIGCONT] { sigaddset(&mask, sig) }
        pthread_sigmask(SIG_UNBLOCK, &mask, nil)
        for sig in [SIGINT, SIGTERM, SIGHUP, SIGQUIT] {
            signal(sig) { s in TerminalRestore.requestedSignal = sig_atomic_t(s) }
        }
        for sig in [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP] {
            signal(sig) { s in
                if TerminalRestore.active {
                    TerminalRestore.active = false
                    endwin()
                }
                signal(s, SIG_DFL)
                raise(s)
            }
        }
        // A write to a terminal that went away (SSH drop) must end us quietly.
        signal(SIGPIPE, SIG_IGN)
    }
}
