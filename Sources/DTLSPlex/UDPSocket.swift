import Glibc
internal import CSystem

/// A datagram as the kernel delivered it, with where it came from.
public struct ReceivedDatagram: Sendable {
    public var source: SocketAddress
    public var bytes: [UInt8]
    /// The datagram was larger than the receive buffer and was cut.
    public var truncated: Bool
}

public enum SocketError: Error, Sendable, CustomStringConvertible {
    case system(String, Int32)
    public var description: String {
        switch self {
        case let .system(what, code): "\(what): \(String(cString: strerror(code)))"
        }
    }
}

/// A non-blocking UDP socket bound to one local address. Receives in batches so
/// a busy server drains its queue in one pass of the loop.
public final class UDPSocket {
    public let fileDescriptor: Int32
    public let localAddress: SocketAddress

    static let slotSize = 65_536
    let batch: Int
    /// recvmmsg's vectors, made on first use: one slot per datagram of a batch.
    private var slots: UnsafeMutableRawPointer?
    private var names: UnsafeMutablePointer<sockaddr_storage>?
    private var iovecs: UnsafeMutablePointer<iovec>?
    private var headers: UnsafeMutablePointer<CSystem_mmsghdr>?

    /// `reusePort` sets SO_REUSEPORT: every socket of the same user that sets
    /// it may bind the same address, and the kernel hashes each client's
    /// address and port to one of them.
    public init(bind address: SocketAddress, batch: Int = 32, reusePort: Bool = false) throws {
        let domain = address.family == .inet ? AF_INET : AF_INET6
        let fd = socket(domain, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SocketError.system("socket", errno) }
        if address.family == .inet6 {
            var on: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &on, socklen_t(MemoryLayout<Int32>.size))
        }
        if reusePort {
            var on: Int32 = 1
            guard setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
                let e = errno
                close(fd)
                throw SocketError.system("SO_REUSEPORT", e)
            }
        }
        // Room for bursts: a few hundred handshakes' flights at once.
        var size: Int32 = 4 << 20
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        let rc = address.withSockAddr { Glibc.bind(fd, $0, $1) }
        guard rc == 0 else {
            let e = errno
            close(fd)
            throw SocketError.system("bind \(address)", e)
        }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.fileDescriptor = fd
        self.localAddress = withUnsafePointer(to: &storage) { SocketAddress(storage: $0) } ?? address
        self.batch = max(1, batch)
    }

    deinit {
        close(fileDescriptor)
        slots?.deallocate()
        names?.deallocate()
        iovecs?.deallocate()
        headers?.deallocate()
    }

    private func prepareBatch() {
        guard headers == nil else { return }
        let slots = UnsafeMutableRawPointer.allocate(byteCount: batch * Self.slotSize, alignment: 16)
        let iovecs = UnsafeMutablePointer<iovec>.allocate(capacity: batch)
        let names = UnsafeMutablePointer<sockaddr_storage>.allocate(capacity: batch)
        let headers = UnsafeMutablePointer<CSystem_mmsghdr>.allocate(capacity: batch)
        // Written once: recvmmsg changes only each header's name length,
        // flags and msg_len, and `receive` puts the name length back.
        for i in 0..<batch {
            iovecs[i] = iovec(iov_base: slots + i * Self.slotSize, iov_len: Self.slotSize)
            var h = msghdr()
            h.msg_name = UnsafeMutableRawPointer(names + i)
            h.msg_namelen = Self.nameCapacity
            h.msg_iov = iovecs + i
            h.msg_iovlen = 1
            headers[i] = CSystem_mmsghdr(msg_hdr: h, msg_len: 0)
        }
        self.slots = slots
        self.iovecs = iovecs
        self.names = names
        self.headers = headers
    }

    private static let nameCapacity = socklen_t(MemoryLayout<sockaddr_storage>.size)

    /// Receives up to `batch` datagrams in one system call (recvmmsg) without
    /// blocking; an empty array means nothing was waiting.
    public func receive() throws -> [ReceivedDatagram] {
        var out: [ReceivedDatagram] = []
        try receive { source, bytes, truncated in
            out.append(ReceivedDatagram(source: source, bytes: Array(bytes), truncated: truncated))
        }
        return out
    }

    /// Receives up to `batch` datagrams in one system call and shows each to
    /// `visit` where the kernel put it: the bytes are valid until the next
    /// receive on this socket, and nothing is allocated. Returns how many.
    @discardableResult
    public func receive(_ visit: (SocketAddress, UnsafeRawBufferPointer, Bool) throws -> Void) throws -> Int {
        prepareBatch()
        guard let headers, let names, let slots else { return 0 }
        var n: Int32 = -1
        // Bounded: EINTR or a stale ICMP error (ECONNREFUSED) is retried a few times.
        for _ in 0..<4 {
            n = recvmmsg(fileDescriptor, headers, UInt32(batch), Int32(MSG_DONTWAIT), nil)
            if n >= 0 || (errno != EINTR && errno != ECONNREFUSED) { break }
        }
        if n < 0 {
            if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNREFUSED { return 0 }
            throw SocketError.system("recvmmsg", errno)
        }
        // The kernel shortened each used header's name length to the address
        // it wrote; put back before any `visit`, which may throw.
        for i in 0..<Int(n) { headers[i].msg_hdr.msg_namelen = Self.nameCapacity }
        for i in 0..<Int(n) {
            guard let source = SocketAddress(storage: names + i) else { continue }
            let length = min(Int(headers[i].msg_len), Self.slotSize)
            let truncated = headers[i].msg_hdr.msg_flags & Int32(MSG_TRUNC) != 0
            try visit(source, UnsafeRawBufferPointer(start: slots + i * Self.slotSize, count: length), truncated)
        }
        return Int(n)
    }

    /// The source address the kernel would use toward `remote`: what a
    /// socket bound to a wildcard really sends from. Nothing is sent.
    public static func route(toward remote: SocketAddress) -> SocketAddress? {
        let fd = socket(remote.family == .inet ? AF_INET : AF_INET6, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard remote.withSockAddr({ Glibc.connect(fd, $0, $1) }) == 0 else { return nil }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard rc == 0 else { return nil }
        return withUnsafePointer(to: &storage) { SocketAddress(storage: $0) }
    }

    /// Sends one datagram. Returns false when the kernel had no room
    /// (EAGAIN/ENOBUFS): UDP may lose it, and DTLS retransmission covers that.
    @discardableResult
    public func send(_ bytes: [UInt8], to destination: SocketAddress) throws -> Bool {
        try bytes.withUnsafeBytes { try send($0, to: destination) }
    }

    @discardableResult
    public func send(_ raw: UnsafeRawBufferPointer, to destination: SocketAddress) throws -> Bool {
        let rc = destination.withSockAddr { sendto(fileDescriptor, raw.baseAddress, raw.count, 0, $0, $1) }
        if rc < 0 {
            switch errno {
            case EAGAIN, EWOULDBLOCK, ENOBUFS, ECONNREFUSED, EINTR: return false
            default: throw SocketError.system("sendto \(destination)", errno)
            }
        }
        return true
    }

    // MARK: - Batched sends

    // @exclusivity(unchecked) below: these are touched for every datagram; an engine
    // is confined to one thread and never overlaps accesses to them, so the runtime's
    // exclusivity checks were pure cost (about 3 % of an echo's CPU).
    /// Datagrams waiting for `sendQueued`, copied into one arena with their
    /// sendmmsg headers beside them: queueing allocates nothing. A `let`, so
    /// reaching it costs no reference counting; its memory is taken on first use.
    private let sendArena = SendArena()
    /// Datagrams the kernel refused while the arena was emptied to make room.
    @exclusivity(unchecked) private var refusedEarly = 0

    public var hasQueuedSends: Bool { sendArena.count > 0 }

    public func queue(_ bytes: [UInt8], to destination: SocketAddress) {
        bytes.withUnsafeBytes { queue($0, to: destination) }
    }

    /// Copies `raw` into the arena; a full arena goes to the kernel first.
    public func queue(_ raw: UnsafeRawBufferPointer, to destination: SocketAddress) {
        queue(raw, to: KernelSocketAddress(destination))
    }

    /// The same with the sockaddr already made: what every datagram of an
    /// echo takes (`Peer.sendDirect`), inlined there down to the copies into
    /// the arena; only a full arena leaves the line.
    @inline(__always)
    func queue(_ raw: UnsafeRawBufferPointer, to destination: KernelSocketAddress) {
        if !sendArena.append(raw, name: destination.write) { queueAfterSending(raw, to: destination) }
    }

    /// The arena had no room: what it holds goes to the kernel first, and a
    /// datagram larger than the whole arena goes alone, at once.
    @inline(never)
    private func queueAfterSending(_ raw: UnsafeRawBufferPointer, to destination: KernelSocketAddress) {
        if !sendArena.hasRoom(for: raw.count) { refusedEarly += sendQueued() }
        if sendArena.append(raw, name: destination.write) { return }
        let rc = destination.withSockAddr { sendto(fileDescriptor, raw.baseAddress, raw.count, 0, $0, $1) }
        if rc < 0 { refusedEarly += 1 }
    }

    /// Sends what `queue` gathered. Returns how many the kernel refused
    /// (no room, or an error): UDP may lose them, DTLS retransmission covers that.
    @discardableResult
    public func sendQueued() -> Int {
        var refused = refusedEarly
        refusedEarly = 0
        let arena = sendArena
        guard arena.count > 0 else { return refused }
        defer { arena.reset() }
        let n = arena.count
        let headers = arena.headers
        if n == 1 {
            let rc = withUnsafePointer(to: &headers[0].msg_hdr) { sendmsg(fileDescriptor, $0, 0) }
            return refused + (rc < 0 ? 1 : 0)
        }
        var sent = 0
        // Bounded: each call sends at least one or skips one.
        for _ in 0..<(2 * n) where sent < n {
            let rc = sendmmsg(fileDescriptor, headers + sent, UInt32(n - sent), 0)
            if rc > 0 {
                sent += Int(rc)
            } else if rc < 0 && errno == EINTR {
                continue
            } else {
                // The first of the rest was refused: skip it and try the others.
                sent += 1
                refused += 1
            }
        }
        return refused
    }
}

