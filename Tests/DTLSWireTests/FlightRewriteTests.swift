import Testing
@testable import DTLSWire

/// Flights rewritten on their way out (the client probe's): the same messages, cut small or one record
/// per datagram, with record numbers a receiver's replay window still takes.
@Suite struct FlightRewriteTests {
    /// s_server's flight 4 (ServerHello … ServerHelloDone) and flight 6 (… ChangeCipherSpec, Finished).
    static let handshake = CapturedHandshake.cert12
    static var flight4: [[UInt8]] {
        let server = handshake.fromServer.map(\.bytes).dropFirst()  // after the HelloVerifyRequest
        let done = server.firstIndex { DatagramDecoder.decode($0).handshakeFragments.contains { $0.typeName == "ServerHelloDone" } }
        return Array(server[..<((done ?? server.startIndex) + 1)])
    }
    static var flight6: [[UInt8]] {
        handshake.fromServer.map(\.bytes).filter { DatagramDecoder.decode($0).records.contains { $0.header.epoch == 1 } }
    }

    static func messages(_ flight: [[UInt8]]) -> [HandshakeReassembler.Message] {
        var reassembler = HandshakeReassembler()
        return flight.flatMap { DatagramDecoder.decode($0).handshakeFragments }.compactMap { reassembler.add($0) }
    }

    static func sequences(_ flight: [[UInt8]]) -> [UInt64] {
        flight.flatMap { RecordLayer.split($0).records.map(\.header.sequence) }
    }

    @Test func aFragmentedFlightReassemblesToTheSameMessages() throws {
        let flight = Self.flight4
        try #require(Self.messages(flight).map(\.typeName).last == "ServerHelloDone")
        let (cut, added) = try FlightRewrite.fragmented(flight, maxLength: 32)
        #expect(cut.allSatisfy { $0.count <= RecordHeader.length + 12 + 32 })
        #expect(Self.messages(cut).map(\.body) == Self.messages(flight).map(\.body))
        #expect(Self.messages(cut).map(\.messageSeq) == Self.messages(flight).map(\.messageSeq))
        // Numbered on from the flight's first record, one more for every record added.
        let before = Self.sequences(flight)
        let after = Self.sequences(cut)
        #expect(after == Array(before[0]..<before[0] + UInt64(after.count)))
        #expect(added == after.count - before.count)
        #expect(added > 10)
    }

    @Test func oneRecordPerDatagramKeepsEveryRecord() throws {
        let flight = Self.flight4 + Self.flight6
        let split = try FlightRewrite.oneRecordPerDatagram(flight)
        #expect(split.allSatisfy { RecordLayer.split($0).records.count == 1 })
        #expect(split.flatMap { $0 } == flight.flatMap { $0 })
    }

    @Test func laterEpochZeroRecordsMoveUpAndProtectedOnesStay() throws {
        for datagram in Self.flight6 {
            let moved = try FlightRewrite.shiftingEpoch0(datagram, by: 7)
            for (old, new) in zip(RecordLayer.split(datagram).records, RecordLayer.split(moved).records) {
                #expect(new.header.sequence == old.header.sequence + (old.header.epoch == 0 ? 7 : 0))
                #expect(new.fragment == old.fragment)
            }
        }
    }

    @Test func aTamperedRecordDiffersInItsLastByteOnly() throws {
        let finished = try #require(Self.flight6.flatMap { RecordLayer.split($0).records }.first { $0.header.epoch == 1 })
        let record = OutgoingRecord(finished)
        #expect(record.isProtectedHandshake)
        let tampered = record.tampered
        #expect(tampered.payload.dropLast() == record.payload.dropLast())
        #expect(tampered.payload.last != record.payload.last)
        #expect(RecordLayer.split(try record.encoded).records.first?.fragment == finished.fragment)
    }
}
