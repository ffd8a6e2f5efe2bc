/// What a datagram shows to someone who holds no keys: its records' headers,
/// and inside epoch-0 records the handshake headers (type, message_seq,
/// fragment), ChangeCipherSpec and plaintext alerts. Everything at epoch 1 and
/// up is counted as encrypted and named only by its content type. This is all
/// a relay between two foreign peers can know.
public struct ClearView: Sendable, Equatable {
    public enum Item: Sendable, Equatable {
        /// A handshake fragment in clear (epoch 0).
        case handshake(HandshakeHeader)
        case changeCipherSpec
        case alert(Alert)
        /// A protected record: its content type and epoch, nothing more.
        case encrypted(contentType: UInt8, epoch: UInt16)
        /// Application data at epoch 0, or a content type DTLS does not have.
        case other(contentType: UInt8, epoch: UInt16)
    }

    public var items: [Item]
    public var records: [RecordHeader]
    /// Bytes that do not form whole records (nil when the datagram is all records).
    public var trailing: String?

    /// True when the datagram is whole DTLS records: the impairments act only on those.
    public var isDTLS: Bool { trailing == nil && !records.isEmpty }

    public var encryptedCount: Int {
        items.reduce(0) { n, item in if case .encrypted = item { return n + 1 } else { return n } }
    }

    public init(_ datagram: [UInt8]) {
        let split = RecordLayer.split(datagram)
        records = split.records.map(\.header)
        trailing = split.trailing?.reason
        items = []
        for record in split.records {
            let h = record.header
            if h.epoch != 0 {
                items.append(.encrypted(contentType: h.contentType, epoch: h.epoch))
                continue
            }
            switch ContentType(rawValue: h.contentType) {
            case .handshake:
                var r = ByteReader(Array(record.fragment))
                // Each pass consumes a 12-byte header and its fragment, or stops.
                while let header = HandshakeHeader.read(&r) {
                    items.append(.handshake(header))
                    guard r.take(Int(header.fragmentLength)) != nil else { break }
                }
            case .changeCipherSpec:
                items.append(.changeCipherSpec)
            case .alert:
                let body = Array(record.fragment)
                if body.count >= 2 { items.append(.alert(Alert(level: body[0], description: body[1]))) }
                else { items.append(.other(contentType: h.contentType, epoch: 0)) }
            default:
                items.append(.other(contentType: h.contentType, epoch: 0))
            }
        }
    }

    /// The names a person asks for by (`--drop-message Finished`): handshake
    /// types whole, `ChangeCipherSpec`, `Alert`, `ApplicationData`; an encrypted
    /// handshake record is `Finished` (the first protected handshake message of
    /// every DTLS 1.2 handshake: inferred, not read).
    public var messageNames: [String] {
        items.map { item in
            switch item {
            case let .handshake(h): h.typeName
            case .changeCipherSpec: "ChangeCipherSpec"
            case .alert: "Alert"
            case let .encrypted(type, _):
                type == ContentType.handshake.rawValue ? "Finished" : ContentType.name(type)
            case let .other(type, _): ContentType.name(type)
            }
        }
    }

    /// Every name `messageNames` can give, for checking what a person typed.
    public static let askableNames = [
        "HelloRequest", "ClientHello", "HelloVerifyRequest", "ServerHello", "Certificate", "ServerKeyExchange",
        "CertificateRequest", "ServerHelloDone", "CertificateVerify", "ClientKeyExchange", "NewSessionTicket",
        "ChangeCipherSpec", "Finished", "Alert", "ApplicationData",
    ]

    /// Short names of what is in the datagram, in order: `ClientHello`,
    /// `Certificate[0+1012/1423]` for a fragment, `ChangeCipherSpec`,
    /// `encrypted Handshake (epoch 1)`, `Alert(fatal, …)`.
    public var names: [String] {
        items.map { item in
            switch item {
            case let .handshake(h):
                h.isFragment ? "\(h.typeName)[\(h.fragmentOffset)+\(h.fragmentLength)/\(h.length)]" : h.typeName
            case .changeCipherSpec: "ChangeCipherSpec"
            case let .alert(a): "Alert(\(a.levelName), \(a.descriptionName))"
            case let .encrypted(type, epoch): "encrypted \(ContentType.name(type)) (epoch \(epoch))"
            case let .other(type, epoch): "\(ContentType.name(type)) (epoch \(epoch))"
            }
        }
    }
}
