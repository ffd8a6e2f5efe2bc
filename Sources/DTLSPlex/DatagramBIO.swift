internal import COpenSSL
import Glibc

/// The transport under every SSL: a BIO_METHOD written in Swift in which one
/// BIO_write is one datagram out and one BIO_read is one datagram in. OpenSSL's
/// mem and pair BIOs merge datagrams and hide the MTU (notes §1.2); this keeps
/// the boundaries OpenSSL chose, in queues the shell can inspect and change.
final class DatagramBIO {
    // @exclusivity(unchecked) below: these are touched for every datagram; an engine
    // is confined to one thread and never overlaps accesses to them, so the runtime's
    // exclusivity checks were pure cost (about 3 % of an echo's CPU).
    /// Datagrams waiting for OpenSSL to read them.
    @exclusivity(unchecked) var inbound = DatagramQueue()
    /// One more, newer than all of `inbound`, still where the kernel put it:
    /// inside a driven turn the engine lends the receive slot and steps the
    /// peer before the slot is used again (`keepBorrowed` copies it if not).
    @exclusivity(unchecked) private(set) var borrowed: UnsafeRawBufferPointer?
    /// While set, OpenSSL's writes skip `outbound` and go straight to the
    /// socket's send batch through the owning peer (set only during a driven
    /// step with no impairment, when nobody may look at the queue first).
    @exclusivity(unchecked) var sendsDirect = false
    /// The peer this BIO carries; set once, and the peer outlives its BIO's use.
    /// Kept unretained, and lent without a retain on every direct write.
    @exclusivity(unchecked) var ownerReference: Unmanaged<Peer>?
    /// Datagrams OpenSSL wrote that have not yet gone to the socket.
    @exclusivity(unchecked) var outbound = DatagramQueue()
    /// Where the datagram being read came from: what DTLSv1_listen asks for.
    @exclusivity(unchecked) var source: SocketAddress?
    /// IP + UDP header bytes, so OpenSSL's own MTU arithmetic matches the path.
    @exclusivity(unchecked) var overhead: Int
    /// The retransmission deadline OpenSSL armed, on the clock it reads
    /// (gettimeofday, µs; 0 when stopped): DTLSv1_get_timeout says only "0"
    /// once it has passed, and holding time still needs to know by how much.
    @exclusivity(unchecked) var timerDeadline: Int64 = 0
    /// How long the timer OpenSSL armed last runs, in microseconds, as the timer callback chose it: a
    /// trace says "armed: 1 s", not what was left when it was read.
    @exclusivity(unchecked) var timerLength: UInt32 = 0

    /// The `BIO *`; owned by the SSL once attached with SSL_set_bio.
    let bio: OpaquePointer

    init(overhead: Int) {
        self.overhead = overhead
        self.bio = BIO_new(datagramBIOMethod)!
        // The BIO keeps this object alive; its destroy callback lets go.
        BIO_set_data(bio, Unmanaged.passRetained(self).toOpaque())
        BIO_set_init(bio, 1)
    }

    /// What OpenSSL is told through BIO_ctrl: the next datagram's size in,
    /// unsent bytes out (the shell shows both beside the queues).
    var pendingAsReported: (read: Int, write: Int) { (Int(BIO_ctrl_pending(bio)), Int(BIO_ctrl_wpending(bio))) }

    var inboundCount: Int { inbound.count + (borrowed == nil ? 0 : 1) }
    var hasInbound: Bool { borrowed != nil || !inbound.isEmpty }

    /// Lends a datagram; returns whether the engine must remember to call
    /// `keepBorrowed` (false when another borrowed one was already pending).
    func borrow(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if let earlier = borrowed {
            inbound.append(Array(earlier))
            borrowed = bytes
            return false
        }
        borrowed = bytes
        return true
    }

    /// Copies the lent datagram into OpenSSL's read buffer (cut, like
    /// recvfrom, if longer); -1 when there is none. Routing never lends an
    /// empty datagram.
    fileprivate func readBorrowed(into out: UnsafeMutablePointer<CChar>, size: Int) -> Int32 {
        guard let lent = borrowed, let base = lent.baseAddress else { return -1 }
        borrowed = nil
        let n = min(size, lent.count)
        UnsafeMutableRawPointer(out).copyMemory(from: base, byteCount: n)
        return Int32(n)
    }

    /// Copies a still-unread borrowed datagram into `inbound`.
    func keepBorrowed() {
        guard let b = borrowed else { return }
        borrowed = nil
        inbound.append(Array(b))
    }

    /// Forgets every datagram waiting, lent or owned.
    func discardInbound() {
        borrowed = nil
        if !inbound.isEmpty { _ = inbound.removeAll() }
    }

    /// Queues an owned datagram after anything borrowed.
    func enqueue(_ d: [UInt8]) {
        keepBorrowed()
        inbound.append(d)
    }

    /// Runs `body` with the BIO's object and no retain/release around it:
    /// OpenSSL calls these callbacks several times per datagram, and the BIO
    /// holds the object alive throughout.
    static func with<R>(_ bio: OpaquePointer?, _ body: (DatagramBIO) -> R?) -> R? {
        guard let bio, let data = BIO_get_data(bio) else { return nil }
        return Unmanaged<DatagramBIO>.fromOpaque(data)._withUnsafeGuaranteedRef(body)
    }
}

// MARK: - The BIO_METHOD, built once

