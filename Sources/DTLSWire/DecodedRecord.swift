/// One record: its header, what its body turned out to be, and the field tree.
public struct DecodedRecord: Sendable, Equatable {
    public var header: RecordHeader
    /// Offset of the record header in the decoded buffer.
    public var offset: Int
    public var body: RecordBody
    public var notes: [DecodeNote]
    /// The record as a field tree: header fields, then the body's.
    public var field: Field

    public var contentTypeName: String { ContentType.name(header.contentType) }

    public var isEncrypted: Bool {
        if case .encrypted = body { return true }
        return false
    }
}

public enum RecordBody: Sendable, Equatable {
    /// One or more handshake messages or fragments of them.
    case handshake([HandshakeFragment])
    case changeCipherSpec
    case alert(Alert)
    /// Plaintext application data (epoch 0, which a correct peer never sends).
    case applicationData(length: Int)
    /// Any record with epoch > 0: protected by the negotiated cipher.
    case encrypted(EncryptedRecord)
    /// A content type we do not decode (heartbeat, unknown), or a body too
    /// malformed to say anything about; notes explain.
    case opaque(length: Int)
}

/// A protected record: we know its length and epoch, and can name what it most
/// likely holds from its content type and where it appears.
public struct EncryptedRecord: Sendable, Equatable {
    public var contentType: UInt8
    public var epoch: UInt16
    public var length: Int

    /// `encrypted handshake (Finished)`, `encrypted application data`, …
    public var likelyContent: String {
        switch ContentType(rawValue: contentType) {
        // The first protected handshake message of every DTLS 1.2 handshake is Finished;
        // later ones (renegotiation) are rare enough to name the common case.
        case .handshake: "encrypted handshake (Finished)"
        case .applicationData: "encrypted application data"
        case .alert: "encrypted alert"
        case .changeCipherSpec: "encrypted ChangeCipherSpec (renegotiation)"
        case .heartbeat: "encrypted heartbeat"
        case nil: "encrypted \(ContentType.name(contentType))"
        }
    }
}
