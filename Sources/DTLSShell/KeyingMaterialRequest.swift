/// RFC 5705 keying material to export, as the shell's `export PEER LABEL
/// LENGTH` and the flag `--export LABEL:LENGTH` ask for it.
public struct KeyingMaterialRequest: Sendable, Hashable {
    /// Bytes one request may ask for: DTLS-SRTP wants 60 at most; a kilobyte is plenty.
    public static let lengths = 1...1024

    public let label: String
    public let length: Int

    /// `LABEL:LENGTH`; the label may hold colons itself, so the last one splits.
    public init?(parsing text: String) {
        guard let colon = text.lastIndex(of: ":"), colon != text.startIndex,
              let length = Int(text[text.index(after: colon)...]), Self.lengths.contains(length)
        else { return nil }
        label = String(text[..<colon])
        self.length = length
    }
}
