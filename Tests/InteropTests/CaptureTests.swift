import Foundation
import SubprocessSupport
import Testing

/// `--pcap`/`--keylog` and the shell's `capture`/`keylog`: tshark opens the
/// capture, decrypts it with the key log to exactly the plaintext sent, and
/// sees the handshake dtlsh reported in its `--json` events.
@Suite struct CaptureTests {
    static let secret = "secret message"

    @Test func serveAndConnectCapturesDecryptAndMatchTheEvents() throws {
        let dir = try Observe.directory("capture")
        defer { Observe.remove(dir) }
        let (aPcap, aKeys, bPcap, bKeys) = (dir + "/A.pcap", dir + "/A.keys", dir + "/B.pcap", dir + "/B.keys")
        let (server, port) = try Observe.serveJSON(["--echo", "--pcap", aPcap, "--keylog", aKeys])
        let client = try Subprocess(Tools.dtlsh, ["connect", "127.0.0.1:\(port)", "--json", "--keylog", bKeys,
                                                  "--pcap", bPcap, "--send", Self.secret, "--wait", "3"])
        #expect(client.waitExit(timeout: 10) == 0, "\(client.stderr)")
        #expect(server.waitFor("\"reason\":\"close_notify received\""), "\(server.stdout)")
        server.signal(SIGINT)
        #expect(server.waitExit() == 0)

        #expect(Observe.mode(aKeys) == 0o600)
        #expect(Observe.mode(bKeys) == 0o600)

        let fields = ["frame.number", "dtls.handshake.type", "data.data", "udp.checksum.status"]
        let serverEvents = Observe.objects(server.stdout)
        let clientEvents = Observe.objects(client.stdout)

        // The server's capture, decrypted with the server's key log and with the client's.
        let a = try Observe.fields(aPcap, port: port, keylog: aKeys, fields)
        #expect(Observe.plaintexts(a, column: 2) == [Self.secret, Self.secret], "tshark decrypted: \(a)")
        let aWithClientKeys = try Observe.fields(aPcap, port: port, keylog: bKeys, fields)
        #expect(Observe.plaintexts(aWithClientKeys, column: 2) == [Self.secret, Self.secret])
        #expect(a.allSatisfy { $0.count > 3 && $0[3] == "1" }, "bad UDP checksums: \(a)")

        // Frame by frame, the handshake messages tshark sees are those of
        // dtlsh's datagram_in/datagram_out events, in order.
        let tsharkServer = a.map { Observe.handshakeTypes($0[1]) }
        #expect(tsharkServer == Observe.handshakesPerDatagram(serverEvents))
        #expect(tsharkServer.flatMap { $0 } == ["ClientHello", "HelloVerifyRequest", "ClientHello", "ServerHello",
                                                 "Certificate", "ServerKeyExchange", "ServerHelloDone",
                                                 "ClientKeyExchange", "Finished", "Finished"])

        // The client's own capture, and its handshake_message events, which
        // name every message once, in wire order.
        let b = try Observe.fields(bPcap, port: port, keylog: bKeys, fields)
        #expect(Observe.plaintexts(b, column: 2) == [Self.secret, Self.secret])
        let tsharkClient = b.map { Observe.handshakeTypes($0[1]) }
        #expect(tsharkClient == Observe.handshakesPerDatagram(clientEvents))
        #expect(tsharkClient.flatMap { $0 } == clientEvents.filter { $0["event"] as? String == "handshake_message" }
                    .compactMap { $0["type"] as? String })
        #expect(b.count == clientEvents.filter { ["datagram_in", "datagram_out"].contains($0["event"] as? String) }.count)

        // On the server, handshake_message lacks the HelloVerifyRequest that
        // DTLSv1_listen wrote and names the cookie ClientHello twice (once
        // by the listener, once by the admitted peer).
        let serverMessages = serverEvents.filter { $0["event"] as? String == "handshake_message" }.compactMap { $0["type"] as? String }
        #expect(serverMessages == tsharkServer.flatMap { $0 })
    }

    /// The same from the shell: `capture` and `keylog` before the sockets, a
    /// handshake between two sockets of one shell, one message.
    @Test func shellCaptureAndKeylogDecrypt() throws {
        let dir = try Observe.directory("shell-capture")
        defer { Observe.remove(dir) }
        let (pcap, keys) = (dir + "/S.pcap", dir + "/S.keys")
        let p = try Subprocess(Tools.dtlsh, ["-c", "capture \(pcap); keylog \(keys); open srv accept; open cli; "
                                                + "connect c1 cli srv; handshake c1; send c1 \"\(Self.secret)\"; "
                                                + "wait until data srv.1 for 5s; read srv.1; capture off; keylog off"])
        #expect(p.waitExit(timeout: 15) == 0, "\(p.stdout)\(p.stderr)")
        #expect(p.stdout.contains("\n\(Self.secret)\n"))
        #expect(p.stdout.contains("(mode 0600)"))
        #expect(Observe.mode(keys) == 0o600)
        let port = try #require(Observe.listeningPort(p.stdout, socket: "srv"))

        let rows = try Observe.fields(pcap, port: port, keylog: keys,
                                      ["frame.number", "dtls.handshake.type", "data.data", "udp.srcport",
                                       "dtls.record.epoch", "dtls.record.sequence_number"])
        let plain = Observe.plaintexts(rows, column: 2)
        #expect(!plain.isEmpty && plain.allSatisfy { $0 == Self.secret }, "tshark decrypted: \(plain)")
        let types = Set(rows.flatMap { Observe.handshakeTypes($0[1]) })
        #expect(types.isSuperset(of: ["ClientHello", "HelloVerifyRequest", "ServerHello", "ServerHelloDone",
                                      "ClientKeyExchange", "Finished"]), "\(types)")

        // Both ends live in this one process, so every datagram is written
        // twice, once as it leaves cli and once as it reaches srv.
        let frameKeys = rows.map { "\($0[3])/\($0[4])/\($0[5])" }
        #expect(Set(frameKeys).count == frameKeys.count, "\(rows.count) frames, \(Set(frameKeys).count) distinct")
    }

    @Test func ipv6CaptureDecodes() throws {
        let dir = try Observe.directory("capture6")
        defer { Observe.remove(dir) }
        let (aPcap, aKeys, bPcap, bKeys) = (dir + "/A6.pcap", dir + "/A6.keys", dir + "/B6.pcap", dir + "/B6.keys")
        let (server, port) = try Observe.serveJSON(bind: "[::1]:0", ["--echo", "--pcap", aPcap, "--keylog", aKeys])
        let client = try Subprocess(Tools.dtlsh, ["connect", "[::1]:\(port)", "--keylog", bKeys, "--pcap", bPcap,
                                                  "--send", Self.secret, "--wait", "3"])
        #expect(client.waitExit(timeout: 10) == 0, "\(client.stderr)")
        #expect(client.stdout == Self.secret + "\n")
        #expect(server.waitFor("\"reason\":\"close_notify received\""))
        server.signal(SIGINT)
        #expect(server.waitExit() == 0)

        let fields = ["ipv6.src", "ipv6.dst", "dtls.handshake.type", "data.data", "udp.checksum.status"]
        let a = try Observe.fields(aPcap, port: port, keylog: aKeys, fields)
        #expect(a.count >= 8)
        #expect(a.allSatisfy { $0.count > 4 && $0[0] == "::1" && $0[1] == "::1" && $0[4] == "1" },
                "addresses or UDP checksums wrong: \(a)")
        #expect(Observe.plaintexts(a, column: 3) == [Self.secret, Self.secret])
        #expect(a.flatMap { Observe.handshakeTypes($0[2]) }.contains("Finished"))

        // The client's capture decrypts too, but `connect [::1]:P` binds [::]
        // and PcapWriter writes the bound address, so its frames read :: ↔ ::1.
        let b = try Observe.fields(bPcap, port: port, keylog: bKeys, fields)
        #expect(Observe.plaintexts(b, column: 3) == [Self.secret, Self.secret])
        #expect(b.allSatisfy { $0.count > 1 && $0[0] == "::1" && $0[1] == "::1" }, "\(b.map { "\($0[0]) → \($0[1])" })")
    }
}

