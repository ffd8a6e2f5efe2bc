import Glibc

/// CPU time and resident memory of a process, read from /proc: what makes
/// "work per server-CPU-second" and "bytes per peer" come out directly.
struct ProcessStats {
    var cpuSeconds: Double
    var rssBytes: Int

    static func of(pid: Int32) -> ProcessStats? {
        guard let stat = read("/proc/\(pid)/stat"), let status = read("/proc/\(pid)/status") else { return nil }
        // Fields after the command name, which may itself hold spaces and parentheses.
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let utime = Double(fields[11]), let stime = Double(fields[12]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        var rss = 0
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            rss = (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
        }
        return ProcessStats(cpuSeconds: (utime + stime) / ticks, rssBytes: rss)
    }

    static func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 8192)
        let n = Glibc.read(fd, &buffer, buffer.count)
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n], as: UTF8.self)
    }
}
