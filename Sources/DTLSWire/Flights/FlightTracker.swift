/// Puts the datagrams of one client–server association in RFC 6347 flights as
/// they cross a relay, from handshake headers, never by counting datagrams.
/// A resend is the same message (type, message_seq, fragment offset) in a new
/// record. Holds no keys: encrypted records count in the flight of the
/// ChangeCipherSpec before them, and say so (`inferred`).
///
/// Flights of a full handshake with a cookie exchange: 1 ClientHello,
/// 2 HelloVerifyRequest, 3 ClientHello with the cookie (message_seq 1),
/// 4 ServerHello … ServerHelloDone, 5 [Certificate] ClientKeyExchange
/// [CertificateVerify] ChangeCipherSpec Finished, 6 [NewSessionTicket]
/// ChangeCipherSpec Finished. An abbreviated handshake (the server's
/// ChangeCipherSpec before the client's) is reported as not classifiable.
public struct FlightTracker: Sendable {
    /// Handshake fragments seen from each side: type, message_seq, fragment offset.
    private var seen: [Bool: Set<UInt64>] = [true: [], false: []]
    /// ChangeCipherSpecs seen from each side.
    private var changeCipherSpecs: [Bool: Int] = [true: 0, false: 0]
    /// Encrypted handshake records (Finished) seen from each side.
    private var encryptedHandshakes: [Bool: Int] = [true: 0, false: 0]
    /// Records at epoch 1 and up seen from each side.
    public private(set) var encryptedFromClient = 0
    public private(set) var encryptedFromServer = 0
    /// The server sent ChangeCipherSpec before the client did: session resumption.
    public private(set) var abbreviated = false
    /// The highest flight seen from either side.
    public private(set) var lastFlight: [Bool: Int] = [:]

    public init() {}

    /// Both sides have sent records at epoch 1 and up: the handshake completed,
    /// as far as the wire can tell (inferred: the Finished messages are encrypted).
    public var completedInferred: Bool { encryptedFromClient > 0 && encryptedFromServer > 0 }

    /// Classifies one datagram sent by the client (`fromClient`) or the server,
    /// and remembers what it held.
    public mutating func observe(_ datagram: [UInt8], fromClient: Bool) -> FlightObservation {
        let view = ClearView(datagram)
        var flight: Int?
        var anyNew = false
        var anyClassified = false
        var inferred = false
        var unclassifiable: String? = view.isDTLS ? nil : "not DTLS records"
        for item in view.items {
            switch item {
            case let .handshake(h):
                let key = UInt64(h.type) << 48 | UInt64(h.messageSeq) << 32 | UInt64(h.fragmentOffset)
                if seen[fromClient, default: []].insert(key).inserted { anyNew = true }
                anyClassified = true
                guard let n = Self.flight(of: h, fromClient: fromClient) else {
                    unclassifiable = "\(h.typeName) is not part of a full handshake"
                    continue
                }
                if flight == nil { flight = n }
            case .changeCipherSpec:
                let before = changeCipherSpecs[fromClient, default: 0]
                changeCipherSpecs[fromClient] = before + 1
                if before == 0 { anyNew = true }
                anyClassified = true
                if !fromClient && changeCipherSpecs[true, default: 0] == 0 { abbreviated = true }
                if flight == nil { flight = fromClient ? 5 : 6 }
            case let .encrypted(type, _):
                if fromClient { encryptedFromClient += 1 } else { encryptedFromServer += 1 }
                guard type == ContentType.handshake.rawValue else { continue }
                let before = encryptedHandshakes[fromClient, default: 0]
                encryptedHandshakes[fromClient] = before + 1
                anyClassified = true
                if before == 0 && changeCipherSpecs[fromClient, default: 0] <= 1 { anyNew = true }
                if flight == nil {
                    flight = fromClient ? 5 : 6
                    inferred = true
                }
            case .alert, .other:
                continue
            }
        }
        if abbreviated {
            unclassifiable = "abbreviated handshake (the server's ChangeCipherSpec came first): not classifiable"
            flight = nil
        }
        if unclassifiable != nil { flight = nil }
        if let flight { lastFlight[fromClient] = max(lastFlight[fromClient] ?? 0, flight) }
        var o = FlightObservation(flight: flight, isResend: anyClassified && !anyNew, inferred: inferred && flight != nil,
                                  unclassifiable: unclassifiable, names: view.names, encrypted: view.encryptedCount)
        o.messageNames = view.messageNames
        return o
    }

    /// The flight of one clear handshake message of a full handshake.
    static func flight(of h: HandshakeHeader, fromClient: Bool) -> Int? {
        switch (HandshakeType(rawValue: h.type), fromClient) {
        // RFC 6347 §4.2.2: the ClientHello that carries the cookie has message_seq 1.
        case (.clientHello?, true): h.messageSeq == 0 ? 1 : 3
        case (.helloVerifyRequest?, false): 2
        case (.serverHello?, false), (.certificate?, false), (.serverKeyExchange?, false),
             (.certificateRequest?, false), (.serverHelloDone?, false): 4
        case (.certificate?, true), (.clientKeyExchange?, true), (.certificateVerify?, true): 5
        case (.newSessionTicket?, false): 6
        default: nil
        }
    }
}