/// The send side's memory: datagram bytes packed in one buffer, and for each
/// an address, an iovec and an mmsghdr, ready for sendmmsg.
private final class SendArena {
    static let capacity = 256 * 1024
    static let maxDatagrams = 256
    /// The datagrams' bytes, then per datagram an address, an iovec and an
    /// mmsghdr: one block of about 310 KB, taken on the first send (a load
    /// generator opens a socket per client and most never batch).
    @exclusivity(unchecked) private var block: UnsafeMutableRawPointer?
    @exclusivity(unchecked) private(set) var count = 0
    @exclusivity(unchecked) private var used = 0

    private static let namesOffset = capacity
    private static let iovecsOffset = namesOffset + maxDatagrams * MemoryLayout<sockaddr_storage>.stride
    private static let headersOffset = iovecsOffset + maxDatagrams * MemoryLayout<iovec>.stride
    private static let blockSize = headersOffset + maxDatagrams * MemoryLayout<CSystem_mmsghdr>.stride

    /// Valid once something was appended (`count > 0`).
    var headers: UnsafeMutablePointer<CSystem_mmsghdr> {
        (block! + Self.headersOffset).assumingMemoryBound(to: CSystem_mmsghdr.self)
    }

    deinit { block?.deallocate() }

    /// What never changes for a slot is written here, once: its header points
    /// at its own address and iovec (sendmmsg writes back only `msg_len`), so
    /// queueing a datagram writes just the lengths and where its bytes are.
    private static func makeBlock() -> UnsafeMutableRawPointer {
        let b = UnsafeMutableRawPointer.allocate(byteCount: blockSize, alignment: 16)
        let names = (b + namesOffset).bindMemory(to: sockaddr_storage.self, capacity: maxDatagrams)
        let iovecs = (b + iovecsOffset).bindMemory(to: iovec.self, capacity: maxDatagrams)
        let headers = (b + headersOffset).bindMemory(to: CSystem_mmsghdr.self, capacity: maxDatagrams)
        for i in 0..<maxDatagrams {
            iovecs[i] = iovec(iov_base: nil, iov_len: 0)
            var h = msghdr()
            h.msg_name = UnsafeMutableRawPointer(names + i)
            h.msg_iov = iovecs + i
            h.msg_iovlen = 1
            headers[i] = CSystem_mmsghdr(msg_hdr: h, msg_len: 0)
        }
        return b
    }

