import DTLSWire
import Testing

/// Flights read from the wire alone, as a relay sees them: real captured
/// handshakes between s_client and s_server.
@Suite struct FlightTrackerTests {
    /// Each datagram's flight and whether it was inferred, in capture order.
    static func flights(_ h: CapturedHandshake) -> [(flight: Int?, resend: Bool, inferred: Bool)] {
        var tracker = FlightTracker()
        return h.datagrams.map {
            let o = tracker.observe($0.bytes, fromClient: $0.direction == .clientToServer)
            return (o.flight, o.isResend, o.inferred)
        }
    }

    @Test func aPSKHandshakeIsSixFlightsThenData() {
        let seen = Self.flights(.psk12)
        // Flight 6 is two datagrams here: NewSessionTicket, then ChangeCipherSpec and Finished.
        #expect(seen.prefix(7).map(\.flight) == [1, 2, 3, 4, 5, 6, 6])
        #expect(seen.allSatisfy { !$0.resend })
        // What follows the handshake is application data and alerts: no flight.
        #expect(seen.dropFirst(7).allSatisfy { $0.flight == nil })
        var tracker = FlightTracker()
        for d in CapturedHandshake.psk12.datagrams.prefix(6) { _ = tracker.observe(d.bytes, fromClient: d.direction == .clientToServer) }
        #expect(!tracker.completedInferred)
        let last = CapturedHandshake.psk12.datagrams[6]
        _ = tracker.observe(last.bytes, fromClient: false)
        #expect(tracker.completedInferred)
    }

    @Test(arguments: CapturedHandshake.all.filter { $0.name != "nosharedcipher" })
    func everyFullHandshakeClimbsThroughTheFlightsInOrder(_ h: CapturedHandshake) {
        let numbers = Self.flights(h).compactMap(\.flight)
        #expect(numbers.first == 1)
        #expect(Set(numbers) == [1, 2, 3, 4, 5, 6], "\(h.name): \(numbers)")
        #expect(numbers == numbers.sorted(), "\(h.name): \(numbers)")
    }

    @Test func aDatagramSeenAgainIsAResendOfItsFlight() {
        let h = CapturedHandshake.psk12
        var tracker = FlightTracker()
        for d in h.datagrams.prefix(4) { _ = tracker.observe(d.bytes, fromClient: d.direction == .clientToServer) }
        let again = tracker.observe(h.datagrams[3].bytes, fromClient: false)
        #expect(again.flight == 4 && again.isResend)
        // A lost HelloVerifyRequest is never resent: the client's ClientHello comes again as flight 1.
        let hello = tracker.observe(h.datagrams[0].bytes, fromClient: true)
        #expect(hello.flight == 1 && hello.isResend)
        // Flight 5 and 6 again: ChangeCipherSpec and the encrypted Finished seen before.
        _ = tracker.observe(h.datagrams[4].bytes, fromClient: true)
        let five = tracker.observe(h.datagrams[4].bytes, fromClient: true)
        #expect(five.flight == 5 && five.isResend)
    }

    @Test func encryptedRecordsAreNamedNotRead() {
        let h = CapturedHandshake.psk12
        var tracker = FlightTracker()
        let five = h.datagrams[4]
        for d in h.datagrams.prefix(4) { _ = tracker.observe(d.bytes, fromClient: d.direction == .clientToServer) }
        let o = tracker.observe(five.bytes, fromClient: true)
        #expect(o.names == ["ClientKeyExchange", "ChangeCipherSpec", "encrypted Handshake (epoch 1)"])
        #expect(o.encrypted == 1)
    }

    @Test func whatIsNotDTLSIsNotClassified() {
        var tracker = FlightTracker()
        let o = tracker.observe(Array("not DTLS at all".utf8), fromClient: true)
        #expect(o.flight == nil && o.unclassifiable == "not DTLS records" && !o.isResend)
    }
}
