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
        /// Up to eight 32-bit codes in place (kind << 16 | payload, an alert's
        /// two bytes included), the rest in `overflow`: a flight is copied
        /// and grown for every message, and arrays would cost an allocation
        /// and reference counting each time.
        private var inline: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        private var overflow: [UInt32] = []
        public private(set) var count = 0

        init(direction: Direction) { self.direction = direction }

        mutating func append(_ m: ObservedMessage) {
            let code: UInt32
            switch m {
            case let .handshake(type): code = 1 << 16 | UInt32(type)
            case .changeCipherSpec: code = 2 << 16
            case let .alert(alert): code = 3 << 16 | UInt32(alert)
            }
            let shifted = UInt64(code) << (32 * UInt64(count & 1))
            switch count {
            case 0..<2: inline.0 |= shifted
            case 2..<4: inline.1 |= shifted
            case 4..<6: inline.2 |= shifted
            case 6..<8: inline.3 |= shifted
            default: overflow.append(code)
            }
            count += 1
        }

        private func code(_ i: Int) -> UInt32 {
            let word: UInt64
            switch i {
            case 0..<2: word = inline.0
            case 2..<4: word = inline.1
            case 4..<6: word = inline.2
            case 6..<8: word = inline.3
            default: return overflow[i - 8]
            }
            return UInt32(truncatingIfNeeded: word >> (32 * UInt64(i & 1)))
        }

        /// The messages' names in order: "ClientHello", "ChangeCipherSpec", "Alert(fatal …)".
        public var messages: [String] {
            (0..<count).map { i in
                let c = code(i)
                let payload = UInt16(truncatingIfNeeded: c)
                switch c >> 16 {
                case 1: return HandshakeType.name(UInt8(truncatingIfNeeded: payload))
                case 2: return "ChangeCipherSpec"
                default: return ObservedMessage.alert(payload).name
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
            guard let header = RecordHeader(in: bytes) else { return }
            if write {
                lastWriteEpoch = header.epoch
                // An answer: whatever was read before it came to something.
                recordCheck.cameOfIt()
            } else if engine.wants(.lifecycle) {
                // Only a subscriber can be told what OpenSSL discards silently.
                checkRecord(header)
            }
            // The rest is read only for a subscriber: this runs for every record.
            guard engine.wants(.protocolDetail) else { return }
            emit(.record(direction, contentType: header.contentType, epoch: header.epoch, sequence: header.sequence,
                         length: Int(header.length)), as: .protocolDetail)
        case SSL3_RT_HANDSHAKE:
            // Read in place: this runs for every handshake message of every peer.
            guard let header = HandshakeHeader(in: bytes) else { return }
            if !write { recordCheck.cameOfIt() }
            // An admitted peer's first step re-reads the ClientHello that
            // DTLSv1_listen already reported: it crossed the wire once.
            if replayedHello, !write, header.type == HandshakeType.clientHello.rawValue {
                replayedHello = false
                stepCapture?.append(SeenMessage(direction: direction, name: HandshakeType.name(header.type)))
                return
            }
            // A message OpenSSL writes again keeps its message_seq (RFC 6347
            // §4.2.2): that is how a resent flight is told from a new one.
            var resent = false
            if write {
                let seq = Int32(header.messageSeq)
                resent = seq <= highestSentMessageSeq
                highestSentMessageSeq = max(highestSentMessageSeq, seq)
            }
            noteMessage(.handshake(header.type), direction, resent: resent)
            guard engine.wants(.protocolDetail) else { return }
            emit(.handshakeMessage(direction, type: header.type, messageSeq: header.messageSeq,
                                   fragmentOffset: Int(header.fragmentOffset), fragmentLength: Int(header.fragmentLength),
                                   length: Int(header.length)), as: .protocolDetail)
        case SSL3_RT_CHANGE_CIPHER_SPEC:
            if !write { recordCheck.changedCipherSpec() }
            // One per handshake (no renegotiation): a second is a resend.
            noteMessage(.changeCipherSpec, direction, resent: write && sentChangeCipherSpec)
            if write { sentChangeCipherSpec = true }
        case SSL3_RT_ALERT:
            // Kept as the two bytes; named when someone asks (every closed
            // association sends and receives one).
            if !write { recordCheck.cameOfIt() }
            guard let code = Alert(in: bytes)?.code else { return }
            alertLog.append(ObservedAlert(direction: direction, code: code))
            noteMessage(.alert(code), direction)
            emit(.alert(direction, level: ObservedAlert.level(code), description: ObservedAlert.description(code)))
        default:
            break
        }
    }

    /// Reports what OpenSSL will discard of the record whose header it just
    /// read, and the record before it if nothing came of that one.
    private func checkRecord(_ header: RecordHeader) {
        if recordCheck.awaiting != nil { concludeRecordCheck() }
        if let d = recordCheck.read(header, handshaking: status == .handshaking) { report(d) }
    }

    /// The record OpenSSL read last came to nothing by the end of a step or read: said so.
    func concludeRecordCheck() {
        guard recordCheck.awaiting != nil, let d = recordCheck.conclude() else { return }
        report(d)
    }

    private func report(_ d: DiscardedRecord) {
        engine.emit(Event(time: engine.now(), socket: socket.name, peer: isListener ? nil : name,
                          kind: .dropped(.inbound, from: address, size: d.size, reason: d.reason), discarded: d))
    }

    private func noteMessage(_ message: ObservedMessage, _ direction: Direction, resent: Bool = false) {
        stepCapture?.append(SeenMessage(direction: direction, name: message.name, resent: resent))
        // By index, in place: `flights.last` would copy the flight and its arrays.
        let last = flights.count - 1
        if last >= 0, flights[last].direction == direction {
            flights[last].append(message)
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
    /// Written before, and written again now.
    var resent = false
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
