#if canImport(Glibc)
import Glibc
#endif

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
    private let buffer = UnsafeMutableRawPointer.allocate(byteCount: UDPSocket.slotSize, alignment: 16)

    public init(bind address: SocketAddress, batch: Int = 64) throws {
        let domain = address.family == .inet ? AF_INET : AF_INET6
        let fd = socket(domain, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SocketError.system("socket", errno) }
        if address.family == .inet6 {
            var on: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &on, socklen_t(MemoryLayout<Int32>.size))
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
        buffer.deallocate()
    }

    /// Receives up to `batch` datagrams without blocking; an empty array means
    /// nothing was waiting.
    public func receive() throws -> [ReceivedDatagram] {
        var out: [ReceivedDatagram] = []
        var storage = sockaddr_storage()
        for _ in 0..<batch {
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let n = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    recvfrom(fileDescriptor, buffer, Self.slotSize, Int32(MSG_DONTWAIT | MSG_TRUNC), $0, &length)
                }
            }
            if n < 0 {
                // ECONNREFUSED is an ICMP port-unreachable from an earlier send; it
                // says nothing about the datagrams still waiting.
                if errno == ECONNREFUSED || errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { break }
                throw SocketError.system("recvfrom", errno)
            }
            guard let source = withUnsafePointer(to: &storage, { SocketAddress(storage: $0) }) else { continue }
            let count = min(n, Self.slotSize)
            let bytes = Array(UnsafeRawBufferPointer(start: buffer, count: count))
            out.append(ReceivedDatagram(source: source, bytes: bytes, truncated: n > Self.slotSize))
        }
        return out
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
}