/// Key logs hold secrets: created 0600 whatever the umask, and an existing
/// file that others can read, a symlink or a FIFO is refused.
@Suite struct KeyLogFileTests {
    /// dtlsh under `umask 000`, so only its own fchmod can make the file 0600.
    static func underOpenUmask(_ arguments: [String]) throws -> Subprocess {
        try Subprocess("/bin/sh", ["-c", "umask 000; exec \"$0\" \"$@\"", Tools.dtlsh] + arguments)
    }

    @Test func aNewKeyLogIsMode0600EvenUnderUmask000() throws {
        let dir = try Observe.directory("keylog-new")
        defer { Observe.remove(dir) }
        let (server, port) = try Observe.serveJSON(["--echo"])
        let keys = dir + "/new.keys"
        let client = try Self.underOpenUmask(["connect", "127.0.0.1:\(port)", "--keylog", keys, "--send", "x", "--wait", "3"])
        #expect(client.waitExit(timeout: 10) == 0, "\(client.stderr)")
        #expect(Observe.mode(keys) == 0o600)
        let text = try String(contentsOfFile: keys, encoding: .utf8)
        #expect(text.hasPrefix("CLIENT_RANDOM "), "\(text)")
        server.signal(SIGINT)
        server.waitExit()
    }

    @Test(arguments: ["serve", "connect"])
    func aWorldReadableKeyLogIsRefused(_ command: String) throws {
        let dir = try Observe.directory("keylog-open")
        defer { Observe.remove(dir) }
        let keys = dir + "/open.keys"
        try "keep me\n".write(toFile: keys, atomically: true, encoding: .utf8)
        chmod(keys, 0o644)
        let args = command == "serve" ? ["serve", "--bind", "127.0.0.1:0", "--keylog", keys]
                                      : ["connect", "127.0.0.1:\(Tools.freeUDPPort())", "--keylog", keys, "--handshake-timeout", "2"]
        let p = try Subprocess(Tools.dtlsh, args)
        let status = p.waitExit(timeout: 5)
        if status == nil { p.signal(SIGKILL) }
        let lines = p.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].hasPrefix("dtlsh: ") && p.stderr.contains("open.keys")
                    && p.stderr.contains("0600"), "\(p.stderr)")
        #expect(p.stdout.isEmpty, "\(p.stdout)")
        #expect(try String(contentsOfFile: keys, encoding: .utf8) == "keep me\n")
        #expect(Observe.mode(keys) == 0o644, "dtlsh changed the mode of a file it refused")
        // SPEC.md: errors in flags or files exit 2.
        #expect(status == 2)
    }

    @Test func theShellRefusesAnOpenKeyLogASymlinkAndAFIFO() throws {
        let dir = try Observe.directory("keylog-shell")
        defer { Observe.remove(dir) }
        let open = dir + "/open.keys", link = dir + "/link.keys", fifo = dir + "/fifo.keys"
        try "".write(toFile: open, atomically: true, encoding: .utf8)
        chmod(open, 0o604)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: dir + "/target.keys")
        #expect(mkfifo(fifo, 0o600) == 0)
        let p = try Subprocess(Tools.dtlsh, ["-c", "keylog \(open); keylog \(link); keylog \(fifo)"])
        #expect(p.waitExit(timeout: 10) == 1)
        #expect(p.stdout.contains("cannot write '\(open)': it exists with permissions wider than 0600"), "\(p.stdout)")
        #expect(p.stdout.contains("cannot write '\(link)': not a regular file"))
        #expect(p.stdout.contains("cannot write '\(fifo)': not a regular file"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/target.keys"), "followed the symlink")
    }
}
