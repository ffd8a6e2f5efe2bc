import DTLSPlex

/// What the wire showed of the handshake between two addresses: who is the
/// client, which pieces each side already sent (so a resent copy is known for
/// one), and the few negotiated facts a diagnosis needs. A ClientHello with a
/// new random starts over: the same two ports may hold a second handshake.
struct PairHistory {
    /// Counts the handshakes seen on this pair; arrows carry it.
    var association = 0
    var client: SocketAddress?
    var clientRandom: [UInt8]?
    private var sent: [SocketAddress: Set<String>] = [:]
    /// The suite the ServerHello chose ("TLS_PSK_WITH_AES_128_GCM_SHA256").
    var cipherSuite: String?
    var pskIdentity: String?

    /// Files one datagram from `from`: returns its flight number and whether it
    /// repeats pieces already sent. `roleHint` is the sender's role when a peer
    /// of this shell says so.
    mutating func note(_ facts: DatagramFacts, from: SocketAddress, roleHint: Role?)
        -> (flight: Int?, resent: Bool)
    {
        if let random = facts.clientRandom, random != clientRandom {
            association += 1
            client = from
            clientRandom = random
            sent = [:]
            cipherSuite = nil
            pskIdentity = nil
        }
        // Who sent it decides the flight of a Certificate, a ChangeCipherSpec, a Finished.
        let byClient = client.map { $0 == from } ?? facts.sentByClient ?? roleHint.map { $0 == .client }
        let flight = byClient.flatMap {
            HandshakeFlight.number(of: facts.handshakeMessages, sentByClient: $0, afterCookie: facts.hasCookie)
        }
        let before = sent[from, default: []]
        let resent = !facts.keys.isEmpty && facts.keys.allSatisfy(before.contains)
        sent[from, default: []].formUnion(facts.keys)
        if let suite = facts.cipherSuite { cipherSuite = suite }
        if let identity = facts.pskIdentity { pskIdentity = identity }
        return (flight, resent)
    }
}
