/// A datagram someone made or changed by hand, as events and the ladder mark it.
public enum DatagramMark: String, Sendable {
    case injected, edited, replayed
}
