import Testing
@testable import DTLSWire

@Suite struct NameTableTests {
    @Test(arguments: [
        (UInt16(0x00A8), "TLS_PSK_WITH_AES_128_GCM_SHA256"),
        (0xC0AE, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8"),
        (0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
        (0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"),
        (0xCCAC, "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256"),
        (0xC0A8, "TLS_PSK_WITH_AES_128_CCM_8"),
        (0xC0A4, "TLS_PSK_WITH_AES_128_CCM"),
        (0xD001, "TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256"),
        (0x00AA, "TLS_DHE_PSK_WITH_AES_128_GCM_SHA256"),
        (0x00B6, "TLS_RSA_PSK_WITH_AES_128_CBC_SHA256"),
        (0xC09A, "TLS_ECDHE_PSK_WITH_CAMELLIA_128_CBC_SHA256"),
        (0xC05C, "TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256"),
        (0xC06A, "TLS_PSK_WITH_ARIA_128_GCM_SHA256"),
        (0x00B0, "TLS_PSK_WITH_NULL_SHA256"),
        (0x0000, "TLS_NULL_WITH_NULL_NULL"),
        (0x00FF, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"),
        (0x5600, "TLS_FALLBACK_SCSV"),
        (0x1301, "TLS_AES_128_GCM_SHA256"),
        (0x1234, "0x1234"),
        (0x0a0a, "0x0A0A"),
    ])
    func cipherSuiteNames(_ value: UInt16, _ name: String) {
        #expect(CipherSuite.name(value) == name)
    }

    @Test func cipherSuiteKeyExchange() {
        #expect(CipherSuite.keyExchange(0x00A8) == .psk)
        #expect(CipherSuite.keyExchange(0xC037) == .ecdhePSK)
        #expect(CipherSuite.keyExchange(0x00AA) == .dhePSK)
        #expect(CipherSuite.keyExchange(0xC0AA) == .dhePSK)  // the odd TLS_PSK_DHE_ spelling
        #expect(CipherSuite.keyExchange(0x00AC) == .rsaPSK)
        #expect(CipherSuite.keyExchange(0xC02B) == .ecdhe)
        #expect(CipherSuite.keyExchange(0xC0AE) == .ecdhe)
        #expect(CipherSuite.keyExchange(0x009E) == .dhe)
        #expect(CipherSuite.keyExchange(0x002F) == .rsa)
        #expect(CipherSuite.keyExchange(0x00A6) == .dhAnon)
        #expect(CipherSuite.keyExchange(0xC018) == .ecdhAnon)
        #expect(CipherSuite.keyExchange(0xC004) == .ecdh)
        #expect(CipherSuite.keyExchange(0x0030) == .dh)
        #expect(CipherSuite.keyExchange(0x1301) == nil)
        #expect(CipherSuite.keyExchange(0x00FF) == nil)
        #expect(CipherSuite.keyExchange(0xBEEF) == nil)
    }

    @Test func everyNamedSuiteIsWellFormed() {
        var count = 0
        for value in UInt16.min...UInt16.max {
            guard let name = CipherSuite.knownName(value) else { continue }
            count += 1
            #expect(name.hasPrefix("TLS_"))
            // Every pre-1.3 suite names its key exchange, except NULL_WITH_NULL_NULL and the
            // SRP and ECCPWD ones, whose messages we do not decode.
            if name.contains("_WITH_") && value != 0 && !name.contains("SRP") && !name.contains("ECCPWD") {
                #expect(CipherSuite.keyExchange(value) != nil, "\(name)")
            }
        }
        #expect(count >= 300)
    }

    @Test func otherTables() {
        #expect(ExtensionType.name(14) == "use_srtp")
        #expect(ExtensionType.name(0xff01) == "renegotiation_info")
        #expect(ExtensionType.name(23) == "extended_master_secret")
        #expect(ExtensionType.name(0x1a1a) == "GREASE")
        #expect(ExtensionType.name(0x4444) == "0x4444")
        #expect(AlertDescription.name(0) == "close_notify")
        #expect(AlertDescription.name(115) == "unknown_psk_identity")
        #expect(AlertDescription.name(200) == "alert(200)")
        #expect(AlertLevel.name(1) == "warning" && AlertLevel.name(2) == "fatal")
        #expect(NamedGroup.name(23) == "secp256r1" && NamedGroup.name(29) == "x25519")
        #expect(NamedGroup.name(256) == "ffdhe2048" && NamedGroup.name(4588) == "X25519MLKEM768")
        #expect(SignatureScheme.name(0x0403) == "ecdsa_secp256r1_sha256")
        #expect(SignatureScheme.name(0x0804) == "rsa_pss_rsae_sha256")
        #expect(SignatureScheme.name(0x0203) == "ecdsa_sha1")
        #expect(SignatureScheme.name(0x0103) == "ecdsa_md5")  // unregistered pair spelt from its halves
        #expect(SignatureScheme.name(0x7777) == "0x7777")
        #expect(SRTPProtectionProfile.name(0x0001) == "SRTP_AES128_CM_SHA1_80")
        #expect(SRTPProtectionProfile.name(0x0002) == "SRTP_AES128_CM_SHA1_32")
        #expect(SRTPProtectionProfile.name(0x0007) == "SRTP_AEAD_AES_128_GCM")
        #expect(SRTPProtectionProfile.name(0x0008) == "SRTP_AEAD_AES_256_GCM")
        #expect(SRTPProtectionProfile.name(0x00ff) == "0x00FF")
        #expect(CompressionMethod.name(0) == "null" && CompressionMethod.name(1) == "DEFLATE")
        #expect(ECPointFormat.name(0) == "uncompressed")
        #expect(ClientCertificateType.name(64) == "ecdsa_sign")
        #expect(ProtocolVersion.describe(0xfefd) == "DTLS 1.2 (0xFEFD)")
    }

    @Test func hexAndPrintableText() {
        #expect(Hex.u16(0x00ab) == "0x00AB")
        #expect(Hex.u8(7) == "0x07")
        #expect(Hex.string([0xde, 0xad, 0xbe, 0xef]) == "deadbeef")
        #expect(Hex.string([1, 2, 3], limit: 2) == "0102…(+1)")
        #expect(PrintableText.quoted(Array("client".utf8)) == "\"client\"")
        // Terminal escapes from a peer never reach the screen as escapes.
        #expect(PrintableText.escaped([0x1b, 0x5b, 0x32, 0x4a, 0x22]) == "\\x1b[2J\\x22")
        #expect(PrintableText.escaped(Array(repeating: 0x41, count: 5), limit: 3) == "AAA…")
    }
}
