import DTLSPlex
import DTLSWire

/// One client's association with the probe-as-server, for one check: the server peer stepped by hand,
/// what it writes taken from its queue before it leaves, and what the client sent, with times.
final class ClientSession {
    let listener: ProbeListener
    let peer: Peer
    var engine: Engine { listener.engine }
    var source: SocketAddress { peer.address }

    /// Epoch-0 sequence numbers to add to what the server sends from now on: a flight cut into more
    /// records than the server wrote moved the numbers of its later ones up (FlightRewrite.fragmented).
    var epoch0Shift: UInt64 = 0

    /// When each transmission of the client's ClientHello (flights 1 and 3) and of its flight 5 came.
    private(set) var clientHelloTimes: [Double] = []
    private(set) var flight5Times: [Double] = []
    /// Alerts the client sent: plaintext ones as they came, protected ones opened with its keys.
    private(set) var alerts: [Alert] = []
    /// Protected alerts that could not be opened (the server never had the keys).
    private(set) var unopenedAlerts = 0
    /// The client's hellos as they came (resends too): the first, and the one with the cookie if there
    /// was an exchange.
    private(set) var clientHellos: [(at: Double, hello: ClientHello)] = []
    /// When the server's flights went, by the flight's number (4 or 6).
    private(set) var sentFlights: [(flight: Int, at: Double)] = []
    /// The server's ServerHello, from flight 4.
    private(set) var serverHello: ServerHello?
    /// The association's record keys, from the moment the server's handshake is done.
    private(set) var keys: (server: RecordProtector, client: RecordProtector)?
    /// The listener's arrivals from this client's first hello on: an earlier client from the same port
    /// (a fixed one) sent what came before.
    private let firstArrival: Int
    private var scanned: Int

    init(listener: ProbeListener, peer: Peer, from firstArrival: Int) {
        self.listener = listener
        self.peer = peer
        self.firstArrival = firstArrival
        scanned = firstArrival
        scan()
    }

    /// Reads what came from this client since the last look.
    private func scan() {
        let all = listener.arrivals
        while scanned < all.count {
            let arrival = all[scanned]
            scanned += 1
            guard arrival.source == source else { continue }
            if arrival.decoded.startsClientHello { clientHelloTimes.append(arrival.at) }
            if arrival.decoded.startsFlight5 { flight5Times.append(arrival.at) }
            if let hello = arrival.decoded.clientHello { clientHellos.append((arrival.at, hello)) }
            alerts += arrival.decoded.alerts
            for record in RecordLayer.split(arrival.bytes).records
            where record.header.epoch > 0 && record.header.contentType == ContentType.alert.rawValue {
                guard let opener = keys?.client,
                      let plain = try? opener.unprotect(Array(record.fragment), contentType: record.header.contentType,
                                                        version: record.header.version, epoch: record.header.epoch,
                                                        sequence: record.header.sequence),
                      let alert = DatagramDecoder.decodePlaintext(plain, contentType: record.header.contentType).body.alert else {
                    unopenedAlerts += 1
                    continue
                }
                alerts.append(alert)
            }
        }
    }

    var fatalAlert: Alert? { alerts.first { $0.level == AlertLevel.fatal } }

    var lastArrival: Double? { listener.arrivals[firstArrival...].last { $0.source == source }?.at }

    /// Waits (taking datagrams in, stepping nothing) until `condition` holds or `timeout` passes.
    @discardableResult
    func await(for timeout: Double, until condition: () -> Bool) -> Bool {
        let end = engine.now() + timeout
        while true {
            scan()
            if condition() { return true }
            let left = end - engine.now()
            if left <= 0 { return false }
            listener.pump(min(left, 0.05))
        }
    }

