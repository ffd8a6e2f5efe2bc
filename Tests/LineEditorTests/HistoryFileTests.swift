#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing
@testable import LineEditor

@Suite struct HistoryFileTests {
    private let directory: String

    init() {
        var template = Array("/tmp/lineeditor-history-XXXXXX".utf8CString)
        directory = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    private func file(_ name: String) -> HistoryFile { HistoryFile(path: directory + "/" + name) }

    private func write(_ bytes: [UInt8], to name: String) {
        let descriptor = open(directory + "/" + name, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        _ = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
    }

    private func bytes(of name: String) -> [UInt8]? {
        guard let stream = fopen(directory + "/" + name, "r") else { return nil }
        defer { fclose(stream) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&chunk, 1, chunk.count, stream)
            if count == 0 { return result }
            result += chunk[..<count]
        }
    }

    @Test func roundTripInLibEditsFormatWithMode0600() throws {
        let typed = [
            "set psk client:00112233445566778899aabbccddeeff",
            "send c1 héllo wörld ✓ 日本 😀",
            "echo back\\slash\tand tab",
            "connect c1 cli [::1]:4433",
            String(repeating: "a", count: 1024),  // libedit's own loader overflows its buffer on this one
            "echo " + String(repeating: "x ", count: 50_000),
        ]
        let history = file("history")
        #expect(history.save(typed) == nil)
        let text = String(decoding: try #require(bytes(of: "history")), as: UTF8.self)
        #expect(text.hasPrefix("_HiStOrY_V2_\n"))
        #expect(text.contains("send\\040c1\\040héllo"))  // what libedit writes: spaces vis-encoded, UTF-8 raw
        #expect(text.contains("back\\\\slash\\^Iand"))
        var status = stat()
        #expect(stat(directory + "/history", &status) == 0)
        #expect(status.st_mode & 0o777 == 0o600)  // it can hold PSKs
        #expect(history.load() == .entries(typed))
    }

    @Test func readsWhatLibEditWrote() {
        // As libedit 3.1's history_save wrote it (the format of dtlsh before it kept the file itself).
        write(Array("_HiStOrY_V2_\nopen\\040srv\\040accept\nsend\\040c1\\040h\\303\\251\nx\\^Iy\\\\z\n".utf8), to: "old")
        #expect(file("old").load() == .entries(["open srv accept", "send c1 hé", "x\ty\\z"]))
    }

    @Test func missingIsTheFirstRun() {
        #expect(file("never-written").load() == .missing)
    }

    @Test func plainTextIsUnrecognisedAndMovedAsideIntact() throws {
        let original = Array((String(repeating: "a", count: 100_000) + "\nls\n").utf8)
        write(original, to: "plain")
        let history = file("plain")
        #expect(history.load() == .unrecognised)
        let aside = try #require(history.moveAside())
        #expect(aside == directory + "/plain.unrecognised")
        #expect(bytes(of: "plain.unrecognised") == original)
        #expect(bytes(of: "plain") == nil)
        // A second one does not overwrite the first backup.
        write(Array("junk".utf8), to: "plain")
        #expect(history.moveAside() == directory + "/plain.unrecognised-2")
        #expect(bytes(of: "plain.unrecognised") == original)
    }

    @Test func randomBytesAreUnrecognised() {
        var generator = SystemRandomNumberGenerator()
        write((0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) } + [0x0A], to: "random")
        #expect(file("random").load() == .unrecognised)
    }

    @Test func aDirectoryIsUnusableAndNotWritten() {
        mkdir(directory + "/dir", 0o700)
        guard case .unusable(let reason) = file("dir").load() else {
            Issue.record("a directory was read as history")
            return
        }
        #expect(reason.contains("directory"))
        #expect(file("dir").save(["peers"]) != nil)
    }

    @Test func anUnwritablePlaceSaysWhy() {
        let history = HistoryFile(path: directory + "/no/such/dir/history")
        #expect(history.save(["peers"])?.isEmpty == false)
    }

    @Test func decodingNeverFailsOnOddEscapes() {
        #expect(HistoryFile.decode("a\\") == "a\\")
        #expect(HistoryFile.decode("\\q\\M-a\\^") == "q\u{FFFD}^")
        #expect(HistoryFile.decode("\\$x\\s") == "x ")
    }
}
