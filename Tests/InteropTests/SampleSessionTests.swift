import Foundation
import SubprocessSupport
import Testing

/// Every script in sample-sessions/ replays with `dtlsh run --stable`, passes
/// its expectations and prints exactly its expected transcript.
@Suite struct SampleSessionTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("sample-sessions")

    static var scripts: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        // Interop lessons need an outside peer's port; the interop tests run those.
        return names.filter { $0.hasSuffix(".dtlsh") && !$0.hasPrefix("interop-") }.sorted()
    }

    @Test func thereAreSampleSessions() {
        #expect(!Self.scripts.isEmpty)
    }

    @Test(arguments: scripts)
    func replays(_ name: String) throws {
        let script = Self.directory.appendingPathComponent(name).path
        let p = try Subprocess(Tools.dtlsh, ["run", "--stable", script])
        let status = p.waitExit(timeout: 60)
        #expect(status == 0, "\(name) failed:\n\(p.stdout)\(p.stderr)")
        let expectedPath = script.replacingOccurrences(of: ".dtlsh", with: ".expected")
        let expected = try String(contentsOfFile: expectedPath, encoding: .utf8)
        let got = p.stdout.components(separatedBy: "\n")
        let want = expected.components(separatedBy: "\n")
        #expect(got.count == want.count, "\(name): \(got.count) lines, expected \(want.count)\n\(p.stdout)")
        for (i, (g, w)) in zip(got, want).enumerated() where !Self.matches(g, w) {
            Issue.record("\(name):\(i + 1): got\n  \(g)\nexpected\n  \(w)")
            break
        }
    }

    /// A transcript line matches when equal, with `<*>` in the expected line
    /// standing for any one word (regenerate.py marks words that vary by nature).
    static func matches(_ got: String, _ want: String) -> Bool {
        guard want.contains("<*>") else { return got == want }
        let g = got.split(separator: " ", omittingEmptySubsequences: false)
        let w = want.split(separator: " ", omittingEmptySubsequences: false)
        return g.count == w.count && zip(g, w).allSatisfy { $1 == "<*>" || $0 == $1 }
    }
}
