import Glibc

/// CPU time and resident memory of a process, read from /proc: what makes
/// "work per server-CPU-second" and "bytes per peer" come out directly.
struct ProcessStats {
    var cpuSeconds: Double
    var rssBytes: Int
    /// Minor page faults so far: each is kernel time the server pays for
    /// memory its allocator gave back and took again.
    var pageFaults: Int

    static func of(pid: Int32) -> ProcessStats? {
        of(stat: "/proc/\(pid)/stat", status: "/proc/\(pid)/status", runTime: runTime(pid: pid))
    }

    /// One thread of this process: its CPU time and page faults, and the
    /// whole process's memory (threads share it).
    static func of(thread tid: Int32) -> ProcessStats? {
        let schedstat = read("/proc/self/task/\(tid)/schedstat").flatMap { Double($0.split(separator: " ").first ?? "") }
        return of(stat: "/proc/self/task/\(tid)/stat", status: "/proc/self/status", runTime: schedstat.map { $0 / 1e9 })
    }

    private static func of(stat statPath: String, status statusPath: String, runTime: Double?) -> ProcessStats? {
        guard let stat = read(statPath), let status = read(statusPath) else { return nil }
        // Fields after the command name, which may itself hold spaces and parentheses.
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let utime = Double(fields[11]), let stime = Double(fields[12]),
              let minflt = Int(fields[7]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        var rss = 0
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            rss = (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
        }
        let cpu = runTime ?? (utime + stime) / ticks
        return ProcessStats(cpuSeconds: cpu, rssBytes: rss, pageFaults: minflt)
    }

    /// Time on a CPU in nanoseconds from each thread's schedstat, summed: the
    /// scheduler's own clock, where utime and stime come in 10 ms ticks (a
    /// scenario of a second would be known to 1 % at best).
    static func runTime(pid: Int32) -> Double? {
        let dir = opendir("/proc/\(pid)/task")
        guard let dir else { return nil }
        defer { closedir(dir) }
        var total = 0.0
        var any = false
        // Bounded by the process's threads (serve has at most 64 workers).
        for _ in 0..<4096 {
            guard let entry = readdir(dir) else { break }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name.first?.isNumber == true,
                  let text = read("/proc/\(pid)/task/\(name)/schedstat"),
                  let ns = Double(text.split(separator: " ").first ?? "")
            else { continue }
            total += ns / 1e9
            any = true
        }
        return any ? total : nil
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