    @inline(__always)
    func hasRoom(for length: Int) -> Bool {
        // No overflow: `used` is at most the capacity, and no buffer is near Int.max bytes.
        count < Self.maxDatagrams && used &+ length <= Self.capacity
    }

    /// Lets `name` write the datagram's destination into its slot's address
    /// (returning the length), then copies the datagram in: the address
    /// first, so nothing of it is held across the copy. False when there is
    /// no room, or the datagram could never fit.
    @inline(__always)
    func append(_ raw: UnsafeRawBufferPointer, name: (UnsafeMutablePointer<sockaddr_storage>) -> socklen_t) -> Bool {
        let n = raw.count
        guard hasRoom(for: n) else { return false }
        let b: UnsafeMutableRawPointer
        if let block { b = block } else { b = Self.makeBlock(); block = b }
        let i = count
        let at = b + used
        let names = (b + Self.namesOffset).assumingMemoryBound(to: sockaddr_storage.self)
        let iovecs = (b + Self.iovecsOffset).assumingMemoryBound(to: iovec.self)
        let headers = (b + Self.headersOffset).assumingMemoryBound(to: CSystem_mmsghdr.self)
        headers[i].msg_hdr.msg_namelen = name(names + i)
        iovecs[i].iov_base = at
        iovecs[i].iov_len = n
        // No overflow: `used` stays within the capacity and `count` within maxDatagrams.
        used &+= (n &+ 15) & ~15
        count &+= 1
        if let base = raw.baseAddress { at.copyMemory(from: base, byteCount: n) }
        return true
    }

    func reset() {
        count = 0
        used = 0
    }
}
