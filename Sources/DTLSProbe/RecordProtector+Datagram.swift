import DTLSPlex
import DTLSWire

extension RecordProtector {
    /// `plaintext` in one record of `contentType`, protected with these keys, as a datagram of its own:
    /// what the probe sends as the client of an association it knows the keys of.
    func datagram(_ plaintext: [UInt8], contentType: UInt8, epoch: UInt16 = 1, sequence: UInt64) throws -> [UInt8] {
        let payload = try protect(plaintext, contentType: contentType, version: ProtocolVersion.dtls12, epoch: epoch, sequence: sequence)
        return try OutgoingRecord(contentType: contentType, epoch: epoch, sequence: sequence, payload: payload).encoded
    }

    /// An alert under these keys.
    func datagram(_ alert: Alert, sequence: UInt64) throws -> [UInt8] {
        try datagram(alert.encoded, contentType: ContentType.alert.rawValue, sequence: sequence)
    }
}
