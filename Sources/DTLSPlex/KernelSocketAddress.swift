import Glibc

/// A `SocketAddress` already laid out as the kernel reads it (a sockaddr_in
/// or sockaddr_in6), made once per peer: every datagram sent to the peer
/// copies these bytes into the send batch instead of building the sockaddr
/// field by field.
struct KernelSocketAddress {
    /// The bytes of a sockaddr_in6 (28), or of a sockaddr_in (16) and zeros,
    /// as four plain words: copied with four moves, not field by field.
    private typealias Image = (UInt64, UInt64, UInt64, UInt32)
    private let image: Image
    let length: socklen_t

    init(_ address: SocketAddress) {
        var storage = sockaddr_storage()
        length = address.fill(&storage)
        image = withUnsafeBytes(of: &storage) { $0.load(as: Image.self) }
    }

    /// Copies the sockaddr into `name`; returns its length.
    @inline(__always)
    func write(to name: UnsafeMutablePointer<sockaddr_storage>) -> socklen_t {
        UnsafeMutableRawPointer(name).storeBytes(of: image, as: Image.self)
        return length
    }

    /// Calls `body` with the sockaddr and its length, as `SocketAddress.withSockAddr` does.
    func withSockAddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        var storage = sockaddr_storage()
        let length = write(to: &storage)
        return withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) } }
    }
}