    /// Steps the server peer on what the client sent and takes what it wrote; when it failed, whatever
    /// it wrote last (an alert) goes at once, as a server's would.
    private func stepAndTake() -> [[UInt8]] {
        engine.step(peer, report: false)
        let written = engine.byHand.take(peer, .outbound)
        if keys == nil, peer.status == .established, let secrets = peer.sessionSecrets(encryptThenMac: encryptThenMac) {
            keys = try? (RecordProtector(secrets, writer: .server), RecordProtector(secrets, writer: .client))
        }
        if peer.status == .failed {
            try? send(written, flight: 0)
            return []
        }
        return written
    }

    /// RFC 7366 matters for CBC suites only; OpenSSL does not say, the ServerHello does.
    private var encryptThenMac: Bool { serverHello?.extension(ExtensionType.encryptThenMAC) != nil }

    /// The server's next flight: steps the peer on what the client sends (up to `wait` seconds for it) until
    /// the peer writes something, and takes it. Empty when the client's part did not come or the server
    /// failed (`peer.endReason` says why).
    func nextServerFlight(wait: Double) -> [[UInt8]] {
        let end = engine.now() + wait
        while true {
            if !peer.handshakeHasStarted || !peer.inboundQueue.isEmpty {
                let written = stepAndTake()
                if !written.isEmpty {
                    if serverHello == nil {
                        serverHello = written.lazy.compactMap { DatagramDecoder.decode($0).serverHello }.first
                    }
                    return written
                }
            }
            if peer.status == .failed || peer.status == .closed { return [] }
            let left = end - engine.now()
            if left <= 0 { return [] }
            listener.pump(min(left, 0.05))
            scan()
        }
    }

    /// Discards what the client sent that the server has not read: copies OpenSSL should not see.
    func discardInbound() {
        _ = engine.byHand.take(peer, .inbound)
    }

    /// Sends datagrams to the client now, in this order; `flight` (4 or 6, 0 for neither) is noted with the
    /// time. Rewritten ones are marked edited; epoch-0 records move up by `epoch0Shift`.
    func send(_ datagrams: [[UInt8]], flight: Int, rewritten: Bool = false) throws {
        for datagram in datagrams {
            let bytes = epoch0Shift == 0 ? datagram : try FlightRewrite.shiftingEpoch0(datagram, by: epoch0Shift)
            try engine.byHand.send(bytes, from: peer.socket, to: source, mark: rewritten || epoch0Shift != 0 ? .edited : nil,
                                   peer: peer)
        }
        if flight != 0 { sentFlights.append((flight, engine.now())) }
    }

    /// How a handshake ended, as the probe-as-server saw it.
    struct Ending {
        /// The server finished its handshake, the client sent no fatal alert and did not send flight 5
        /// again after the server's last flight 6 (it took it).
        var completed: Bool
        var alert: Alert?
        /// Transmissions of flight 5 in all.
        var flight5Sent: Int
        /// Why it stopped short, when it did.
        var reason: String?

        var summary: String {
            if completed { return "completed" }
            if let alert { return "\(alert.levelName) \(alert.descriptionName) alert from the client" }
            return "did not complete: \(reason ?? "no reason seen")"
        }
    }

    /// After flight 6: lets the association run until the client has been silent for `quiet` seconds (what
    /// it sends goes to the server peer, and what that answers — its own resend of flight 6 — goes back), a
    /// fatal alert comes, or `limit` passes. Silence means the client took flight 6 only if it outlasts the
    /// client's timer: `quietWait` by default.
    func settle(quiet: Double? = nil, limit: Double = 12) -> Ending {
        let quiet = quiet ?? quietWait
        let end = engine.now() + limit
        while engine.now() < end && fatalAlert == nil && (peer.status == .established || peer.status == .handshaking) {
            if !peer.inboundQueue.isEmpty {
                let answer = stepAndTake()
                let resent = answer.contains {
                    DatagramDecoder.decode($0).records.contains { $0.header.contentType == ContentType.changeCipherSpec.rawValue }
                }
                if !answer.isEmpty { try? send(answer, flight: resent ? 6 : 0) }
            }
            let last = max(lastArrival ?? 0, sentFlights.last?.at ?? 0)
            if engine.now() - last >= quiet { break }
            listener.pump(0.05)
            scan()
        }
        return ending()
    }

