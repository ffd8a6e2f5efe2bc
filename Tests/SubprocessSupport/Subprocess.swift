import Foundation

/// A child process with its output collected as it comes: the one launcher of
/// the test targets, for `dtlsh` and for foreign peers. Every wait is bounded.
public final class Subprocess: @unchecked Sendable {
    public let process = Process()
    public let stdinPipe = Pipe()
    /// Where stdout goes instead of memory, for a child that prints megabytes.
    public let stdoutFile: String?
    private let lock = NSLock()
    private var out = Data()
    private var err = Data()
    /// The pipes that have reached end of file, so a wait after exit knows the output is whole.
    private var closedPipes = 0
    private let pipes: Int

    /// - Parameters:
    ///   - environment: added to this process's environment.
    ///   - directory: the child's working directory; nil keeps this one.
    ///   - stdoutFile: write stdout to this file (created, truncated) rather than collect it.
    public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                directory: String? = nil, stdoutFile: String? = nil) throws {
        self.stdoutFile = stdoutFile
        pipes = stdoutFile == nil ? 2 : 1
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.standardInput = stdinPipe
        let e = Pipe()
        process.standardError = e
        Self.keepFromOtherChildren(stdinPipe)
        Self.keepFromOtherChildren(e)
        collect(e) { $0.err.append($1) }
        if let stdoutFile {
            _ = FileManager.default.createFile(atPath: stdoutFile, contents: nil)
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutFile))
        } else {
            let o = Pipe()
            Self.keepFromOtherChildren(o)
            process.standardOutput = o
            collect(o) { $0.out.append($1) }
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

    /// Foundation makes pipes without close-on-exec, so a child that another test spawns at the same
    /// moment inherits this one's: its stdout then never reaches end of file while that other child
    /// lives (a server held for a minute), and a wait after exit gives up before the last output is in.
    /// The child still gets its own ends: spawning dup2s them onto 0, 1 and 2, which clears the flag.
    private static func keepFromOtherChildren(_ pipe: Pipe) {
        for descriptor in [pipe.fileHandleForReading.fileDescriptor, pipe.fileHandleForWriting.fileDescriptor] {
            _ = fcntl(descriptor, F_SETFD, fcntl(descriptor, F_GETFD) | FD_CLOEXEC)
        }
    }

    private func collect(_ pipe: Pipe, into append: @escaping @Sendable (Subprocess, Data) -> Void) {
        pipe.fileHandleForReading.readabilityHandler = { [weak self] h in
            let d = h.availableData
            guard let self else { return }
            self.lock.withLock {
                if d.isEmpty {
                    h.readabilityHandler = nil
                    self.closedPipes += 1
                } else {
                    append(self, d)
                }
            }
        }
    }

    deinit {
        if process.isRunning { process.terminate() }
    }

    public var stdout: String {
        if let stdoutFile { return (try? String(contentsOfFile: stdoutFile, encoding: .utf8)) ?? "" }
        return lock.withLock { String(decoding: out, as: UTF8.self) }
    }

    public var stderr: String { lock.withLock { String(decoding: err, as: UTF8.self) } }

    public func write(_ s: String) { stdinPipe.fileHandleForWriting.write(Data(s.utf8)) }
    public func closeInput() { try? stdinPipe.fileHandleForWriting.close() }

    /// Waits until `predicate` holds on stdout+stderr or `timeout` passes.
    @discardableResult
    public func waitFor(timeout: Double = 10, _ predicate: (String) -> Bool) -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if predicate(stdout + stderr) { return true }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return predicate(stdout + stderr)
    }

    public func waitFor(_ text: String, timeout: Double = 10) -> Bool {
        waitFor(timeout: timeout) { $0.contains(text) }
    }

    /// Waits for exit; kills the process if it does not exit in time.
    @discardableResult
    public func waitExit(timeout: Double = 10) -> Int32? {
        let end = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < end { Thread.sleep(forTimeInterval: 0.01) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            return nil
        }
        drain()
        return process.terminationStatus
    }

    /// Waits for exit; a process still running after `timeout` is killed
    /// with SIGKILL (one that blocks SIGTERM, or is stuck in a system call,
    /// would outlive `waitExit`'s terminate). Returns nil when it had to be killed.
    public func waitExitOrKill(timeout: Double) -> Int32? {
        let end = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < end { Thread.sleep(forTimeInterval: 0.01) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        drain()
        return process.terminationStatus
    }

    /// Lets the output handlers take what is left in the pipes: until both
    /// reach end of file, or briefly, if a grandchild still holds one open.
    private func drain() {
        let end = Date().addingTimeInterval(2)
        while lock.withLock({ closedPipes < pipes }) && Date() < end { Thread.sleep(forTimeInterval: 0.005) }
    }

    public func signal(_ s: Int32) { kill(process.processIdentifier, s) }
}
