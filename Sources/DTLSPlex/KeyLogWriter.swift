import Glibc

/// Writes the NSS key log format (`CLIENT_RANDOM <random> <master secret>`)
/// that Wireshark and tshark use to decrypt DTLS. These are secrets: the file
/// is made with mode 0600, and an existing file readable by others is refused.
public final class KeyLogWriter {
    private let fd: Int32
    public let path: String

    public init(path: String) throws {
        var st = stat()
        if lstat(path, &st) == 0 {
            guard (st.st_mode & S_IFMT) == S_IFREG else {
                throw SinkError.refused(path, "not a regular file")
            }
            guard st.st_mode & 0o077 == 0 else {
                throw SinkError.refused(path, "it exists with permissions wider than 0600; key logs hold secrets")
            }
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw SinkError.refused(path, String(cString: strerror(errno))) }
        fchmod(fd, 0o600)
        self.fd = fd
        self.path = path
    }

    deinit { close(fd) }

    /// The last lines written: when both ends of a handshake live in one
    /// engine (the shell's c1 and srv.1), each logs the same CLIENT_RANDOM line.
    private var recent: [String] = []

    public func write(_ line: String) {
        if recent.contains(line) { return }
        // Bounded: the duplicate comes from the same handshake, moments later.
        if recent.count == 16 { recent.removeFirst() }
        recent.append(line)
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    }

    /// Sends the engine's key log lines here.
    public func attach(to engine: Engine) {
        engine.keyLogSink = { [weak self] in self?.write($0) }
    }
}

public enum SinkError: Error, Sendable, CustomStringConvertible {
    case refused(String, String)
    public var description: String {
        switch self {
        case let .refused(path, why): "cannot write '\(path)': \(why)"
        }
    }
}
