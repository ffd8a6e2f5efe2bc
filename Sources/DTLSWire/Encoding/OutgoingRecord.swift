/// One DTLS record to encode: any content type, version, epoch and 48-bit
/// sequence number, around a payload taken as it is. The encoder's side of
/// `Record` / `DecodedRecord`; `encoded` is its bytes on the wire.
public struct OutgoingRecord: Sendable, Equatable {
    /// RFC 6347 §4.1 (TLSPlaintext): at most 2^14 bytes of content.
    public static let plaintextLimit = 1 << 14
    /// RFC 5246 §6.2.3 (TLSCiphertext): at most 2^14 + 2048, the cipher's share included.
    public static let protectedLimit = (1 << 14) + 2048
    public static let largestSequence: UInt64 = (1 << 48) - 1

    /// A `ContentType` raw value; any byte, so that unknown types can be sent too.
    public var contentType: UInt8
    public var version: UInt16
    public var epoch: UInt16
    public var sequence: UInt64
    /// The record's content as it goes on the wire. At epoch 0 it is
    /// plaintext; at epoch 1 and up the encoder does not encrypt: these bytes
    /// are sent as they are, which a peer takes for a record that fails its MAC.
    public var payload: [UInt8]

    public init(
        contentType: UInt8, version: UInt16 = ProtocolVersion.dtls12, epoch: UInt16 = 0, sequence: UInt64 = 0,
        payload: [UInt8]
    ) {
        self.contentType = contentType
        self.version = version
        self.epoch = epoch
        self.sequence = sequence
        self.payload = payload
    }

    public init(
        _ type: ContentType, version: UInt16 = ProtocolVersion.dtls12, epoch: UInt16 = 0, sequence: UInt64 = 0,
        payload: [UInt8]
    ) {
        self.init(contentType: type.rawValue, version: version, epoch: epoch, sequence: sequence, payload: payload)
    }

    /// A handshake record carrying these fragments back to back (several
    /// messages of a flight may share one record).
    public static func handshake(
        _ fragments: [OutgoingFragment], version: UInt16 = ProtocolVersion.dtls12, epoch: UInt16 = 0,
        sequence: UInt64 = 0
    ) -> OutgoingRecord {
        OutgoingRecord(.handshake, version: version, epoch: epoch, sequence: sequence,
                       payload: fragments.flatMap(\.encoded))
    }

    /// A plaintext alert record (epoch 0 unless told otherwise).
    public static func alert(
        _ alert: Alert, version: UInt16 = ProtocolVersion.dtls12, epoch: UInt16 = 0, sequence: UInt64 = 0
    ) -> OutgoingRecord {
        OutgoingRecord(.alert, version: version, epoch: epoch, sequence: sequence, payload: alert.encoded)
    }

    /// The one-byte ChangeCipherSpec message.
    public static func changeCipherSpec(
        version: UInt16 = ProtocolVersion.dtls12, epoch: UInt16 = 0, sequence: UInt64 = 0
    ) -> OutgoingRecord {
        OutgoingRecord(.changeCipherSpec, version: version, epoch: epoch, sequence: sequence, payload: [1])
    }

    /// The most payload this record may carry: plaintext at epoch 0, protected after.
    public var payloadLimit: Int { epoch == 0 ? Self.plaintextLimit : Self.protectedLimit }

    /// The 13-byte header this record will have.
    public var header: RecordHeader {
        RecordHeader(contentType: contentType, version: version, epoch: epoch, sequence: sequence,
                     length: UInt16(clamping: payload.count))
    }

    /// Header and payload, as they go on the wire.
    public var encoded: [UInt8] {
        get throws(WireEncodingError) {
            guard payload.count <= payloadLimit else {
                throw .payloadTooLong(count: payload.count, limit: payloadLimit)
            }
            guard sequence <= Self.largestSequence else { throw .sequenceOutOfRange(sequence) }
            var w = ByteWriter(capacity: RecordHeader.length + payload.count)
            w.u8(contentType)
            w.u16(version)
            w.u16(epoch)
            w.u48(sequence)
            w.u16(UInt16(payload.count))
            w.append(payload)
            return w.bytes
        }
    }
}
