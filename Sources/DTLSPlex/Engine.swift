import Glibc

/// The multiplex engine: any number of DTLS peers, client or server, over any
/// number of UDP sockets, driven one call at a time (`receive`, `step`,
/// `flush`, `tick`) or by the loop built from those same calls. One thread:
/// OpenSSL objects are not thread-safe per connection, and one thread makes a
/// session replay the same way every time.
public final class Engine {
    @exclusivity(unchecked) public var settings: Settings {
        didSet { if oldValue.seed != settings.seed { impairment.reseed(settings.seed) } }
    }
    // @exclusivity(unchecked) below: these are touched for every datagram; an engine
    // is confined to one thread and never overlaps accesses to them, so the runtime's
    // exclusivity checks were pure cost (about 3 % of an echo's CPU).
    @exclusivity(unchecked) public internal(set) var statistics = Statistics()
    @exclusivity(unchecked) public private(set) var sockets: [EngineSocket] = []
    /// Peers in the order they were made.
    public var peers: [Peer] { peersByID.values.sorted { $0.id < $1.id } }

    public var peerCount: Int { peersByID.count }

    @exclusivity(unchecked) var peersByName: [String: Peer] = [:]
    @exclusivity(unchecked) var peersByID: [Int: Peer] = [:]
    @exclusivity(unchecked) var timers = TimerHeap()
    /// Inside a driven turn of the loop (auto mode, or `wait` in manual mode).
    @exclusivity(unchecked) var isDriving = false
    /// In manual mode, the only peers a driven turn steps, flushes and fires
    /// timers for (`handshake c1` moves c1 and its other end, nothing else).
    @exclusivity(unchecked) public var drivesOnly: ((Peer) -> Bool)?
    /// Peers with datagrams to process, for the auto loop. Unretained, like
    /// `borrowers` and each socket's peer table: the per-datagram path makes
    /// no reference-counting traffic. `peersByID` owns every peer, and a
    /// removed one waits in `retired` until no such list can name it.
    @exclusivity(unchecked) var readyPeers: [Unmanaged<Peer>] = []
    /// Peers holding received messages nobody has read (serve --echo reads them).
    @exclusivity(unchecked) var readyWithData: Set<Int> = []
    /// BIOs lending a receive slot during this batch (see `receive`).
    @exclusivity(unchecked) var borrowers: [Unmanaged<DatagramBIO>] = []
    /// Peers removed while an unretained list may still name them.
    @exclusivity(unchecked) var retired: [Peer] = []
    /// What this engine's connections know of OpenSSL's error queue.
    let errorQueue = OpenSSLErrorQueue()
    /// The time a driven turn woke up: one clock read per turn, not per datagram.
    @exclusivity(unchecked) var turnClock = 0.0
    /// Inside `readAvailable`: a send from `messageHandler` follows a successful read.
    @exclusivity(unchecked) var inReadPass = false
    /// The cookie exchange and how a verified ClientHello becomes a peer.
    lazy var admission = Admission(engine: self)
    /// Kept between turns so the loop allocates nothing per turn.
    @exclusivity(unchecked) var pumpScratch: [Unmanaged<Peer>] = []
    @exclusivity(unchecked) var pollSet: [pollfd] = []
    /// What shares the loop in auto mode (the shell's relays): see `EngineCompanion`.
    public weak var companion: EngineCompanion? {
        didSet { hasCompanion = companion != nil }
    }
    /// Read every turn instead of the weak reference, which would cost
    /// reference counting on every turn of a server that has no companion.
    @exclusivity(unchecked) var hasCompanion = false
    /// Takes each application message as it is read, before it is queued for
    /// `read`: returning true consumes it (serve --echo answers from here, so
    /// a message is never copied into an array of its own). The bytes are
    /// OpenSSL's plaintext buffer, valid only during the call; the handler may
    /// send, or close the peer (its reading stops there), but not run the
    /// loop (`runOnce`, `run`): the loop holds its peers unretained for the
    /// turn. It is handed the engine, so it need capture nothing (a closure
    /// with no context costs no reference counting, once per message).
    @exclusivity(unchecked) public var messageHandler: ((Engine, Peer, UnsafeRawBufferPointer) -> Bool)?
    var impairment: Impairment
    @exclusivity(unchecked) var contexts: ContextCache
    let cookieJar: CookieJar
    @exclusivity(unchecked) private var subscribers = EventSubscribers()
    @exclusivity(unchecked) private var lastPeerID = 0
    @exclusivity(unchecked) var memory = MemoryReturn()
    private let start: timespec
    let readBuffer = UnsafeMutableRawPointer.allocate(byteCount: 1 << 16, alignment: 16)
    /// Where NSS key log lines go, only when the user asked for a key log.
    public var keyLogSink: ((String) -> Void)? {
        get { contexts.keyLog }
        set { contexts.keyLog = newValue }
    }

