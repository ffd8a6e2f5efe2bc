/// Why a datagram from a known peer's address cannot hold records that peer
/// sent. OpenSSL 3.0 answers some impossible records with a fatal alert
/// instead of discarding them (RFC 6347 §4.1.2.7), so one forged datagram
/// would end the association: the engine asks before OpenSSL sees the bytes.
public enum ImplausibleRecord: Sendable, Equatable {
    /// A truncated header, or a length past the datagram's end or past the
    /// largest record OpenSSL takes. Of a record it will not take, OpenSSL
    /// skips only the 13-byte header and reads the body as further records,
    /// where anything could hide: the datagram must be whole records.
    case notWholeRecords
    /// A content type DTLS 1.2 does not have (heartbeat included).
    case contentType
    /// Another version than the association's (or, before one is agreed, not
    /// DTLS 1.0 or 1.2). An alert only has to say it is DTLS.
    case version
    /// Epoch 1 and up, shorter than the cipher's explicit nonce and tag.
    case protectedTooShort

    /// The drop reason, as the engine counts and reports it.
    public var reason: String {
        switch self {
        case .notWholeRecords: "not a whole number of DTLS records"
        case .contentType: "not a DTLS 1.2 record type"
        case .version: "record version is not the association's"
        case .protectedTooShort: "protected record shorter than the cipher's overhead"
        }
    }
}

extension RecordLayer {
    /// 16,384 bytes of plaintext and the largest overhead OpenSSL allows.
    @inlinable public static var largestPlausibleRecordLength: Int { 16_384 + 320 }

    /// The first reason the datagram's records cannot be the association's,
    /// or nil when every record is plausible. Reads in place; no allocation.
    ///
    /// - Parameters:
    ///   - associationVersion: the negotiated version once established (records
    ///     must carry it), nil before.
    ///   - minimumProtectedLength: the fewest bytes a protected record can
    ///     hold under the cipher in force.
    @inlinable
    public static func implausibleRecord(
        in d: UnsafeRawBufferPointer, associationVersion: UInt16?, minimumProtectedLength: Int
    ) -> ImplausibleRecord? {
        // Only the type, version, epoch and length are read, in place (the
        // header's offsets, as `RecordHeader(in:at:)` reads them, without its
        // sequence number): every datagram from a known peer passes here.
        var i = 0
        // Each pass consumes at least a 13-byte header or returns.
        while i < d.count {
            guard d.count - i >= RecordHeader.length else { return .notWholeRecords }
            let length = Int(d.wireU16(at: i + 11))
            guard length <= largestPlausibleRecordLength, d.count - i - RecordHeader.length >= length else {
                return .notWholeRecords
            }
            let contentType = d[i]
            guard ContentType.isDTLS12(contentType) else { return .contentType }
            let version = d.wireU16(at: i + 1)
            let versionOK: Bool
            if contentType == ContentType.alert.rawValue {
                versionOK = ProtocolVersion.isDTLS(version)
            } else if let associationVersion {
                versionOK = version == associationVersion
            } else {
                versionOK = version == ProtocolVersion.dtls12 || version == ProtocolVersion.dtls10
            }
            guard versionOK else { return .version }
            let protected = d.wireU16(at: i + 3) != 0  // the epoch
            if protected && length < minimumProtectedLength { return .protectedTooShort }
            i += RecordHeader.length + length
        }
        return nil
    }
}
