import Foundation
import SubprocessSupport
import Testing

/// The probe's session checks against openssl s_server set up each way it can be: resumption by ticket,
/// by session id, or not at all; client renegotiation allowed or refused. (dtlsh serve, gnutls-serv and
/// the mbed TLS fixture are in ProbeTests' batteries.)
@Suite struct ProbeSessionTests {
    static let pskServer = ["-nocert", "-psk", Tools.pskHex, "-psk_identity", Tools.pskIdentity]

    static func probeSServer(_ options: [String], only checks: String) throws -> ProbeTests.Report {
        let (server, port) = try Peers.sServer(Self.pskServer + options)
        defer { server.signal(SIGTERM); _ = server.waitExitOrKill(timeout: 5) }
        return try ProbeTests.probe(port: port, ProbeTests.psk + ["--only", checks])
    }

    @Test(arguments: [([String](), "ticket"), (["-no_ticket"], "session id")])
    func sServerResumes(options: [String], by way: String) throws {
        let report = try Self.probeSServer(options, only: "resumption")
        #expect(report.verdicts["resumption"] == "pass", "\(report.output)")
        #expect(report.measured["resumption"]?["by"] as? String == way, "\(report.output)")
    }

    @Test func sServerWithoutCacheOrTicketsDoesNotResume() throws {
        let report = try Self.probeSServer(["-no_cache", "-no_ticket"], only: "resumption")
        #expect(report.verdicts["resumption"] == "differs", "\(report.output)")
        #expect(report.measured["resumption"]?["resumed"] as? String == "no", "\(report.output)")
        #expect(report.status == 0)
    }

    /// OpenSSL 3.0 refuses a client's renegotiation unless told otherwise; both are legal.
    @Test(arguments: [(["-client_renegotiation"], "accepted"), (["-no_renegotiation"], "no_renegotiation")])
    func sServerRenegotiation(options: [String], answer: String) throws {
        let report = try Self.probeSServer(options, only: "renegotiation")
        #expect(report.verdicts["renegotiation"] == "pass", "\(report.output)")
        #expect(report.measured["renegotiation"]?["answer"] as? String == answer, "\(report.output)")
    }

    /// --concurrent times the resends beside the other checks: the quick battery against a server that
    /// serves many clients at once ends within 15 s, and the timer is measured as well as alone.
    @Test func concurrentQuickBatteryAgainstServe() throws {
        let (server, port) = try OpenSSLInteropTests.serve(ProbeTests.psk)
        defer { server.signal(SIGTERM); _ = server.waitExitOrKill(timeout: 5) }
        let began = Date()
        let report = try ProbeTests.probe(port: port, ProbeTests.psk + ["--quick", "--concurrent"])
        let took = Date().timeIntervalSince(began)
        #expect(report.verdicts.count == ProbeTests.checkCount, "\(report.output)")
        #expect(!report.verdicts.values.contains("error"), "\(report.output)")
        #expect(report.verdicts["retransmission-timer"] == "pass", "\(report.output)")
        let initial = try #require(report.measured["retransmission-timer"]?["initial_timeout_ms"] as? Double, "\(report.output)")
        #expect(abs(initial - 1000) < 250, "initial \(initial) ms")
        #expect(took < 15, "the quick battery took \(took) s")
    }
}
