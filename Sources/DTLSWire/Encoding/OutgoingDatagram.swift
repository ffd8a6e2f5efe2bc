/// One datagram to encode: records back to back, as DTLS packs a flight.
public struct OutgoingDatagram: Sendable, Equatable {
    /// The largest UDP payload over IPv4 (65,535 less the IP and UDP headers).
    public static let udpLimit = 65_507

    public var records: [OutgoingRecord]

    public init(_ records: [OutgoingRecord]) {
        self.records = records
    }

    public init(_ records: OutgoingRecord...) {
        self.records = records
    }

    /// The same records renumbered `first`, `first + 1`, …: records of one
    /// epoch carry consecutive sequence numbers, and a probe rarely cares which.
    public func numbered(from first: UInt64) -> OutgoingDatagram {
        var copy = self
        for i in copy.records.indices { copy.records[i].sequence = first &+ UInt64(i) }
        return copy
    }

    /// Every record encoded, in order. No records make an empty datagram,
    /// which is a thing one can send (and a peer must survive).
    public var encoded: [UInt8] {
        get throws(WireEncodingError) {
            var bytes: [UInt8] = []
            for record in records { bytes += try record.encoded }
            guard bytes.count <= Self.udpLimit else {
                throw .datagramTooLong(count: bytes.count, limit: Self.udpLimit)
            }
            return bytes
        }
    }
}
