import Foundation
import SubprocessSupport
import Testing

/// `dtlsh relay` between real peers on loopback: OpenSSL's s_client and
/// s_server, dtlsh connect and serve; flights dropped, loss, refusal.
@Suite struct RelayTests {
    @Test(arguments: [Peers.Mode.psk, .certificate])
    func sClientThroughTheRelayToSServer(_ mode: Peers.Mode) throws {
        let serverArgs: [String], clientArgs: [String]
        switch mode {
        case .psk:
            serverArgs = ["-nocert", "-cipher", "PSK-AES128-GCM-SHA256"] + OpenSSLInteropTests.pskArgs
            clientArgs = OpenSSLInteropTests.pskArgs
        case .certificate:
            let (cert, key) = try Tools.makeCertificate()
            serverArgs = ["-cert", cert, "-key", key]
            clientArgs = []
        }
        let (server, serverPort) = try Peers.sServer(serverArgs)
        defer { server.closeInput(); Peers.end(server) }
        let (relay, port) = try RelayRun.start(to: serverPort)
        let client = try OpenSSLInteropTests.sClient(port: port, clientArgs)
        #expect(client.waitFor("CONNECTION ESTABLISHED"), "\(client.stderr)")
        client.write("up through the relay\n")
        #expect(server.waitFor("up through the relay"), "\(server.stdout)\(server.stderr)")
        server.write("down through the relay\n")
        #expect(client.waitFor("down through the relay"), "\(client.stdout)")
        client.closeInput()
        client.waitExit()
        let events = RelayRun.stop(relay)
        #expect(RelayRun.events(events, "relay_leg_opened").count == 1)
        #expect(RelayRun.events(events, "relay_handshake_completed").count == 1)
        let totals = RelayRun.events(events, "relay_totals")
        #expect(totals.count == 1 && totals.first?["handshake_completed"] as? Bool == true, "\(totals)")
        // The flights, from the headers: 1 and 3 up (with the cookie exchange), 2 and 4 down.
        let flights = Set(RelayRun.events(events, "relay_datagram").compactMap { e -> String? in
            guard let f = e["flight"] as? Int, let d = e["direction"] as? String else { return nil }
            return "\(d)\(f)"
        })
        #expect(flights.isSuperset(of: ["up1", "down2", "up3", "down4", "up5", "down6"]), "\(flights)")
        #expect(RelayRun.events(events, "relay_datagram").contains { ($0["messages"] as? [String])?.contains { $0.hasPrefix("encrypted ApplicationData") } == true })
    }

    @Test func dtlshConnectThroughTheRelayToServeEcho() throws {
        let (server, serverPort) = try RelayRun.serveEcho()
        let (relay, port) = try RelayRun.start(to: serverPort)
        let client = try RelayRun.connect(port: port, send: "via the relay")
        #expect(client.waitExit(timeout: 15) == 0, "\(client.stderr)")
        #expect(client.stdout == "via the relay\n")
        let events = RelayRun.stop(relay)
        #expect(RelayRun.events(events, "relay_totals").first?["handshake_completed"] as? Bool == true)
        Peers.stop(server, handshakes: 1)
    }

    @Test func threeClientsAtOnceThroughOneListenSocket() throws {
        let (server, serverPort) = try RelayRun.serveEcho()
        let (relay, port) = try RelayRun.start(to: serverPort)
        let clients = try (1...3).map { try RelayRun.connect(port: port, send: "client \($0)") }
        for (i, c) in clients.enumerated() {
            #expect(c.waitExit(timeout: 15) == 0, "\(c.stderr)")
            #expect(c.stdout == "client \(i + 1)\n", "client \(i + 1) got: \(c.stdout)")
        }
        let events = RelayRun.stop(relay)
        let legs = RelayRun.events(events, "relay_leg_opened")
        #expect(legs.count == 3)
        // The server saw three sources, one per leg.
        #expect(Set(legs.compactMap { $0["via"] as? String }).count == 3)
        #expect(RelayRun.events(events, "relay_totals").filter { $0["handshake_completed"] as? Bool == true }.count == 3)
        Peers.stop(server, handshakes: 3)
    }

    /// The server's flight 4 is lost once: the server resends it, the handshake completes.
    @Test func dropFlightFourIsRecoveredByTheServer() throws {
        let (server, serverPort) = try RelayRun.serveEcho()
        let (relay, port) = try RelayRun.start(to: serverPort, ["--drop-flight", "4"])
        let client = try RelayRun.connect(port: port, send: "after a lost flight")
        #expect(client.waitExit(timeout: 20) == 0, "\(client.stderr)")
        #expect(client.stdout == "after a lost flight\n")
        let events = RelayRun.stop(relay)
        let four = RelayRun.events(events, "relay_datagram").filter { $0["flight"] as? Int == 4 }
        let dropped = four.filter { $0["action"] as? String == "dropped" }
        #expect(!dropped.isEmpty && dropped.allSatisfy { $0["resend"] as? Bool == false && $0["direction"] as? String == "down" })
        #expect((dropped.first?["recovery"] as? String)?.contains("the server resends flight 4") == true, "\(dropped)")
        #expect(four.contains { $0["action"] as? String == "forwarded" && $0["resend"] as? Bool == true }, "\(four)")
        #expect(RelayRun.events(events, "relay_totals").first?["handshake_completed"] as? Bool == true)
        // Every line matches docs/events.schema.json.
        let dir = try Observe.directory("relay-schema")
        defer { Observe.remove(dir) }
        let (valid, report) = try Observe.validate(relay.stdout.split(separator: "\n").map(String.init), in: dir)
        #expect(valid, "relay lines that do not match docs/events.schema.json:\n\(report)")
        Peers.stop(server, handshakes: 1)
    }

