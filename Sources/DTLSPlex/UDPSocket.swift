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
        for i in 0..<batch { iovecs[i] = iovec(iov_base: slots + i * Self.slotSize, iov_len: Self.slotSize) }
        self.slots = slots
        self.iovecs = iovecs
        self.names = .allocate(capacity: batch)
        self.headers = .allocate(capacity: batch)
    }

    /// Receives up to `batch` datagrams in one system call (recvmmsg) without
    /// blocking; an empty array means nothing was waiting.
    public func receive() throws -> [ReceivedDatagram] {
        prepareBatch()
        guard let headers, let iovecs, let names, let slots else { return [] }
        for i in 0..<batch {
            var h = msghdr()
            h.msg_name = UnsafeMutableRawPointer(names + i)
            h.msg_namelen = socklen_t(MemoryLayout<sockaddr_storage>.size)
            h.msg_iov = iovecs + i
            h.msg_iovlen = 1
            headers[i] = CSystem_mmsghdr(msg_hdr: h, msg_len: 0)
        }
        var n: Int32 = -1
        // Bounded: EINTR or a stale ICMP error (ECONNREFUSED) is retried a few times.
        for _ in 0..<4 {
            n = recvmmsg(fileDescriptor, headers, UInt32(batch), Int32(MSG_DONTWAIT), nil)
            if n >= 0 || (errno != EINTR && errno != ECONNREFUSED) { break }
        }
        if n < 0 {
            if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNREFUSED { return [] }
            throw SocketError.system("recvmmsg", errno)
        }
        var out: [ReceivedDatagram] = []
        out.reserveCapacity(Int(n))
        for i in 0..<Int(n) {
            guard let source = SocketAddress(storage: names + i) else { continue }
            let length = min(Int(headers[i].msg_len), Self.slotSize)
            let bytes = Array(UnsafeRawBufferPointer(start: slots + i * Self.slotSize, count: length))
            let truncated = headers[i].msg_hdr.msg_flags & Int32(MSG_TRUNC) != 0
            out.append(ReceivedDatagram(source: source, bytes: bytes, truncated: truncated))
        }
        return out
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
        let rc = bytes.withUnsafeBytes { raw in
            destination.withSockAddr { sendto(fileDescriptor, raw.baseAddress, raw.count, 0, $0, $1) }
        }
        if rc < 0 {
            switch errno {
            case EAGAIN, EWOULDBLOCK, ENOBUFS, ECONNREFUSED, EINTR: return false
            default: throw SocketError.system("sendto \(destination)", errno)
            }
        }
        return true
    }

    // MARK: - Batched sends

    /// Datagrams waiting for `sendQueued`, which hands them all to the kernel
    /// in one system call (sendmmsg).
    private var queued: [(to: SocketAddress, bytes: [UInt8])] = []

    public var hasQueuedSends: Bool { !queued.isEmpty }

    public func queue(_ bytes: [UInt8], to destination: SocketAddress) {
        queued.append((destination, bytes))
    }

    /// Sends what `queue` gathered. Returns how many the kernel refused
    /// (no room, or an error): UDP may lose them, DTLS retransmission covers that.
    @discardableResult
    public func sendQueued() -> Int {
        guard !queued.isEmpty else { return 0 }
        defer { queued.removeAll(keepingCapacity: true) }
        if queued.count == 1 {
            return ((try? send(queued[0].bytes, to: queued[0].to)) ?? false) ? 0 : 1
        }
        var refused = 0
        var start = 0
        // Bounded: each chunk of up to 64 either goes or is counted as refused.
        while start < queued.count {
            let chunk = queued[start..<min(start + 64, queued.count)]
            refused += sendChunk(Array(chunk))
            start += chunk.count
        }
        return refused
    }

    private func sendChunk(_ items: [(to: SocketAddress, bytes: [UInt8])]) -> Int {
        let n = items.count
        let total = items.reduce(0) { $0 + $1.bytes.count }
        let data = UnsafeMutableRawPointer.allocate(byteCount: max(total, 1), alignment: 16)
        let names = UnsafeMutablePointer<sockaddr_storage>.allocate(capacity: n)
        let iovecs = UnsafeMutablePointer<iovec>.allocate(capacity: n)
        let headers = UnsafeMutablePointer<CSystem_mmsghdr>.allocate(capacity: n)
        defer {
            data.deallocate()
            names.deallocate()
            iovecs.deallocate()
            headers.deallocate()
        }
        var offset = 0
        for (i, item) in items.enumerated() {
            item.bytes.withUnsafeBytes { (data + offset).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            names[i] = sockaddr_storage()
            let length = item.to.fill(&names[i])
            iovecs[i] = iovec(iov_base: data + offset, iov_len: item.bytes.count)
            var h = msghdr()
            h.msg_name = UnsafeMutableRawPointer(names + i)
            h.msg_namelen = length
            h.msg_iov = iovecs + i
            h.msg_iovlen = 1
            headers[i] = CSystem_mmsghdr(msg_hdr: h, msg_len: 0)
            offset += item.bytes.count
        }
        var sent = 0
        // Bounded: each call sends at least one or stops the loop.
        for _ in 0..<n where sent < n {
            let rc = sendmmsg(fileDescriptor, headers + sent, UInt32(n - sent), 0)
            if rc > 0 {
                sent += Int(rc)
            } else if rc < 0 && errno == EINTR {
                continue
            } else {
                // The first of the rest was refused: skip it and try the others.
                sent += 1
                return (n - sent + 1) - retryRest(headers, from: sent, count: n)
            }
        }
        return 0
    }

    /// After a refused datagram, the rest one call at a time; returns how many went.
    private func retryRest(_ headers: UnsafeMutablePointer<CSystem_mmsghdr>, from: Int, count: Int) -> Int {
        var went = 0
        for i in from..<count where sendmmsg(fileDescriptor, headers + i, 1, 0) == 1 { went += 1 }
        return went
    }
}
