import DTLSWire
import Glibc

/// A relay between DTLS clients and one server: every client address that
/// sends to the listen socket gets a leg with its own upstream socket, and
/// datagrams cross both ways, classified in flights from what is in clear
/// (`FlightTracker`) and impaired as `RelaySettings` ask. It holds no keys.
/// Like the engine it is confined to one thread and never prints: it emits
/// `RelayEvent`s to its subscribers.
public final class Relay {
    public let name: String
    public let listenSocket: UDPSocket
    /// The server every leg forwards to.
    public let upstream: SocketAddress
    public var settings: RelaySettings
    /// Open legs, oldest first.
    public private(set) var legs: [RelayLeg] = []
    /// Legs closed (idle), with their counts.
    public private(set) var closedLegs: [(name: String, totals: RelayLegTotals)] = []
    /// Writes every datagram as it is sent on, client ↔ server.
    public var pcap: PcapWriter?
    /// Manual mode (the shell's default): what arrives waits in the legs'
    /// queues for `flush`, and no impairment applies; off, the relay forwards
    /// by itself through the impairments.
    public var holding = false

    private var byClient: [SocketAddress: RelayLeg] = [:]
    private var legsMade = 0
    private var subscribers: [(RelayEvent) -> Void] = []
    private let started: Double
    var delayLine = DelayLine()

    /// Binds the listen socket. Throws the bind's error (a port in use) as it is.
    public init(name: String = "relay", listen: SocketAddress, upstream: SocketAddress, settings: RelaySettings) throws {
        self.name = name
        self.upstream = upstream
        self.settings = settings
        self.listenSocket = try UDPSocket(bind: listen)
        self.started = Self.clock()
    }

    public func subscribe(_ handler: @escaping (RelayEvent) -> Void) {
        subscribers.append(handler)
    }

    /// Seconds since the relay started, on the monotonic clock.
    public func now() -> Double { Self.clock() - started }

    private static func clock() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    func emit(_ leg: RelayLeg?, _ kind: RelayEvent.Kind) {
        guard !subscribers.isEmpty else { return }
        let e = RelayEvent(time: now(), relay: name, leg: leg?.name, kind: kind)
        for s in subscribers { s(e) }
    }

    /// Announces the relay (call once subscribers are attached).
    public func announce() {
        emit(nil, .opened(listen: listenSocket.localAddress, upstream: upstream))
    }

    public func leg(named legName: String) -> RelayLeg? { legs.first { $0.name == legName } }

    // MARK: - The loop

    /// Waits up to `timeout` seconds for datagrams (or one of `extra`'s
    /// descriptors), handles what came, sends what is due. Returns the
    /// descriptors of `extra` that are readable.
    @discardableResult
    public func runOnce(timeout: Double, watching extra: [Int32] = []) -> [Int32] {
        let current = legs
        var fds = [pollfd(fd: listenSocket.fileDescriptor, events: Int16(POLLIN), revents: 0)]
        fds += current.map { pollfd(fd: $0.upstream.fileDescriptor, events: Int16(POLLIN), revents: 0) }
        fds += extra.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        var wait = max(0, timeout)
        let t = now()
        if let due = nextDue() { wait = min(wait, max(0, due - t)) }
        let n = poll(&fds, nfds_t(fds.count), Int32((wait * 1000).rounded(.up)))
        var ready: [Int32] = []
        if n > 0 {
            if fds[0].revents != 0 { receiveFromClients() }
            for (i, leg) in current.enumerated() where fds[1 + i].revents != 0 {
                receiveFromServer(leg)
            }
            for (i, fd) in extra.enumerated() where fds[1 + current.count + i].revents != 0 { ready.append(fd) }
        }
        sendDue()
        closeIdleLegs()
        return ready
    }

    /// The earliest moment something waits for: a delayed datagram, a held one.
    private func nextDue() -> Double? {
        var due = delayLine.nextDue
        for leg in legs {
            for (_, p) in leg.packing {
                let d = p.since + settings.packWindowSeconds
                due = min(due ?? d, d)
            }
            for (_, h) in leg.held {
                let d = h.since + settings.reorderHoldSeconds
                due = min(due ?? d, d)
            }
        }
        return due
    }

    private func receiveFromClients() {
        // Bounded: at most a few batches per turn, so the upstream side is served too.
        for _ in 0..<8 {
            guard let batch = try? listenSocket.receive(), !batch.isEmpty else { return }
            for d in batch {
                guard let leg = legFor(client: d.source, size: d.bytes.count) else { continue }
                handle(d.bytes, on: leg, .up)
            }
        }
    }

