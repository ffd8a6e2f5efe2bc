import Foundation
import SubprocessSupport
import Testing

/// `dtlsh probe` against servers set up to pass a check and, where one can be, to differ or fail: each
/// verdict grounded in a configuration that causes it, and shown against a foreign stack too.
@Suite struct ProbeTests {
    struct Report {
        let verdicts: [String: String]
        let measured: [String: [String: Any]]
        /// Each check's `duration_ms`.
        let durations: [String: Double]
        let status: Int32?
        let output: String

        /// The check objects of a `probe --json` that has ended.
        init(of p: Subprocess, status: Int32?) {
            var verdicts: [String: String] = [:]
            var measured: [String: [String: Any]] = [:]
            var durations: [String: Double] = [:]
            for object in p.stdout.split(separator: "\n").compactMap(ProbeTests.jsonObject) {
                guard let id = object["check"] as? String else { continue }
                verdicts[id] = object["verdict"] as? String
                measured[id] = object["measured"] as? [String: Any]
                durations[id] = object["duration_ms"] as? Double
            }
            self.verdicts = verdicts
            self.measured = measured
            self.durations = durations
            self.status = status
            output = p.stdout + p.stderr
        }
    }

    static func jsonObject(_ line: Substring) -> [String: Any]? {
        try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
    }

    static func probe(port: Int, _ arguments: [String], timeout: Double = 90) throws -> Report {
        let p = try Subprocess(Tools.dtlsh, ["probe", "127.0.0.1:\(port)", "--json"] + arguments)
        let status = p.waitExitOrKill(timeout: timeout)
        return Report(of: p, status: status)
    }

    static let psk = ["--psk", "\(Tools.pskIdentity):\(Tools.pskHex)"]
    /// The checks of the battery against a server.
    static let checkCount = 22

    /// dtlsh serve is OpenSSL behind DTLSv1_listen, with no session cache and no renegotiation.
    @Test func serveWithCookies() throws {
        let (server, port) = try OpenSSLInteropTests.serve(Self.psk)
        defer { server.signal(SIGTERM); _ = server.waitExitOrKill(timeout: 5) }
        let report = try Self.probe(port: port, Self.psk + ["--quick", "--skip", "retransmission-timer,suites,fragment-reassembly"])
        for id in ["handshake", "cookie-exchange", "amplification", "cookie-bound-to-address", "cookie-garbage", "hvr-version",
                   "replay-window", "bad-record-discard", "unknown-epoch-discard", "close-notify", "version-negotiation",
                   "wrong-finished", "out-of-order-handshake", "plaintext-alert-in-handshake", "restart-same-port", "renegotiation"] {
            #expect(report.verdicts[id] == "pass", "\(id): \(report.output)")
        }
        #expect(report.measured["wrong-finished"]?["alert"] as? String == "decrypt_error", "\(report.output)")
        // After the spoofed alert a fresh hello from the port is a new client's; a live handshake's port gets nothing.
        #expect(report.measured["plaintext-alert-in-handshake"]?["answer"] as? String == "new-client", "\(report.output)")
        // OpenSSL buffers a Finished that comes before the ClientKeyExchange, and drops an early CCS.
        #expect(report.measured["out-of-order-handshake"]?["message_seq_gap"] as? String == "buffered", "\(report.output)")
        #expect(report.measured["out-of-order-handshake"]?["ccs_before_key_exchange"] as? String == "ignored", "\(report.output)")
        // §4.2.8: the cookie exchange first, the old association kept until then, then replaced.
        #expect(report.measured["restart-same-port"]?["answer"] as? String == "HelloVerifyRequest", "\(report.output)")
        #expect(report.measured["renegotiation"]?["answer"] as? String == "no_renegotiation", "\(report.output)")
        #expect(report.verdicts["resumption"] == "differs", "\(report.output)")
        // OpenSSL answers only a repeated Finished, not a repeated ClientHello.
        #expect(report.verdicts["retransmit-on-duplicate"] == "differs", "\(report.output)")
        #expect(report.measured["retransmit-on-duplicate"]?["finished_resend_ms"] != nil, "\(report.output)")
        #expect(report.measured["retransmit-on-duplicate"]?["hello_resend_ms"] == nil, "\(report.output)")
        #expect(report.status == 0, "\(report.output)")
    }

