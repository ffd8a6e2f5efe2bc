import Foundation
import SubprocessSupport
import Testing

/// Every `--json` line dtlsh prints in real sessions matches
/// docs/events.schema.json, and every event SPEC.md names really occurs.
@Suite struct EventSchemaTests {
    /// The events SPEC.md promises under `--json`.
    static let specEvents = [
        "socket_opened", "datagram_in", "datagram_out", "record", "handshake_message", "state",
        "cookie_sent", "cookie_ok", "cookie_bad", "established", "app_data", "alert", "timer",
        "retransmit", "peer_created", "peer_evicted", "peer_closed", "error", "dropped",
    ]

    static let psk = "\(Tools.pskIdentity):\(Tools.pskHex)"

    /// One `serve --json` and four kinds of client at once: a good one that
    /// sends and gets an echo, one with a PSK identity the server does not know
    /// (alert, error), a ClientHello with a forged cookie (cookie_bad), and
    /// garbage (dropped); plus a `connect --json` to a port where nobody
    /// answers (timer, retransmit, peer_evicted).
    @Test func realSessionsMatchTheSchemaAndCoverEveryEvent() throws {
        let dir = try Observe.directory("schema")
        defer { Observe.remove(dir) }
        let (server, port) = try Observe.serveJSON(["--psk", Self.psk, "--echo"])

        let silentPort = Tools.freeUDPPort()
        let silent = try Subprocess(Tools.dtlsh, ["connect", "127.0.0.1:\(silentPort)", "--json",
                                                  "--handshake-timeout", "0.6", "--timer-initial", "100"])
        let good = try Subprocess(Tools.dtlsh, ["connect", "127.0.0.1:\(port)", "--json", "--psk", Self.psk,
                                                "--send", "schema check", "--wait", "3"])
        let stranger = try Subprocess(Tools.dtlsh, ["connect", "127.0.0.1:\(port)", "--json",
                                                    "--psk", "stranger:\(Tools.pskHex)", "--handshake-timeout", "5"])
        Observe.sendUDP(Observe.clientHelloWithForgedCookie(), toPort: port)
        Observe.sendUDP(Array("not DTLS at all".utf8), toPort: port)

        #expect(good.waitExit(timeout: 10) == 0, "good client: \(good.stderr)")
        #expect(stranger.waitExit(timeout: 10) == 1, "stranger: \(stranger.stderr)")
        #expect(silent.waitExit(timeout: 10) == 1, "silent: \(silent.stderr)")
        #expect(server.waitFor(timeout: 10) {
            $0.contains("\"event\":\"cookie_bad\"") && $0.contains("\"event\":\"dropped\"")
                && $0.contains("\"reason\":\"close_notify received\"")
        }, "serve saw: \(server.stdout)")
        server.signal(SIGINT)
        #expect(server.waitExit() == 0)

        let runs = [("serve", server), ("connect (good)", good), ("connect (unknown identity)", stranger),
                    ("connect (nobody answers)", silent)]
        for (name, p) in runs where p !== server {
            #expect(p.stderr.isEmpty, "\(name) with --json wrote to stderr: \(p.stderr)")
        }
        let lines = runs.flatMap { $0.1.stdout.split(separator: "\n").map(String.init) }
        let (valid, report) = try Observe.validate(lines, in: dir)
        #expect(valid, "lines that do not match docs/events.schema.json:\n\(report)")

        let objects = runs.flatMap { Observe.objects($0.1.stdout) }
        let seen = Set(objects.compactMap { $0["event"] as? String })
        for name in Self.specEvents {
            #expect(seen.contains(name), "no \(name) event in any run")
        }
        #expect(Observe.objects(server.stdout).last?["event"] as? String == "totals", "serve --json ends with totals")

        // What each run is about, checked on the events themselves.
        let goodEvents = Observe.objects(good.stdout)
        #expect(goodEvents.contains { $0["event"] as? String == "app_data" && $0["direction"] as? String == "in"
                    && $0["text"] as? String == "schema check" && $0["hex"] as? String == "736368656d6120636865636b" })
        let strangerEvents = Observe.objects(stranger.stdout)
        #expect(strangerEvents.contains { $0["event"] as? String == "alert" && $0["level"] as? String == "fatal"
                    && $0["description"] as? String == "unknown PSK identity" })
        #expect(strangerEvents.contains { $0["event"] as? String == "error"
                    && ($0["queue"] as? [[String: Any]])?.first?["reason"] as? String == "tlsv1 alert unknown psk identity" })
        let silentEvents = Observe.objects(silent.stdout)
        #expect(silentEvents.filter { $0["event"] as? String == "retransmit" }.count >= 2)
        #expect(silentEvents.last?["event"] as? String == "peer_evicted")

        // socket_closed is in the schema but serve and connect never emit it:
        // closeAll() closes peers and flushes but never calls closeSocket().
        #expect(seen.contains("socket_closed"))
    }

    /// A failed handshake's `error` or `peer_evicted` carries the diagnosis the
    /// text line gives: `connect --json` with another PSK than s_server's (its
    /// Finished refused), `serve --json` and a DTLS 1.0 s_client (version).
    @Test func failuresCarryTheirDiagnosis() throws {
        let dir = try Observe.directory("schema-diagnosis")
        defer { Observe.remove(dir) }
        let (s, sPort) = try Peers.sServer(["-nocert", "-cipher", "PSK-AES128-GCM-SHA256"] + OpenSSLInteropTests.pskArgs)
        defer { s.closeInput(); _ = s.waitExitOrKill(timeout: 1) }
        let client = try Subprocess(Tools.dtlsh, ["connect", "127.0.0.1:\(sPort)", "--json", "--psk", DiagnosisTests.wrongKey])
        let (server, port) = try Observe.serveJSON(["--psk", Self.psk])
        let old = try Subprocess("/usr/bin/openssl", ["s_client", "-dtls1", "-connect", "127.0.0.1:\(port)", "-no_ign_eof",
                                                      "-cipher", "PSK-AES128-CBC-SHA"] + OpenSSLInteropTests.pskArgs)
        defer { old.closeInput(); _ = old.waitExitOrKill(timeout: 5) }
        #expect(server.waitFor(timeout: 10) { $0.contains("\"event\":\"error\"") }, "\(server.stdout)")
        server.signal(SIGINT)
        #expect(server.waitExit() == 0)
        #expect(client.waitExit(timeout: 15) == 1, "\(client.stdout)\(client.stderr)")

        let lines = (client.stdout + server.stdout).split(separator: "\n").map(String.init)
        let (valid, report) = try Observe.validate(lines, in: dir)
        #expect(valid, "lines that do not match docs/events.schema.json:\n\(report)")
        let refused = Observe.objects(client.stdout).first { $0["event"] as? String == "peer_evicted" }
        #expect(refused?["reason"] as? String == "handshake refused", "\(client.stdout)")
        let psk = refused?["diagnosis"] as? [String: Any]
        #expect(psk?["cause"] as? String == "psk_key", "\(client.stdout)")
        #expect(psk?["text"] as? String == "a PSK mismatch: both sides use the identity \"\(Tools.pskIdentity)\" but not the same key")
        #expect((psk?["fix"] as? String)?.hasPrefix("--psk IDENTITY:HEX") == true)
        let error = Observe.objects(server.stdout).first { $0["event"] as? String == "error" }
        let version = error?["diagnosis"] as? [String: Any]
        #expect(version?["cause"] as? String == "version", "\(server.stdout)")
        #expect((version?["text"] as? String)?.hasPrefix("a version mismatch: the client offered DTLS 1.0") == true, "\(server.stdout)")
        #expect((version?["fix"] as? String)?.hasPrefix("--dtls1_0 or --any-version") == true)
    }

    /// The schema is not vacuous: wrong lines are rejected.
    @Test func theSchemaRejectsMalformedLines() throws {
        let dir = try Observe.directory("schema-bad")
        defer { Observe.remove(dir) }
        let bad = [
            #"{"t":0.1,"event":"no_such_event","socket":"srv","peer":null}"#,
            #"{"t":0.1,"event":"record","socket":"srv","peer":null}"#,
            #"{"t":0.1,"event":"timer","socket":"cli","peer":"c1","seconds":1,"extra":true}"#,
            #"{"t":-1,"event":"socket_closed","socket":"srv","peer":null}"#,
            #"{"t":0.1,"event":"app_data","socket":"cli","peer":null,"direction":"in","size":1,"text":"a","hex":"61"}"#,
            #"{"t":0.1,"event":"app_data","socket":"cli","peer":"c1","direction":"up","size":1,"text":"a","hex":"61"}"#,
            #"{"t":0.1,"event":"app_data","socket":"cli","peer":"c1","direction":"in","size":1,"text":"a","hex":"6G"}"#,
            #"{"t":0.1,"event":"socket_opened","socket":"srv","peer":null,"address":"localhost","accepting":true}"#,
            #"{"t":0.1,"event":"record","socket":"s","peer":null,"direction":"in","content_type":"Handshake","epoch":70000,"sequence":0,"length":1}"#,
            #"{"t":0.1,"event":"alert","socket":"s","peer":"p","direction":"in","level":"loud","description":"x"}"#,
            #"{"t":0.1,"event":"error","socket":"s","peer":"p","operation":"SSL_read","ssl_error":null,"queue":[{"library":"x"}]}"#,
            #"{"t":0.1,"event":"totals","peers_created":1}"#,
            #"{"t":NaN,"event":"socket_closed","socket":"srv","peer":null}"#,
            #"{"t":0.1,"event":"relay_datagram","relay":"relay","leg":"relay.1","direction":"in","action":"forwarded","bytes":1,"flight":null,"resend":false,"inferred":false,"messages":[],"encrypted":0,"unclassifiable":null,"reason":null,"recovery":null}"#,
            #"{"t":0.1,"event":"relay_datagram","relay":"relay","leg":"relay.1","direction":"up","action":"forwarded","bytes":1,"flight":7,"resend":false,"inferred":false,"messages":[],"encrypted":0,"unclassifiable":null,"reason":null,"recovery":null}"#,
            #"{"t":0.1,"event":"relay_totals","relay":"relay","leg":"relay.1","client":"127.0.0.1:1","up":1}"#,
        ]
        let (ok, report) = try Observe.validate(bad, expectValid: false, in: dir)
        #expect(ok, "the schema accepted lines it should reject:\n\(report)")
    }

    /// SPEC.md: every subcommand takes --json. The shell declares the flag
    /// (ShellCommand.json) and ignores it, so a lossy shell session cannot be
    /// observed as JSON yet. (`auto on` comes before `connect`: a peer made
    /// while auto is off is never started by a later `auto on`.)
    @Test func shellJSON() throws {
        let p = try Subprocess(Tools.dtlsh, ["--json", "-c",
                                             "set loss 40; set seed 3; set timer-initial 100; auto on; open srv accept; open cli; "
                                             + "connect c1 cli srv; wait until established c1 for 8s; close c1; close srv"])
        #expect(p.waitExit(timeout: 15) == 0, "\(p.stdout)\(p.stderr)")
        let lines = p.stdout.split(separator: "\n")
        let allJSON = !lines.isEmpty && lines.allSatisfy { $0.hasPrefix("{") }
        let socketClosed = p.stdout.contains("\"event\":\"socket_closed\"")
        #expect(allJSON, "first lines: \(lines.prefix(3).joined(separator: " | "))")
        #expect(socketClosed)
        if allJSON {
            let dir = try Observe.directory("shell-json")
            defer { Observe.remove(dir) }
            let (valid, report) = try Observe.validate(lines.map(String.init), in: dir)
            #expect(valid, "shell --json lines that do not match docs/events.schema.json:\n\(report)")
            // Seed 3 loses datagrams in the handshake: the loss and the recovery show.
            let seen = Set(Observe.objects(p.stdout).compactMap { $0["event"] as? String })
            #expect(seen.isSuperset(of: ["dropped", "retransmit", "established", "peer_closed", "socket_closed"]), "\(seen)")
        }
    }
}
