import DTLSPlex
import DTLSWire
import Testing

/// What the probe asks of a client peer beyond a handshake: its keys while its flight 5 is still held,
/// and a ClientHello that asks for a ticket only when told to.
@Suite struct SessionTests {
    @Test func aHeldFlight5AlreadyHasTheAssociationsKeys() throws {
        let (server, client, _, cli, c1, _) = try serverWaitingForFlight5()
        #expect(c1.sessionSecrets() == nil)
        // Flight 4 in, flight 5 written and held in the queue.
        #expect(client.waitReadable(cli, timeout: 2))
        client.receive(cli)
        client.step(c1)
        #expect(c1.status == .handshaking)
        #expect(!c1.outboundQueue.isEmpty)
        let held = try #require(c1.sessionSecrets())
        client.flush(c1)
        client.settings.auto = true
        client.resumeAll()
        #expect(runAll([server, client]) { c1.status == .established })
        let final = try #require(c1.sessionSecrets())
        #expect(held.masterSecret == final.masterSecret)
        #expect(held.clientRandom == final.clientRandom && held.serverRandom == final.serverRandom)
        #expect(!c1.resumedSession)
        #expect(c1.ownFinishedVerifyData.count == 12)
    }

    @Test(arguments: [false, true])
    func aTicketIsAskedForOnlyWhenTold(tickets: Bool) throws {
        var settings = pskSettings(auto: false)
        settings.tls.sessionTickets = tickets
        let client = Engine(settings: settings)
        let cli = try client.openSocket(name: "cli", bind: loopback, accepting: false)
        let c1 = try client.connect(name: "c1", socket: cli, to: try SocketAddress(parsing: "127.0.0.1:9"))
        client.step(c1)
        let datagram = try #require(c1.outboundQueue.first)
        let hello = try #require(DatagramDecoder.decode(datagram).handshakeFragments.first?.message?.clientHello)
        #expect(hello.extensions.contains { $0.type == ExtensionType.sessionTicket } == tickets)
    }
}
