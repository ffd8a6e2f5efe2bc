import Glibc

/// Writes every datagram in and out of every socket to a pcap file, each
/// wrapped in a synthetic IPv4 or IPv6 + UDP header with the real addresses
/// and ports, so Wireshark decodes it as it would a capture off the wire.
public final class PcapWriter {
    private let fd: Int32
    public let path: String
    private var ipID: UInt16 = 0
    public private(set) var packets = 0
    /// Real source addresses of wildcard-bound sockets, by remote address.
    private var routes: [SocketAddress: SocketAddress] = [:]

    /// LINKTYPE_RAW: each packet starts with an IPv4 or IPv6 header.
    static let linkTypeRaw: UInt32 = 101

    public init(path: String) throws {
        // O_NONBLOCK: a FIFO nobody reads fails at once (ENXIO) instead of
        // blocking; then writes block again as usual.
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NONBLOCK, 0o644)
        guard fd >= 0 else {
            throw SinkError.refused(path, errno == ENXIO ? "a FIFO that nothing reads" : String(cString: strerror(errno)))
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        self.fd = fd
        self.path = path
        var header: [UInt8] = []
        header.appendLE(UInt32(0xa1b2_c3d4))
        header.appendLE(UInt16(2))
        header.appendLE(UInt16(4))
        header.appendLE(UInt32(0))
        header.appendLE(UInt32(0))
        header.appendLE(UInt32(65_535))
        header.appendLE(Self.linkTypeRaw)
        write(header)
    }

    deinit { close(fd) }

    /// Records every datagram the engine sends or receives from now on.
    public func attach(to engine: Engine) {
        engine.subscribe(.datagrams) { [weak self, unowned engine] e in
            guard let self, let name = e.socket, let bound = engine.socket(named: name)?.localAddress else { return }
            switch e.kind {
            case let .datagramIn(from, bytes):
                // A copy queued in by hand never crossed the wire; between two sockets of
                // this engine the datagram was written as it left.
                if e.mark != nil || engine.sockets.contains(where: { $0.localAddress.isSameEndpoint(from) }) { return }
                self.record(bytes, from: from, to: self.real(bound, toward: from))
            case let .datagramOut(to, bytes):
                self.record(bytes, from: self.real(bound, toward: to), to: to)
            default: break
            }
        }
    }

    /// A wildcard-bound socket's real address toward `remote` (the kernel's route).
    private func real(_ bound: SocketAddress, toward remote: SocketAddress) -> SocketAddress {
        guard bound.isUnspecified else { return bound }
        if let cached = routes[remote] { return cached }
        let route = UDPSocket.route(toward: remote).map { SocketAddress(family: $0.family, address: $0.address, port: bound.port) } ?? bound
        if routes.count < 4096 { routes[remote] = route }
        return route
    }

    public func record(_ payload: [UInt8], from source: SocketAddress, to destination: SocketAddress) {
        var packet = udp(payload, source, destination)
        if source.family == .inet {
            packet = ipv4(packet, source, destination)
        } else {
            packet = ipv6(packet, source, destination)
        }
        var tv = timeval()
        gettimeofday(&tv, nil)
        var record: [UInt8] = []
        record.appendLE(UInt32(truncatingIfNeeded: tv.tv_sec))
        record.appendLE(UInt32(truncatingIfNeeded: tv.tv_usec))
        record.appendLE(UInt32(packet.count))
        record.appendLE(UInt32(packet.count))
        write(record + packet)
        packets += 1
    }

    private func write(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    }

    private func udp(_ payload: [UInt8], _ s: SocketAddress, _ d: SocketAddress) -> [UInt8] {
        var u: [UInt8] = []
        u.appendBE(s.port)
        u.appendBE(d.port)
        u.appendBE(UInt16(truncatingIfNeeded: 8 + payload.count))
        u.appendBE(UInt16(0))
        u += payload
        // The checksum is optional over IPv4 but required over IPv6.
        var pseudo = s.address + d.address
        if s.family == .inet {
            pseudo += [0, 17]
            pseudo.appendBE(UInt16(truncatingIfNeeded: u.count))
        } else {
            pseudo.appendBE(UInt32(u.count))
            pseudo += [0, 0, 0, 17]
        }
        var sum = Self.checksum(pseudo + u)
        if sum == 0 { sum = 0xffff }
        u[6] = UInt8(sum >> 8)
        u[7] = UInt8(sum & 0xff)
        return u
    }

    private func ipv4(_ udp: [UInt8], _ s: SocketAddress, _ d: SocketAddress) -> [UInt8] {
        ipID &+= 1
        var h: [UInt8] = [0x45, 0]
        h.appendBE(UInt16(truncatingIfNeeded: 20 + udp.count))
        h.appendBE(ipID)
        h += [0x40, 0, 64, 17, 0, 0]
        h += s.address + d.address
        let sum = Self.checksum(h)
        h[10] = UInt8(sum >> 8)
        h[11] = UInt8(sum & 0xff)
        return h + udp
    }

    private func ipv6(_ udp: [UInt8], _ s: SocketAddress, _ d: SocketAddress) -> [UInt8] {
        var h: [UInt8] = [0x60, 0, 0, 0]
        h.appendBE(UInt16(truncatingIfNeeded: udp.count))
        h += [17, 64]
        h += s.address + d.address
        return h + udp
    }

    static func checksum(_ bytes: [UInt8]) -> UInt16 {
        var sum: UInt32 = 0
        var i = 0
        while i + 1 < bytes.count {
            sum += UInt32(bytes[i]) << 8 | UInt32(bytes[i + 1])
            i += 2
        }
        if i < bytes.count { sum += UInt32(bytes[i]) << 8 }
        while sum >> 16 != 0 { sum = (sum & 0xffff) + (sum >> 16) }
        return ~UInt16(sum)
    }
}

extension Array where Element == UInt8 {
    mutating func appendLE<T: FixedWidthInteger>(_ v: T) {
        Swift.withUnsafeBytes(of: v.littleEndian) { append(contentsOf: $0) }
    }

    mutating func appendBE<T: FixedWidthInteger>(_ v: T) {
        Swift.withUnsafeBytes(of: v.bigEndian) { append(contentsOf: $0) }
    }
}
