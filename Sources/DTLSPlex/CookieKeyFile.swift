import DTLSWire
import Glibc

/// `serve --cookie-key FILE`: the cookie master key several servers share,
/// so a client whose ClientHello with the cookie reaches another server of
/// the fleet (a UDP balancer, a restart) is admitted there. Whoever reads the
/// file can make cookies for any address: like a key log, it must be the
/// owner's alone (mode 0600 or narrower), or it is refused.
public enum CookieKeyFile {
    public static let minimumBytes = 16

    /// The key: the file's bytes, or, when the file is hex text (what
    /// `openssl rand -hex 32 > FILE` writes), the bytes it spells.
    public static func load(_ path: String) throws -> [UInt8] {
        var st = stat()
        guard lstat(path, &st) == 0 else { throw SinkError.refused(path, String(cString: strerror(errno))) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw SinkError.refused(path, "not a regular file") }
        guard st.st_mode & 0o077 == 0 else {
            throw SinkError.refused(path, "its permissions are wider than 0600; whoever reads a cookie key can forge cookies")
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { throw SinkError.refused(path, String(cString: strerror(errno))) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        // Bounded: a key file is small; more than 64 KB is not one.
        for _ in 0..<16 {
            let n = read(fd, &chunk, chunk.count)
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        let key = hexDecoded(bytes) ?? bytes
        guard key.count >= minimumBytes, key.count <= 4096 else {
            throw SinkError.refused(path, "a cookie key is \(minimumBytes) to 4096 bytes (openssl rand -hex 32 > FILE), not \(key.count)")
        }
        return key
    }

    /// The file as hex text, line ends and blanks aside (DTLSWire's codec); `nil` when it is not.
    private static func hexDecoded(_ raw: [UInt8]) -> [UInt8]? {
        let text = raw.filter { $0 != 10 && $0 != 13 && $0 != 32 }
        guard !text.isEmpty else { return nil }
        return Hex.decode(String(decoding: text, as: UTF8.self))
    }
}