    public init(settings: Settings = Settings()) {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        self.start = t
        self.settings = settings
        self.impairment = Impairment(seed: settings.seed)
        self.cookieJar = CookieJar(master: settings.cookieMasterKey ?? CookieJar.processMaster)
        self.contexts = ContextCache(cookieJar: cookieJar)
    }

    deinit {
        // Peers hold unowned references back here: free them first (the
        // unretained lists before the owners).
        readyPeers.removeAll()
        borrowers.removeAll()
        sockets.forEach { $0.peers.removeAll(); $0.listener = nil }
        peersByName.removeAll()
        peersByID.removeAll()
        retired.removeAll()
        readBuffer.deallocate()
    }

    /// Seconds since the engine started, on the monotonic clock.
    public func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec - start.tv_sec) + Double(t.tv_nsec - start.tv_nsec) / 1e9
    }

    func nextPeerID() -> Int {
        lastPeerID += 1
        return lastPeerID
    }

    // MARK: - Events

    /// Calls `handler` with every event of the kinds in `interest` from now on.
    /// A handler may read the engine but not run its loop (`runOnce`, `run`):
    /// events come from inside a turn, which holds its peers unretained.
    public func subscribe(_ interest: EventInterest = .all, _ handler: @escaping (Event) -> Void) {
        subscribers.add(interest, handler)
    }

    public var hasSubscribers: Bool { !subscribers.isEmpty }

    /// An event may belong to more than one kind (errors are lifecycle and essentials).
    func wants(_ kind: EventInterest) -> Bool { !subscribers.interest.isDisjoint(with: kind) }

    /// Everything is built only when a subscriber wants this kind of event.
    func emit(_ kind: @autoclosure () -> Event.Kind, socket: @autoclosure () -> String?, peer: @autoclosure () -> String?,
              as type: EventInterest = .lifecycle, dropped: @autoclosure () -> DroppedDatagram? = nil,
              mark: DatagramMark? = nil) {
        guard wants(type) else { return }
        subscribers.deliver(Event(time: now(), socket: socket(), peer: peer(), kind: kind(), dropped: dropped(), mark: mark),
                            as: type)
    }

    /// An event made whole by its emitter, off the per-datagram path (a
    /// record OpenSSL discards silently), as a lifecycle event.
    func emit(_ event: @autoclosure () -> Event) {
        guard wants(.lifecycle) else { return }
        subscribers.deliver(event(), as: .lifecycle)
    }

    // MARK: - Contexts

    /// The context for `role` built from `configuration` (the current
    /// settings by default), cached: `set` applies to peers made afterwards.
    func context(for role: Role, configuration: TLSConfiguration? = nil) throws -> TLSContext {
        try contexts.context(for: role, configuration: configuration ?? settings.tls)
    }

    /// Checks that the current settings make a working context for `role`.
    public func validateSettings(for role: Role) throws {
        _ = try context(for: role)
    }

    /// The fingerprint of the certificate this engine presents.
    public var certificateFingerprint: String? { try? context(for: .server).certificateFingerprint }

    // MARK: - Sockets

    /// `reusePort` sets SO_REUSEPORT before binding, so several engines (one
    /// per thread) can each bind the same address and the kernel spreads
    /// clients across them.
    @discardableResult
    public func openSocket(name: String, bind address: SocketAddress, accepting: Bool,
                           reusePort: Bool = false) throws -> EngineSocket {
        guard socket(named: name) == nil else { throw EngineError.exists("socket", name) }
        guard peersByName[name] == nil else { throw EngineError.exists("peer", name) }
        if accepting { try validateSettings(for: .server) }
        let s = EngineSocket(name: name, udp: try UDPSocket(bind: address, reusePort: reusePort), accepting: accepting, tls: settings.tls)
        sockets.append(s)
        emit(.socketOpened(address: s.localAddress, accepting: accepting), socket: name, peer: nil, as: .essential)
        return s
    }

    public func socket(named name: String) -> EngineSocket? {
        sockets.first { $0.name == name }
    }

    public func closeSocket(_ s: EngineSocket) {
        for p in s.peerList where p.status == .handshaking || p.status == .established { close(p) }
        flush(s)
        for p in s.peerList { remove(p) }
        s.listener = nil
        sockets.removeAll { $0 === s }
        emit(.socketClosed, socket: s.name, peer: nil, as: .essential)
    }

    // MARK: - Peers

    public func peer(named name: String) -> Peer? { peersByName[name] }

    /// The shell's hand tools for queued and forged datagrams (see `ByHand`).
    public var byHand: ByHand { ByHand(engine: self) }

    /// A client-role peer on `socket` towards `address`. Nothing is sent until
    /// it is stepped (or the engine is in auto mode). `resuming`: a session of an
    /// earlier association to offer (an abbreviated handshake if the server still has it).
    @discardableResult
    public func connect(name: String, socket s: EngineSocket, to address: SocketAddress,
                        resuming session: ResumableSession? = nil) throws -> Peer {
        guard peersByName[name] == nil else { throw EngineError.exists("peer", name) }
        guard socket(named: name) == nil else { throw EngineError.exists("socket", name) }
        if let there = s.peers[address] {
            throw EngineError.invalidArgument("socket \(s.name) already has peer \(there.takeUnretainedValue().name) for \(address)")
        }
        guard address.family == s.localAddress.family else {
            throw EngineError.invalidArgument("socket \(s.name) is \(s.localAddress.family == .inet ? "IPv4" : "IPv6"); \(address) is not")
        }
        let p = try Peer(name: name, role: .client, address: address, socket: s, engine: self,
                         context: try context(for: .client), mtu: settings.mtu)
        if let session, !p.connection.offer(session) {
            throw EngineError.invalidArgument("OpenSSL refused the session to resume")
        }
        register(p)
        if settings.auto {
            step(p)
            flush(p)
        }
        return p
    }

    func register(_ p: Peer) {
        p.socket.peers[p.address] = Unmanaged.passUnretained(p)
        if p.role == .server, p.status == .handshaking, !p.countsAsHalfOpen {
            p.countsAsHalfOpen = true
            p.socket.enterHalfOpen(p.address)
        }
        peersByName[p.name] = p
        peersByID[p.id] = p
        p.isRegistered = true
        statistics.peersCreated += 1
        statistics.peersPeak = max(statistics.peersPeak, peersByID.count)
        if p.role == .server, p.status == .handshaking {
            statistics.halfOpenPeak = max(statistics.halfOpenPeak, p.socket.halfOpenCount)
        }
        emit(.peerCreated(role: p.role, address: p.address), socket: p.socket.name, peer: p.name, as: .admission)
        schedule(p)
    }

    /// Drops all state of a peer at once, without telling the other side.
    public func remove(_ p: Peer) {
        // One lookup: put back what was not this peer (a newer one at the address).
        if let there = p.socket.peers.removeValue(forKey: p.address), there.toOpaque() != Unmanaged.passUnretained(p).toOpaque() {
            p.socket.peers[p.address] = there
        }
        p.leaveHalfOpen()
        p.isReady = false
        peersByName[p.name] = nil
        // The table's own reference goes to `retired`: the caller may hold
        // the peer unretained (the loop does), so it must stay alive until
        // the loop's unretained lists are done with it.
        if let owned = peersByID.removeValue(forKey: p.id) { retired.append(owned) }
        p.isRegistered = false
    }

    /// For a process whose engines serve load (see `MemoryReturn.holdHeapBetweenTrims`).
    /// Process-wide; call it before the load starts.
    public static func trimHeapOnlyOnSchedule() { MemoryReturn.holdHeapBetweenTrims() }

    /// Frees peers that have ended when the settings say not to keep them.
    func reapIfFinished(_ p: Peer) {
        guard !settings.keepFinishedPeers, p.status == .closed || p.status == .failed else { return }
        // Whatever it still had to say (a close_notify, an alert) goes out first.
        moveOutboundToSocket(p)
        remove(p)
    }

    func moveOutboundToSocket(_ p: Peer) {
        for d in p.bio.outbound.removeAll() { p.socket.outbound.append((p.address, d)) }
    }

    func countDrop(_ reason: String) {
        statistics.dropped[reason, default: 0] += 1
    }
}
