import Glibc

/// The bench's side of Benchmarks/AllocationCounter: a small file the counting
/// allocator preloaded into the server child writes its counts to. Reading
/// it needs nothing from the server, so it works for any server program.
final class AllocationCounter {
    struct Counts {
        var allocations: Int
        var frees: Int
        /// Bytes on the heap now; only differences mean anything (blocks the
        /// loader made before counting began may be freed later).
        var liveBytes: UInt64
    }

    let path: String
    /// LD_PRELOAD and the file's name, for the server child's environment.
    let environment: [String: String]

    /// Makes the counter file; `library` is the counting allocator (.so).
    init(library: String) throws {
        var template = Array("/tmp/dtlsh-allocations-XXXXXX".utf8CString)
        let fd = mkstemp(&template)
        guard fd >= 0 else { throw CommandFailure.runtime("could not make a counter file: \(String(cString: strerror(errno)))") }
        close(fd)
        path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        environment = ["LD_PRELOAD": library, "DTLSH_ALLOCATION_COUNTER": path]
    }

    deinit { unlink(path) }

    /// The counts so far; nil until the allocator in the child has opened the file.
    func read() -> Counts? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var words = [UInt64](repeating: 0, count: 4)
        let n = words.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        // "dtlshalc": the allocator's magic number, written when it mapped the file.
        guard n == 32, words[0] == 0x6474_6c73_6861_6c63 else { return nil }
        return Counts(allocations: Int(words[1]), frees: Int(words[2]), liveBytes: words[3])
    }
}
