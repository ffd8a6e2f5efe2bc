import DTLSPlex
import DTLSShell
import Glibc
import Testing

/// `ladder`: one arrow per datagram, in every state the sample sessions reach.
@Suite struct LadderTests {
    /// The rows that carry an arrow (`+` starts one in ASCII).
    static func arrows(_ lines: [String]) -> [String] {
        lines.filter { $0.contains("+-") || $0.contains("-+") || $0.contains("+.") || $0.contains(".+") }
    }

    @Test func nothingBeforeTheFirstDatagram() {
        let t = Transcript()
        #expect(t.ok("ladder") == ["nothing has crossed the wire yet (step a client peer, then flush it)"])
        t.twoSockets()
        t.ok("step c1")
        #expect(t.ok("ladder").first?.hasPrefix("nothing has crossed the wire yet") == true, "written is not sent")
        #expect(t.ok("ladder c1") == ["nothing has crossed the wire between c1's two ends yet"])
    }

    @Test func everyFlightOfTheFirstHandshakeOnce() {
        let t = Transcript()
        t.twoSockets(["set psk client:00112233445566778899aabbccddeeff"])
        t.ok("step c1")
        t.ok("flush c1")
        var out = t.ok("ladder")
        #expect(out.first == "ladder: 2 endpoints, 1 datagram")
        #expect(out[1].contains("cli") && out[1].contains("srv"), "the client, which spoke first, on the left: \(out[1])")
        #expect(Self.arrows(out) == [Self.arrows(out)[0]])
        #expect(out.last?.contains("+....") == true && out.last?.contains(">|") == true, "dashed while in flight")
        #expect(out.last?.contains("flight 1  ClientHello (177 B)  ... in flight: recv srv") == true)
        t.waitReadable("srv")
        t.ok("recv srv")
        out = t.ok("ladder")
        #expect(Self.arrows(out).count == 1, "the datagram_out and the datagram_in are one arrow")
        #expect(out.last?.contains("+--------------------->|") == true || out.last?.contains("+-") == true)
        #expect(out.last?.contains("in flight") == false)

        t.deliver("srv", to: "cli")
        t.ok("step c1")
        t.deliver("c1", to: "srv")
        t.throughFlight5()
        t.deliver("srv.1", to: "cli")
        t.ok("step c1")
        t.ok("expect state c1 established")
        out = t.ok("ladder")
        let rows = Self.arrows(out)
        #expect(rows.count == 6)
        let expected = ["flight 1  ClientHello (177 B)", "flight 2  HelloVerifyRequest (60 B)",
                        "flight 3  ClientHello with cookie (209 B)", "flight 4  ServerHello, ServerHelloDone (99 B)",
                        "flight 5  ClientKeyExchange, ChangeCipherSpec, Finished (108 B)",
                        "flight 6  ChangeCipherSpec, Finished (75 B)"]
        for (row, text) in zip(rows, expected) {
            #expect(row.hasSuffix(text), "\(row)")
        }
        // Client flights point right from the client's lifeline, server flights left.
        for (i, row) in rows.enumerated() {
            let rightwards = row.firstIndex(of: "+")! < row.firstIndex(where: { $0 == ">" || $0 == "<" })!
            #expect(rightwards == (i % 2 == 0), "\(row)")
        }
        #expect(t.ok("ladder c1") .dropFirst() == out.dropFirst(), "c1's two ends are the whole picture here")
        #expect(t.ok("ladder srv.1").first == "ladder: srv.1, between cli and srv, 6 datagrams")

        t.ok("send c1 hello")
        t.deliver("c1", to: "srv")
        #expect(t.ok("ladder").last?.hasSuffix("          ApplicationData (42 B)") == true, "data has no flight")
    }

    @Test func boxDrawingWhenTheLocaleSpeaksUTF8() {
        let t = Transcript()
        t.shell.unicode = true
        t.twoSockets()
        t.ok("step c1")
        t.deliver("c1", to: "srv")
        t.ok("flush srv")
        let out = t.ok("ladder")
        #expect(out.contains { $0.contains("├") && $0.contains("▶│") && $0.contains("flight 1") })
        #expect(out.contains { $0.contains("│◀╌") && $0.contains("┤") && $0.contains("flight 2") && $0.contains("… in flight: recv cli") })
        #expect(LocaleCharset.isUTF8(["LANG": "en_GB.UTF-8"]))
        #expect(LocaleCharset.isUTF8(["LC_CTYPE": "C.utf8", "LANG": "C"]))
        #expect(!LocaleCharset.isUTF8(["LC_ALL": "C", "LANG": "en_US.UTF-8"]), "LC_ALL wins")
        #expect(!LocaleCharset.isUTF8([:]))
    }

