internal import CLibEdit
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// The few things the editor asks of the terminal itself rather than of libedit.
enum Terminal {
    /// Through C's `stdout`, the stream libedit draws on, so our escape codes and its redraws stay in order.
    static func write(_ text: String) {
        CLibEdit_writeStdout(text)
    }

    /// The terminal's width now. libedit only learns of a resize when told (`rl_resize_terminal`), since
    /// the shell owns the signals.
    static func columns() -> Int? {
        var size = winsize()
        for descriptor in [STDOUT_FILENO, STDIN_FILENO] where ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0 {
            if size.ws_col > 0 { return Int(size.ws_col) }
        }
        return nil
    }

    enum Readiness {
        /// Nothing to read: calling into libedit now would block the shell's loop.
        case idle
        /// At least one byte is waiting.
        case ready
        /// The terminal is gone (hangup, error) and nothing is left to read.
        case closed
        /// Readable but empty without a hangup: let the reader find out what it is.
        case readableButEmpty
    }

    /// Checked before each key is handed to libedit, which reads with a blocking `read(2)`.
    static func readiness(of descriptor: Int32) -> Readiness {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&entry, 1, 0) > 0 else { return .idle }
        var waiting: Int32 = 0
        if ioctl(descriptor, UInt(FIONREAD), &waiting) == 0 && waiting > 0 {
            return .ready
        }
        if entry.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 {
            return .closed
        }
        return .readableButEmpty
    }

    /// One `read(2)` that returns EAGAIN rather than wait: a Ctrl-C makes the terminal drop the input it
    /// holds, so bytes that `FIONREAD` counted a moment ago may be gone (a blocking read would then hang the
    /// loop). Non-blocking only for the call: the descriptor is shared with the shell that started dtlsh.
    static func readWithoutWaiting(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let flags = fcntl(descriptor, F_GETFL)
        guard flags >= 0, fcntl(descriptor, F_SETFL, flags | O_NONBLOCK) == 0 else {
            return read(descriptor, buffer.baseAddress, buffer.count)
        }
        let count = read(descriptor, buffer.baseAddress, buffer.count)
        let saved = errno
        _ = fcntl(descriptor, F_SETFL, flags)
        errno = saved
        return count
    }

    /// Whether `descriptor` becomes readable within `milliseconds`.
    static func waitReadable(_ descriptor: Int32, milliseconds: Int32) -> Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, milliseconds) > 0
    }

    /// SIGINT is blocked while the shell reads it from a signalfd, so a Ctrl-C shows as pending until the
    /// loop takes it: a wait inside libedit looks here to give way.
    static func interruptIsPending() -> Bool {
        var pending = sigset_t()
        return sigpending(&pending) == 0 && sigismember(&pending, SIGINT) == 1
    }
}
