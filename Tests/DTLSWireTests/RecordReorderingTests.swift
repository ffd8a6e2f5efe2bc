import DTLSWire
import Testing

/// `RecordReordering`: a datagram's records in another order, each unchanged.
@Suite struct RecordReorderingTests {
    /// Flight 5's shape: a handshake record, ChangeCipherSpec, an epoch-1 record.
    static let flight5 = OutgoingDatagram(
        OutgoingRecord(.handshake, sequence: 2, payload: [16, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0]),
        .changeCipherSpec(sequence: 3),
        OutgoingRecord(.handshake, epoch: 1, sequence: 0, payload: Array(repeating: 0xab, count: 40)))

    @Test func theFinishedGoesAheadOfItsChangeCipherSpec() throws {
        let bytes = try Self.flight5.encoded
        let swapped = try RecordReordering.swapping(bytes, 1, 2)
        #expect(swapped.count == bytes.count)
        let records = RecordLayer.split(swapped).records
        #expect(records.map(\.header.epoch) == [0, 1, 0])
        #expect(records.map(\.header.contentType) == [22, 22, 20])
        let original = RecordLayer.split(bytes).records
        #expect(Array(records[1].fragment) == Array(original[2].fragment))
        #expect(try RecordReordering.swapping(swapped, 1, 2) == bytes)
    }

    @Test func whatCannotBeReorderedSaysWhy() throws {
        let bytes = try Self.flight5.encoded
        #expect(throws: RecordReordering.Failure.noSuchRecord(4, count: 3)) { try RecordReordering.swapping(bytes, 0, 3) }
        #expect(throws: RecordReordering.Failure.sameRecord) { try RecordReordering.swapping(bytes, 1, 1) }
        #expect(throws: RecordReordering.Failure.self) { try RecordReordering.swapping(bytes + [1, 2], 0, 1) }
        let one = try OutgoingDatagram(.changeCipherSpec()).encoded
        #expect((try? RecordReordering.swapping(one, 0, 1)) == nil)
        #expect("\(RecordReordering.Failure.noSuchRecord(2, count: 1))" == "the datagram holds one record: nothing to swap it with")
    }
}
