import Foundation
import SubprocessSupport
import Testing

/// udp_proxy's finer tools on `dtlsh relay`, between `dtlsh connect` and `dtlsh serve --echo`.
@Suite struct RelayToolTests {
    static func datagrams(_ events: [Observe.Object], _ action: String) -> [Observe.Object] {
        RelayRun.events(events, "relay_datagram").filter { $0["action"] as? String == action }
    }

    @Test func dropMessageFinishedIsRecovered() throws {
        let (server, serverPort) = try RelayRun.serveEcho()
        let (relay, port) = try RelayRun.start(to: serverPort, ["--drop-message", "Finished"])
        let client = try RelayRun.connect(port: port, send: "finished twice")
        #expect(client.waitExit(timeout: 20) == 0, "\(client.stderr)")
        #expect(client.stdout == "finished twice\n")
        let events = RelayRun.stop(relay)
        let dropped = Self.datagrams(events, "dropped")
        #expect(dropped.count == 1 && dropped.first?["reason"] as? String == "--drop-message Finished:1", "\(dropped)")
        #expect(dropped.first?["flight"] as? Int == 5 && dropped.first?["direction"] as? String == "up")
        Peers.stop(server, handshakes: 1)
    }

    /// --protect-hvr wins over --drop-flight 2: the HelloVerifyRequest goes through, nothing is dropped.
    @Test func protectHVRWinsOverDropFlightTwo() throws {
        let (server, serverPort) = try RelayRun.serveEcho()
        let (relay, port) = try RelayRun.start(to: serverPort, ["--drop-flight", "2", "--protect-hvr"])
        let client = try RelayRun.connect(port: port, send: "cookie kept")
        #expect(client.waitExit(timeout: 15) == 0, "\(client.stderr)")
        let events = RelayRun.stop(relay)
        let two = RelayRun.events(events, "relay_datagram").filter { $0["flight"] as? Int == 2 }
        #expect(two.count == 1 && two.first?["action"] as? String == "forwarded", "\(two)")
        #expect(Self.datagrams(events, "dropped").isEmpty)
        Peers.stop(server, handshakes: 1)
    }

    @Test func corruptAppFlipsAByteTheServerDiscards() throws {
        let (server, serverPort) = try RelayRun.serveEcho()
        let (relay, port) = try RelayRun.start(to: serverPort, ["--corrupt-app", "100"])
        let client = try RelayRun.connect(port: port, send: "never arrives whole")
        #expect(client.waitExit(timeout: 15) == 0, "\(client.stderr)")
        #expect(client.stdout.isEmpty, "an echo came back: \(client.stdout)")
        let events = RelayRun.stop(relay)
        let edited = Self.datagrams(events, "edited")
        #expect(edited.count == 1 && edited.first?["direction"] as? String == "up", "\(edited)")
        #expect(RelayRun.events(events, "relay_totals").first?["edited"] as? Int == 1)
        #expect(!server.stdout.contains("never arrives whole"))
        server.signal(SIGINT)
        server.waitExit()
    }

    @Test func anIPMTUDropsLargerDatagramsAndSaysSo() throws {
        let (server, serverPort) = try OpenSSLInteropTests.serve([])  // a certificate: flight 4 is large
        let (relay, port) = try RelayRun.start(to: serverPort, ["--mtu", "400"])
        let client = try Subprocess(Tools.dtlsh, ["connect", "127.0.0.1:\(port)", "--handshake-timeout", "2"])
        client.waitExit(timeout: 10)
        let events = RelayRun.stop(relay)
        let dropped = Self.datagrams(events, "dropped")
        #expect(!dropped.isEmpty && dropped.allSatisfy {
            ($0["bytes"] as? Int ?? 0) > 372 && ($0["reason"] as? String)?.contains("payload limit of 372 B (--mtu 400)") == true
        }, "\(dropped)")
        server.signal(SIGINT)
        server.waitExit()
    }

    @Test func delayMessageHoldsThatMessage() throws {
        let (server, serverPort) = try RelayRun.serveEcho()
        let (relay, port) = try RelayRun.start(to: serverPort, ["--delay-message", "HelloVerifyRequest:300"])
        let client = try RelayRun.connect(port: port, send: "late cookie")
        #expect(client.waitExit(timeout: 15) == 0, "\(client.stderr)")
        let events = RelayRun.stop(relay)
        let delayed = Self.datagrams(events, "delayed")
        #expect(delayed.count == 1 && delayed.first?["flight"] as? Int == 2 && delayed.first?["reason"] as? String == "delayed 300 ms",
                "\(delayed)")
        Peers.stop(server, handshakes: 1)
    }

    /// dtlsh serve resends flight 4 as two datagrams; with --pack the client gets them as one.
    @Test func packSendsAResentFlightAsOneDatagram() throws {
        let (server, serverPort) = try RelayRun.serveEcho()
        let (relay, port) = try RelayRun.start(to: serverPort, ["--drop-flight", "4", "--pack"])
        let client = try RelayRun.connect(port: port, send: "packed", ["--json"])
        #expect(client.waitExit(timeout: 20) == 0, "\(client.stderr)")
        _ = RelayRun.stop(relay)
        let arrived = Observe.objects(client.stdout).filter { $0["event"] as? String == "datagram_in" }
            .map { (($0["records"] as? [[String: Any]]) ?? []).compactMap { $0["handshake"] as? String } }
        #expect(arrived.contains(["ServerHello", "ServerHelloDone"]), "\(arrived)")
        #expect(!arrived.contains(["ServerHello"]), "\(arrived)")
        Peers.stop(server, handshakes: 1)
    }

    @Test(arguments: [["--drop-message", "Hello"], ["--drop-message", "Finished:0"], ["--delay-message", "Finished"],
                      ["--corrupt-app", "101"]])
    func badToolFlagsExitTwo(_ extra: [String]) throws {
        let p = try Subprocess(Tools.dtlsh, ["relay", "--listen", "127.0.0.1:0", "--to", "127.0.0.1:9"] + extra)
        #expect(p.waitExit() == 2)
        #expect(p.stderr.split(separator: "\n").count == 1, "\(p.stderr)")
    }
}
