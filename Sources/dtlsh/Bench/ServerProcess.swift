import DTLSPlex
import DTLSWire
import Foundation

/// A `dtlsh serve --echo` child on a free loopback port.
final class ServerProcess {
    let process: Process
    let address: SocketAddress
    var pid: Int32 { process.processIdentifier }

    private init(process: Process, address: SocketAddress) {
        self.process = process
        self.address = address
    }

    /// `dtlsh serve --quiet` (a line per peer would be part of what is
    /// measured), or `program` given the flags every such server takes.
    static func start(psk: TLSConfiguration.PSK, credential: BenchCommand.Credential, workers: Int = 1,
                      program: String? = nil, environment: [String: String] = [:]) throws -> ServerProcess {
        var args = ["--bind", "127.0.0.1:0", "--echo"]
        if program == BenchCommand.defaultFlagsServer {
            // What README shows: `serve --psk ID:KEY --echo`, a line per peer, to a log file.
            args = ["serve"] + args + (credential == .psk ? ["--psk", "\(psk.identity):\(Hex.encode(psk.key))"] : [])
            return try start(arguments: args, readyPrefix: "serving DTLS on ", logToFile: true)
        }
        if program == nil {
            args = ["serve"] + args + serveArguments(psk: psk, credential: credential) + ["--workers", String(workers)]
        } else if credential == .psk {
            args += ["--psk", "\(psk.identity):\(Hex.encode(psk.key))"]
        }
        return try start(arguments: args, readyPrefix: "serving DTLS on ", program: program, environment: environment)
    }

    /// The serve flags of a bench server, child or in-process.
    static func serveArguments(psk: TLSConfiguration.PSK, credential: BenchCommand.Credential) -> [String] {
        var args = ["--echo", "--quiet", "--max-peers", "100000", "--idle", "600"]
        if credential == .psk {
            // A PSK server, as the reference is: PSK suites only, so no
            // certificate for OpenSSL to check at every handshake.
            args += ["--psk", "\(psk.identity):\(Hex.encode(psk.key))", "--ciphers", TLSConfiguration.pskCiphers]
        }
        return args
    }

    /// Starts `dtlsh ARGUMENTS` (or `program ARGUMENTS`) and reads its address
    /// from the line starting with `readyPrefix`.
    static func start(arguments: [String], readyPrefix prefix: String, program: String? = nil,
                      environment: [String: String] = [:], logToFile: Bool = false) throws -> ServerProcess {
        if logToFile { return try startLogging(arguments: arguments, readyPrefix: prefix) }
        let p = Process()
        p.executableURL = program.map { URL(fileURLWithPath: $0) } ?? URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        p.arguments = arguments
        if !environment.isEmpty {
            p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        // A line names the address: "serving DTLS on 127.0.0.1:PORT: …", "udp echo on 127.0.0.1:PORT".
        var text = ""
        for _ in 0..<64 where !text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().contains(where: { $0.hasPrefix(prefix) }) {
            let d = out.fileHandleForReading.availableData
            if d.isEmpty { break }
            text += String(decoding: d, as: UTF8.self)
        }
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else {
            p.terminate()
            throw CommandFailure.runtime("the \(program ?? arguments[0]) child did not start")
        }
        let rest = line.dropFirst(prefix.count)
        var address = String(rest.prefix { $0 != " " })
        if address.hasSuffix(":") { address.removeLast() }
        // Drain its output so it never blocks on a full pipe.
        out.fileHandleForReading.readabilityHandler = { h in _ = h.availableData }
        return ServerProcess(process: p, address: try SocketAddress(parsing: address))
    }

    /// Its stdout to a file, as a server's log would be (a pipe read by the
    /// bench would put the reading on the bench's CPU): the address is read
    /// from the file.
    private static func startLogging(arguments: [String], readyPrefix prefix: String) throws -> ServerProcess {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("dtlsh-bench-serve-\(getpid())-\(UUID().uuidString).log")
        guard FileManager.default.createFile(atPath: log.path, contents: nil), let handle = try? FileHandle(forWritingTo: log) else {
            throw CommandFailure.runtime("cannot write \(log.path)")
        }
        defer { try? handle.close() }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        p.arguments = arguments
        p.standardOutput = handle
        p.standardError = FileHandle.nullDevice
        try p.run()
        // Bounded: 10 s for the server to say where it listens.
        for _ in 0..<1000 {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) {
                var address = String(line.dropFirst(prefix.count).prefix { $0 != " " })
                if address.hasSuffix(":") { address.removeLast() }
                // The log grows with every peer: gone when the bench is.
                unlink(log.path)
                return ServerProcess(process: p, address: try SocketAddress(parsing: address))
            }
            if !p.isRunning { break }
            usleep(10_000)
        }
        p.terminate()
        throw CommandFailure.runtime("the dtlsh serve child did not start")
    }

    func stop() {
        guard process.isRunning else { return }
        process.interrupt()
        process.waitUntilExit()
    }
}
