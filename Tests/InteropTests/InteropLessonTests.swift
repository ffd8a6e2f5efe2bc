import Foundation
import SubprocessSupport
import Testing

/// The interop lesson in sample-sessions/, stepped by hand against a real
/// openssl s_server, its port filled in with --var.
@Suite struct InteropLessonTests {
    @Test func stepByStepAgainstSServer() throws {
        let psk = "00112233445566778899aabbccddeeff"
        let (server, port) = try Peers.sServer(["-nocert", "-cipher", "PSK-AES128-GCM-SHA256",
                                                              "-psk", psk, "-psk_identity", "client"])
        let script = SampleSessionTests.directory.appendingPathComponent("interop-step-by-step.dtlsh").path
        let run = try Subprocess(Tools.dtlsh, ["run", "--var", "HOST=127.0.0.1", "--var", "PORT=\(port)",
                                               "--var", "PSK=client:\(psk)", script])
        #expect(run.waitExit(timeout: 30) == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("established DTLSv1.2 PSK-AES128-GCM-SHA256"))
        #expect(server.waitFor("hello from dtlsh"))
        server.closeInput()
        server.waitExit()
    }
}
