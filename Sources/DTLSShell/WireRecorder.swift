import DTLSPlex

/// Keeps what crossed the wire for `ladder` and `explain`: one arrow per
/// datagram, bounded to the last `capacity` rows. Both ends of a handshake
/// are often sockets of this same shell, so one datagram shows up twice — a
/// `datagram_out` on one socket, later a `datagram_in` on the other; the
/// recorder pairs them by addresses and bytes and keeps a single arrow.
final class WireRecorder {
    static let capacity = 500

    private(set) var entries: [LadderEntry] = []
    /// Rows that no longer fit and were let go, oldest first.
    private(set) var forgotten = 0
    /// Socket names by address, in the order they opened; kept after a socket
    /// closes so its old arrows still have a name.
    private(set) var socketOrder: [SocketAddress] = []
    private(set) var socketNames: [SocketAddress: String] = [:]
    private var socketAddresses: [String: SocketAddress] = [:]
    private var openSockets: Set<String> = []
    private var pairs: [AddressPair: PairHistory] = [:]
    private var pairOrder: [AddressPair] = []
    /// Datagrams sent to a socket of this shell and not yet received by it.
    private var inFlight: [(serial: Int, bytes: [UInt8])] = []
    /// The arrow the last datagram_in on each socket made: a `dropped` about
    /// the same datagram follows at once when the socket throws it away.
    private var lastInbound: [String: Int] = [:]
    /// Alerts a peer wrote, by (its socket, its address), waiting for the
    /// datagram that carries them encrypted.
    private var alertsWritten: [AddressPair: [String]] = [:]
    /// Each peer's two ends by name, kept after `close` or `forget` so its
    /// ladder can still be drawn; bounded like the rows.
    private(set) var peerEnds: [String: (local: SocketAddress, remote: SocketAddress)] = [:]
    private var peerOrder: [String] = []
    private var lastSerial = 0
    private unowned let engine: Engine

    init(engine: Engine) {
        self.engine = engine
        engine.subscribe { [weak self] in self?.record($0) }
    }

    func history(_ x: SocketAddress, _ y: SocketAddress) -> PairHistory? { pairs[AddressPair(x, y)] }

    /// The arrows between two addresses, both ways, of their latest handshake
    /// (or of every one).
    func arrows(between x: SocketAddress, and y: SocketAddress, latestOnly: Bool = true) -> [WireArrow] {
        let pair = AddressPair(x, y)
        let current = pairs[pair]?.association
        return entries.compactMap { entry -> WireArrow? in
            guard case let .arrow(a) = entry, AddressPair(a.from, a.to) == pair else { return nil }
            return !latestOnly || a.association == current ? a : nil
        }
    }

    /// The arrows of the handshake `p` is part of. A client's starts when it is
    /// made (an older handshake between the same ports is not its story); a
    /// server's began before it existed, with the hellos that admitted it.
    func arrows(for p: Peer) -> [WireArrow] {
        let all = arrows(between: p.socket.localAddress, and: p.address)
        return p.role == .client ? all.filter { $0.time >= p.createdAt } : all
    }

    func name(of address: SocketAddress) -> String? { socketNames[address] }

    /// How often the server has refused the client `p`'s Finished so far,
    /// from the datagrams that reached either end.
    func finishedRefusal(of p: Peer) -> FinishedRefusal {
        var refusal = FinishedRefusal()
        let local = p.socket.localAddress
        for a in arrows(for: p) where a.fate == .delivered {
            refusal.note(fromClient: a.from == local, flight: a.flight, resend: a.retransmission,
                         messages: a.facts.handshakeMessages)
        }
        return refusal
    }

    // MARK: - Events

