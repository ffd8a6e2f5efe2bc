import Foundation
import Testing

/// A child process with its output collected as it comes, for tests that
/// drive `dtlsh` and foreign peers. Every wait is bounded.
final class Subprocess: @unchecked Sendable {
    let process = Process()
    let stdinPipe = Pipe()
    private let lock = NSLock()
    private var out = Data()
    private var err = Data()

    init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let o = Pipe(), e = Pipe()
        process.standardInput = stdinPipe
        process.standardOutput = o
        process.standardError = e
        o.fileHandleForReading.readabilityHandler = { [weak self] h in
            let d = h.availableData
            self?.lock.withLock { self?.out.append(d) }
        }
        e.fileHandleForReading.readabilityHandler = { [weak self] h in
            let d = h.availableData
            self?.lock.withLock { self?.err.append(d) }
        }
        // Tests run on dispatch worker threads, which block most signals, and a
        // spawned child inherits the spawning thread's mask: a foreign server
        // would then never see SIGTERM. Spawn with nothing blocked.
        var none = sigset_t(), saved = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_SETMASK, &none, &saved)
        defer { pthread_sigmask(SIG_SETMASK, &saved, nil) }
        try process.run()
    }

    deinit {
        if process.isRunning { process.terminate() }
    }

    var stdout: String { lock.withLock { String(decoding: out, as: UTF8.self) } }
    var stderr: String { lock.withLock { String(decoding: err, as: UTF8.self) } }

    func write(_ s: String) { stdinPipe.fileHandleForWriting.write(Data(s.utf8)) }
    func closeInput() { try? stdinPipe.fileHandleForWriting.close() }

    /// Waits until `predicate` holds on stdout+stderr or `timeout` passes.
    @discardableResult
    func waitFor(timeout: Double = 10, _ predicate: (String) -> Bool) -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if predicate(stdout + stderr) { return true }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return predicate(stdout + stderr)
    }

    func waitFor(_ text: String, timeout: Double = 10) -> Bool {
        waitFor(timeout: timeout) { $0.contains(text) }
    }

    /// Waits for exit; kills the process if it does not exit in time.
    @discardableResult
    func waitExit(timeout: Double = 10) -> Int32? {
        let end = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < end { Thread.sleep(forTimeInterval: 0.01) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            return nil
        }
        // Let the output handlers drain what is left in the pipes.
        Thread.sleep(forTimeInterval: 0.05)
        return process.terminationStatus
    }

    /// Waits for exit; a process still running after `timeout` is killed
    /// with SIGKILL (one that blocks SIGTERM, or is stuck in a system call,
    /// would outlive `waitExit`'s terminate). Returns nil when it had to be killed.
    func waitExitOrKill(timeout: Double) -> Int32? {
        let end = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < end { Thread.sleep(forTimeInterval: 0.01) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        Thread.sleep(forTimeInterval: 0.05)
        return process.terminationStatus
    }

    func signal(_ s: Int32) { kill(process.processIdentifier, s) }
}

enum Tools {
    /// The `dtlsh` built beside this test bundle (or DTLSH_BINARY).
    static let dtlsh: String = {
        if let path = ProcessInfo.processInfo.environment["DTLSH_BINARY"] { return path }
        var dir = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        // The test bundle lives in .build/<triple>/debug/dtlshPackageTests.xctest[/…]; dtlsh beside it.
        for _ in 0..<6 {
            let candidate = dir.appendingPathComponent("dtlsh").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir.deleteLastPathComponent()
        }
        return "dtlsh"
    }()

    static func which(_ name: String) -> String? {
        for d in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let p = "\(d)/\(name)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    /// A UDP port free on loopback right now (foreign servers need one named).
    static func freeUDPPort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    static let pskHex = "00112233445566778899aabbccddeeff"
    static let pskIdentity = "client"

    /// A self-signed P-256 certificate and key made by openssl, in a temp dir.
    static func makeCertificate() throws -> (cert: String, key: String) {
        let dir = NSTemporaryDirectory() + "dtlsh-cert-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let cert = dir + "/server.crt", key = dir + "/server.key"
        let p = try Subprocess("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", key, "-out", cert, "-days", "30", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ])
        try #require(p.waitExit() == 0, "openssl req failed: \(p.stderr)")
        return (cert, key)
    }
}
