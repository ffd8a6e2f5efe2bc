import DTLSPlex
import Testing

/// `Engine.messageHandler` sees each message as OpenSSL decrypts it — what
/// `serve --echo` answers from, without copying the message.
@Suite struct MessageHandlerTests {
    @Test func aHandlerAnswersAndConsumes() throws {
        let (server, client, _, _, c1, s1) = try establishedPair()
        server.messageHandler = { engine, p, message in
            try? engine.send(p, message)
            return true
        }
        for m in ["one", "two", "three"] { try client.send(c1, Array(m.utf8)) }
        var got: [String] = []
        #expect(runAll([server, client]) {
            got += client.read(c1).map { String(decoding: $0, as: UTF8.self) }
            return got.count == 3
        })
        #expect(Set(got) == ["one", "two", "three"])
        #expect(server.read(s1).isEmpty, "consumed by the handler, not queued for read")
        #expect(s1.counters.messagesIn == 3 && s1.counters.messagesOut == 3)
    }

    @Test func aHandlerThatDeclinesLeavesTheMessageForRead() throws {
        let (server, client, _, _, c1, s1) = try establishedPair()
        server.messageHandler = { _, _, _ in false }
        try client.send(c1, Array("keep me".utf8))
        var got: [[UInt8]] = []
        #expect(runAll([server, client]) {
            got += server.read(s1)
            return !got.isEmpty
        })
        #expect(got == [Array("keep me".utf8)])
    }

    @Test func aHandlerMayCloseThePeer() throws {
        let (server, client, _, _, c1, s1) = try establishedPair()
        server.messageHandler = { engine, p, _ in
            engine.close(p)
            return true
        }
        try client.send(c1, Array("first".utf8))
        try client.send(c1, Array("second".utf8))
        #expect(runAll([server, client]) { c1.status == .closed })
        #expect(s1.status == .closed)
        #expect(s1.counters.messagesIn >= 1)
    }
}
