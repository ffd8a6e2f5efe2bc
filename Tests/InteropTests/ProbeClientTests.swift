import DTLSPlex
import DTLSWire
import Foundation
import SubprocessSupport
import Testing

/// `dtlsh probe --listen` against real clients — `openssl s_client`, `gnutls-cli`, mbed TLS, tinydtls — started
/// once for each check the probe says waits, and ended (if the probe's close_notify has not ended them)
/// once its result is in. Each verdict is grounded in what a client did, and failing and differing ones
/// in clients that cause them.
@Suite struct ProbeClientTests {
    /// `dtlsh probe --listen 127.0.0.1:0 --json` and the port its first line says.
    static func listen(_ arguments: [String]) throws -> (Subprocess, Int) {
        let p = try Subprocess(Tools.dtlsh, ["probe", "--listen", "127.0.0.1:0", "--json"] + arguments)
        try #require(p.waitFor("\"listening\""), "the probe did not start: \(p.stderr)")
        let first = try #require(p.stdout.split(separator: "\n").first.flatMap(ProbeTests.jsonObject))
        let address = try #require((first["listening"] as? [String: Any])?["address"] as? String)
        let port = try #require(Int(address.split(separator: ":").last ?? ""))
        return (p, port)
    }

    /// Runs the probe with `arguments` and `client(port)` once per check it waits for (again, twice at most,
    /// if it ends before the probe says it connected): each check is given up to 30 s for its result.
    static func probe(_ arguments: [String], checks: Int, client: (Int) throws -> Subprocess) throws -> ProbeTests.Report {
        let (probe, port) = try listen(arguments)
        defer { _ = probe.waitExitOrKill(timeout: 1) }
        func count(_ key: String) -> Int {
            probe.stdout.split(separator: "\n").compactMap(ProbeTests.jsonObject).count { $0[key] != nil }
        }
        for n in 1...checks {
            guard probe.waitFor(timeout: 10, { _ in count("waiting") >= n || !probe.process.isRunning }),
                  count("waiting") >= n else { break }
            var c = try client(port)
            for _ in 0..<2 {
                probe.waitFor(timeout: 15) { _ in count("connected") >= n || count("check") >= n || !c.process.isRunning }
                guard count("connected") < n, count("check") < n, !c.process.isRunning else { break }
                // As a user would: a client that ended before the probe took its connection is run again.
                c = try client(port)
            }
            if !probe.waitFor(timeout: 30, { _ in count("check") >= n }) {
                Issue.record("no result for check \(n) within 30 s; its client said: \(c.stdout)\(c.stderr)\nthe probe: \(probe.stdout)\(probe.stderr)")
            }
            // The probe's close_notify ends a client that completed; one that did not is ended here.
            if c.process.isRunning { c.signal(SIGTERM) }
            _ = c.waitExitOrKill(timeout: 5)
        }
        let status = probe.waitExitOrKill(timeout: 10)
        return ProbeTests.Report(of: probe, status: status)
    }

    static let psk = ["--psk", "\(Tools.pskIdentity):\(Tools.pskHex)"]

    static func sClient(_ extra: [String]) -> (Int) throws -> Subprocess {
        { port in try OpenSSLInteropTests.sClient(port: port, extra) }
    }

    static func initial(_ report: ProbeTests.Report) -> Double? {
        report.measured["client-resend-timer"]?["initial_timeout_ms"] as? Double
    }

    static func backoff(_ report: ProbeTests.Report) -> Double? {
        report.measured["client-resend-timer"]?["backoff"] as? Double
    }