    private func record(_ e: Event) {
        switch e.kind {
        case let .socketOpened(address, _):
            guard let name = e.socket else { return }
            if socketNames[address] == nil { socketOrder.append(address) }
            socketNames[address] = name
            socketAddresses[name] = address
            openSockets.insert(name)
        case .socketClosed:
            guard let name = e.socket, let address = socketAddresses[name] else { return }
            openSockets.remove(name)
            // What waited in its receive buffer went with it.
            let lost = inFlight.filter { arrow($0.serial)?.to == address }.map(\.serial)
            for serial in lost { update(serial) { $0.fate = .discarded("\(name) closed before receiving it") } }
            inFlight.removeAll { lost.contains($0.serial) }
        case let .datagramOut(to, bytes):
            guard let from = e.socket.flatMap({ socketAddresses[$0] }) else { return }
            let destination = canonical(to)
            let receiver = socketNames[destination].flatMap { openSockets.contains($0) ? $0 : nil }
            let fate: WireArrow.Fate = receiver.map { .inFlight(socket: $0) } ?? .delivered
            let serial = add(from: from, to: destination, bytes: bytes, fate: fate,
                             roleHint: role(of: e.peer, sending: true), mark: e.mark)
            if receiver != nil { inFlight.append((serial, bytes)) }
        case let .datagramIn(source, bytes):
            guard let name = e.socket, let to = socketAddresses[name] else { return }
            let from = canonical(source)
            // Queued in by hand (replayed, edited): a datagram of its own, not one in flight.
            if let mark = e.mark {
                lastInbound[name] = add(from: from, to: to, bytes: bytes, fate: .delivered,
                                        roleHint: role(of: e.peer, sending: false), mark: mark)
            } else if let i = inFlight.firstIndex(where: { item in
                item.bytes == bytes && arrow(item.serial).map { $0.from == from && $0.to == to } == true
            }) {
                let serial = inFlight.remove(at: i).serial
                update(serial) { $0.fate = .delivered }
                lastInbound[name] = serial
            } else {
                lastInbound[name] = add(from: from, to: to, bytes: bytes, fate: .delivered,
                                        roleHint: role(of: e.peer, sending: false))
            }
        case let .dropped(direction, source, size, reason):
            dropped(e, direction, source: source, size: size, reason: reason)
        case let .peerCreated(_, address):
            guard let name = e.peer, let local = e.socket.flatMap({ socketAddresses[$0] }) else { return }
            if peerEnds[name] == nil { peerOrder.append(name) }
            peerEnds[name] = (local, canonical(address))
            if peerOrder.count > Self.capacity { peerEnds[peerOrder.removeFirst()] = nil }
        case let .retransmit(count):
            guard let p = e.peer.flatMap(engine.peer(named:)), let at = socketAddresses[p.socket.name] else { return }
            note(at: at, peer: p.name, "\(p.name): retransmission timer expired, last flight resent (\(count))")
        case let .alert(direction, level, description):
            guard let p = e.peer.flatMap(engine.peer(named:)), let at = socketAddresses[p.socket.name] else { return }
            let text = "\(level) \(description)"
            if direction == .outbound {
                // Bounded: names nobody sent (a peer forgotten with its queue) must not pile up.
                if alertsWritten.count > 256 { alertsWritten.removeAll() }
                var queue = alertsWritten[AddressPair(at, p.address), default: []]
                queue.append(text)
                alertsWritten[AddressPair(at, p.address)] = Array(queue.suffix(8))
            } else if let serial = lastArrow(where: { a in
                a.from == p.address && a.to == at && a.facts.messages.contains(DatagramFacts.unnamedAlert)
            }) {
                update(serial) { _ = $0.nameAlert(text) }
            }
        default:
            break
        }
    }

    private func dropped(_ e: Event, _ direction: Direction, source: SocketAddress?, size: Int, reason: String) {
        guard let name = e.socket, let here = socketAddresses[name] else { return }
        let peer = e.peer.flatMap(engine.peer(named:))
        switch direction {
        case .outbound:
            guard let to = e.dropped?.to ?? peer?.address, let bytes = e.dropped?.bytes else {
                let who = e.peer ?? name
                return note(at: here, peer: e.peer, "\(who): an outgoing datagram (\(size) B) was dropped: \(reason)")
            }
            add(from: here, to: canonical(to), bytes: bytes, fate: .lost(reason),
                roleHint: role(of: e.peer, sending: true))
        case .inbound:
            if let record = e.discarded, let source {
                discarded(record, from: canonical(source), at: here, peer: e.peer, reason: reason)
            } else if let bytes = e.dropped?.bytes, let peer, reason == "dropped by hand" {
                let from = canonical(peer.address)
                let fingerprint = bytes.hashValue
                let match = lastArrow { a in
                    a.from == from && a.to == here && a.fate == .delivered && a.fingerprint == fingerprint
                }
                guard let match else {
                    return note(at: here, peer: peer.name, "\(peer.name): an inbound datagram (\(size) B) was dropped by hand")
                }
                update(match) { $0.fate = .discarded("dropped by hand from \(peer.name)'s inbound queue") }
            } else if let serial = lastInbound[name], let source, arrow(serial)?.from == canonical(source) {
                update(serial) { $0.fate = .discarded(reason) }
                lastInbound[name] = nil
            } else {
                note(at: here, peer: e.peer, "\(name): an inbound datagram (\(size) B) was dropped: \(reason)")
            }
        }
    }

