/// The unit of the half-open share: an IPv4 address, or an IPv6 /64 (one
/// host holds a whole /64, so its single addresses would share nothing).
struct HalfOpenHost: Hashable {
    let family: SocketAddress.Family
    let high: UInt64
    let low: UInt64

    init(_ a: SocketAddress) {
        family = a.family
        high = a.high
        low = a.family == .inet ? a.low : 0
    }
}
