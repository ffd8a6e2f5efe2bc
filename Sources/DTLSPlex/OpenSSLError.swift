internal import COpenSSL
import Glibc

/// One entry of OpenSSL's per-thread error queue.
public struct OpenSSLErrorEntry: Sendable, Equatable, CustomStringConvertible {
    public var code: UInt
    public var library: String
    public var reason: String
    public var function: String
    public var file: String
    public var line: Int
    public var data: String

    /// OpenSSL's own rendering: `error:0A000438:SSL routines:…:tlsv1 alert internal error:file:line`.
    public var description: String {
        let hex = String(code, radix: 16, uppercase: true)
        let padded = String(repeating: "0", count: max(0, 8 - hex.count)) + hex
        var s = "error:\(padded):\(library):\(function):\(reason):\(file):\(line)"
        if !data.isEmpty { s += ":\(data)" }
        return s
    }
}

/// An OpenSSL failure: the code OpenSSL classified it with, plus the whole error queue.
public struct OpenSSLError: Error, Sendable, Equatable, CustomStringConvertible {
    public var operation: String
    /// OpenSSL's code for it, by name, when the failure came from an SSL call.
    public var sslErrorName: String?
    public var queue: [OpenSSLErrorEntry]

    /// The reason of the first queued entry, the most specific thing OpenSSL said.
    public var reason: String? { queue.first?.reason }

    public var description: String {
        var parts = [operation + " failed"]
        if let name = sslErrorName { parts.append(name) }
        parts += queue.map(\.reason)
        return parts.joined(separator: ": ")
    }

    /// Drains the calling thread's OpenSSL error queue into an error value.
    static func drain(_ operation: String, sslError: Int32? = nil) -> OpenSSLError {
        OpenSSLError(operation: operation, sslErrorName: sslError.map(SSLOutcome.name(ofCode:)), queue: drainQueue())
    }

    /// ERR_clear_error, only when there is something to clear: it walks all
    /// sixteen slots of the queue even when empty (about 800 instructions, a
    /// few times per handshake), and an empty queue is what OpenSSL's error classification
    /// looks at either way.
    static func clearQueue() {
        if ERR_peek_error() != 0 { ERR_clear_error() }
    }

    static func drainQueue() -> [OpenSSLErrorEntry] {
        var entries: [OpenSSLErrorEntry] = []
        // Bounded: the queue holds at most ERR_NUM_ERRORS (16) entries.
        for _ in 0..<64 {
            var file: UnsafePointer<CChar>?
            var line: Int32 = 0
            var function: UnsafePointer<CChar>?
            var data: UnsafePointer<CChar>?
            var flags: Int32 = 0
            let code = ERR_get_error_all(&file, &line, &function, &data, &flags)
            if code == 0 { break }
            let lib = ERR_lib_error_string(code).map { String(cString: $0) } ?? "lib(\(ERR_GET_LIB(code)))"
            // System errors (a missing file) carry errno as their reason.
            let isSystem = UInt(code) & 0x8000_0000 != 0
            let reason = ERR_reason_error_string(code).map { String(cString: $0) }
                ?? (isSystem ? String(cString: strerror(Int32(code & 0x7fff_ffff))) : "reason(\(ERR_GET_REASON(code)))")
            entries.append(OpenSSLErrorEntry(
                code: UInt(code), library: lib, reason: reason,
                function: function.map { String(cString: $0) } ?? "",
                file: file.map { String(cString: $0) } ?? "", line: Int(line),
                data: (flags & ERR_TXT_STRING) != 0 ? (data.map { String(cString: $0) } ?? "") : ""))
        }
        return entries
    }
}

public enum OpenSSLVersion {
    /// "OpenSSL 3.0.19 27 Jan 2026"
    public static var text: String { String(cString: OpenSSL_version(OPENSSL_VERSION)) }
}