    /// How things stand now.
    func ending(reason: String? = nil) -> Ending {
        scan()
        let lastSix = sentFlights.last { $0.flight == 6 }?.at
        let resentAfter = lastSix.map { six in flight5Times.contains { $0 > six } } ?? true
        // A close_notify after the handshake (a client whose input ended) still counts.
        let completed = peer.establishedAt != nil && fatalAlert == nil && !resentAfter
        var why = reason
        if why == nil, !completed {
            if let end = peer.endReason { why = "the server's handshake ended: \(end)" }
            else if lastSix == nil { why = "no flight 6 sent" }
            else if resentAfter { why = "the client sent flight 5 again after the last flight 6" }
        }
        return Ending(completed: completed, alert: fatalAlert, flight5Sent: flight5Times.count, reason: completed ? nil : why)
    }

    /// Flight 4 and flight 6, each through `rewrite4` and `rewrite6` on its way out, then `settle`: the
    /// whole handshake as the checks that change no timing serve it.
    func serve(flight4 rewrite4: ([[UInt8]]) throws -> [[UInt8]] = { $0 },
               flight6 rewrite6: ([[UInt8]]) throws -> [[UInt8]] = { $0 }) throws -> Ending {
        let four = nextServerFlight(wait: 2)
        guard !four.isEmpty else { return ending(reason: peer.endReason ?? "the server wrote no flight 4") }
        let rewritten = try rewrite4(four)
        try send(rewritten, flight: 4, rewritten: rewritten != four)
        let six = nextServerFlight(wait: flight5Wait)
        guard !six.isEmpty else { return ending(reason: missingFlight5) }
        let rewritten6 = try rewrite6(six)
        try send(rewritten6, flight: 6, rewritten: rewritten6 != six)
        return settle()
    }

    /// Flight 4 sent as the server wrote it, then `check` with the server's flight 6, not sent: for the
    /// checks that change flight 6. A flight that does not come is the check's outcome.
    func withFlight6Held(_ check: ([[UInt8]]) throws -> ProbeCheck.Outcome) throws -> ProbeCheck.Outcome {
        let four = nextServerFlight(wait: 2)
        guard !four.isEmpty else { return .init(verdict: .error, evidence: "the server wrote no flight 4: \(peer.endReason ?? "")") }
        try send(four, flight: 4)
        let six = nextServerFlight(wait: flight5Wait)
        guard !six.isEmpty else { return .init(verdict: .fail, evidence: missingFlight5) }
        return try check(six)
    }

    /// 2.5 s covers the RFC's 1 s timer and the 2 s some stacks start with (tinydtls); `--quick` counts
    /// on 1 s.
    var quietWait: Double { listener.quick ? 1.5 : 2.5 }

    /// How long the client has to answer flight 4: long enough for two of its resends of flight 3.
    var flight5Wait: Double { listener.quick ? 4 : 6 }

    /// Why flight 6 never came, from what the client did instead.
    var missingFlight5: String {
        if let end = peer.endReason { return "the server's handshake ended: \(end)" }
        if let alert = fatalAlert { return "\(alert.levelName) \(alert.descriptionName) alert from the client" }
        if !flight5Times.isEmpty {
            // OpenSSL discards a record that does not authenticate without a word.
            return "the server took none of the \(flight5Times.count) flight 5(s) it got (a Finished that did not authenticate: another key?)"
        }
        let resends = clientHelloTimes.filter { $0 > (sentFlights.last?.at ?? 0) }.count
        return resends > 0 ? "no flight 5 in \(Int(flight5Wait)) s; the client sent its ClientHello \(resends) more time(s)"
            : "no flight 5 in \(Int(flight5Wait)) s"
    }
}
