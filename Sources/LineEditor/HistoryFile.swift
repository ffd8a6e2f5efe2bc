#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// The history file between runs, in libedit's format: a `_HiStOrY_V2_` line, then one entry per line with
/// backslashes, blanks and control characters encoded as strvis(3) does (`\040` for a space), UTF-8 raw.
///
/// Read and written here rather than by libedit's `H_LOAD`/`H_SAVE`: libedit rewrites a file it does not
/// recognise without a word (the user's content is gone), and its loader writes one byte past its buffer
/// for an entry of exactly 1,024 bytes with nothing to decode. The file can hold PSKs typed on `set psk`,
/// so it is written with mode 0600, through a temporary file renamed over it.
struct HistoryFile {
    static let header = "_HiStOrY_V2_"
    /// Larger is not a history file someone keeps; reading it would stall the start.
    static let largestReadable = 64 << 20

    let path: String

    enum Contents: Equatable {
        /// No file yet: the normal first run.
        case missing
        case entries([String])
        /// Not libedit's format (no header): leave it to the user.
        case unrecognised
        /// A directory, unreadable, or too large; `reason` says which.
        case unusable(reason: String)
    }

    func load() -> Contents {
        var status = stat()
        guard stat(path, &status) == 0 else {
            return errno == ENOENT ? .missing : .unusable(reason: String(cString: strerror(errno)))
        }
        if status.st_mode & S_IFMT == S_IFDIR { return .unusable(reason: "it is a directory") }
        if Int(status.st_size) > Self.largestReadable {
            return .unusable(reason: "it is larger than \(Self.largestReadable >> 20) MB")
        }
        guard let bytes = Self.contents(of: path) else {
            return .unusable(reason: String(cString: strerror(errno)))
        }
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        guard let first = lines.first, first.elementsEqual(Self.header.utf8) else {
            return bytes.isEmpty ? .entries([]) : .unrecognised
        }
        return .entries(lines.dropFirst().map { Self.decode(String(decoding: $0, as: UTF8.self)) })
    }

    /// Writes `entries` (oldest first); the error's text when it could not.
    func save(_ entries: [String]) -> String? {
        var text = Self.header + "\n"
        for entry in entries { text += Self.encode(entry) + "\n" }
        let temporary = path + ".tmp-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return String(cString: strerror(errno)) }
        let written = Array(text.utf8).withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let count = write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return false }
                offset += count
            }
            return true
        }
        let failure = written ? nil : String(cString: strerror(errno))
        close(descriptor)
        guard failure == nil, rename(temporary, path) == 0 else {
            let reason = failure ?? String(cString: strerror(errno))
            unlink(temporary)
            return reason
        }
        return nil
    }

    /// Moves the file to a free name beside it (`PATH.unrecognised`, then `.unrecognised-2`, …); the new
    /// path, or `nil` when it could not.
    func moveAside() -> String? {
        for attempt in 1...100 {
            let candidate = path + ".unrecognised" + (attempt == 1 ? "" : "-\(attempt)")
            var status = stat()
            guard lstat(candidate, &status) != 0 else { continue }
            return rename(path, candidate) == 0 ? candidate : nil
        }
        return nil
    }

    // MARK: - strvis(3) encoding, as libedit's history_save writes it (VIS_WHITE)

    static func encode(_ line: String) -> String {
        var out = ""
        for scalar in line.unicodeScalars {
            switch scalar.value {
            case 0x5C: out += "\\\\"
            case 0x20: out += "\\040"
            case 0x7F: out += "\\^?"
            case 0x00..<0x20: out += "\\^" + String(Unicode.Scalar(UInt8(scalar.value) + 0x40))
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// strunvis(3) for what vis writes: `\\`, `\ooo`, `\^X`, `\M-x`, `\M^X` and the C escapes. An escape
    /// it does not know is kept as typed rather than lost.
    static func decode(_ line: String) -> String {
        var bytes: [UInt8] = []
        let input = Array(line.utf8)
        var index = 0
        func at(_ offset: Int) -> UInt8? { index + offset < input.count ? input[index + offset] : nil }
        while index < input.count {
            guard input[index] == UInt8(ascii: "\\"), let next = at(1) else {
                bytes.append(input[index])
                index += 1
                continue
            }
            switch next {
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var value = 0
                var digits = 0
                while digits < 3, let digit = at(1 + digits), (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(digit) {
                    value = value * 8 + Int(digit - UInt8(ascii: "0"))
                    digits += 1
                }
                bytes.append(UInt8(truncatingIfNeeded: value))
                index += 1 + digits
            case UInt8(ascii: "^"):
                guard let control = at(2) else { bytes.append(next); index += 2; continue }
                bytes.append(control == UInt8(ascii: "?") ? 0x7F : control & 0x1F)
                index += 3
            case UInt8(ascii: "M"):
                if at(2) == UInt8(ascii: "-"), let character = at(3) {
                    bytes.append(character | 0x80)
                    index += 4
                } else if at(2) == UInt8(ascii: "^"), let control = at(3) {
                    bytes.append((control == UInt8(ascii: "?") ? 0x7F : control & 0x1F) | 0x80)
                    index += 4
                } else {
                    bytes.append(next)
                    index += 2
                }
            default:
                let escapes: [UInt8: UInt8] = [
                    UInt8(ascii: "n"): 0x0A, UInt8(ascii: "t"): 0x09, UInt8(ascii: "r"): 0x0D,
                    UInt8(ascii: "b"): 0x08, UInt8(ascii: "a"): 0x07, UInt8(ascii: "v"): 0x0B,
                    UInt8(ascii: "f"): 0x0C, UInt8(ascii: "s"): 0x20, UInt8(ascii: "E"): 0x1B,
                ]
                if next == UInt8(ascii: "$") {
                    index += 2  // vis's "hidden" marker: nothing
                } else {
                    bytes.append(escapes[next] ?? next)
                    index += 2
                }
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func contents(of path: String) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while bytes.count <= largestReadable {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { return nil }
            if count == 0 { return bytes }
            bytes += chunk[..<count]
        }
        return bytes
    }
}
