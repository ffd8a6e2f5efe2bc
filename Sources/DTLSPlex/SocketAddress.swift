#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 UDP endpoint. Hashable by family, address and port, so it
/// can key the engine's peer table.
public struct SocketAddress: Hashable, Sendable, CustomStringConvertible {
    public enum Family: Sendable { case inet, inet6 }
    public let family: Family
    /// The address bytes in network order, packed in two words: every
    /// datagram's source is one of these, and a heap array per datagram shows
    /// in a profile.
    let high: UInt64
    let low: UInt64
    public let port: UInt16

    public init(family: Family, address: [UInt8], port: UInt16) {
        self.family = family
        self.port = port
        var words: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &words) { raw in
            raw.copyBytes(from: address.prefix(family == .inet ? 4 : 16))
        }
        (high, low) = words
    }

    /// 4 or 16 address bytes in network order.
    public var address: [UInt8] {
        var words = (high, low)
        return withUnsafeBytes(of: &words) { Array($0.prefix(family == .inet ? 4 : 16)) }
    }

    /// The raw address bytes, without making an array.
    func withAddressBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        var words = (high, low)
        return withUnsafeBytes(of: &words) { body(UnsafeRawBufferPointer(rebasing: $0.prefix(family == .inet ? 4 : 16))) }
    }

    /// Parses `HOST:PORT`, `[V6]:PORT`, `HOST` alone (with `defaultPort`) or `:PORT`.
    /// Only numeric addresses and `localhost`; a diagnostics tool should not
    /// depend on a resolver.
    public init(parsing text: String, defaultHost: String = "127.0.0.1", defaultPort: UInt16? = nil) throws {
        var host = Substring(text)
        var portText: Substring?
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { throw AddressError.invalid(text, "missing ]") }
            let rest = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { throw AddressError.invalid(text, "expected :PORT after ]") }
                portText = rest.dropFirst()
            }
        } else if host.filter({ $0 == ":" }).count == 1, let colon = host.lastIndex(of: ":") {
            portText = host[host.index(after: colon)...]
            host = host[..<colon]
        }
        if host.isEmpty { host = Substring(defaultHost) }
        let port: UInt16
        if let portText {
            guard let p = UInt16(portText) else { throw AddressError.invalid(text, "port must be 0-65535") }
            port = p
        } else if let defaultPort {
            port = defaultPort
        } else {
            throw AddressError.invalid(text, "expected HOST:PORT")
        }
        if host == "localhost" { host = "127.0.0.1" }
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, String(host), &v4) == 1 {
            self.init(family: .inet, address: withUnsafeBytes(of: &v4) { Array($0) }, port: port)
        } else if inet_pton(AF_INET6, String(host), &v6) == 1 {
            self.init(family: .inet6, address: withUnsafeBytes(of: &v6) { Array($0) }, port: port)
        } else {
            throw AddressError.invalid(text, "not a numeric IPv4 or IPv6 address")
        }
    }

    /// Reads a `sockaddr_storage` filled by the kernel.
    init?(storage: UnsafePointer<sockaddr_storage>) {
        switch Int32(storage.pointee.ss_family) {
        case AF_INET:
            let sin = UnsafeRawPointer(storage).assumingMemoryBound(to: sockaddr_in.self).pointee
            self.init(family: .inet, raw: sin.sin_addr, port: UInt16(bigEndian: sin.sin_port))
        case AF_INET6:
            let sin6 = UnsafeRawPointer(storage).assumingMemoryBound(to: sockaddr_in6.self).pointee
            self.init(family: .inet6, raw: sin6.sin6_addr, port: UInt16(bigEndian: sin6.sin6_port))
        default:
            return nil
        }
    }

    /// From an in_addr or in6_addr, copied straight into the two words.
    private init<T>(family: Family, raw: T, port: UInt16) {
        self.family = family
        self.port = port
        var words: (UInt64, UInt64) = (0, 0)
        var value = raw
        withUnsafeMutableBytes(of: &words) { dst in
            withUnsafeBytes(of: &value) { dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0.prefix(16))) }
        }
        (high, low) = words
    }

    /// Calls `body` with this address as a `sockaddr` and its length.
    func withSockAddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws -> R) rethrows -> R {
        var storage = sockaddr_storage()
        let length = fill(&storage)
        return try withUnsafePointer(to: &storage) {
            try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { try body($0, length) }
        }
    }

    /// Writes the address as a `sockaddr` into `storage`: once for every
    /// datagram sent, so the words go in as they are, with no byte slices.
    func fill(_ storage: inout sockaddr_storage) -> socklen_t {
        switch family {
        case .inet:
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = port.bigEndian
            // The four address bytes lead `high` in memory, in network order.
            sin.sin_addr.s_addr = withUnsafeBytes(of: high) { $0.load(as: UInt32.self) }
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: sin, as: sockaddr_in.self) }
            return socklen_t(MemoryLayout<sockaddr_in>.size)
        case .inet6:
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = port.bigEndian
            withUnsafeMutableBytes(of: &sin6.sin6_addr) { dst in
                dst.storeBytes(of: high, toByteOffset: 0, as: UInt64.self)
                dst.storeBytes(of: low, toByteOffset: 8, as: UInt64.self)
            }
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: sin6, as: sockaddr_in6.self) }
            return socklen_t(MemoryLayout<sockaddr_in6>.size)
        }
    }

    /// Formatted without a heap allocation for IPv4 (it fits a small
    /// string): a server prints one for every peer it admits.
    public var host: String {
        withAddressBytes { raw in
            if family == .inet {
                var s = String(raw[0])
                for i in 1..<4 {
                    s += "."
                    s += String(raw[i])
                }
                return s
            }
            return withUnsafeTemporaryAllocation(of: CChar.self, capacity: Int(INET6_ADDRSTRLEN)) { buffer in
                guard inet_ntop(AF_INET6, raw.baseAddress, buffer.baseAddress, socklen_t(buffer.count)) != nil else { return "?" }
                return String(cString: buffer.baseAddress!)
            }
        }
    }

    public var description: String {
        family == .inet ? "\(host):\(port)" : "[\(host)]:\(port)"
    }

    /// For Sets and Dictionaries other than the peer table's lookups (which
    /// go through `_rawHashValue`): what goes in stays one-to-one with the
    /// address and port, no XOR folding.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(high)
        if family == .inet {
            hasher.combine(UInt64(port))  // low is always zero for IPv4
        } else {
            hasher.combine(low)
            hasher.combine(port)
        }
    }

    /// What the peer table hashes (Dictionary asks `_rawHashValue`, not
    /// `hash(into:)`), for every datagram. SipHash through the Hasher cost
    /// about 120 instructions an echo; this is the C reference's kind of
    /// table hash: the endpoint's words, XORed with a key and mixed by
    /// SplitMix64's finalizer, a bijection with full avalanche. The key is a
    /// secret drawn once per process, XORed with the table's seed (which is
    /// only the table's address: Hasher adds its own secret, this must too).
    /// A sender that picks its addresses and ports cannot aim at a bucket
    /// without the key, and the cookie exchange admits only addresses that
    /// answer. SWIFT_DETERMINISTIC_HASHING does not reach this key.
    public func _rawHashValue(seed: Int) -> Int {
        let key = addressHashSecret ^ UInt64(bitPattern: Int64(seed))
        let h: UInt64
        if family == .inet {
            // Address and port side by side in one word, one-to-one with the
            // endpoint: the four address bytes sit in high's first four bytes
            // in memory, and .littleEndian brings them to its low half.
            h = Self.mix(key ^ (UInt64(UInt32(truncatingIfNeeded: high.littleEndian)) | UInt64(port) << 32))
        } else {
            // One word at a time, each mixed in before the next: words that
            // differ cannot cancel out without knowing the seed.
            h = Self.mix(Self.mix(Self.mix(key ^ high) ^ low) ^ UInt64(port))
        }
        return Int(bitPattern: UInt(truncatingIfNeeded: h))
    }

    @inline(__always)
    private static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// 0.0.0.0 or ::, as a wildcard bind leaves it.
    public var isUnspecified: Bool { high == 0 && low == 0 }

    /// The same host and port, or a wildcard bound to the same port and family.
    func isSameEndpoint(_ other: SocketAddress) -> Bool {
        family == other.family && port == other.port && ((high == other.high && low == other.low) || isUnspecified || other.isUnspecified)
    }

    /// IP and UDP header bytes in front of every datagram on this path.
    public var headerOverhead: Int { family == .inet ? 28 : 48 }

    /// Address bytes followed by the port (what a cookie binds to), in a
    /// stack buffer: one is made per ClientHello.
    func withCookieInput<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        var words = (high, low, UInt16(0))
        let n = family == .inet ? 4 : 16
        return withUnsafeMutableBytes(of: &words) { raw in
            raw[n] = UInt8(port >> 8)
            raw[n + 1] = UInt8(port & 0xff)
            return body(UnsafeRawBufferPointer(rebasing: raw.prefix(n + 2)))
        }
    }
}

/// The peer table's secret (see `SocketAddress._rawHashValue`).
private let addressHashSecret = UInt64.random(in: .min ... .max)

public enum AddressError: Error, Sendable, CustomStringConvertible {
    case invalid(String, String)
    public var description: String {
        switch self {
        case let .invalid(text, why): "bad address '\(text)': \(why)"
        }
    }
}
