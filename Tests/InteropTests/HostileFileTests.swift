import Foundation
import SubprocessSupport
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

/// SPEC.md: errors in flags or files are one clear line on stderr and exit
/// status 2. A script `dtlsh run` cannot read is such an error, and nothing
/// runs — not even the readable scripts named beside it.
@Suite struct UnreadableScriptTests {
    @Test func missingDirectoryBinaryAndFIFOScriptsExitTwoWithOneLine() throws {
        let dir = try Observe.directory("run-files")
        defer { Observe.remove(dir) }
        let good = dir + "/good.dtlsh", binary = dir + "/binary.dtlsh", fifo = dir + "/fifo.dtlsh"
        try "echo RAN\n".write(toFile: good, atomically: true, encoding: .utf8)
        try Data([0x65, 0x63, 0x68, 0x6f, 0x00, 0x0a]).write(to: URL(fileURLWithPath: binary))
        try #require(mkfifo(fifo, 0o600) == 0)
        let cases: [(String, String)] = [
            (dir + "/missing.dtlsh", "cannot open"), (dir, "not a regular file"), (binary, "binary"), (fifo, "not a regular file"),
        ]
        for (path, words) in cases {
            let p = try Subprocess(Tools.dtlsh, ["run", good, path])
            let status = p.waitExitOrKill(timeout: 10)
            #expect(status == 2, "\(path): exit \(status.map(String.init) ?? "none (hung)")")
            let lines = p.stderr.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].hasPrefix("dtlsh: ") && lines[0].contains(path) && lines[0].contains(words), "\(p.stderr)")
            #expect(p.stdout.isEmpty, "nothing runs: \(p.stdout)")
        }
    }
}