    /// A record a peer's OpenSSL discarded silently: the newest datagram that
    /// carried it says so in a few words. Its fate stays as it was: the
    /// datagram was delivered, and `explain` reads fates.
    private func discarded(_ record: DiscardedRecord, from: SocketAddress, at here: SocketAddress, peer: String?,
                           reason: String) {
        let number = DatagramFacts.recordNumber(epoch: record.epoch, sequence: record.sequence)
        guard let serial = lastArrow(where: { a in
            a.from == from && a.to == here && a.facts.recordNumbers.contains(number)
        }) else {
            return note(at: here, peer: peer, "\(peer ?? "?"): \(reason)")
        }
        update(serial) { $0.discardedRecords.append(record.brief) }
    }

    // MARK: - Rows

    @discardableResult
    private func add(from: SocketAddress, to: SocketAddress, bytes: [UInt8], fate: WireArrow.Fate,
                     roleHint: Role?, mark: DatagramMark? = nil) -> Int {
        var facts = DatagramFacts(bytes)
        let pair = AddressPair(from, to)
        if pairs[pair] == nil {
            pairOrder.append(pair)
            // Bounded: the oldest conversations are forgotten first.
            if pairOrder.count > 256 { pairs[pairOrder.removeFirst()] = nil }
        }
        let (flight, resent) = pairs[pair, default: PairHistory()].note(facts, from: from, roleHint: roleHint)
        // OpenSSL said which alerts this side wrote; the record itself is encrypted.
        for m in facts.messages where m.hasPrefix("Alert") {
            guard var queue = alertsWritten[pair], !queue.isEmpty else { break }
            let text = queue.removeFirst()
            alertsWritten[pair] = queue.isEmpty ? nil : queue
            if m == DatagramFacts.unnamedAlert, let i = facts.messages.firstIndex(of: m) {
                facts.messages[i] = "Alert(\(text))"
            }
        }
        lastSerial += 1
        entries.append(.arrow(WireArrow(serial: lastSerial, time: engine.now(), from: from, to: to, size: bytes.count,
                                        facts: facts, flight: flight, retransmission: resent,
                                        association: pairs[pair]?.association ?? 0, fate: fate,
                                        fingerprint: bytes.hashValue, mark: mark)))
        trim()
        return lastSerial
    }

    private func note(at: SocketAddress, peer: String?, _ text: String) {
        lastSerial += 1
        entries.append(.note(serial: lastSerial, at: at, peer: peer, text: text))
        trim()
    }

    private func trim() {
        guard entries.count > Self.capacity else { return }
        let n = entries.count - Self.capacity
        entries.removeFirst(n)
        forgotten += n
        let first = entries[0].serial
        inFlight.removeAll { $0.serial < first }
    }

    private func index(_ serial: Int) -> Int? {
        guard let first = entries.first?.serial else { return nil }
        let i = serial - first
        return entries.indices.contains(i) ? i : nil
    }

    /// The newest arrow that matches, by serial.
    private func lastArrow(where match: (WireArrow) -> Bool) -> Int? {
        for entry in entries.reversed() {
            if case let .arrow(a) = entry, match(a) { return a.serial }
        }
        return nil
    }

    private func arrow(_ serial: Int) -> WireArrow? {
        guard let i = index(serial), case let .arrow(a) = entries[i] else { return nil }
        return a
    }

    private func update(_ serial: Int, _ change: (inout WireArrow) -> Void) {
        guard let i = index(serial), case var .arrow(a) = entries[i] else { return }
        change(&a)
        entries[i] = .arrow(a)
    }

    // MARK: - Addresses and roles

    /// A socket bound to 0.0.0.0 or :: is reached at a concrete address; draw both as one.
    private func canonical(_ address: SocketAddress) -> SocketAddress {
        if socketNames[address] != nil { return address }
        return socketOrder.first { a in
            a.port == address.port && a.family == address.family && a.address.allSatisfy { $0 == 0 }
        } ?? address
    }

    /// The sender's role when a peer of this shell is one end.
    private func role(of peerName: String?, sending: Bool) -> Role? {
        guard let p = peerName.flatMap(engine.peer(named:)) else { return nil }
        return sending ? p.role : (p.role == .client ? .server : .client)
    }
}
