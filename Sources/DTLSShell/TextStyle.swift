/// ANSI colour per kind of line, or none: off when output is not a terminal
/// or NO_COLOR is set (no-color.org).
public struct TextStyle: Sendable {
    public var enabled: Bool

    public init(enabled: Bool) { self.enabled = enabled }

    public enum Tone: String, Sendable {
        case plain = ""
        case dim = "2"
        case inbound = "36"
        case outbound = "35"
        case good = "32"
        case warning = "33"
        case bad = "31;1"
        case heading = "1"
    }

    public func paint(_ s: String, _ tone: Tone) -> String {
        guard enabled, tone != .plain else { return s }
        return "\u{1B}[\(tone.rawValue)m\(s)\u{1B}[0m"
    }
}
