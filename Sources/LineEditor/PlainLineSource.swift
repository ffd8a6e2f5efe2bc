#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Lines from a pipe or a file: no libedit, no prompt, no escape codes, so `dtlsh < script` and transcripts
/// stay byte-for-byte predictable.
///
/// Driven by the shell's `poll()` loop like ``EditLineSource``: call ``readAvailable()`` when
/// ``fileDescriptor`` is readable. Each call does at most one `read(2)`, so it never blocks after `poll()`
/// said the descriptor was readable, and it also works on a non-blocking descriptor.
public final class PlainLineSource {
    public let fileDescriptor: Int32
    private var splitter = LineSplitter()
    private var reachedEnd = false
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

    public init(fileDescriptor: Int32 = 0) {
        self.fileDescriptor = fileDescriptor
    }

    /// The lines completed by what could be read now, then `.endOfInput` once the input is over.
    ///
    /// A final line without a newline is delivered before `.endOfInput`. After `.endOfInput` every call
    /// returns `[]`: stop polling the descriptor (a closed pipe stays readable forever).
    public func readAvailable() -> [LineEvent] {
        guard !reachedEnd else { return [] }
        let count = buffer.withUnsafeMutableBytes { raw in
            var result: Int
            repeat {
                result = read(fileDescriptor, raw.baseAddress, raw.count)
            } while result < 0 && errno == EINTR
            return result
        }
        if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
            return []
        }
        guard count > 0 else {
            // 0 is end of file; any other failure (EIO from a vanished terminal, EBADF) ends input just as surely.
            reachedEnd = true
            return (splitter.finish().map { [.line($0)] } ?? []) + [.endOfInput]
        }
        return splitter.append(buffer[..<count]).map(LineEvent.line)
    }
}
