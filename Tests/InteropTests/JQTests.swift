import Foundation
import SubprocessSupport
import Testing

/// SPEC.md's promise: `dtlsh serve --json | jq .` works. What serve printed
/// goes through jq as a pipe would give it, line by line.
@Suite struct JQTests {
    @Test func serveJSONThroughJQ() throws {
        let jq = try #require(Tools.which("jq"), "jq is installed by make test")
        let (server, port) = try Observe.serveJSON(bind: "127.0.0.1:0", ["--echo"])
        let client = try Subprocess(Tools.dtlsh, ["connect", "127.0.0.1:\(port)", "--send", "through jq", "--wait", "1"])
        #expect(client.waitExit() == 0)
        #expect(client.stdout == "through jq\n")
        server.signal(SIGINT)
        #expect(server.waitExit() == 0)
        let lines = server.stdout.split(separator: "\n")
        let filter = try Subprocess(jq, ["-c", "."])
        filter.write(server.stdout)
        filter.closeInput()
        #expect(filter.waitExit() == 0, "jq refused: \(filter.stderr)")
        #expect(filter.stdout.split(separator: "\n").count == lines.count)
        #expect(filter.stdout.contains("\"text\":\"through jq\""))
    }
}
