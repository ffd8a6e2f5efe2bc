import Glibc

/// Reads a script or other small text file, refusing what is not one.
public enum TextFile {
    public static let limit = 4 << 20

    public static func read(_ path: String) throws -> String {
        // O_NONBLOCK: opening a FIFO no one writes would wait forever; this
        // returns at once, and fstat then refuses it.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw ShellError.message("cannot open '\(path)': \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            throw ShellError.message("'\(path)' is not a regular file")
        }
        guard st.st_size <= limit else { throw ShellError.message("'\(path)' is larger than \(limit >> 20) MiB") }
        var bytes = [UInt8](repeating: 0, count: Int(st.st_size))
        var got = 0
        while got < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + got, $0.count - got) }
            if n <= 0 { break }
            got += n
        }
        bytes.removeSubrange(got...)
        guard !bytes.contains(0) else { throw ShellError.message("'\(path)' is binary, not a script") }
        return String(decoding: bytes, as: UTF8.self)
    }
}
