import Foundation
import Testing

/// SPEC.md's promise, literally: `dtlsh serve --json | jq .` works.
@Suite struct JQTests {
    @Test func serveJSONThroughJQ() throws {
        let jq = try #require(Tools.which("jq"), "jq is installed by make test")
        let server = try Subprocess("/bin/sh", ["-c", "\"$0\" serve --bind 127.0.0.1:0 --json --echo | \"$1\" -c --unbuffered .",
                                                Tools.dtlsh, jq])
        #expect(server.waitFor("\"event\":\"socket_opened\""))
        let first = try #require(server.stdout.split(separator: "\n").first)
        let object = try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any]
        let port = try #require((object?["address"] as? String)?.split(separator: ":").last.flatMap { Int($0) })
        let client = try Subprocess(Tools.dtlsh, ["connect", "127.0.0.1:\(port)", "--send", "through jq", "--wait", "1"])
        #expect(client.waitExit() == 0)
        #expect(client.stdout == "through jq\n")
        #expect(server.waitFor("\"text\":\"through jq\""), "jq printed every event: \(server.stdout)")
        server.signal(SIGINT)
        server.waitExit()
        pkillChildren()
    }

    /// The shell under sh -c: SIGINT reaches the sh only; end its dtlsh too.
    private func pkillChildren() {
        let p = try? Subprocess("/usr/bin/pkill", ["-INT", "-f", "serve --bind 127.0.0.1:0 --json --echo"])
        p?.waitExit()
    }
}
