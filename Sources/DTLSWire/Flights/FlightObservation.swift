/// What one datagram is, in RFC 6347 flights, read from the wire alone.
public struct FlightObservation: Sendable, Equatable {
    /// The flight (1–6 of a full handshake with a cookie exchange), nil when
    /// the datagram belongs to none (application data, alerts) or cannot be
    /// classified (see `unclassifiable`).
    public var flight: Int?
    /// Everything classifiable in it was seen before from the same side: the
    /// same message_seq and fragment offset in a new record (or, for a flight
    /// that is ChangeCipherSpec and Finished only, a second ChangeCipherSpec).
    public var isResend: Bool
    /// The flight was inferred rather than read (an encrypted handshake record
    /// counted in the flight of the ChangeCipherSpec before it).
    public var inferred: Bool
    /// Why the datagram could not be put in a flight, when it holds handshake
    /// traffic that is not a full handshake (abbreviated, renegotiation, not DTLS).
    public var unclassifiable: String?
    /// What the datagram holds, as `ClearView.names` spells it.
    public var names: [String]
    /// Records at epoch 1 and up.
    public var encrypted: Int
    /// The messages by the names a person asks for them (`ClearView.messageNames`).
    public var messageNames: [String] = []

    public init(flight: Int?, isResend: Bool, inferred: Bool, unclassifiable: String?, names: [String], encrypted: Int) {
        self.flight = flight
        self.isResend = isResend
        self.inferred = inferred
        self.unclassifiable = unclassifiable
        self.names = names
        self.encrypted = encrypted
    }

    /// Who recovers when the first transmission of flight `n` is lost, and how
    /// (RFC 6347 §4.2.4 and what OpenSSL does).
    public static func recovery(ofLost n: Int) -> String {
        switch n {
        case 1: "the client resends its ClientHello when its timer fires"
        case 2: "a HelloVerifyRequest is never resent: the client resends its ClientHello (flight 1) "
            + "when its timer fires, and the server answers it anew"
        case 3: "the client resends flight 3 when its timer fires"
        case 4: "the server resends flight 4 when its timer fires (or when flight 3 comes again)"
        case 5: "the client resends flight 5 when its timer fires"
        case 6: "flight 6 is resent only when flight 5 comes again: the client's timer fires, "
            + "it resends flight 5, and the server answers with flight 6"
        default: "no one: it is not a flight"
        }
    }
}
