internal import COpenSSL
internal import CSystem
import Glibc

/// The multiplex engine: any number of DTLS peers, client or server, over any
/// number of UDP sockets, driven one call at a time (`receive`, `step`,
/// `flush`, `tick`) or by the loop built from those same calls. One thread:
/// OpenSSL objects are not thread-safe per connection, and one thread makes a
/// session replay the same way every time.
public final class Engine {
    public struct Settings: Sendable {
        public var tls: TLSConfiguration
        /// Datagram payload limit given to SSL_set_mtu.
        public var mtu = 1400
        /// The HelloVerifyRequest round before any per-peer state.
        public var cookies = true
        public var maxPeers = 10_000
        /// Server peers still handshaking, per socket.
        public var halfOpenLimit = 1_000
        /// Evict a peer after this long with no datagram in; nil never.
        public var idleTimeout: Double?
        /// Fail a handshake not done after this long; nil never.
        public var handshakeTimeout: Double?
        /// Keep closed and failed peers for inspection (the shell) or free them at once (servers).
        public var keepFinishedPeers = true
        /// Step, flush and fire timers without being asked.
        public var auto = false
        /// Outbound loss, in percent, from a seeded generator.
        public var lossPercent = 0.0
        /// At most this many losses in a row towards one destination; 0 no cap.
        public var lossBurst = 0
        /// Outbound datagrams sent twice, in percent.
        public var duplicatePercent = 0.0
        /// Outbound datagrams held back and sent after the next one, in percent.
        public var reorderPercent = 0.0
        public var seed: UInt64 = 1
        /// Give OpenSSL's record buffers of an established peer back after
        /// this long without a datagram in (they return with the next one);
        /// nil keeps them.
        public var releaseBuffersAfter: Double? = 1
        /// Follow every peer's records and messages through OpenSSL's message
        /// callback: its flights, alerts and write epoch (what the shell's
        /// ladder, explain and `peers` show) and the record, message and alert
        /// events. A server that reports nothing per peer goes without: the
        /// callback runs for every record and message, a few hundred
        /// nanoseconds a handshake.
        public var followsMessages = true

        public init(tls: TLSConfiguration = TLSConfiguration()) {
            self.tls = tls
        }
    }

    public struct Statistics: Sendable {
        public var datagramsIn = 0, datagramsOut = 0, bytesIn = 0, bytesOut = 0
        public var cookiesSent = 0, cookiesOK = 0, cookiesBad = 0
        public var peersCreated = 0, handshakesCompleted = 0, handshakesFailed = 0
        public var peersClosed = 0, peersEvicted = 0
        public var retransmits = 0
        public var messagesIn = 0, messagesOut = 0
        /// The most peers at once, and the most server peers still
        /// handshaking on one socket at once: what the caps bound.
        public var peersPeak = 0, halfOpenPeak = 0
        /// Datagrams dropped, by reason.
        public var dropped: [String: Int] = [:]
        public var droppedTotal: Int { dropped.values.reduce(0, +) }
    }

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
    struct ContextKey: Hashable {
        var role: Role
        var configuration: TLSConfiguration
    }
    @exclusivity(unchecked) var contexts: [ContextKey: TLSContext] = [:]
    let cookieJar: CookieJar
    @exclusivity(unchecked) private var subscribers: [(EventInterest, (Event) -> Void)] = []
    /// What at least one subscriber wants.
    @exclusivity(unchecked) private var interest: EventInterest = []
    @exclusivity(unchecked) private var lastPeerID = 0
    /// Peers forgotten since freed memory last went back to the system.
    @exclusivity(unchecked) var removedSinceTrim = 0
    @exclusivity(unchecked) var lastTrim = 0.0
    @exclusivity(unchecked) var lastBufferSweep = 0.0
    private let start: timespec
    let readBuffer = UnsafeMutableRawPointer.allocate(byteCount: 1 << 16, alignment: 16)
    /// Where NSS key log lines go, only when the user asked for a key log.
    public var keyLogSink: ((String) -> Void)? {
        didSet { contexts.values.forEach { $0.keyLog = keyLogSink } }
    }