    /// The whole battery against s_client: every check passes; its timer starts at 1 s and doubles.
    @Test func sClientPSKPassesTheBattery() throws {
        let report = try Self.probe(Self.psk + ["--quick"], checks: 8, client: Self.sClient(OpenSSLInteropTests.pskArgs))
        #expect(report.verdicts.count == 8, "\(report.output)")
        for (id, verdict) in report.verdicts { #expect(verdict == "pass", "\(id): \(report.output)") }
        #expect(report.status == 0)
        let initial = try #require(Self.initial(report), "\(report.output)")
        #expect(abs(initial - 1000) < 250, "initial \(initial) ms")
        let backoff = try #require(Self.backoff(report))
        #expect((1.8...2.2).contains(backoff), "backoff \(backoff)")
        #expect(report.measured["client-wrong-finished"]?["alert"] as? String == "decrypt_error", "\(report.output)")
        #expect(report.measured["client-handshake"]?["suite"] as? String == "PSK-AES128-GCM-SHA256")
        // Each check timed from its connection to its verdict: the timer's waits out three resends.
        #expect(report.durations.count == 8 && report.durations.values.allSatisfy { $0 > 0 }, "\(report.durations)")
        #expect((report.durations["client-resend-timer"] ?? 0) > initial, "\(report.durations)")
    }

    /// gnutls-cli passes every check but the timer's: it waits 1 s, then 3 s (×3, where the RFC doubles).
    @Test func gnutlsCliPSKDiffersOnlyInItsTimer() throws {
        let report = try Self.probe(Self.psk + ["--quick"], checks: 8) { port in try Peers.gnutlsCli(port: port, .psk) }
        #expect(report.verdicts.count == 8, "\(report.output)")
        for (id, verdict) in report.verdicts where id != "client-resend-timer" {
            #expect(verdict == "pass", "\(id): \(report.output)")
        }
        #expect(report.verdicts["client-resend-timer"] == "differs", "\(report.output)")
        let initial = try #require(Self.initial(report), "\(report.output)")
        #expect(abs(initial - 1000) < 250, "initial \(initial) ms")
        let backoff = try #require(Self.backoff(report))
        #expect((2.7...3.3).contains(backoff), "backoff \(backoff)")
        #expect(report.measured["client-wrong-finished"]?["alert"] as? String == "decrypt_error", "\(report.output)")
        #expect(report.status == 0)
    }

    /// The mbed TLS client (the python-mbedtls fixture) ends the association with a fatal alert for a record
    /// that does not authenticate — allowed by RFC 6347 §4.1.2.7, not its SHOULD — and starts its timer
    /// at 0.5 s.
    @Test func mbedTLSClientAlertsOnABadTag() throws {
        let only = "client-resend-timer,client-bad-finished-tag,client-wrong-finished"
        let report = try Self.probe(Self.psk + ["--quick", "--only", only], checks: 3) { port in
            try Peers.mbedtlsClient(port: port, ["--psk", Peers.psk])
        }
        #expect(report.verdicts["client-bad-finished-tag"] == "differs", "\(report.output)")
        #expect(report.output.contains("fatal bad_record_mac alert"), "\(report.output)")
        #expect(report.verdicts["client-resend-timer"] == "differs", "\(report.output)")
        let initial = try #require(Self.initial(report), "\(report.output)")
        #expect(abs(initial - 500) < 150, "initial \(initial) ms")
        let backoff = try #require(Self.backoff(report))
        #expect((1.7...2.3).contains(backoff), "backoff \(backoff)")
        #expect(report.measured["client-wrong-finished"]?["alert"] as? String == "decrypt_error", "\(report.output)")
    }

    static let tinydtlsClient = Peers.fixture("tinydtls_client.py")

    /// The tinydtls client does not reassemble handshake messages: a fragmented flight 4 gets a fatal
    /// handshake_failure, where the whole one completes (PSK with AES-128-CCM-8, all it speaks).
    @Test func tinydtlsClientFailsAFragmentedFlight() throws {
        let python = try #require(Peers.tinydtlsPython, "python3 cannot import DTLSSocket: `make test-deps` installs dtlssocket")
        let report = try Self.probe(Self.psk + ["--only", "client-handshake,client-fragmented-flight"], checks: 2) { port in
            try Subprocess(python, [Self.tinydtlsClient, "\(port)", "--psk", Peers.psk, "--lifetime", "20"])
        }
        #expect(report.verdicts["client-handshake"] == "pass", "\(report.output)")
        #expect(report.measured["client-handshake"]?["suite"] as? String == "PSK-AES128-CCM8")
        #expect(report.verdicts["client-fragmented-flight"] == "fail", "\(report.output)")
        #expect(report.output.contains("fatal handshake_failure alert from the client"), "\(report.output)")
        #expect(report.status == 1)
    }

    /// With a certificate, flight 4 is big enough to cut into many fragments: s_client verifying the
    /// probe's certificate and gnutls-cli (--insecure) reassemble it.
    @Test func certificateClientsReassembleAFragmentedFlight() throws {
        let (cert, key) = try Tools.makeCertificate()
        let only = ["--cert", cert, "--key", key, "--only", "client-handshake,client-fragmented-flight,client-wrong-finished"]
        let openssl = try Self.probe(only, checks: 3, client: Self.sClient(["-CAfile", cert, "-verify_return_error"]))
        let gnutls = try Self.probe(only, checks: 3) { port in try Peers.gnutlsCli(port: port, .certificate) }
        for report in [openssl, gnutls] {
            #expect(report.verdicts == ["client-handshake": "pass", "client-fragmented-flight": "pass", "client-wrong-finished": "pass"],
                    "\(report.output)")
            let fragments = try #require(report.measured["client-fragmented-flight"]?["datagrams"] as? Double)
            #expect(fragments > 10, "the Certificate alone is several hundred bytes: \(report.output)")
            #expect((report.measured["client-handshake"]?["suite"] as? String)?.hasPrefix("ECDHE-ECDSA-") == true)
        }
    }

