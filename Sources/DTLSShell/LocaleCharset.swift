import Glibc

/// Whether the terminal's character set can show box drawing. POSIX picks the
/// first of LC_ALL, LC_CTYPE and LANG that is set; a name with UTF-8 (or
/// utf8) in it means UTF-8. Anything else gets ASCII, which every terminal shows.
public enum LocaleCharset {
    public static func isUTF8(_ environment: [String: String]) -> Bool {
        for name in ["LC_ALL", "LC_CTYPE", "LANG"] {
            guard let value = environment[name], !value.isEmpty else { continue }
            let v = value.lowercased()
            return v.contains("utf-8") || v.contains("utf8")
        }
        return false
    }

    /// The same question of this process's environment.
    public static var processIsUTF8: Bool {
        var env: [String: String] = [:]
        for name in ["LC_ALL", "LC_CTYPE", "LANG"] {
            if let v = getenv(name) { env[name] = String(cString: v) }
        }
        return isUTF8(env)
    }
}
