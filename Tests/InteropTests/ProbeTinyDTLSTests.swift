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
        #expect(report.verdicts.count == ProbeTests.checkCount, "\(report.output)")
        let expected: [String: [String]] = [
            "pass": ["handshake", "cookie-exchange", "amplification", "cookie-bound-to-address", "cookie-garbage", "record-size",
                     "suites", "replay-window", "bad-record-discard", "unknown-epoch-discard", "retransmission-timer",
                     "close-notify", "wrong-finished", "out-of-order-handshake", "plaintext-alert-in-handshake", "restart-same-port"],
            "differs": ["hvr-version", "version-negotiation", "resumption", "renegotiation"],
            "fail": ["fragment-reassembly", "retransmit-on-duplicate"],
        ]
        #expect(expected.values.map(\.count).reduce(0, +) == ProbeTests.checkCount)
        for (verdict, ids) in expected {
            for id in ids { #expect(report.verdicts[id] == verdict, "\(id): \(report.output)") }
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
        #expect(report.measured["hvr-version"]?["record_version"] as? String == "0xfeff", "\(report.output)")
        #expect(report.measured["hvr-version"]?["server_version"] as? String == "0xfefd", "\(report.output)")
        #expect(report.measured["version-negotiation"]?["unknown"] as? String == "protocol_version alert", "\(report.output)")
        let initial = try #require(report.measured["retransmission-timer"]?["initial_timeout_ms"] as? Double, "\(report.output)")
        #expect(abs(initial - 2000) < 300, "initial \(initial) ms")
        // Its handshake: a wrong Finished gets decrypt_error; each reordering of flight 5 is dropped until
        // the flight comes again in order (the gap's two datagrams too); a spoofed alert ends it; and any
        // ClientHello with a valid cookie starts a new handshake, even a repeat of the one in progress, after
        // which the client's flight 5 goes unanswered.
        #expect(report.measured["wrong-finished"]?["alert"] as? String == "decrypt_error", "\(report.output)")
        for id in ["ccs_before_key_exchange", "finished_before_ccs", "message_seq_gap"] {
            #expect(report.measured["out-of-order-handshake"]?[id] as? String == "ignored", "\(id): \(report.output)")
        }
        #expect(report.measured["plaintext-alert-in-handshake"]?["answer"] as? String == "unanswered", "\(report.output)")
        #expect(report.measured["retransmit-on-duplicate"]?["hello"] as? String == "restarted", "\(report.output)")
        // After it: §4.2.8's restart from the same port works; a renegotiating hello is ignored; sessions are
        // not resumed by id.
        #expect(report.measured["restart-same-port"]?["answer"] as? String == "HelloVerifyRequest", "\(report.output)")
        #expect(report.measured["restart-same-port"]?["replaced"] as? String == "yes", "\(report.output)")
        #expect(report.measured["renegotiation"]?["answer"] as? String == "ignored", "\(report.output)")
        #expect(report.measured["resumption"]?["by"] as? String == "session id", "\(report.output)")
        #expect(report.status == 1, "two checks fail: \(report.output)")
        #expect(took < 30, "the quick battery took \(took) s")
    }
}