    /// DTLSv1_listen, which dtlsh serve admits hellos with, does not reassemble a fragmented hello.
    @Test func serveDropsAFragmentedHelloWhereSServerReassemblesIt() throws {
        let (serve, servePort) = try OpenSSLInteropTests.serve(Self.psk)
        defer { serve.signal(SIGTERM); _ = serve.waitExitOrKill(timeout: 5) }
        let ours = try Self.probe(port: servePort, Self.psk + ["--only", "fragment-reassembly"])
        #expect(ours.verdicts["fragment-reassembly"] == "fail", "\(ours.output)")
        #expect(ours.status == 1)

        let (sServer, port) = try Peers.sServer(["-nocert", "-psk", Tools.pskHex, "-psk_identity", Tools.pskIdentity])
        defer { sServer.signal(SIGTERM); _ = sServer.waitExitOrKill(timeout: 5) }
        let theirs = try Self.probe(port: port, Self.psk + ["--only", "fragment-reassembly"])
        #expect(theirs.verdicts["fragment-reassembly"] == "pass", "\(theirs.output)")
    }

    /// Without cookies a certificate server sends its whole flight to any source address.
    @Test func noCookiesDiffersAndAmplifies() throws {
        let (server, port) = try OpenSSLInteropTests.serve(["--no-cookies"])
        defer { server.signal(SIGTERM); _ = server.waitExitOrKill(timeout: 5) }
        let report = try Self.probe(port: port, ["--only", "cookie-exchange,amplification"])
        #expect(report.verdicts["cookie-exchange"] == "differs", "\(report.output)")
        #expect(report.verdicts["amplification"] == "differs", "\(report.output)")
        let ratio = try #require(report.measured["amplification"]?["ratio"] as? Double)
        #expect(ratio > 1)
    }

    @Test(arguments: [300, 1000])
    func theMeasuredInitialTimeoutFollowsTimerInitial(milliseconds: Int) throws {
        let (server, port) = try OpenSSLInteropTests.serve(Self.psk + ["--timer-initial", "\(milliseconds)"])
        defer { server.signal(SIGTERM); _ = server.waitExitOrKill(timeout: 5) }
        let report = try Self.probe(port: port, Self.psk + ["--quick", "--only", "retransmission-timer"])
        #expect(report.verdicts["retransmission-timer"] == "pass", "\(report.output)")
        let initial = try #require(report.measured["retransmission-timer"]?["initial_timeout_ms"] as? Double)
        #expect(abs(initial - Double(milliseconds)) < Double(milliseconds) * 0.25 + 50, "initial \(initial) ms")
        let backoff = try #require(report.measured["retransmission-timer"]?["backoff"] as? Double)
        #expect((1.5...2.5).contains(backoff))
    }

    @Test func recordSizeFollowsTheServersMTU() throws {
        let (small, smallPort) = try OpenSSLInteropTests.serve(["--mtu", "300"])
        defer { small.signal(SIGTERM); _ = small.waitExitOrKill(timeout: 5) }
        let clamped = try Self.probe(port: smallPort, ["--only", "record-size"])
        let largest = try #require(clamped.measured["record-size"]?["largest_datagram"] as? Double, "\(clamped.output)")
        #expect(largest <= 300)
        #expect((clamped.measured["record-size"]?["fragmented"] as? String)?.contains("Certificate") == true, "\(clamped.output)")

        let (wide, widePort) = try OpenSSLInteropTests.serve([])
        defer { wide.signal(SIGTERM); _ = wide.waitExitOrKill(timeout: 5) }
        let whole = try Self.probe(port: widePort, ["--only", "record-size"])
        let wideLargest = try #require(whole.measured["record-size"]?["largest_datagram"] as? Double, "\(whole.output)")
        #expect(wideLargest > 300)
        #expect(whole.measured["record-size"]?["fragmented"] as? String == "")
    }

