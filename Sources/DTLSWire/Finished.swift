/// Finished (RFC 5246 §7.4.9). Always encrypted on the wire; seen in plaintext
/// only when the caller hands over decrypted record content.
public struct Finished: Sendable, Equatable {
    public var verifyData: [UInt8]

    static func read(_ r: inout FieldReader) -> Finished? {
        let data = r.rest("verify_data")
        if data.count != 12 {
            // Every TLS 1.2 suite this decoder names uses 12 bytes.
            r.note("verify_data is \(data.count) bytes, expected 12", at: r.offset - data.count)
        }
        return Finished(verifyData: Array(data))
    }
}
