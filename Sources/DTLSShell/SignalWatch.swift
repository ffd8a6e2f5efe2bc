import Glibc
internal import CSystem

/// SIGINT, SIGTERM and SIGHUP as a file descriptor (signalfd), so the one poll loop
/// sees Ctrl-C like any other input: no handler runs at an arbitrary point.
public final class SignalWatch {
    public let fileDescriptor: Int32

    public init?(signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]) {
        var set = sigset_t()
        sigemptyset(&set)
        for s in signals { sigaddset(&set, s) }
        guard pthread_sigmask(SIG_BLOCK, &set, nil) == 0 else { return nil }
        let fd = signalfd(-1, &set, Int32(SFD_NONBLOCK | SFD_CLOEXEC))
        guard fd >= 0 else { return nil }
        fileDescriptor = fd
    }

    deinit { close(fileDescriptor) }

    /// The signals that arrived since the last call, oldest first.
    public func take() -> [Int32] {
        var out: [Int32] = []
        var info = signalfd_siginfo()
        // Bounded: the kernel queues at most one of each standard signal.
        for _ in 0..<32 {
            let n = read(fileDescriptor, &info, MemoryLayout<signalfd_siginfo>.size)
            guard n == MemoryLayout<signalfd_siginfo>.size else { break }
            out.append(Int32(info.ssi_signo))
        }
        return out
    }
}