    private func receiveFromServer(_ leg: RelayLeg) {
        // A connected socket holds the ICMP error the server's host sent back.
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        if getsockopt(leg.upstream.fileDescriptor, SOL_SOCKET, SO_ERROR, &error, &length) == 0, error == ECONNREFUSED {
            noteUnreachable(leg)
        }
        for _ in 0..<8 {
            guard let batch = try? leg.upstream.receive(), !batch.isEmpty else { return }
            for d in batch {
                guard d.source.isSameEndpoint(upstream) else {
                    emit(leg, .refused(from: d.source, size: d.bytes.count, reason: "not from the upstream server"))
                    continue
                }
                leg.unreachable = false
                handle(d.bytes, on: leg, .down)
            }
        }
    }

    func noteUnreachable(_ leg: RelayLeg) {
        guard !leg.unreachable else { return }
        leg.unreachable = true
        emit(leg, .upstreamUnreachable(server: upstream))
    }

    /// The leg of a client, made on its first datagram.
    private func legFor(client: SocketAddress, size: Int) -> RelayLeg? {
        if let leg = byClient[client] { return leg }
        guard legs.count < settings.maxClients else {
            emit(nil, .refused(from: client, size: size, reason: "--max-clients \(settings.maxClients) reached"))
            return nil
        }
        let socket: UDPSocket
        do {
            let loopback = upstream.host.hasPrefix("127.") || upstream.host == "::1"
            let local = try SocketAddress(parsing: upstream.family == .inet ? (loopback ? "127.0.0.1:0" : "0.0.0.0:0")
                                                                            : (loopback ? "[::1]:0" : "[::]:0"))
            socket = try UDPSocket(bind: local, batch: 8)
            // Connected, so that ICMP port unreachable comes back as an error on it.
            guard upstream.withSockAddr({ Glibc.connect(socket.fileDescriptor, $0, $1) }) == 0 else {
                throw SocketError.system("connect \(upstream)", errno)
            }
        } catch {
            emit(nil, .refused(from: client, size: size, reason: "no upstream socket: \(error)"))
            return nil
        }
        legsMade += 1
        let leg = RelayLeg(name: "\(name).\(legsMade)", client: client, upstream: socket,
                           seed: settings.seed &+ UInt64(legsMade), now: now())
        legs.append(leg)
        byClient[client] = leg
        emit(leg, .legOpened(client: client, via: socket.localAddress, server: upstream))
        return leg
    }

    private func closeIdleLegs() {
        let t = now()
        for leg in legs where t - leg.lastActivity > settings.idleSeconds {
            close(leg, reason: "idle for \(Int(settings.idleSeconds)) s")
        }
    }

    /// Closes a leg: what it still holds is sent, its counts are kept.
    public func close(_ leg: RelayLeg, reason: String) {
        for d in [RelayDirection.up, .down] { flushPack(leg, d) }
        for (direction, h) in leg.held { send(h.bytes, on: leg, direction) }
        leg.held = [:]
        delayLine.flush(leg) { send($0.bytes, on: leg, $0.direction) }
        legs.removeAll { $0 === leg }
        byClient[leg.client] = nil
        closedLegs.append((leg.name, leg.totals))
        emit(leg, .legClosed(reason: reason))
    }

    /// Every leg's counts, closed legs first, each emitted as `relay_totals`.
    @discardableResult
    public func finish() -> [(name: String, totals: RelayLegTotals)] {
        for leg in legs {
            for d in [RelayDirection.up, .down] { flushPack(leg, d) }
            for (direction, h) in leg.held { send(h.bytes, on: leg, direction) }
            leg.held = [:]
            delayLine.flush(leg) { send($0.bytes, on: leg, $0.direction) }
        }
        // Completed by the second sign alone: flight 6 passed and the client kept quiet.
        for leg in legs where !leg.totals.handshakeCompleted
            && leg.quietAfterFlight6(now: now(), quiet: settings.quietAfterFlight6Seconds) == true {
            leg.totals.handshakeCompleted = true
        }
        let all = closedLegs + legs.map { ($0.name, $0.totals) }
        for (legName, totals) in all {
            let e = RelayEvent(time: now(), relay: name, leg: legName, kind: .totals(totals))
            for s in subscribers { s(e) }
        }
        return all
    }

    // MARK: - Sending

    /// Sends one datagram on: up through the leg's own socket, down through the listen socket.
    func send(_ bytes: [UInt8], on leg: RelayLeg, _ direction: RelayDirection) {
        leg.sent[direction, default: []].append(bytes)
        if leg.sent[direction, default: []].count > RelayLeg.sentLimit { leg.sent[direction]?.removeFirst() }
        switch direction {
        case .up:
            let rc = bytes.withUnsafeBytes { Glibc.send(leg.upstream.fileDescriptor, $0.baseAddress, $0.count, 0) }
            if rc < 0 && errno == ECONNREFUSED { noteUnreachable(leg) }
            pcap?.record(bytes, from: leg.client, to: upstream)
        case .down:
            _ = try? listenSocket.send(bytes, to: leg.client)
            pcap?.record(bytes, from: upstream, to: leg.client)
        }
    }
}
