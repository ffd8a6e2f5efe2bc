/// One hello extension to encode: its type and its extension_data. The
/// factories build the data of the extensions a DTLS 1.2 ClientHello uses,
/// in the layouts `HelloExtension` decodes; `init(type:data:)` sends anything.
public struct OutgoingExtension: Sendable, Equatable {
    public var type: UInt16
    public var data: [UInt8]
    /// A list too long for its inner length prefix, found while building the
    /// data; thrown when the hello is encoded, so the factories need no `try`.
    var problem: WireEncodingError?

    public init(type: UInt16, data: [UInt8] = []) {
        self.type = type
        self.data = data
    }

    private init(type: UInt16, _ build: (inout ByteWriter) throws(WireEncodingError) -> Void) {
        var w = ByteWriter()
        do {
            try build(&w)
            self.init(type: type, data: w.bytes)
        } catch {
            self.init(type: type)
            problem = error
        }
    }

    public var name: String { ExtensionType.name(type) }

    /// type, then extension_data with its length.
    func write(to w: inout ByteWriter) throws(WireEncodingError) {
        if let problem { throw problem }
        w.u16(type)
        try w.vector("extension_data of \(name)", prefix: 2, data)
    }

    // MARK: - The extensions of a DTLS 1.2 ClientHello

    /// RFC 8422 §5.1.1 (elliptic curves, now named groups).
    public static func supportedGroups(_ groups: [UInt16]) -> OutgoingExtension {
        OutgoingExtension(type: ExtensionType.supportedGroups) { w throws(WireEncodingError) in
            try w.vector16("named_group_list", prefix: 2, groups)
        }
    }

    /// RFC 8422 §5.1.2; 0 is uncompressed, the one format anyone uses.
    public static func ecPointFormats(_ formats: [UInt8] = [0]) -> OutgoingExtension {
        OutgoingExtension(type: ExtensionType.ecPointFormats) { w throws(WireEncodingError) in
            try w.vector("ec_point_format_list", prefix: 1, formats)
        }
    }

    /// RFC 5246 §7.4.1.4.1; OpenSSL 3.0 refuses an ECDHE-ECDSA hello without one it can sign with.
    public static func signatureAlgorithms(_ schemes: [UInt16]) -> OutgoingExtension {
        OutgoingExtension(type: ExtensionType.signatureAlgorithms) { w throws(WireEncodingError) in
            try w.vector16("supported_signature_algorithms", prefix: 2, schemes)
        }
    }

    /// RFC 7627: empty.
    public static let extendedMasterSecret = OutgoingExtension(type: ExtensionType.extendedMasterSecret)

    /// RFC 7366: empty.
    public static let encryptThenMAC = OutgoingExtension(type: ExtensionType.encryptThenMAC)

    /// RFC 5746: empty on an initial handshake.
    public static func renegotiationInfo(_ verifyData: [UInt8] = []) -> OutgoingExtension {
        OutgoingExtension(type: ExtensionType.renegotiationInfo) { w throws(WireEncodingError) in
            try w.vector("renegotiated_connection", prefix: 1, verifyData)
        }
    }

    /// RFC 6066 §3: one host_name.
    public static func serverName(_ host: String) -> OutgoingExtension {
        OutgoingExtension(type: ExtensionType.serverName) { w throws(WireEncodingError) in
            var entry = ByteWriter()
            entry.u8(0)  // host_name
            try entry.vector("host_name", prefix: 2, Array(host.utf8))
            try w.vector("server_name_list", prefix: 2, entry.bytes)
        }
    }

    /// RFC 7301.
    public static func alpn(_ protocols: [String]) -> OutgoingExtension {
        OutgoingExtension(type: ExtensionType.alpn) { w throws(WireEncodingError) in
            var list = ByteWriter()
            for name in protocols { try list.vector("protocol_name", prefix: 1, Array(name.utf8)) }
            try w.vector("protocol_name_list", prefix: 2, list.bytes)
        }
    }

    /// RFC 5764 §4.1.1.
    public static func useSRTP(profiles: [UInt16], mki: [UInt8] = []) -> OutgoingExtension {
        OutgoingExtension(type: ExtensionType.useSRTP) { w throws(WireEncodingError) in
            try w.vector16("SRTPProtectionProfiles", prefix: 2, profiles)
            try w.vector("srtp_mki", prefix: 1, mki)
        }
    }

    /// RFC 5077: empty asks for a ticket, a ticket resumes.
    public static func sessionTicket(_ ticket: [UInt8] = []) -> OutgoingExtension {
        OutgoingExtension(type: ExtensionType.sessionTicket, data: ticket)
    }

    /// RFC 8449.
    public static func recordSizeLimit(_ limit: UInt16) -> OutgoingExtension {
        OutgoingExtension(type: ExtensionType.recordSizeLimit) { w in w.u16(limit) }
    }

    /// RFC 9146.
    public static func connectionID(_ cid: [UInt8]) -> OutgoingExtension {
        OutgoingExtension(type: ExtensionType.connectionID) { w throws(WireEncodingError) in
            try w.vector("cid", prefix: 1, cid)
        }
    }

    /// RFC 7685: `length` zero bytes.
    public static func padding(_ length: Int) -> OutgoingExtension {
        OutgoingExtension(type: ExtensionType.padding, data: [UInt8](repeating: 0, count: max(0, length)))
    }
}
