/// Decodes DTLS 1.0/1.2 datagrams into records, handshake messages, alerts and
/// field trees. Total: whatever the bytes, it returns, reporting what it could
/// not read as `DecodeNote`s; it allocates only in proportion to the bytes given.
public enum DatagramDecoder {
    /// Decodes one datagram.
    ///
    /// - Parameter keyExchange: the negotiated key exchange, when the caller
    ///   knows it (e.g. `CipherSuite.keyExchange(suite)`). Without it, a
    ///   ServerHello earlier in the same datagram decides, and failing that the
    ///   key-exchange messages are decoded by trying the likely layouts; the
    ///   field tree says which of the three happened.
    public static func decode(_ bytes: [UInt8], keyExchange: KeyExchangeKind? = nil) -> DecodedDatagram {
        let split = RecordLayer.split(bytes)
        var context = MessageContext(version: ProtocolVersion.dtls12, keyExchange: keyExchange)
        var records: [DecodedRecord] = []
        var notes: [DecodeNote] = []
        for record in split.records {
            let decoded = decodeRecord(record, in: bytes, context: &context)
            records.append(decoded)
            notes += decoded.notes
        }
        var fields = records.map(\.field)
        var trailing: DecodedDatagram.Trailing?
        if let rest = split.trailing {
            trailing = .init(offset: rest.offset, count: rest.count, reason: rest.reason)
            notes.append(DecodeNote(offset: rest.offset, message: "\(rest.count) trailing byte(s): \(rest.reason)"))
            fields.append(Field(name: "trailing", value: "\(rest.count)B: \(rest.reason)",
                                byteRange: rest.offset..<rest.offset + rest.count))
        }
        return DecodedDatagram(length: bytes.count, records: records, trailing: trailing, notes: notes,
                               fields: fields)
    }

    /// Decodes the plaintext content of one record that the caller decrypted
    /// (OpenSSL's message callback, a key log): this is how a Finished or a
    /// close_notify becomes readable. Offsets and byte ranges index `content`.
    public static func decodePlaintext(
        _ content: [UInt8], contentType: UInt8, version: UInt16 = ProtocolVersion.dtls12, epoch: UInt16 = 1,
        sequence: UInt64 = 0, keyExchange: KeyExchangeKind? = nil
    ) -> DecodedRecord {
        let header = RecordHeader(contentType: contentType, version: version, epoch: epoch, sequence: sequence,
                                  length: UInt16(clamping: content.count))
        var context = MessageContext(version: version, keyExchange: keyExchange)
        var r = FieldReader(ByteReader(content))
        let body = decodeBody(header: header, &r, plaintext: true, context: &context)
        let field = Field(name: "record", value: "\(ContentType.name(contentType)) (decrypted) len=\(content.count)",
                          children: r.fields, byteRange: 0..<content.count)
        return DecodedRecord(header: header, offset: 0, body: body, notes: r.notes, field: field)
    }

    // MARK: - Records

    private static func decodeRecord(_ record: Record, in bytes: [UInt8], context: inout MessageContext)
        -> DecodedRecord
    {
        let header = record.header
        let end = record.offset + RecordHeader.length + Int(header.length)
        var r = FieldReader(ByteReader(bytes, from: record.offset, to: end))
        // RecordLayer.split has already checked these 13 bytes are present.
        _ = r.u8("content_type", { "\(ContentType.name($0)) (\($0))" })
        _ = r.u16("version", ProtocolVersion.describe)
        _ = r.u16("epoch")
        _ = r.u48("sequence_number")
        _ = r.u16("length")
        if !ProtocolVersion.isDTLS(header.version) && header.version != 0x0100 {
            r.note("record version \(Hex.u16(header.version)) is not a DTLS version", at: record.offset + 1)
        }
        context.version = header.version
        let body = decodeBody(header: header, &r, plaintext: header.epoch == 0, context: &context)
        let value = "\(ContentType.name(header.contentType)) epoch=\(header.epoch) seq=\(header.sequence) "
            + "len=\(header.length)"
        let field = Field(name: "record", value: value, children: r.fields, byteRange: record.offset..<end)
        return DecodedRecord(header: header, offset: record.offset, body: body, notes: r.notes, field: field)
    }

    /// Decodes what follows a record header; `r` covers exactly the record body.
    private static func decodeBody(
        header: RecordHeader, _ r: inout FieldReader, plaintext: Bool, context: inout MessageContext
    ) -> RecordBody {
        guard plaintext else {
            let encrypted = EncryptedRecord(contentType: header.contentType, epoch: header.epoch, length: r.remaining)
            _ = r.rest("encrypted_content", { "\($0.count)B, \(encrypted.likelyContent)" })
            return .encrypted(encrypted)
        }
        switch ContentType(rawValue: header.contentType) {
        case .handshake:
            if r.isAtEnd { r.note("empty handshake record") }
            return .handshake(HandshakeFragment.readAll(&r, context: &context))
        case .changeCipherSpec:
            guard let value = r.u8("type", { $0 == 1 ? "change_cipher_spec (1)" : String($0) }) else {
                return .opaque(length: 0)
            }
            if value != 1 { r.note("ChangeCipherSpec value \(value), expected 1", at: r.offset - 1) }
            r.expectEnd("ChangeCipherSpec")
            return .changeCipherSpec
        case .alert:
            let length = r.remaining
            guard let level = r.u8("level", { "\(AlertLevel.name($0)) (\($0))" }),
                  let description = r.u8("description", { "\(AlertDescription.name($0)) (\($0))" })
            else { return .opaque(length: length) }
            r.expectEnd("Alert")
            return .alert(Alert(level: level, description: description))
        case .applicationData:
            let data = r.rest("data", { "\($0.count)B \(PrintableText.quoted($0, limit: 32))" })
            return .applicationData(length: data.count)
        case .heartbeat, nil:
            return .opaque(length: r.rest("data").count)
        }
    }
}
