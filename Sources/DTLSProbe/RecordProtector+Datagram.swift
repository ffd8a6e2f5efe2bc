import DTLSPlex
import DTLSWire

extension RecordProtector {
    /// `plaintext` in one record of `contentType`, protected with these keys, as a datagram of its own:
    /// what the probe sends as the client of an association it knows the keys of.
    func datagram(_ plaintext: [UInt8], contentType: UInt8, epoch: UInt16 = 1, sequence: UInt64) throws -> [UInt8] {
        let payload = try protect(plaintext, contentType: contentType, version: ProtocolVersion.dtls12, epoch: epoch, sequence: sequence)
        return try OutgoingRecord(contentType: contentType, epoch: epoch, sequence: sequence, payload: payload).encoded
    }

    /// `record`, a protected Finished, opened with these keys, the first byte of its verify_data flipped,
    /// and protected again under the same header: authentic to the record layer, wrong to the handshake.
    func wrongFinished(_ record: OutgoingRecord) throws -> OutgoingRecord {
        let plain = try unprotect(record.payload, contentType: record.contentType, version: record.version,
                                  epoch: record.epoch, sequence: record.sequence)
        let opened = DatagramDecoder.decodePlaintext(plain, contentType: record.contentType, version: record.version,
                                                     epoch: record.epoch, sequence: record.sequence)
        guard case let .handshake(fragments) = opened.body, let fragment = fragments.first,
              var verifyData = fragment.message?.finished?.verifyData, !verifyData.isEmpty else {
            throw ProbeError("the protected handshake record is not a Finished")
        }
        verifyData[0] ^= 0xFF
        let message = try OutgoingHandshake(.finished, messageSeq: fragment.header.messageSeq, body: verifyData).whole.encoded
        var forged = record
        forged.payload = try protect(message, contentType: record.contentType, version: record.version,
                                     epoch: record.epoch, sequence: record.sequence)
        return forged
    }

    /// An alert under these keys.
    func datagram(_ alert: Alert, sequence: UInt64) throws -> [UInt8] {
        try datagram(alert.encoded, contentType: ContentType.alert.rawValue, sequence: sequence)
    }
}