    @Test func aDroppedFlightAndItsRetransmission() {
        let t = Transcript()
        t.twoSockets(["set timer-initial 100"])
        t.throughFlight3()
        t.ok("step srv.1")
        t.ok("drop srv.1 out all")
        var out = t.ok("ladder")
        let lost = Self.arrows(out).last ?? ""
        #expect(lost.contains("x--") && lost.hasSuffix("flight 4  ServerHello, ServerHelloDone (99 B)  x lost: dropped by hand"), "\(lost)")
        #expect(!lost.contains("<"), "a lost datagram never reaches the receiver's lifeline")

        t.ok("tick c1")
        t.deliver("c1", to: "srv")
        t.ok("step srv.1")  // a repeated ClientHello: OpenSSL 3.0 resends nothing for it
        t.ok("tick srv.1")  // srv.1's own timer resends flight 4
        t.deliver("srv.1", to: "cli")
        out = t.ok("ladder")
        #expect(out.contains { $0.hasSuffix("c1: retransmission timer expired, last flight resent (1)") })
        let rows = Self.arrows(out)
        #expect(rows.count == 7, "\(rows)")
        guard rows.count == 7 else { return }
        #expect(rows[4].hasSuffix("flight 3  ClientHello with cookie (209 B)  retransmission"), "\(rows[4])")
        #expect(rows[5].hasSuffix("flight 4  ServerHello (74 B)  retransmission"), "resent one message a datagram: \(rows[5])")
        #expect(rows[6].hasSuffix("flight 4  ServerHelloDone (25 B)  retransmission"))
        #expect(!rows[2].contains("retransmission"), "the first flight 3 was new")
        t.ok("ladder srv.1")
    }

    @Test func lossGarbageAndInboundDropsAreMarked() throws {
        let t = Transcript()
        t.twoSockets(["set timer-initial 100"])
        t.ok("set loss 100")
        t.ok("step c1")
        t.ok("flush c1")
        var row = Self.arrows(t.ok("ladder")).last ?? ""
        #expect(row.contains("x") && row.hasSuffix("flight 1  ClientHello (177 B)  x lost: impairment: loss"), "\(row)")
        t.ok("set loss 0")

        // A datagram that arrived and was dropped from the inbound queue by hand.
        t.ok("tick c1")
        t.deliver("c1", to: "srv")
        t.deliver("srv", to: "cli")
        t.ok("drop c1 in all")
        row = Self.arrows(t.ok("ladder")).last ?? ""
        #expect(row.contains("|x-") && row.hasSuffix("x discarded: dropped by hand from c1's inbound queue"), "\(row)")

        // Garbage from outside the shell: a third column, and discarded on arrival.
        let raw = try UDPSocket(bind: try SocketAddress(parsing: "127.0.0.1:0"))
        try raw.send([0x01, 0x02, 0x03], to: try #require(t.shell.engine.socket(named: "srv")).localAddress)
        t.waitReadable("srv")
        t.ok("recv srv")
        let out = t.ok("ladder")
        #expect(out.first == "ladder: 3 endpoints, 4 datagrams")
        #expect(out[1].contains("remote"))
        row = Self.arrows(out).last ?? ""
        #expect(row.hasSuffix("not DTLS (3 B)  x discarded: unknown source and not an initial ClientHello"), "\(row)")
    }

    @Test func keepsTheLast500Rows() throws {
        let t = Transcript()
        t.ok("open srv accept")
        let srv = try #require(t.shell.engine.socket(named: "srv")).localAddress
        let raw = try UDPSocket(bind: try SocketAddress(parsing: "127.0.0.1:0"))
        for _ in 0..<6 {
            for i in 0..<100 { try raw.send([UInt8(i)], to: srv) }
            t.waitReadable("srv")
            // A moment for the whole batch to land in the receive buffer.
            usleep(20_000)
            t.ok("recv srv")
        }
        let out = t.ok("ladder")
        let total = t.shell.engine.statistics.datagramsIn
        #expect(total > 500)
        #expect(out.first == "ladder: 2 endpoints, 500 datagrams")
        #expect(out[1] == "(only the last 500 rows are kept: \(total - 500) older ones are not shown)")
    }

    @Test func inTheCommandTable() {
        let t = Transcript()
        t.ok("open srv accept")
        t.ok("open cli")
        t.ok("connect c1 cli srv")
        let help = t.ok("help ladder")
        #expect(help.first == "usage: ladder [PEER]")
        #expect(help.contains("  example: ladder c1"))
        #expect(t.ok("help").contains { $0.hasPrefix("  ladder [PEER]") })
        #expect(Completer(shell: t.shell).candidates("ladder ") == ["c1"])
        t.fails("ladder nobody", "no peer named 'nobody'")
        t.fails("ladder c1 c2", "usage: ladder [PEER]")
    }
}
