import DTLSPlex
import DTLSWire

/// dtlsh's engine as a client driven by hand (manual mode): what the server sends is read from the raw
/// socket and handed to OpenSSL only when the check says so, and what OpenSSL writes waits in the peer's
/// queue. So OpenSSL makes the client's flight 5 (ClientKeyExchange, ChangeCipherSpec, Finished), and
/// the check holds it and sends it as it is, repeated, reordered or with a record replaced. Manual mode
/// holds the client's clock too: it never resends by itself behind the check's back.
final class HeldHandshake {
    let engine: Engine
    let socket: EngineSocket
    let peer: Peer
    /// The same UDP socket, read and written raw.
    let raw: ProbeSocket
    /// The client's datagrams before flight 5 (its ClientHellos), as sent.
    private(set) var sent: [[UInt8]] = []
    /// The client's flight 5 as OpenSSL wrote it, not sent: empty until `runToFlight5` got there.
    private(set) var flight: [[UInt8]] = []
    /// The datagrams of the server's flight 4, as they came.
    private(set) var serverFlight: [ProbeSocket.Arrival] = []
    /// How long the server took to answer the client's last flight with its whole flight 4: a slow
    /// server (the mbed TLS fixture takes most of a second) gets longer to show what it does.
    private(set) var serverLatency = 0.0
    private var lastSent = 0.0

    init(target: ProbeTarget) throws {
        var settings = Engine.Settings(tls: target.tls)
        settings.auto = false
        engine = Engine(settings: settings)
        let local = target.address.family == .inet6 ? "[::1]:0" : "127.0.0.1:0"
        socket = try engine.openSocket(name: "probe", bind: SocketAddress(parsing: local), accepting: false)
        peer = try engine.connect(name: "p1", socket: socket, to: target.address)
        raw = ProbeSocket(udp: socket.udp, target: target.address)
    }

    /// Runs the handshake until OpenSSL has written flight 5 (held in `flight`); false when the server's
    /// flights did not come within `wait` each, or the handshake failed.
    func runToFlight5(wait: Double) throws -> Bool {
        engine.step(peer, report: false)
        try sendQueued()
        // Each turn: the server's next datagrams, given to OpenSSL one by one; bounded by the flights of
        // a handshake.
        for _ in 0..<32 {
            let arrivals = try raw.collect(for: wait, until: { !$0.isEmpty })
            guard !arrivals.isEmpty else { return false }
            for arrival in arrivals {
                if arrival.decoded.helloVerifyRequest != nil { serverFlight.removeAll() } else { serverFlight.append(arrival) }
                engine.byHand.inject(peer, arrival.bytes)
                engine.step(peer, report: false)
                guard peer.status == .handshaking else { return false }
                if peer.sessionSecrets() != nil {
                    flight = takeQueued()
                    serverLatency = arrival.at - lastSent
                    return true
                }
                try sendQueued()
            }
        }
        return false
    }

    /// The secrets of the association flight 5 makes (known once OpenSSL wrote it).
    func secrets() throws -> SessionSecrets {
        guard let secrets = peer.sessionSecrets() else { throw ProbeError("no record keys for \(peer.cipher ?? "this suite")") }
        return secrets
    }

    /// How long to wait for an answer that should come at once, `least` at least.
    func answerWindow(atLeast least: Double) -> Double { max(least, 3 * serverLatency) }

    /// The random of the server's ServerHello: a flight 4 with another is a new handshake.
    var serverRandom: [UInt8]? { serverFlight.lazy.compactMap(\.decoded.serverHello).first?.random }

    /// The records of the held flight, in order.
    var flightRecords: [Record] { flight.flatMap { RecordLayer.split($0).records } }

    /// Ended on the server, or left as it is: `end` sends nothing more.
    var ended = false
    /// The next record numbers `resent` gives, above what OpenSSL used (and the probe's alerts at 10).
    private var nextSequence: [UInt16: UInt64] = [0: 20, 1: 20]

    /// `datagrams` as the client's own resend carries them: the same messages in records with new
    /// numbers (a server's replay window drops a record number seen before), epoch-1 ones protected again.
    func resent(_ datagrams: [[UInt8]]) throws -> [[UInt8]] {
        let protector = try RecordProtector(try secrets(), writer: .client)
        return try datagrams.map { datagram in
            try OutgoingDatagram(try RecordLayer.split(datagram).records.map { record -> OutgoingRecord in
                let epoch = record.header.epoch
                let sequence = nextSequence[epoch, default: 20]
                nextSequence[epoch] = sequence + 1
                var copy = OutgoingRecord(record)
                copy.sequence = sequence
                if epoch > 0 {
                    let opened = try protector.unprotect(Array(record.fragment), contentType: record.header.contentType,
                                                         version: record.header.version, epoch: epoch, sequence: record.header.sequence)
                    copy.payload = try protector.protect(opened, contentType: record.header.contentType, version: record.header.version,
                                                         epoch: epoch, sequence: sequence)
                }
                return copy
            }).encoded
        }
    }

    /// Whether a datagram the check sent carried the client's ChangeCipherSpec.
    private(set) var sentChangeCipherSpec = false

    func send(_ datagrams: [[UInt8]]) throws {
        for datagram in datagrams {
            try raw.send(datagram)
            sentChangeCipherSpec = sentChangeCipherSpec
                || RecordLayer.split(datagram).records.contains { $0.header.contentType == ContentType.changeCipherSpec.rawValue }
        }
    }

    /// Hands the server's datagrams from arrival `start` on to OpenSSL, and those still coming, until the
    /// client is done or `wait` passes: whether the server's Finished checks out.
    func completes(from start: Int, wait: Double) throws -> Bool {
        var given = start
        let end = Clock.now() + wait
        while true {
            for arrival in raw.arrivals[given...] where peer.status == .handshaking {
                engine.byHand.inject(peer, arrival.bytes)
                engine.step(peer, report: false)
            }
            given = raw.arrivals.count
            let left = end - Clock.now()
            if peer.status != .handshaking || left <= 0 { return peer.status == .established }
            try raw.collect(for: left) { !$0.isEmpty }
        }
    }

    private func takeQueued() -> [[UInt8]] {
        let queued = peer.outboundQueue.all
        _ = try? engine.byHand.drop(peer, .outbound, index: nil)
        return queued
    }

    private func sendQueued() throws {
        let queued = takeQueued()
        sent += queued
        try send(queued)
        if !queued.isEmpty { lastSent = Clock.now() }
    }
}