nonisolated(unsafe) private let datagramBIOMethod: OpaquePointer = {
    let method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "dtlsh datagram")!
    BIO_meth_set_write_ex(method, datagramBIOWrite)
    BIO_meth_set_read(method, datagramBIORead)
    BIO_meth_set_ctrl(method, datagramBIOCtrl)
    BIO_meth_set_create(method, { _ in 1 })
    BIO_meth_set_destroy(method, datagramBIODestroy)
    return method
}()

/// The _ex form OpenSSL calls directly: the int-sized BIO_meth_set_write
/// goes through a conversion function of OpenSSL's on every datagram.
private func datagramBIOWrite(_ bio: OpaquePointer?, _ data: UnsafePointer<CChar>?, _ length: Int,
                              _ written: UnsafeMutablePointer<Int>?) -> Int32 {
    COpenSSL_BIO_clear_retry_flags(bio)
    guard let data, let written, length > 0, let bio, let object = BIO_get_data(bio) else {
        written?.pointee = 0
        return 0
    }
    // Always accept the whole write: a short write makes BIO_f_buffer loop.
    let bytes = UnsafeRawBufferPointer(start: data, count: length)
    // The BIO holds its object, and the object's peer outlives it: no retains.
    // Named functions, not closures: the closure holding the inlined send
    // batch was left a call of its own, a second frame for every datagram.
    @inline(__always) func sendDirect(_ owner: Peer) { owner.sendDirect(bytes) }
    @inline(__always) func write(_ box: DatagramBIO) {
        if box.sendsDirect, let owner = box.ownerReference {
            owner._withUnsafeGuaranteedRef(sendDirect)
        } else {
            box.outbound.append(Array(bytes))
        }
    }
    Unmanaged<DatagramBIO>.fromOpaque(object)._withUnsafeGuaranteedRef(write)
    written.pointee = length
    return 1
}

private func datagramBIORead(_ bio: OpaquePointer?, _ out: UnsafeMutablePointer<CChar>?, _ size: Int32) -> Int32 {
    COpenSSL_BIO_clear_retry_flags(bio)
    guard let out, size > 0 else { return 0 }
    let n: Int32? = DatagramBIO.with(bio) { box in
        // The loop's common case first: nothing queued, one datagram lent.
        if box.inbound.isEmpty { return box.readBorrowed(into: out, size: Int(size)) }
        var next = box.inbound.popFirst()
        // A read of 0 bytes is end of file to OpenSSL: an empty datagram (one
        // queued by hand) is skipped, never handed over.
        while next?.isEmpty == true { next = box.inbound.popFirst() }
        // The borrowed datagram is newer than every queued one: its turn is last.
        guard let datagram = next else { return box.readBorrowed(into: out, size: Int(size)) }
        // Like recvfrom: a datagram longer than the buffer is cut, never split.
        let n = min(Int(size), datagram.count)
        datagram.withUnsafeBytes { UnsafeMutableRawPointer(out).copyMemory(from: $0.baseAddress!, byteCount: n) }
        return Int32(n)
    }
    guard let n else { return 0 }
    if n < 0 { COpenSSL_BIO_set_retry_read(bio) }
    return n
}

private func datagramBIOCtrl(_ bio: OpaquePointer?, _ cmd: Int32, _ larg: Int, _ parg: UnsafeMutableRawPointer?) -> Int {
    switch cmd {
    case BIO_CTRL_FLUSH:
        // dtls1_do_write treats a flush <= 0 as a failure.
        return 1
    case BIO_CTRL_PENDING:
        return DatagramBIO.with(bio) { $0.inbound.first?.count ?? $0.borrowed?.count ?? 0 } ?? 0
    case BIO_CTRL_WPENDING:
        return 0
    case BIO_CTRL_DGRAM_QUERY_MTU:
        // Every SSL sets SSL_OP_NO_QUERY_MTU and an explicit MTU.
        return 0
    case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD:
        return DatagramBIO.with(bio) { $0.overhead } ?? 0
    case BIO_CTRL_DGRAM_SET_NEXT_TIMEOUT:
        // dtls1_start_timer and dtls1_stop_timer (zeros) both say so.
        if let tv = parg?.assumingMemoryBound(to: timeval.self).pointee {
            _ = DatagramBIO.with(bio) { $0.timerDeadline = Int64(tv.tv_sec) * 1_000_000 + Int64(tv.tv_usec) }
        }
        return 1
    case BIO_CTRL_DGRAM_SET_PEER, BIO_CTRL_DGRAM_CONNECT:
        // The peer address is fixed at admission and never taken from traffic.
        return 1
    case BIO_CTRL_DGRAM_GET_PEER:
        guard let parg, let source = DatagramBIO.with(bio, { $0.source }) else { return 0 }
        let family = source.family == .inet ? AF_INET : AF_INET6
        let ok = source.withAddressBytes {
            BIO_ADDR_rawmake(OpaquePointer(parg), Int32(family), $0.baseAddress, $0.count, source.port.bigEndian)
        }
        return ok == 1 ? 1 : 0
    default:
        return 0
    }
}

private func datagramBIODestroy(_ bio: OpaquePointer?) -> Int32 {
    guard let bio, let data = BIO_get_data(bio) else { return 0 }
    Unmanaged<DatagramBIO>.fromOpaque(data).release()
    BIO_set_data(bio, nil)
    return 1
}