    /// A "client" that sends its hello again without the cookie each time it gets a HelloVerifyRequest:
    /// no handshake is ever admitted, and client-hvr fails once 10 s have passed.
    @Test func aClientIgnoringTheCookieFailsTheCookieCheck() throws {
        let (probe, port) = try Self.listen(Self.psk + ["--only", "client-hvr"])
        defer { _ = probe.waitExitOrKill(timeout: 1) }
        let socket = try UDPSocket(bind: SocketAddress(parsing: "127.0.0.1:0"))
        let server = try SocketAddress(parsing: "127.0.0.1:\(port)")
        let hello = try OutgoingClientHello().datagram()
        var requests = 0
        for _ in 0..<3 {
            _ = try socket.send(hello, to: server)
            var entry = pollfd(fd: socket.fileDescriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 2000) > 0 else { break }
            requests += try socket.receive().count { DatagramDecoder.decode($0.bytes).handshakeMessages.contains { $0.helloVerifyRequest != nil } }
        }
        #expect(requests == 3)
        let status = probe.waitExitOrKill(timeout: 15)
        let report = ProbeTests.Report(of: probe, status: status)
        #expect(report.verdicts["client-hvr"] == "fail", "\(report.output)")
        #expect(report.output.contains("sent 3 ClientHello(s) and none the server could admit (none returned the cookie)"), "\(report.output)")
        #expect(status == 1)
    }

    /// A client with the wrong key: the handshake check fails, and the exit status says so.
    @Test func aWrongPSKFailsTheHandshake() throws {
        let report = try Self.probe(Self.psk + ["--only", "client-handshake"], checks: 1,
                                    client: Self.sClient(["-psk", "ffeeddccbbaa99887766554433221100", "-psk_identity", Tools.pskIdentity]))
        #expect(report.verdicts["client-handshake"] == "fail", "\(report.output)")
        #expect(report.output.contains("a Finished that did not authenticate"), "\(report.output)")
        #expect(report.status == 1)
    }

    /// dtlsh's own client with a 300 ms timer: the measured initial timeout follows, and differs from the RFC's 1 s.
    @Test func aShortTimerDiffers() throws {
        let report = try Self.probe(Self.psk + ["--quick", "--only", "client-resend-timer"], checks: 1) { port in
            try Subprocess(Tools.dtlsh, ["connect", "127.0.0.1:\(port)", "--timer-initial", "300", "--handshake-timeout", "10"]
                           + Self.psk)
        }
        #expect(report.verdicts["client-resend-timer"] == "differs", "\(report.output)")
        let initial = try #require(Self.initial(report), "\(report.output)")
        #expect(abs(initial - 300) < 100, "initial \(initial) ms")
    }

    /// Two clients in turn from one fixed port (as CoAP's 5684): the second check sees only the second
    /// client's hellos, so its cookie exchange is judged on its own hello, not the first client's.
    @Test func clientsFromOneFixedPortAreServedApart() throws {
        let port = Tools.freeUDPPort()
        let report = try Self.probe(Self.psk + ["--only", "client-handshake,client-hvr"], checks: 2,
                                    client: Self.sClient(OpenSSLInteropTests.pskArgs + ["-bind", "127.0.0.1:\(port)"]))
        #expect(report.verdicts == ["client-handshake": "pass", "client-hvr": "pass"], "\(report.output)")
        #expect(report.measured["client-hvr"]?["hellos_without_cookie"] as? Double == 1, "\(report.output)")
        #expect(report.status == 0)
    }

    /// Clients that do not wait their turn: started together, each is served by one check in turn, and the
    /// one that came too early for the cookie exchange gets one with its next hello.
    @Test func clientsStartedTogetherAreServedInTurn() throws {
        let (probe, port) = try Self.listen(Self.psk + ["--only", "client-handshake,client-hvr"])
        defer { _ = probe.waitExitOrKill(timeout: 1) }
        let clients = try (0..<2).map { _ in try OpenSSLInteropTests.sClient(port: port, OpenSSLInteropTests.pskArgs) }
        let status = probe.waitExitOrKill(timeout: 30)
        for c in clients { _ = c.waitExitOrKill(timeout: 5) }
        let report = ProbeTests.Report(of: probe, status: status)
        #expect(report.verdicts == ["client-handshake": "pass", "client-hvr": "pass"], "\(report.output)")
        #expect(report.status == 0)
    }

    @Test func badUsageIsOneLine() throws {
        let both = try Subprocess(Tools.dtlsh, ["probe", "127.0.0.1:4433", "--listen", "127.0.0.1:0"])
        #expect(both.waitExit() == 2)
        #expect(both.stderr.split(separator: "\n").count == 1, "\(both.stderr)")
        let concurrent = try Subprocess(Tools.dtlsh, ["probe", "--listen", "127.0.0.1:0", "--concurrent"])
        #expect(concurrent.waitExit() == 2)
        #expect(concurrent.stderr.split(separator: "\n").count == 1 && concurrent.stderr.contains("--concurrent"), "\(concurrent.stderr)")
        // The port is taken by a probe that is listening on it.
        let (first, port) = try Self.listen([])
        defer { _ = first.waitExitOrKill(timeout: 0) }
        let taken = try Subprocess(Tools.dtlsh, ["probe", "--listen", "127.0.0.1:\(port)"])
        #expect(taken.waitExit() == 2)
        #expect(taken.stderr.split(separator: "\n").count == 1 && taken.stderr.contains("in use"), "\(taken.stderr)")
    }
}
