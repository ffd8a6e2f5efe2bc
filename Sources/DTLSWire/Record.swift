/// DTLS record content types (RFC 6347 §4.1).
public enum ContentType: UInt8, Sendable {
    case changeCipherSpec = 20
    case alert = 21
    case handshake = 22
    case applicationData = 23
    case heartbeat = 24

    public static func name(_ raw: UInt8) -> String {
        switch ContentType(rawValue: raw) {
        case .changeCipherSpec: "ChangeCipherSpec"
        case .alert: "Alert"
        case .handshake: "Handshake"
        case .applicationData: "ApplicationData"
        case .heartbeat: "Heartbeat"
        case nil: "ContentType(\(raw))"
        }
    }

    /// One of DTLS 1.2's four record types, change_cipher_spec to
    /// application_data (20–23); not heartbeat. Inlinable: asked of every
    /// record a peer reads.
    @inlinable
    public static func isDTLS12(_ raw: UInt8) -> Bool { raw &- changeCipherSpec.rawValue < 4 }
}

/// The 13-byte DTLS record header.
public struct RecordHeader: Sendable, Equatable {
    /// Computed, not stored: inlined code elsewhere would call a stored global's accessor.
    @inlinable public static var length: Int { 13 }
    public var contentType: UInt8
    public var version: UInt16
    public var epoch: UInt16
    public var sequence: UInt64
    public var length: UInt16

    @inlinable
    public init(contentType: UInt8, version: UInt16, epoch: UInt16, sequence: UInt64, length: UInt16) {
        self.contentType = contentType
        self.version = version
        self.epoch = epoch
        self.sequence = sequence
        self.length = length
    }

    public var versionName: String { ProtocolVersion.name(version) }
}

/// One record as it stands in a datagram: its header and its fragment's bytes.
public struct Record: Sendable {
    public var header: RecordHeader
    public var fragment: ArraySlice<UInt8>
    /// Offset of the record's first header byte in the datagram.
    public var offset: Int
}

public enum ProtocolVersion {
    @inlinable public static var dtls10: UInt16 { 0xfeff }
    @inlinable public static var dtls12: UInt16 { 0xfefd }

    /// A DTLS version, 1.0 to 1.3: all begin 0xfe (RFC 6347 §4.1). An alert
    /// need only be this much. Inlinable: asked of every record a peer reads.
    @inlinable
    public static func isDTLS(_ v: UInt16) -> Bool { v >> 8 == 0xfe }

    public static func name(_ v: UInt16) -> String {
        switch v {
        case 0xfeff: "DTLS 1.0"
        case 0xfefd: "DTLS 1.2"
        case 0xfefc: "DTLS 1.3"
        case 0x0100: "DTLS 1.0 (OpenSSL pre-RFC)"
        default: "0x" + String(v, radix: 16)
        }
    }

    /// Name and code point, as field trees show them.
    public static func describe(_ v: UInt16) -> String {
        "\(name(v)) (\(Hex.u16(v)))"
    }
}

/// What a datagram splits into: whole records, then whatever could not be read
/// as one (a truncated header, or a length that runs past the datagram's end).
public struct RecordSplit: Sendable {
    public var records: [Record]
    /// Bytes at the end that do not form a record, and why.
    public var trailing: (offset: Int, count: Int, reason: String)?
}

public enum RecordLayer {
    /// Splits one datagram into its records. Never traps; stops at the first
    /// malformed record and reports what was left.
    public static func split(_ datagram: [UInt8]) -> RecordSplit {
        var records: [Record] = []
        var r = ByteReader(datagram)
        while !r.isAtEnd {
            let start = r.offset
            guard r.remaining >= RecordHeader.length,
                  let type = r.u8(), let version = r.u16(), let epoch = r.u16(),
                  let seq = r.u48(), let length = r.u16()
            else {
                return RecordSplit(records: records,
                                   trailing: (start, datagram.count - start, "truncated record header"))
            }
            guard let fragment = r.take(Int(length)) else {
                return RecordSplit(records: records,
                                   trailing: (start, datagram.count - start,
                                              "record length \(length) runs past the datagram end"))
            }
            let header = RecordHeader(contentType: type, version: version, epoch: epoch,
                                      sequence: seq, length: length)
            records.append(Record(header: header, fragment: fragment, offset: start))
        }
        return RecordSplit(records: records, trailing: nil)
    }

    /// True when the datagram opens with an unfragmented epoch-0 ClientHello: the
    /// only thing an unknown source may send. A cheap check before any OpenSSL work.
    /// Inlinable: the engine asks it of every datagram from an unknown source.
    @inlinable
    public static func startsWithClientHello<D: RandomAccessCollection<UInt8>>(_ d: D) -> Bool where D.Index == Int {
        guard d.startIndex == 0 else { return startsWithClientHello(Array(d)) }
        // 13-byte record header + 12-byte handshake header + 2-byte client_version at least.
        // (22: handshake; 1: client_hello.)
        guard d.count >= 13 + 12 + 2, d[0] == 22, d[1] == 0xfe,
              d[3] == 0, d[4] == 0, d[13] == 1
        else { return false }
        let recordLength = Int(d[11]) << 8 | Int(d[12])
        guard recordLength >= 12, 13 + recordLength <= d.count else { return false }
        let bodyLength = Int(d[14]) << 16 | Int(d[15]) << 8 | Int(d[16])
        let fragOffset = Int(d[19]) << 16 | Int(d[20]) << 8 | Int(d[21])
        let fragLength = Int(d[22]) << 16 | Int(d[23]) << 8 | Int(d[24])
        return fragOffset == 0 && fragLength == bodyLength && 12 + fragLength <= recordLength
    }
}
