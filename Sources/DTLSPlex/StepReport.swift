/// What one `step` did, for the shell to show.
public struct StepReport {
    /// OpenSSL's state strings are static; they become Swift strings only when shown.
    let beforeState: UnsafePointer<CChar>
    let afterState: UnsafePointer<CChar>
    /// The state a step reports when nobody asked for OpenSSL's names: "".
    static var unnamedState: UnsafePointer<CChar> {
        let empty: StaticString = ""
        return UnsafeRawPointer(empty.utf8Start).assumingMemoryBound(to: CChar.self)
    }
    public var before: String { String(cString: beforeState) }
    public var after: String { String(cString: afterState) }
    /// The call OpenSSL made: the handshake step, or the read once established (by name).
    let callName: StaticString
    /// What it returned, only to be shown.
    let returned: Int32
    /// The call and what it returned, as C would write it.
    public var call: String { "\(callName)() = \(returned)" }
    public var outcome: SSLOutcome
    public var errorName: String { outcome.name }
    public var datagramsConsumed: Int
    public var datagramsProduced: Int
    public var status: Peer.Status
    /// What OpenSSL read and wrote, in order (empty for the loop's own steps).
    var seen: [SeenMessage]
    /// Handshake messages (and ChangeCipherSpec, alerts) OpenSSL read.
    public var consumed: [String] { seen.filter { $0.direction == .inbound }.map(\.name) }
    /// … and wrote for the first time, in order.
    public var produced: [String] { seen.filter { $0.direction == .outbound && !$0.resent }.map(\.name) }
    /// … and wrote again: a flight it had sent before.
    public var resent: [String] { seen.filter { $0.direction == .outbound && $0.resent }.map(\.name) }
    /// Why it resent: its own timer had expired when the step began (OpenSSL
    /// fires it inside the call), or else the other side's flight came again.
    public var resentByTimer: Bool
}
