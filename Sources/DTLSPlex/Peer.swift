internal import COpenSSL
import DTLSWire

/// One DTLS association on a socket: an `SSL` with its datagram BIO, a fixed
/// remote address and a role. The engine owns peers; the shell names them.
public final class Peer {
    public enum Status: String, Sendable {
        case handshaking, established, closed, failed
    }

    public struct Counters: Sendable {
        public var datagramsIn = 0, datagramsOut = 0
        public var bytesIn = 0, bytesOut = 0
        public var messagesIn = 0, messagesOut = 0
        public var retransmits = 0
        public var dropped = 0
    }

    @exclusivity(unchecked) public internal(set) var name: String
    public let role: Role
    @exclusivity(unchecked) public internal(set) var address: SocketAddress {
        didSet { kernelAddress = KernelSocketAddress(address) }
    }
    /// `address` as the kernel reads it, made once rather than for every datagram sent.
    @exclusivity(unchecked) private var kernelAddress: KernelSocketAddress
    @exclusivity(unchecked) public internal(set) var status: Status = .handshaking {
        didSet { if status != .handshaking { leaveHalfOpen() } }
    }
    // @exclusivity(unchecked) below: these are touched for every datagram; an engine
    // is confined to one thread and never overlaps accesses to them, so the runtime's
    // exclusivity checks were pure cost (about 3 % of an echo's CPU).
    @exclusivity(unchecked) public internal(set) var counters = Counters()
    /// Application messages received and not yet read.
    @exclusivity(unchecked) public internal(set) var received: [[UInt8]] = []
    /// What the last handshake step or read came to.
    @exclusivity(unchecked) public internal(set) var lastSSLError: SSLOutcome?
    @exclusivity(unchecked) public internal(set) var lastError: OpenSSLError?
    /// Why the peer failed or was closed, in words.
    @exclusivity(unchecked) public internal(set) var endReason: String?
    @exclusivity(unchecked) public internal(set) var flights: [Flight] = []
    /// Alerts sent and received, as "fatal handshake failure" etc.
    public var alerts: [(Direction, String)] { alertLog.map { ($0.direction, ObservedAlert.text($0.code)) } }
    @exclusivity(unchecked) var alertLog: [ObservedAlert] = []
    public let createdAt: Double
    @exclusivity(unchecked) public internal(set) var lastActivity: Double
    @exclusivity(unchecked) public internal(set) var establishedAt: Double?
    /// Absolute engine time of the retransmission timer, when armed.
    @exclusivity(unchecked) public internal(set) var retransmitDeadline: Double?

    /// Strong: a socket drops its peers when it closes, so this makes no
    /// lasting cycle, and an unowned reference costs a check on every datagram.
    public let socket: EngineSocket
    /// The engine owns every peer and outlives them; checked references would
    /// cost an atomic on each datagram and event. Kept unretained, and lent
    /// without a retain where every datagram passes (`sendDirect`).
    private let engineReference: Unmanaged<Engine>
    var engine: Engine { engineReference.takeUnretainedValue() }
    /// The socket's UDP endpoint, likewise (the socket outlives its peers' use).
    private let udpReference: Unmanaged<UDPSocket>
    /// In the engine's tables: between `register` and `remove`.
    @exclusivity(unchecked) var isRegistered = false
    /// Its SSL, driven only through this.
    let connection: DTLSConnection
    let bio: DatagramBIO
    let context: TLSContext
    let id: Int
    @exclusivity(unchecked) var timerGeneration = 0
    @exclusivity(unchecked) var isListener: Bool
    @exclusivity(unchecked) var handshakeStarted = false
    /// The random of the ClientHello that made a server peer: a late copy of
    /// it is not a client starting over.
    @exclusivity(unchecked) var clientRandom: HelloRandom?
    /// Set at admission: the ClientHello inside the SSL was already reported.
    @exclusivity(unchecked) var replayedHello = false
    /// The highest handshake message_seq this peer has written, and whether
    /// it wrote its ChangeCipherSpec: what tells a resent message from a new one.
    @exclusivity(unchecked) var highestSentMessageSeq: Int32 = -1
    @exclusivity(unchecked) var sentChangeCipherSpec = false
    /// What OpenSSL will discard silently of the protected records it reads (Peer+Observing).
    @exclusivity(unchecked) var recordCheck = InboundRecordCheck()
    /// Messages seen during the current `step` or resend, for its report.
    @exclusivity(unchecked) var stepCapture: [SeenMessage]?
    /// Queued for the auto loop to step.
    @exclusivity(unchecked) var isReady = false
    /// The deadline of this peer's live entry in the timer heap.
    @exclusivity(unchecked) var scheduledAt: Double?
    /// The version its records carry, read once at establishment (asked of
    /// every datagram; renegotiation is off).
    @exclusivity(unchecked) var recordVersion: UInt16?
    /// Counted in its socket's half-open handshakes.
    @exclusivity(unchecked) var countsAsHalfOpen = false

