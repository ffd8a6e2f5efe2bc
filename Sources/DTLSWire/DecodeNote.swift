/// Something the decoder could not make sense of, and where. Malformed input is
/// reported this way rather than by throwing, so everything decoded before and
/// after the problem is still shown.
public struct DecodeNote: Sendable, Equatable, CustomStringConvertible {
    /// Offset in the decoded buffer (the datagram, for `DatagramDecoder.decode`).
    public var offset: Int
    public var message: String

    public init(offset: Int, message: String) {
        self.offset = offset
        self.message = message
    }

    public var description: String { "at byte \(offset): \(message)" }
}
