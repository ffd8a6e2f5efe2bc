#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// The user's home directory, for `~/` in paths given and shown.
enum Home {
    static var directory: String? {
        getenv("HOME").map { String(cString: $0) }
    }

    static func expanding(_ path: String) -> String {
        guard path.hasPrefix("~/"), let home = directory else { return path }
        return home + path.dropFirst()
    }
}
