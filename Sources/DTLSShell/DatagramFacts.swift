import DTLSWire

/// What the ladder and `explain` need from one datagram, read once from its
/// bytes when it is seen: the messages by the names `step` uses, what makes a
/// resent copy recognisable, and the few facts a diagnosis leans on.
struct DatagramFacts {
    /// In order: "ClientHello", "ChangeCipherSpec", "Finished", "Alert(fatal …)", "ApplicationData".
    var messages: [String] = []
    /// Handshake messages only (and ChangeCipherSpec), for flight numbers.
    var handshakeMessages: [String] = []
    /// One key per handshake piece (type, message_seq, fragment offset): a
    /// retransmission repeats them under new record numbers.
    var keys: [String] = []
    var clientRandom: [UInt8]?
    var hasCookie = false
    /// From a ServerHello: the suite the server chose.
    var cipherSuite: String?
    /// From a ClientKeyExchange: the PSK identity the client sent.
    var pskIdentity: String?
    var hasEncryptedAlert = false
    /// An epoch ≥ 1 handshake record: in a DTLS 1.2 handshake, the Finished.
    var hasEncryptedHandshake = false
    /// The decoder had notes: something in it is not as DTLS would have it.
    var malformed = false
    /// Who must have sent it, when the messages say (HelloVerifyRequest, ServerHello / ClientHello).
    var sentByClient: Bool?
    /// Each record's epoch and sequence number (epoch << 48 | sequence): how a
    /// verdict on one record finds its datagram.
    var recordNumbers: [UInt64] = []

    static func recordNumber(epoch: UInt16, sequence: UInt64) -> UInt64 { UInt64(epoch) << 48 | sequence }

    /// An encrypted alert until OpenSSL says which one it was.
    static let unnamedAlert = "Alert (encrypted)"

    init(_ bytes: [UInt8]) {
        let d = DatagramDecoder.decode(bytes)
        for record in d.records {
            recordNumbers.append(Self.recordNumber(epoch: record.header.epoch, sequence: record.header.sequence))
            add(record)
        }
        if let t = d.trailing { messages.append("\(t.count) B that are not DTLS") }
        if d.records.isEmpty && d.trailing == nil { messages.append(bytes.isEmpty ? "empty datagram" : "not DTLS") }
        malformed = !d.notes.isEmpty && !d.records.isEmpty
    }

    private mutating func add(_ record: DecodedRecord) {
        switch record.body {
        case .handshake(let fragments):
            for f in fragments { add(f) }
        case .changeCipherSpec:
            messages.append("ChangeCipherSpec")
            handshakeMessages.append("ChangeCipherSpec")
            keys.append("ccs")
        case .alert(let alert):
            messages.append("Alert(\(alert.text))")
        case .applicationData:
            messages.append("ApplicationData (plaintext!)")
        case .encrypted(let e):
            switch ContentType(rawValue: e.contentType) {
            case .handshake:
                messages.append("Finished")
                handshakeMessages.append("Finished")
                keys.append("eh\(e.epoch)")
                hasEncryptedHandshake = true
            case .alert:
                messages.append(Self.unnamedAlert)
                hasEncryptedAlert = true
            case .applicationData:
                messages.append("ApplicationData")
            default:
                messages.append(e.likelyContent)
            }
        case .opaque:
            messages.append(record.contentTypeName)
        }
    }

    private mutating func add(_ f: HandshakeFragment) {
        let h = f.header
        keys.append("h\(h.type).\(h.messageSeq).\(h.fragmentOffset)")
        handshakeMessages.append(f.typeName)
        var name = f.typeName
        switch f.message {
        case .clientHello(let hello):
            clientRandom = hello.random
            hasCookie = !hello.cookie.isEmpty
            sentByClient = true
            if hasCookie { name += " with cookie" }
        case .helloVerifyRequest:
            sentByClient = false
        case .serverHello(let hello):
            cipherSuite = hello.cipherSuiteName
            sentByClient = false
        case .clientKeyExchange(let cke):
            pskIdentity = cke.pskIdentity.map { PrintableText.escaped($0, limit: 64) }
        default:
            break
        }
        if h.isFragment { name += " \(f.fragmentText)" }
        messages.append(name)
    }

    /// "ClientKeyExchange, ChangeCipherSpec, Finished".
    var label: String { messages.joined(separator: ", ") + (malformed ? " (malformed)" : "") }
}
