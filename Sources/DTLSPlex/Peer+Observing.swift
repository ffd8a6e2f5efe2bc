internal import COpenSSL
import DTLSWire

// What OpenSSL's msg callback reports of a peer's records and messages: the
// flights the shell's ladder and explain tell, and the events of each.
extension Peer {
    /// One flight as seen from this peer: consecutive messages one way.
    /// Kept as small codes, named when asked: every handshake of a loaded
    /// server notes about ten of them.
    public struct Flight: Sendable {
        public var direction: Direction
        /// Up to eight 16-bit codes in place, the rest in `overflow`.
        private var inline: (UInt64, UInt64) = (0, 0)
        private var overflow: [UInt16] = []
        private var alertCodes: [UInt16] = []
        public private(set) var count = 0

        init(direction: Direction) { self.direction = direction }

        mutating func append(_ m: ObservedMessage) {
            let code: UInt16
            switch m {
            case let .handshake(type): code = 0x100 | UInt16(type)
            case .changeCipherSpec: code = 0x200
            case let .alert(alert):
                code = 0x300
                alertCodes.append(alert)
            }
            switch count {
            case 0..<4: inline.0 |= UInt64(code) << (16 * UInt64(count))
            case 4..<8: inline.1 |= UInt64(code) << (16 * UInt64(count - 4))
            default: overflow.append(code)
            }
            count += 1
        }

        private func code(_ i: Int) -> UInt16 {
            switch i {
            case 0..<4: UInt16(truncatingIfNeeded: inline.0 >> (16 * UInt64(i)))
            case 4..<8: UInt16(truncatingIfNeeded: inline.1 >> (16 * UInt64(i - 4)))
            default: overflow[i - 8]
            }
        }

        /// The messages' names in order: "ClientHello", "ChangeCipherSpec", "Alert(fatal …)".
        public var messages: [String] {
            var alerts = alertCodes.makeIterator()
            return (0..<count).map { i in
                let c = code(i)
                switch c >> 8 {
                case 1: return HandshakeType.name(UInt8(truncatingIfNeeded: c))
                case 2: return "ChangeCipherSpec"
                default: return "Alert(\(alerts.next().map(ObservedAlert.text) ?? "?"))"
                }
            }
        }
    }

    /// What the msg callback reports, before it becomes a name.
    enum ObservedMessage {
        case handshake(UInt8)
        case changeCipherSpec
        case alert(UInt16)

        var name: String {
            switch self {
            case let .handshake(type): HandshakeType.name(type)
            case .changeCipherSpec: "ChangeCipherSpec"
            case let .alert(code): "Alert(\(ObservedAlert.text(code)))"
            }
        }
    }

    // MARK: - Observing records and messages (from the msg callback)

    func observe(write: Bool, contentType: Int32, bytes: UnsafeRawBufferPointer) {
        let direction: Direction = write ? .outbound : .inbound
        switch contentType {
        case SSL3_RT_HEADER:
            guard bytes.count >= 13 else { return }
            if write { lastWriteEpoch = UInt16(bytes[3]) << 8 | UInt16(bytes[4]) }
            // The rest is read only for a subscriber: this runs for every record.
            guard engine.wants(.protocolDetail) else { return }
            var seq: UInt64 = 0
            for i in 5..<11 { seq = seq << 8 | UInt64(bytes[i]) }
            emit(.record(direction, contentType: bytes[0], epoch: UInt16(bytes[3]) << 8 | UInt16(bytes[4]), sequence: seq,
                         length: Int(bytes[11]) << 8 | Int(bytes[12])), as: .protocolDetail)
        case SSL3_RT_HANDSHAKE:
            guard bytes.count >= HandshakeHeader.length else { return }
            let type = bytes[0]
            // An admitted peer's first step re-reads the ClientHello that
            // DTLSv1_listen already reported: it crossed the wire once.
            if replayedHello, !write, type == HandshakeType.clientHello.rawValue {
                replayedHello = false
                stepCapture?.append(SeenMessage(direction: direction, name: HandshakeType.name(type)))
                return
            }
            noteMessage(.handshake(type), direction)
            guard engine.wants(.protocolDetail) else { return }
            // Read in place: this runs for every handshake message of every peer.
            func u24(_ i: Int) -> Int { Int(bytes[i]) << 16 | Int(bytes[i + 1]) << 8 | Int(bytes[i + 2]) }
            emit(.handshakeMessage(direction, type: type, messageSeq: UInt16(bytes[4]) << 8 | UInt16(bytes[5]),
                                   fragmentOffset: u24(6), fragmentLength: u24(9), length: u24(1)), as: .protocolDetail)
        case SSL3_RT_CHANGE_CIPHER_SPEC:
            noteMessage(.changeCipherSpec, direction)
        case SSL3_RT_ALERT:
            guard bytes.count >= 2 else { return }
            // Kept as the two bytes; named when someone asks (every closed
            // association sends and receives one).
            let code = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
            alertLog.append(ObservedAlert(direction: direction, code: code))
            noteMessage(.alert(code), direction)
            emit(.alert(direction, level: ObservedAlert.level(code), description: ObservedAlert.description(code)))
        default:
            break
        }
    }

    private func noteMessage(_ message: ObservedMessage, _ direction: Direction) {
        stepCapture?.append(SeenMessage(direction: direction, name: message.name))
        if let last = flights.last, last.direction == direction {
            flights[flights.count - 1].append(message)
        } else {
            var flight = Flight(direction: direction)
            flight.append(message)
            if flights.isEmpty { flights.reserveCapacity(6) }
            flights.append(flight)
            // Keep the story of a long-lived peer bounded.
            if flights.count > 64 { flights.removeFirst(flights.count - 64) }
        }
    }
}

/// A message OpenSSL read or wrote during one step (a concrete type: tuples
/// in arrays cost a runtime metadata lookup on this hot path).
struct SeenMessage {
    var direction: Direction
    var name: String
}

/// An alert as it crossed the wire: level and description in two bytes.
struct ObservedAlert {
    var direction: Direction
    var code: UInt16

    static func level(_ code: UInt16) -> String { String(cString: SSL_alert_type_string_long(Int32(code))) }
    static func description(_ code: UInt16) -> String { String(cString: SSL_alert_desc_string_long(Int32(code))) }
    /// "warning close notify", "fatal handshake failure".
    static func text(_ code: UInt16) -> String { level(code) + " " + description(code) }
}