    /// OpenSSL's record buffers were given back while the peer was idle.
    public var buffersReleased: Bool { connection.buffersReleased }

    /// Gives OpenSSL's record buffers back while the peer is idle, and not
    /// while datagrams wait in the BIO (OpenSSL would hold part of a record).
    func releaseBuffers() -> Bool {
        guard status == .established, !bio.hasInbound, bio.outbound.isEmpty else { return false }
        return connection.releaseBuffers()
    }

    /// A datagram OpenSSL writes during a driven step: straight into the
    /// socket's send batch, no queue, no array (see `DatagramBIO.sendsDirect`).
    /// Inlined into the BIO's write callback with the queueing under it:
    /// their calls were a third of the send path's instructions.
    @inline(__always)
    func sendDirect(_ d: UnsafeRawBufferPointer) {
        udpReference._withUnsafeGuaranteedRef { $0.queue(d, to: kernelAddress) }
        // Counts of datagrams and bytes: no Int overflows in a process's lifetime.
        engineReference._withUnsafeGuaranteedRef {
            $0.statistics.datagramsOut &+= 1
            $0.statistics.bytesOut &+= d.count
        }
        counters.datagramsOut &+= 1
        counters.bytesOut &+= d.count
    }

    /// No longer a half-open handshake of its socket: established, ended or gone.
    func leaveHalfOpen() {
        guard countsAsHalfOpen else { return }
        countsAsHalfOpen = false
        socket.leaveHalfOpen(address)
    }

    init(name: String, role: Role, address: SocketAddress, socket: EngineSocket, engine: Engine,
         context: TLSContext, mtu: Int, isListener: Bool = false) throws {
        self.connection = try DTLSConnection(context: context, role: role, overhead: address.headerOverhead, mtu: mtu,
                                             errors: engine.errorQueue)
        self.bio = connection.bio
        self.name = name
        self.role = role
        self.address = address
        self.kernelAddress = KernelSocketAddress(address)
        self.socket = socket
        self.engineReference = Unmanaged.passUnretained(engine)
        self.udpReference = Unmanaged.passUnretained(socket.udp)
        self.context = context
        self.isListener = isListener
        self.id = engine.nextPeerID()
        self.createdAt = engine.now()
        self.lastActivity = createdAt
        bio.source = address
        bio.ownerReference = Unmanaged.passUnretained(self)
        if engine.settings.followsMessages {
            connection.followMessages(peerMessageCallback, argument: Unmanaged.passUnretained(self).toOpaque())
        }
    }

    // MARK: - What OpenSSL reports

    /// `SSL_state_string_long`: "SSLv3/TLS write client hello", "SSL negotiation finished successfully", …
    public var stateDescription: String { connection.stateDescription }

    public var version: String? {
        status == .established || connection.initFinished ? context.staticName(connection.versionName) : nil
    }

    public var cipher: String? {
        guard let n = connection.cipherName else { return nil }
        let name = context.staticName(n)
        return name == "(NONE)" ? nil : name
    }

    /// The datagram payload limit set with SSL_set_mtu.
    public var mtu: Int { connection.mtu }

    /// The largest application message one record can carry at this MTU.
    /// Asked by every send: once the cipher is known, a few loads, inline.
    @inline(__always)
    public var dataMTU: Int {
        recordOverhead.map { mtu &- RecordHeader.length &- $0 } ?? connection.dataMTU
    }

    /// Why OpenSSL must not see this datagram, if it must not: records no
    /// peer could have sent but that OpenSSL 3.0 would answer with a fatal
    /// alert, ending the association for one forged datagram (the cases are
    /// `ImplausibleRecord`'s). Asked of every datagram from a peer's address.
    func implausibleRecord(in d: UnsafeRawBufferPointer) -> String? {
        // Once established, records carry the negotiated version (alerts may not).
        RecordLayer.implausibleRecord(in: d, associationVersion: status == .established ? recordVersion : nil,
                                      minimumProtectedLength: minimumProtectedRecord)?.reason
    }