    /// The whole quick battery against OpenSSL's own server: it serves one client at a time, so this also
    /// shows the probe ends each check's handshakes.
    @Test func quickBatteryAgainstSServer() throws {
        let (server, port) = try Peers.sServer(["-nocert", "-psk", Tools.pskHex, "-psk_identity", Tools.pskIdentity])
        defer { server.signal(SIGTERM); _ = server.waitExitOrKill(timeout: 5) }
        let began = Date()
        let report = try Self.probe(port: port, Self.psk + ["--quick"])
        let took = Date().timeIntervalSince(began)
        #expect(report.verdicts.count == ProbeTests.checkCount, "\(report.output)")
        #expect(!report.verdicts.values.contains("fail") && !report.verdicts.values.contains("error"), "\(report.output)")
        for id in ["handshake", "wrong-finished", "out-of-order-handshake", "plaintext-alert-in-handshake", "resumption", "renegotiation"] {
            #expect(report.verdicts[id] == "pass", "\(id): \(report.output)")
        }
        #expect(report.verdicts["hvr-version"] == "differs")  // a hello in a DTLS 1.0 record is not answered
        #expect(report.verdicts["replay-window"] == "n/a")  // s_server does not echo
        // It caches sessions and issues tickets; it refuses client renegotiation (OpenSSL 3.0's default);
        // a hello from the port of its association goes unanswered.
        #expect(report.measured["resumption"]?["by"] as? String == "ticket", "\(report.output)")
        #expect(report.measured["renegotiation"]?["answer"] as? String == "no_renegotiation", "\(report.output)")
        #expect(report.verdicts["restart-same-port"] == "differs", "\(report.output)")
        #expect(report.measured["retransmit-on-duplicate"]?["finished_resend_ms"] != nil, "\(report.output)")
        #expect(report.measured["plaintext-alert-in-handshake"]?["answer"] as? String == "new-client", "\(report.output)")
        #expect(report.status == 0)
        #expect(took < 40, "the quick battery took \(took) s")
    }

    /// gnutls-serv reads only ClientHellos while it has no session (it peeks them): the whole battery
    /// running through shows the probe ends its handshakes without sending it anything else then.
    @Test func quickBatteryAgainstGnuTLSServ() throws {
        let (server, port) = try Peers.gnutlsServ(.psk)
        defer { Peers.end(server) }
        let began = Date()
        let report = try Self.probe(port: port, Self.psk + ["--quick"])
        let took = Date().timeIntervalSince(began)
        #expect(report.verdicts.count == ProbeTests.checkCount, "\(report.output)")
        #expect(!report.verdicts.values.contains("error"), "\(report.output)")
        for id in ["handshake", "cookie-exchange", "amplification", "cookie-bound-to-address", "cookie-garbage", "suites",
                   "replay-window", "bad-record-discard", "unknown-epoch-discard", "version-negotiation",
                   "out-of-order-handshake", "plaintext-alert-in-handshake", "resumption", "renegotiation"] {
            #expect(report.verdicts[id] == "pass", "\(id): \(report.output)")
        }
        // Where it differs from OpenSSL's s_server: a hello in a DTLS 1.0 record is answered, each fragment
        // of a hello is taken for a whole one (a new HelloVerifyRequest), resends wait 1 s then 3 s.
        #expect(report.verdicts["hvr-version"] == "pass", "\(report.output)")
        #expect(report.verdicts["fragment-reassembly"] == "fail", "\(report.output)")
        #expect(report.verdicts["close-notify"] == "differs", "\(report.output)")
        #expect(report.verdicts["retransmission-timer"] == "differs", "\(report.output)")
        let initial = try #require(report.measured["retransmission-timer"]?["initial_timeout_ms"] as? Double, "\(report.output)")
        #expect(abs(initial - 1000) < 300, "initial \(initial) ms")
        // It drops a wrong Finished and gives the handshake up without an alert; it accepts a client's
        // renegotiation; it answers neither a repeated ClientHello nor a repeated flight 5.
        #expect(report.verdicts["wrong-finished"] == "differs", "\(report.output)")
        #expect(report.measured["renegotiation"]?["answer"] as? String == "accepted", "\(report.output)")
        #expect(report.verdicts["restart-same-port"] == "differs", "\(report.output)")
        #expect(report.verdicts["retransmit-on-duplicate"] == "differs", "\(report.output)")
        #expect(report.measured["retransmit-on-duplicate"]?.isEmpty == true, "\(report.output)")
        #expect(report.measured["plaintext-alert-in-handshake"]?["answer"] as? String == "new-client", "\(report.output)")
        #expect(took < 50, "the quick battery took \(took) s")
    }

