/// A flight a DTLS stack wrote, rewritten on its way out the way a network or another sender may deliver
/// it — cut into small fragments (RFC 6347 §4.2.3), one record per datagram to be reordered, a record
/// changed — so that what the receiver makes of it can be seen. The records keep their bytes unless a
/// rewrite says otherwise; bytes after a datagram's last whole record are not carried over.
public enum FlightRewrite {
    /// Each record of the flight in a datagram of its own, in order.
    public static func oneRecordPerDatagram(_ flight: [[UInt8]]) throws -> [[UInt8]] {
        try flight.flatMap { datagram in
            try RecordLayer.split(datagram).records.map { try OutgoingRecord($0).encoded }
        }
    }

    /// Every epoch-0 handshake message cut into fragments of at most `maxLength` bytes, each in a record
    /// and a datagram of its own; other records stay whole, in datagrams of their own. The epoch-0 records
    /// are numbered on from the flight's first one, so `added` says how many more there are than before:
    /// the sender's later epoch-0 records must move up by as many (`shiftingEpoch0`), or the receiver's
    /// replay window takes them for copies.
    public static func fragmented(_ flight: [[UInt8]], maxLength: Int) throws -> (datagrams: [[UInt8]], added: Int) {
        guard maxLength > 0 else { throw WireEncodingError.fragmentSizeNotPositive(maxLength) }
        var out: [[UInt8]] = []
        var next: UInt64?
        var before = 0, after = 0
        for datagram in flight {
            let records = RecordLayer.split(datagram).records
            let decoded = DatagramDecoder.decode(datagram).records
            for (record, decodedRecord) in zip(records, decoded) {
                var kept = OutgoingRecord(record)
                guard record.header.epoch == 0 else {
                    out.append(try kept.encoded)
                    continue
                }
                before += 1
                var sequence = next ?? record.header.sequence
                defer { next = sequence }
                guard case let .handshake(fragments) = decodedRecord.body, !fragments.isEmpty else {
                    kept.sequence = sequence
                    sequence += 1
                    after += 1
                    out.append(try kept.encoded)
                    continue
                }
                for fragment in fragments {
                    for piece in try pieces(of: fragment, maxLength: maxLength) {
                        let record = OutgoingRecord.handshake([piece], version: record.header.version, sequence: sequence)
                        sequence += 1
                        after += 1
                        out.append(try record.encoded)
                    }
                }
            }
        }
        return (out, after - before)
    }

    /// A fragment as it stands (a whole message, or a piece of one) cut into pieces of at most `maxLength`
    /// bytes, each saying where it lies in the whole message.
    private static func pieces(of fragment: HandshakeFragment, maxLength: Int) throws -> [OutgoingFragment] {
        let offset = Int(fragment.header.fragmentOffset)
        let length = Int(fragment.header.length)
        guard fragment.body.count == Int(fragment.header.fragmentLength), offset + fragment.body.count <= length else {
            throw WireEncodingError.fragmentOutsideMessage(offset: offset, length: fragment.body.count, messageLength: length)
        }
        // Only this fragment's bytes are known: the message is laid out around them, and only pieces
        // within them are cut.
        var body = [UInt8](repeating: 0, count: length)
        body.replaceSubrange(offset..<offset + fragment.body.count, with: fragment.body)
        let message = OutgoingHandshake(type: fragment.header.type, messageSeq: fragment.header.messageSeq, body: body)
        let end = offset + fragment.body.count
        guard end > offset else { return [try message.fragment(offset: offset, length: 0)] }
        let ranges = stride(from: offset, to: end, by: maxLength).map { $0..<min($0 + maxLength, end) }
        return try message.fragments(ranges)
    }

    /// The datagram with its epoch-0 records' sequence numbers moved up by `shift`.
    public static func shiftingEpoch0(_ datagram: [UInt8], by shift: UInt64) throws -> [UInt8] {
        try mapRecords(datagram) { record in
            var moved = record
            if record.epoch == 0 { moved.sequence += shift }
            return moved
        }
    }

    /// The datagram with each of its records passed through `change`.
    public static func mapRecords(_ datagram: [UInt8], _ change: (OutgoingRecord) throws -> OutgoingRecord) throws -> [UInt8] {
        try OutgoingDatagram(RecordLayer.split(datagram).records.map { try change(OutgoingRecord($0)) }).encoded
    }
}

extension OutgoingRecord {
    /// A record split from a datagram (`RecordLayer.split`), to send again as it was or changed.
    public init(_ record: Record) {
        self.init(contentType: record.header.contentType, version: record.header.version, epoch: record.header.epoch,
                  sequence: record.header.sequence, payload: Array(record.fragment))
    }

    /// The same record with the last byte of its payload flipped: in a protected record that is the AEAD
    /// tag or the CBC padding, so it no longer verifies.
    public var tampered: OutgoingRecord {
        var copy = self
        if let last = copy.payload.indices.last { copy.payload[last] ^= 0x01 }
        return copy
    }

    public var isProtectedHandshake: Bool { epoch > 0 && contentType == ContentType.handshake.rawValue }
}
