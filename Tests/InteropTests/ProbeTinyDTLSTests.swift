import Foundation
import Testing

/// The quick battery against tinydtls (Fixtures/tinydtls_peer.py, python dtlssocket): the DTLS stack of
/// constrained devices, PSK with AES-128-CCM-8 and -CCM only, one context for every client.
@Suite struct ProbeTinyDTLSTests {
    @Test func quickBatteryAgainstTinyDTLS() throws {
        let (server, port) = try Peers.tinydtlsServer(lifetime: 50)
        defer { Peers.end(server) }
        let began = Date()
        let report = try ProbeTests.probe(port: port, ProbeTests.psk + ["--quick"])
        let took = Date().timeIntervalSince(began)
        #expect(!report.verdicts.values.contains("error"), "\(report.output)")
        for id in ["handshake", "cookie-exchange", "amplification", "cookie-bound-to-address", "cookie-garbage", "record-size",
                   "suites", "replay-window", "bad-record-discard", "unknown-epoch-discard", "retransmission-timer",
                   "close-notify"] {
            #expect(report.verdicts[id] == "pass", "\(id): \(report.output)")
        }
        #expect(report.measured["handshake"]?["suite"] as? String == "PSK-AES128-CCM8", "\(report.output)")
        #expect(report.measured["cookie-exchange"]?["cookie_bytes"] as? Double == 16, "\(report.output)")
        #expect(report.measured["amplification"]?["answer_bytes"] as? Double == 44, "\(report.output)")
        #expect(report.measured["record-size"]?["datagrams"] as? Double == 2, "\(report.output)")
        #expect(report.measured["suites"]?["accepted"] as? String == "TLS_PSK_WITH_AES_128_CCM_8 TLS_PSK_WITH_AES_128_CCM",
                "\(report.output)")
        // Where it differs: its HelloVerifyRequest says DTLS 1.2 inside a DTLS 1.0 record, a version above 1.2
        // gets a protocol_version alert instead of 1.2, a fragmented hello goes unanswered, and resends start
        // after 2 s (two fit in --quick's window).
        #expect(report.verdicts["hvr-version"] == "differs", "\(report.output)")
        #expect(report.measured["hvr-version"]?["record_version"] as? String == "0xfeff", "\(report.output)")
        #expect(report.measured["hvr-version"]?["server_version"] as? String == "0xfefd", "\(report.output)")
        #expect(report.verdicts["version-negotiation"] == "differs", "\(report.output)")
        #expect(report.measured["version-negotiation"]?["unknown"] as? String == "protocol_version alert", "\(report.output)")
        #expect(report.verdicts["fragment-reassembly"] == "fail", "\(report.output)")
        let initial = try #require(report.measured["retransmission-timer"]?["initial_timeout_ms"] as? Double, "\(report.output)")
        #expect(abs(initial - 2000) < 300, "initial \(initial) ms")
        #expect(report.status == 1, "one check fails: \(report.output)")
        #expect(took < 30, "the quick battery took \(took) s")
    }
}