    /// Each other flight lost once: the side the event names recovers, and
    /// the handshake completes. A HelloVerifyRequest is never resent: the
    /// ClientHello (flight 1) comes again instead.
    @Test(arguments: [(1, 1, "the client resends its ClientHello"), (2, 1, "a HelloVerifyRequest is never resent"),
                      (3, 3, "the client resends flight 3"), (5, 5, "the client resends flight 5"),
                      (6, 6, "flight 6 is resent only when flight 5 comes again")])
    func everyFlightLostOnceIsRecovered(_ flight: Int, _ resent: Int, _ recovery: String) throws {
        let (server, serverPort) = try RelayRun.serveEcho()
        let (relay, port) = try RelayRun.start(to: serverPort, ["--drop-flight", "\(flight)"])
        let client = try RelayRun.connect(port: port, send: "flight \(flight) lost")
        #expect(client.waitExit(timeout: 20) == 0, "\(client.stderr)")
        #expect(client.stdout == "flight \(flight) lost\n")
        let events = RelayRun.stop(relay)
        let datagrams = RelayRun.events(events, "relay_datagram")
        let dropped = datagrams.filter { $0["action"] as? String == "dropped" }
        #expect(!dropped.isEmpty && dropped.allSatisfy { $0["flight"] as? Int == flight })
        #expect((dropped.first?["recovery"] as? String)?.hasPrefix(recovery) == true, "\(dropped)")
        #expect(datagrams.contains { $0["flight"] as? Int == resent && $0["resend"] as? Bool == true
                    && $0["action"] as? String == "forwarded" })
        // Completion is inferred from what got through, after the resend.
        let completed = try #require(RelayRun.events(events, "relay_handshake_completed").first?["t"] as? Double)
        let lost = try #require(dropped.first?["t"] as? Double)
        #expect(completed > lost)
        Peers.stop(server, handshakes: 1)
    }

    /// 30 % loss each way, seeded: how many of 20 handshakes of `dtlsh connect`
    /// (a 100 ms first timer, 10 s to finish) complete through the relay.
    @Test func thirtyPercentLossOverTwentyHandshakes() throws {
        let (server, serverPort) = try RelayRun.serveEcho(["--timer-initial", "100"])
        let (relay, port) = try RelayRun.start(to: serverPort, ["--drop", "30", "--seed", "7"])
        var completed = 0
        for batch in 0..<4 {
            let clients = try (0..<5).map { i in
                try RelayRun.connect(port: port, send: "lossy \(batch * 5 + i)", ["--timer-initial", "100"])
            }
            for c in clients where c.waitExit(timeout: 30) == 0 { completed += 1 }
        }
        let events = RelayRun.stop(relay)
        let dropped = RelayRun.events(events, "relay_datagram").filter { $0["action"] as? String == "dropped" }.count
        let all = RelayRun.events(events, "relay_datagram").count
        print("relay --drop 30 --seed 7: \(completed) of 20 handshakes completed; \(dropped) of \(all) datagrams dropped")
        #expect(completed >= 15, "only \(completed) of 20 completed")
        #expect(dropped > 0)
        server.signal(SIGINT)
        server.waitExit()
    }

    @Test func anUpstreamThatRefusesShowsOnTheLeg() throws {
        let nobody = Tools.freeUDPPort()
        let relay = try Subprocess(Tools.dtlsh, ["relay", "--listen", "127.0.0.1:0", "--to", "127.0.0.1:\(nobody)"])
        #expect(relay.waitFor("listening on"))
        let line = try #require(relay.stdout.split(separator: "\n").first)
        let port = try #require(Int(line.split(separator: ",").first?.split(separator: ":").last ?? ""))
        let client = try Subprocess(Tools.dtlsh, ["connect", "127.0.0.1:\(port)", "--handshake-timeout", "1.5",
                                                  "--timer-initial", "200"])
        #expect(client.waitExit(timeout: 10) == 1)
        #expect(relay.waitFor("relay.1: upstream unreachable"), "\(relay.stdout)")
        relay.signal(SIGTERM)
        #expect(relay.waitExit() == 0)
        #expect(relay.stdout.contains("relay.1 totals: client 127.0.0.1:"), "\(relay.stdout)")
    }

    @Test func aListenPortInUseIsOneLineAndExitTwo() throws {
        let (first, port) = try RelayRun.start(to: 9)
        let second = try Subprocess(Tools.dtlsh, ["relay", "--listen", "127.0.0.1:\(port)", "--to", "127.0.0.1:9"])
        #expect(second.waitExit() == 2)
        let lines = second.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains("Address already in use"), "\(second.stderr)")
        _ = RelayRun.stop(first)
    }

    @Test(arguments: [
        ["--drop-flight", "7"], ["--drop-flight", "4,x"], ["--drop", "150"], ["--jitter", "-1"],
        ["--mtu", "20"], ["--max-clients", "0"], ["--trace", "loud"],
    ])
    func badFlagsExitTwoWithOneLine(_ extra: [String]) throws {
        let p = try Subprocess(Tools.dtlsh, ["relay", "--listen", "127.0.0.1:0", "--to", "127.0.0.1:9"] + extra)
        #expect(p.waitExit() == 2)
        let lines = p.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines.first?.hasPrefix("dtlsh: ") == true, "\(p.stderr)")
    }
}