    /// The fewest bytes a record protected by the current cipher can hold:
    /// explicit nonce and tag for AEAD suites (24 for GCM and CCM, 16 for
    /// CCM8 and ChaCha20-Poly1305); IV, MAC and a padding byte in whole
    /// blocks for CBC (48 for AES-CBC with SHA-1), at any MTU.
    /// Before a cipher is chosen no protected record is legitimate; 24 is
    /// the most any supported cipher needs.
    private var minimumProtectedRecord: Int {
        smallestRecord.value { connection.smallestProtectedRecord } ?? 24
    }
    @exclusivity(unchecked) private var smallestRecord = SuiteFigure()

    /// Bytes a record adds to its plaintext (beyond the header) under the
    /// cipher in force, as DTLS_get_data_mtu subtracts them; nil before a
    /// cipher. DTLS_get_data_mtu looks the cipher and digest up by name, under
    /// a lock, and every send asks: after the first time the answer is one
    /// stored word, read inline.
    @inline(__always)
    private var recordOverhead: Int? {
        overhead.value { connection.recordOverhead }
    }
    @exclusivity(unchecked) private var overhead = SuiteFigure()

    /// Current write epoch, as the record layer numbers it.
    public var epoch: Int { Int(lastWriteEpoch) }
    @exclusivity(unchecked) var lastWriteEpoch: UInt16 = 0

    public var inboundQueue: DatagramQueue { bio.inbound }
    public var outboundQueue: DatagramQueue { bio.outbound }

    /// Decrypted bytes OpenSSL holds that a read has not handed out.
    public var sslPending: Int { connection.pendingPlaintext }
    /// What OpenSSL reports about the BIO: next datagram's size in, unsent bytes out.
    public var bioPending: Int { bio.pendingAsReported.read }
    public var bioWritePending: Int { bio.pendingAsReported.write }

    /// The selected use_srtp profile, if one was negotiated.
    public var srtpProfile: String? { connection.srtpProfile }

    public var peerCertificateVerified: Bool {
        connection.verifyPassed && context.configuration.verifiesPeer
    }

    /// Whether the peer has been stepped at least once.
    public var handshakeHasStarted: Bool { handshakeStarted }

    public var verifiesPeer: Bool { context.configuration.verifiesPeer }

    /// RFC 5705 keying material, as DTLS-SRTP derives its keys.
    /// The association's record secrets, for records dtlsh protects itself (the probe's forged yet
    /// authenticated records). OpenSSL does not say whether encrypt-then-MAC was negotiated; the caller
    /// knows from the ServerHello (it matters for CBC suites only).
    /// Known once the peer wrote its ChangeCipherSpec: a client's flight 5 held back can be forged with them.
    public func sessionSecrets(encryptThenMac: Bool = false) -> SessionSecrets? {
        guard status == .established || (status == .handshaking && sentChangeCipherSpec) else { return nil }
        return connection.sessionSecrets(encryptThenMac: encryptThenMac)
    }

    /// The session this association made, to offer to a later one (`Engine.connect(resuming:)`).
    public func resumableSession() -> ResumableSession? { connection.resumableSession() }

    /// The handshake was abbreviated: it resumed the session offered.
    public var resumedSession: Bool { connection.sessionReused }

    /// The verify_data of this side's last Finished: what a renegotiating ClientHello's renegotiation_info
    /// carries (RFC 5746). Empty before a Finished was sent.
    public var ownFinishedVerifyData: [UInt8] { connection.ownFinished }

    public func exportKeyingMaterial(label: String, length: Int) throws -> [UInt8] {
        // The keys outlive a close_notify: only a handshake that never finished has none.
        guard establishedAt != nil else { throw EngineError.notEstablished(name) }
        guard (1...1024).contains(length) else { throw EngineError.invalidArgument("length must be 1-1024") }
        return try connection.exportKeyingMaterial(label: label, length: length)
    }

    func emit(_ kind: @autoclosure () -> Event.Kind, as type: EventInterest = .lifecycle,
              dropped: @autoclosure () -> DroppedDatagram? = nil) {
        guard engine.wants(type) else { return }
        engine.emit(kind(), socket: socket.name, peer: isListener ? nil : name, as: type, dropped: dropped())
    }
}

// MARK: - C callbacks

private func peerMessageCallback(
    _ write: Int32, _ version: Int32, _ contentType: Int32, _ buf: UnsafeRawPointer?, _ length: Int,
    _ ssl: OpaquePointer?, _ arg: UnsafeMutableRawPointer?
) {
    guard let arg, let buf else { return }
    // The engine holds the peer while OpenSSL runs for it: no retain needed.
    Unmanaged<Peer>.fromOpaque(arg)._withUnsafeGuaranteedRef {
        $0.observe(write: write != 0, contentType: contentType, bytes: UnsafeRawBufferPointer(start: buf, count: length))
    }
}
