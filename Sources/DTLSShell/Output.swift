import Glibc

/// Unbuffered line output: a person watching, or a test reading a pipe, sees
/// each line as the event happens.
public enum Output {
    /// When on (a busy server), stdout lines gather here and leave in one
    /// write per loop turn instead of one each: `flush()` sends them.
    nonisolated(unsafe) public static var buffering = false
    nonisolated(unsafe) private static var pending: [UInt8] = []

    public static func line(_ s: String) {
        if buffering {
            pending.append(contentsOf: s.utf8)
            pending.append(10)
            if pending.count >= 1 << 16 { flush() }
            return
        }
        write(STDOUT_FILENO, s + "\n")
    }

    /// Sends what `buffering` gathered.
    public static func flush() {
        guard !pending.isEmpty else { return }
        let bytes = pending
        pending.removeAll(keepingCapacity: true)
        write(STDOUT_FILENO, bytes)
    }

    public static func error(_ s: String) {
        write(STDERR_FILENO, s + "\n")
    }

    public static func write(_ fd: Int32, _ s: String) {
        write(fd, Array(s.utf8))
    }

    /// All of `bytes`, read in place (a server's gathered lines: no copy).
    public static func write(_ fd: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { write(fd, $0) }
    }

    /// All of `bytes`, in as many write(2) calls as the descriptor needs.
    public static func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        var waits = 0
        // Bounded: a write either progresses or fails; a full non-blocking descriptor (a pipe whose
        // reader lags, set O_NONBLOCK by whoever shares it) is waited for, up to a minute in all,
        // rather than losing the line.
        while offset < bytes.count {
            let n = Glibc.write(fd, base + offset, bytes.count - offset)
            if n <= 0 {
                if n < 0 && errno == EINTR { continue }
                if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && waits < 60 {
                    waits += 1
                    var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&entry, 1, 1000)
                    continue
                }
                return
            }
            offset += n
        }
    }

    /// Colour only on a terminal, and never when NO_COLOR is set.
    public static func colourWanted(_ fd: Int32 = STDOUT_FILENO) -> Bool {
        isatty(fd) == 1 && getenv("NO_COLOR") == nil
    }
}
