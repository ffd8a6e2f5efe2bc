import Foundation
import Testing

/// Paths that are not plain files: a FIFO nothing writes or reads used to
/// block the shell (and `serve`) forever inside open(2) or OpenSSL's fopen.
/// Each runs in its own bounded subprocess, so a hang fails instead of hanging.
@Suite struct FIFOTests {
    static func fifo(_ name: String) throws -> (dir: String, path: String) {
        let dir = try Observe.directory(name)
        let path = dir + "/fifo"
        try #require(mkfifo(path, 0o600) == 0)
        return (dir, path)
    }

    @Test(arguments: ["source", "record", "capture", "set ca", "set cert"])
    func shellCommandsRefuseAFIFO(_ command: String) throws {
        let (dir, fifo) = try Self.fifo("fifo-shell")
        defer { Observe.remove(dir) }
        let line = command == "set cert" ? "set cert \(fifo) \(fifo)" : "\(command) \(fifo)"
        let p = try Subprocess(Tools.dtlsh, ["-c", line])
        let status = p.waitExitOrKill(timeout: 10)
        #expect(status == 1, "'\(line)' \(status == nil ? "hung" : "exited \(status!)"): \(p.stdout)\(p.stderr)")
        let lines = p.stdout.split(separator: "\n")
        #expect(lines.count == 1 && (lines.first?.contains("not a regular file") == true || lines.first?.contains("FIFO") == true),
                "\(p.stdout)")
    }

    @Test(arguments: [["--pcap"], ["--ca"], ["--cert", "KEY"]])
    func serveRefusesAFIFO(_ flags: [String]) throws {
        let (dir, fifo) = try Self.fifo("fifo-serve")
        defer { Observe.remove(dir) }
        let args = ["serve", "--bind", "127.0.0.1:0"] + flags.map { $0 == "KEY" ? "--key" : $0 }.flatMap { [$0, fifo] }
        let p = try Subprocess(Tools.dtlsh, args)
        let status = p.waitExitOrKill(timeout: 10)
        #expect(status == 2, "\(args) \(status == nil ? "hung" : "exited \(status!)"): \(p.stderr)")
        #expect(p.stderr.split(separator: "\n").count == 1, "\(p.stderr)")
    }
}
