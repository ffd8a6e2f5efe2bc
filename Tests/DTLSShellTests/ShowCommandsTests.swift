import DTLSShell
import Glibc
import Testing

/// `dtlsh run --show-commands`: a transcript that shows what was typed.
@Suite struct ShowCommandsTests {
    @Test func eachCommandPrecedesItsOutputCommentsDoNot() throws {
        let path = "/tmp/dtlsh-show-commands-\(getpid()).dtlsh"
        let text = "# a lesson\n\nopen cli   # a socket\necho hello\n"
        try #require(text.withCString { s in
            guard let f = fopen(path, "w") else { return false }
            defer { fclose(f) }
            return fputs(s, f) >= 0
        })
        defer { unlink(path) }
        let t = Transcript()
        t.shell.showsCommands = true
        #expect(t.shell.runScript(path: path))
        #expect(t.lines.count == 4, "\(t.lines)")
        guard t.lines.count == 4 else { return }
        #expect(t.lines[0] == "dtlsh> open cli   # a socket")
        #expect(t.lines[1].hasPrefix("cli: bound to"))
        #expect(t.lines[2] == "dtlsh> echo hello")
        #expect(t.lines[3] == "hello")
    }
}