    /// The mbed TLS fixture (python-mbedtls), given one suite.
    @Test func quickBatteryAgainstMbedTLS() throws {
        // Its default 30 s lifetime would end it before the battery does (a later --lifetime wins).
        let (server, port) = try Peers.mbedtlsServer(["--psk", Peers.psk, "--ciphers", "TLS-PSK-WITH-AES-128-GCM-SHA256",
                                                      "--lifetime", "100"])
        defer { server.signal(SIGTERM); _ = server.waitExitOrKill(timeout: 5) }
        let began = Date()
        let report = try Self.probe(port: port, Self.psk + ["--quick"])
        let took = Date().timeIntervalSince(began)
        #expect(report.verdicts.count == ProbeTests.checkCount, "\(report.output)")
        #expect(!report.verdicts.values.contains("error"), "\(report.output)")
        #expect(report.measured["suites"]?["accepted"] as? String == "TLS_PSK_WITH_AES_128_GCM_SHA256", "\(report.output)")
        for id in ["handshake", "cookie-exchange", "amplification", "cookie-bound-to-address", "cookie-garbage", "suites",
                   "replay-window", "bad-record-discard", "unknown-epoch-discard", "version-negotiation", "retransmission-timer",
                   "wrong-finished", "out-of-order-handshake", "plaintext-alert-in-handshake"] {
            #expect(report.verdicts[id] == "pass", "\(id): \(report.output)")
        }
        // Where it differs from OpenSSL: the HelloVerifyRequest says DTLS 1.2, a DTLS 1.0 hello gets a
        // protocol_version alert, a fragmented hello goes unanswered, resends start after 0.5 s.
        #expect(report.verdicts["hvr-version"] == "differs", "\(report.output)")
        #expect(report.measured["version-negotiation"]?["dtls1_0"] as? String == "protocol_version alert", "\(report.output)")
        #expect(report.verdicts["fragment-reassembly"] == "fail", "\(report.output)")
        #expect(report.verdicts["close-notify"] == "differs", "\(report.output)")
        let initial = try #require(report.measured["retransmission-timer"]?["initial_timeout_ms"] as? Double, "\(report.output)")
        #expect(abs(initial - 500) < 200, "initial \(initial) ms")
        // It buffers every reordering of flight 5; it answers a repeated ClientHello with flight 4 again
        // (but not a repeated flight 5); it ignores a renegotiating hello, keeps no sessions, and does not
        // answer a hello from the port of a live association.
        for id in ["ccs_before_key_exchange", "finished_before_ccs", "message_seq_gap"] {
            #expect(report.measured["out-of-order-handshake"]?[id] as? String == "buffered", "\(id): \(report.output)")
        }
        #expect(report.verdicts["retransmit-on-duplicate"] == "differs", "\(report.output)")
        #expect(report.measured["retransmit-on-duplicate"]?["hello_resend_ms"] != nil, "\(report.output)")
        #expect(report.measured["plaintext-alert-in-handshake"]?["answer"] as? String == "new-client", "\(report.output)")
        #expect(report.measured["renegotiation"]?["answer"] as? String == "ignored", "\(report.output)")
        #expect(report.verdicts["resumption"] == "differs", "\(report.output)")
        #expect(report.verdicts["restart-same-port"] == "differs", "\(report.output)")
        #expect(took < 90, "the quick battery took \(took) s")
    }

    @Test func badUsageAndNoServerAreOneLineEach() throws {
        let unknown = try Subprocess(Tools.dtlsh, ["probe", "127.0.0.1:9", "--only", "nosuch"])
        #expect(unknown.waitExit() == 2)
        #expect(unknown.stderr.split(separator: "\n").count == 1 && unknown.stderr.contains("no check named 'nosuch'"))
        let nobody = try Subprocess(Tools.dtlsh, ["probe", "127.0.0.1:9"])
        #expect(nobody.waitExit() == 1)
        #expect(nobody.stderr.split(separator: "\n").count == 1 && nobody.stderr.contains("no answer from 127.0.0.1:9"))
        #expect(nobody.stdout.isEmpty)
    }
}
