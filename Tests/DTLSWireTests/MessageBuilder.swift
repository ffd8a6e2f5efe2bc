@testable import DTLSWire

/// Builds handshake bytes by hand for the layouts no captured handshake uses.
enum Build {
    /// A TLS vector: a big-endian length of `prefix` bytes, then `body`.
    static func vector(_ prefix: Int, _ body: [UInt8]) -> [UInt8] {
        (0..<prefix).reversed().map { UInt8(truncatingIfNeeded: body.count >> (8 * $0)) } + body
    }

    static func vector(_ prefix: Int, _ text: String) -> [UInt8] {
        vector(prefix, Array(text.utf8))
    }

    static func u16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xff)] }

    static func ext(_ type: UInt16, _ data: [UInt8]) -> [UInt8] {
        u16(type) + vector(2, data)
    }

    /// One datagram: one record holding one unfragmented handshake message.
    static func handshake(_ type: HandshakeType, _ body: [UInt8], version: UInt16 = ProtocolVersion.dtls12,
                          seq: UInt16 = 0) -> [UInt8] {
        let message = [type.rawValue] + length24(body.count) + u16(seq)
            + [0, 0, 0] + length24(body.count) + body
        return [ContentType.handshake.rawValue] + u16(version) + [0, 0, 0, 0, 0, 0, 0, 1]
            + u16(UInt16(message.count)) + message
    }

    private static func length24(_ n: Int) -> [UInt8] {
        [UInt8(truncatingIfNeeded: n >> 16), UInt8(truncatingIfNeeded: n >> 8), UInt8(truncatingIfNeeded: n)]
    }

    /// A ClientHello offering TLS_PSK_WITH_AES_128_GCM_SHA256 with `extensions`.
    static func clientHello(extensions: [UInt8]) -> [UInt8] {
        u16(ProtocolVersion.dtls12) + [UInt8](repeating: 7, count: 32) + vector(1, []) + vector(1, [])
            + vector(2, u16(0x00A8)) + vector(1, [0]) + vector(2, extensions)
    }

    /// DER of a self-signed RSA-2048 certificate, made with
    /// `openssl req -x509 -newkey rsa:2048 -days 10000 -subj "/C=DE/ST=Berlin/O=dtlsh test/OU=wire/CN=rsa.example/emailAddress=ca@example.org"`:
    /// its notAfter is past 2049, so it is a GeneralizedTime.
    static let rsaCertificate = bytes("""
        308203d1308202b9a00302010202145de10a9903c27e0351a72d4deddb2baf4ec7f05d300d06092a864886f70d01010b
        05003077310b3009060355040613024445310f300d06035504080c064265726c696e31133011060355040a0c0a64746c
        73682074657374310d300b060355040b0c04776972653114301206035504030c0b7273612e6578616d706c65311d301b
        06092a864886f70d010901160e6361406578616d706c652e6f72673020170d3236313132373036353331395a180f3230
        3534303431343036353331395a3077310b3009060355040613024445310f300d06035504080c064265726c696e311330
        11060355040a0c0a64746c73682074657374310d300b060355040b0c04776972653114301206035504030c0b7273612e
        6578616d706c65311d301b06092a864886f70d010901160e6361406578616d706c652e6f726730820122300d06092a86
        4886f70d01010105000382010f003082010a0282010100cc04653fa70aeabee4a39752683cb2b38c6c20f658998020e5
        bc8d455042f991b59b799ff2ed4afb3e2c5493120ce763a073b7c152fb60869ae7a0bea894d45497798285d8e3ed78fb
        6623a0d6325c943f03290754088a1055262d9694cf6c7c59903d0fa8ad3d10795d8817087e7d10903bdd315acd7e3be8
        855a828dcf5bd9aea8f5da7d844f05ed1d431741684db35cb4ed52ec8e7d87d313dd94be6b08bf3737f15466a1cb789a
        9e7445badeb6f2cb8e0998c72f0aa8b5cbc89ed0b3f38dbc60ee21a7093f633e4d67e4ed69ae2cf2473ff1c524851a78
        65b823afe766ad9c234ef786236a49ed6986eb4d600eb884e50b060d408de99d23c8bc9962721d0203010001a3533051
        301d0603551d0e04160414b4922ece78da3515940975c0be1ebc101da6d91c301f0603551d23041830168014b4922ece
        78da3515940975c0be1ebc101da6d91c300f0603551d130101ff040530030101ff300d06092a864886f70d01010b0500
        038201010019627d074f8e4634b89aaac9483f515b9f867f91e7f17a6aaa9b56d0b89d8932cd54e84f2722cd86cc6db2
        78bb66c74bed6d503e5bf8155722ea5693923ff2850b89fef54332555cae41f912a521a278f2b7d341b9de8de5bd0156
        1cc7f426b3ebc9c82c31edef3f4e5655b04d5b52dbc073f984ba73d177a2c1fb720fa21c1bab9ba467ba45c44d1ea0c1
        03480312beead74feba93028615a345b57e531ed97334aa8a5021bcf8edc5f0b8526de500f05f92f35a7bef0565ca689
        5b642c515fb69e0f9eb9e4878dc422b10fd50be13a697e2412f49aeca90b064eec224604f0f4e1a164991c5b8fd738df
        8b63c7d200e1af71eb6c7daa317cda060ddab52d85
        """)
}
