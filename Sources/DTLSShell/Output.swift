import Glibc

/// Unbuffered line output: a person watching, or a test reading a pipe, sees
/// each line as the event happens.
public enum Output {
    public static func line(_ s: String) {
        write(STDOUT_FILENO, s + "\n")
    }

    public static func error(_ s: String) {
        write(STDERR_FILENO, s + "\n")
    }

    public static func write(_ fd: Int32, _ s: String) {
        var bytes = Array(s.utf8)
        var offset = 0
        // Bounded: a write either progresses or fails.
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n <= 0 {
                if n < 0 && errno == EINTR { continue }
                return
            }
            offset += n
        }
        bytes.removeAll()
    }

    /// Colour only on a terminal, and never when NO_COLOR is set.
    public static func colourWanted(_ fd: Int32 = STDOUT_FILENO) -> Bool {
        isatty(fd) == 1 && getenv("NO_COLOR") == nil
    }
}
