/// Compression methods (RFC 3749, RFC 3943); only `null` is used in practice.
public enum CompressionMethod {
    public static func name(_ value: UInt8) -> String {
        switch value {
        case 0: "null"
        case 1: "DEFLATE"
        case 64: "LZS"
        default: "compression(\(value))"
        }
    }
}
