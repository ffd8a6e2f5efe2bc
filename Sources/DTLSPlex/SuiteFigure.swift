/// A number that is fixed once a suite is in force, since renegotiation is
/// off and the MTU is set when the SSL is made: asked of OpenSSL until it
/// knows, then one stored word. Asked for every datagram, so the stored
/// case is inlined and the lookup is not.
struct SuiteFigure {
    private var known = -1

    @inline(__always)
    mutating func value(lookingUp find: () -> Int?) -> Int? {
        known >= 0 ? known : lookUp(find)
    }

    @inline(never)
    private mutating func lookUp(_ find: () -> Int?) -> Int? {
        guard let value = find(), value >= 0 else { return nil }
        known = value
        return value
    }
}
