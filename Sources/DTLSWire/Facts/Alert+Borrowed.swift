extension Alert {
    /// Reads an alert's two bytes (level, description) in place, as OpenSSL's
    /// message callback hands them over; nil when fewer than two are there.
    @inlinable
    public init?(in bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= 2 else { return nil }
        self.init(level: bytes[0], description: bytes[1])
    }

    /// Level and description as one number, level first: the form OpenSSL's
    /// `SSL_alert_type_string_long` and `SSL_alert_desc_string_long` take, and
    /// two bytes to keep per alert instead of a string.
    @inlinable
    public var code: UInt16 { UInt16(level) << 8 | UInt16(description) }

    @inlinable
    public init(code: UInt16) {
        self.init(level: UInt8(code >> 8), description: UInt8(truncatingIfNeeded: code))
    }
}
