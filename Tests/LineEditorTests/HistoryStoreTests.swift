#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing
@testable import LineEditor

/// libedit's history list is one per process, so these run one at a time; none needs a terminal.
@Suite(.serialized) struct HistoryStoreTests {
    private let directory: String

    init() {
        HistoryStore.prepare()
        HistoryStore.clear()
        var template = Array("/tmp/lineeditor-history-XXXXXX".utf8CString)
        directory = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    private func path(_ name: String) -> String { directory + "/" + name }

    private func contents(of path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count == 0 { break }
            bytes += chunk[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func remembersTypedLinesButNotBlankOnesOrImmediateRepeats() {
        for line in ["open srv", "", "   ", "open srv", "peers", "open srv"] {
            HistoryStore.remember(line)
        }
        #expect(HistoryStore.entries == ["open srv", "peers", "open srv"])
    }

    @Test func fileRoundTrip() throws {
        let typed = [
            "set psk client:00112233445566778899aabbccddeeff",
            "send c1 héllo wörld ✓ 日本",
            "echo back\\slash\tand tab",
            "connect c1 cli [::1]:4433",
        ]
        typed.forEach(HistoryStore.remember)
        let file = path("history")
        #expect(HistoryStore.save(to: file))

        let text = try #require(contents(of: file))
        #expect(text.hasPrefix("_HiStOrY_V2_\n"))
        #expect(text.contains("héllo"))  // UTF-8 stays readable; spaces are vis-encoded
        var status = stat()
        #expect(stat(file, &status) == 0)
        #expect(status.st_mode & 0o777 == 0o600)  // it can hold PSKs

        HistoryStore.clear()
        #expect(HistoryStore.entries.isEmpty)
        #expect(HistoryStore.load(from: file))
        #expect(HistoryStore.entries == typed)
    }

    @Test func keepsTheLastThousandEntries() throws {
        for number in 0..<1005 {
            HistoryStore.remember("step c\(number)")
        }
        let entries = HistoryStore.entries
        #expect(entries.count == 1000)
        #expect(entries.first == "step c5")
        #expect(entries.last == "step c1004")

        let file = path("stifled")
        #expect(HistoryStore.save(to: file))
        let lines = try #require(contents(of: file)).split(separator: "\n")
        #expect(lines.count == 1 + 1000)
        HistoryStore.clear()
        #expect(HistoryStore.load(from: file))
        #expect(HistoryStore.entries == entries)
    }

    @Test func missingFileIsNoHistoryYet() {
        HistoryStore.remember("peers")
        #expect(!HistoryStore.load(from: path("never-written")))
        #expect(HistoryStore.entries == ["peers"])
    }
}