    public init(settings: Settings = Settings()) {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        self.start = t
        self.settings = settings
        self.impairment = Impairment(seed: settings.seed)
        self.cookieJar = CookieJar()
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
        subscribers.append((interest, handler))
        self.interest.formUnion(interest)
    }

    public var hasSubscribers: Bool { !subscribers.isEmpty }

    /// An event may belong to more than one kind (errors are lifecycle and essentials).
    func wants(_ kind: EventInterest) -> Bool { !interest.isDisjoint(with: kind) }

    /// Everything is built only when a subscriber wants this kind of event.
    func emit(_ kind: @autoclosure () -> Event.Kind, socket: @autoclosure () -> String?, peer: @autoclosure () -> String?,
              as type: EventInterest = .lifecycle, dropped: @autoclosure () -> DroppedDatagram? = nil) {
        guard wants(type) else { return }
        let event = Event(time: now(), socket: socket(), peer: peer(), kind: kind(), dropped: dropped())
        for (wanted, handler) in subscribers where !wanted.isDisjoint(with: type) { handler(event) }
    }

    // MARK: - Contexts

    /// The context for `role` built from `configuration` (the current
    /// settings by default), cached: `set` applies to peers made afterwards.
    func context(for role: Role, configuration: TLSConfiguration? = nil) throws -> TLSContext {
        let key = ContextKey(role: role, configuration: configuration ?? settings.tls)
        if let c = contexts[key] { return c }
        let c = try TLSContext(role: role, configuration: key.configuration)
        c.cookieJar = cookieJar
        c.keyLog = keyLogSink
        // Bounded: peers keep their own context alive; the cache only saves rebuilding.
        if contexts.count >= 16 { contexts.removeAll() }
        contexts[key] = c
        return c
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

    /// A client-role peer on `socket` towards `address`. Nothing is sent until
    /// it is stepped (or the engine is in auto mode).
    @discardableResult
    public func connect(name: String, socket s: EngineSocket, to address: SocketAddress) throws -> Peer {
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
            p.socket.halfOpen += 1
        }
        peersByName[p.name] = p
        peersByID[p.id] = p
        p.isRegistered = true
        statistics.peersCreated += 1
        statistics.peersPeak = max(statistics.peersPeak, peersByID.count)
        if p.role == .server, p.status == .handshaking {
            statistics.halfOpenPeak = max(statistics.halfOpenPeak, p.socket.halfOpenCount)
        }
        emit(.peerCreated(role: p.role, address: p.address), socket: p.socket.name, peer: p.name)
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

    /// For a process whose engines serve load: glibc gives the heap's top
    /// back to the system whenever 128 KB of it is free, so a busy server
    /// shrinks and regrows it all the time, and every regrown page faults
    /// (OpenSSL zeroes a 16 KB buffer for each handshake) — thousands of
    /// faults a second. With this, memory goes back only when an engine
    /// returns it (`returnFreedMemory`, once a second after peers went).
    /// Process-wide; call it before the load starts.
    public static func trimHeapOnlyOnSchedule() {
        _ = mallopt(M_TRIM_THRESHOLD, 64 << 20)
    }

    /// Memory returns: glibc keeps what freed peers held (about 70 KB each)
    /// for reuse, so a server that once held many peers would keep that
    /// resident for good. After peers went, whole free pages go back to the
    /// system — at most once a second, the walk costs a few milliseconds.
    func returnFreedMemory(now t: Double) {
        releaseIdleBuffers(now: t)
        guard removedSinceTrim > 0, t - lastTrim >= 1 else { return }
        removedSinceTrim = 0
        lastTrim = t
        _ = malloc_trim(0)
    }

    /// Looks for established peers idle long enough to give their record
    /// buffers back: at most once a second, a walk over the peers.
    private func releaseIdleBuffers(now t: Double) {
        guard let after = settings.releaseBuffersAfter, t - lastBufferSweep >= min(1, after) else { return }
        lastBufferSweep = t
        var released = 0
        for p in peersByID.values where p.status == .established && t - p.lastActivity >= after {
            if p.releaseBuffers() { released += 1 }
        }
        // Freed buffers are memory for malloc to hand back, as after removed peers.
        if released > 0 { removedSinceTrim += released }
    }

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
