import Testing
@testable import DTLSWire

/// Layouts the captured OpenSSL handshakes do not exercise, built by hand.
@Suite struct BuiltMessageTests {
    @Test func everyDecodedExtensionType() throws {
        let extensions = Build.ext(ExtensionType.serverName, Build.vector(2, [0] + Build.vector(2, "example.com")))
            + Build.ext(ExtensionType.alpn, Build.vector(2, Build.vector(1, "h2") + Build.vector(1, "coap")))
            + Build.ext(ExtensionType.maxFragmentLength, [2])
            + Build.ext(ExtensionType.heartbeat, [1])
            + Build.ext(ExtensionType.recordSizeLimit, [0x40, 0x00])
            + Build.ext(ExtensionType.supportedVersions, Build.vector(1, [0xfe, 0xfd, 0xfe, 0xff]))
            + Build.ext(ExtensionType.connectionID, Build.vector(1, [1, 2, 3, 4]))
            + Build.ext(ExtensionType.padding, [0, 0, 0])
            + Build.ext(ExtensionType.useSRTP, Build.vector(2, [0, 1, 0, 2]) + Build.vector(1, [0xaa]))
            + Build.ext(ExtensionType.sessionTicket, [9, 9, 9])
            + Build.ext(0x4444, [1, 2])
            + Build.ext(0x2a2a, [])
            + Build.ext(ExtensionType.extendedMasterSecret, [1])  // must be empty
        let decoded = DatagramDecoder.decode(Build.handshake(.clientHello, Build.clientHello(extensions: extensions)))
        let hello = try #require(decoded.handshakeMessages.first?.clientHello)
        #expect(hello.extensions.map(\.value) == [
            .serverName(["example.com"]), .alpn(["h2", "coap"]), .maxFragmentLength(2), .heartbeat(mode: 1),
            .recordSizeLimit(0x4000), .supportedVersions([0xfefd, 0xfeff]), .connectionID([1, 2, 3, 4]),
            .padding(length: 3), .useSRTP(profiles: [1, 2], mki: [0xaa]), .sessionTicket(length: 3),
            .opaque(length: 2), .opaque(length: 0), .malformed(length: 1),
        ])
        #expect(hello.extensions.map(\.name).suffix(3) == ["0x4444", "GREASE", "extended_master_secret"])
        #expect(decoded.notes.map(\.message) == ["extended_master_secret must be empty, has 1 byte(s)"])
        let lines = FieldTree.lines(decoded.fields, showRanges: false)
        #expect(lines.contains("            host_name: \"example.com\""))
        #expect(lines.contains("      extension: use_srtp: SRTP_AES128_CM_SHA1_80, SRTP_AES128_CM_SHA1_32 MKI=aa"))
    }

    @Test func serverSideExtensionForms() throws {
        let body = Build.u16(ProtocolVersion.dtls12) + [UInt8](repeating: 1, count: 32) + Build.vector(1, [5])
            + Build.u16(0xC02B) + [0]
            + Build.vector(2, Build.ext(ExtensionType.serverName, []) + Build.ext(ExtensionType.supportedVersions,
                                                                                   Build.u16(0xfefc)))
        let hello = try #require(DatagramDecoder.decode(Build.handshake(.serverHello, body))
            .handshakeMessages.first?.serverHello)
        #expect(hello.sessionID == [5])
        #expect(hello.extensions.map(\.value) == [.serverName([]), .supportedVersions([0xfefc])])
    }

    @Test func helloWithoutExtensions() throws {
        var body = Build.clientHello(extensions: [])
        body.removeLast(2)  // no extensions block at all, as old clients send
        let hello = try #require(DatagramDecoder.decode(Build.handshake(.clientHello, body))
            .handshakeMessages.first?.clientHello)
        #expect(hello.extensions.isEmpty && hello.cipherSuites == [0x00A8])
    }

    @Test func rsaCertificateWithGeneralizedTime() throws {
        let cert = Build.rsaCertificate
        let body = Build.vector(3, Build.vector(3, cert))
        let decoded = DatagramDecoder.decode(Build.handshake(.certificate, body))
        let summary = try #require(decoded.handshakeMessages.first?.certificate?.certificates.first?.summary)
        #expect(summary.subject
                == "C=DE, ST=Berlin, O=dtlsh test, OU=wire, CN=rsa.example, emailAddress=ca@example.org")
        #expect(summary.subjectCommonName == "rsa.example")
        #expect(summary.publicKey == "RSA 2048")
        #expect(summary.notAfter?.hasPrefix("2054-") == true)
        #expect(summary.isSelfIssued)
        #expect(decoded.handshakeFragments.first?.summary.hasSuffix("1 cert(s) CN=rsa.example") == true)
    }

    @Test func certificateRequestWithAuthoritiesAndDTLS10Layout() throws {
        // Name ::= SEQUENCE { SET { SEQUENCE { OID 2.5.4.3, UTF8String "Test CA" } } }
        let name: [UInt8] = [0x30, 0x12, 0x31, 0x10, 0x30, 0x0e, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x07]
            + Array("Test CA".utf8)
        let body12 = Build.vector(1, [64, 1]) + Build.vector(2, Build.u16(0x0403)) + Build.vector(2, Build.vector(2, name))
        let request = try #require(DatagramDecoder.decode(Build.handshake(.certificateRequest, body12))
            .handshakeMessages.first?.certificateRequest)
        #expect(request.certificateAuthorities == ["CN=Test CA"])
        #expect(request.signatureAlgorithms == [0x0403])

        let body10 = Build.vector(1, [1]) + Build.vector(2, [])
        let old = try #require(DatagramDecoder.decode(Build.handshake(.certificateRequest, body10,
                                                                      version: ProtocolVersion.dtls10))
            .handshakeMessages.first?.certificateRequest)
        #expect(old.signatureAlgorithms.isEmpty && old.certificateTypes == [1])
    }

    @Test func dheServerKeyExchangeIsGuessed() throws {
        let prime = [UInt8](repeating: 0xff, count: 256), ys = [UInt8](repeating: 0x42, count: 256)
        let body = Build.vector(2, prime) + Build.vector(2, [2]) + Build.vector(2, ys) + Build.u16(0x0804)
            + Build.vector(2, [UInt8](repeating: 0x11, count: 256))
        let ske = try #require(DatagramDecoder.decode(Build.handshake(.serverKeyExchange, body))
            .handshakeMessages.first?.serverKeyExchange)
        #expect(ske.kind == .dhe && ske.kindSource == .guessed)
        #expect(ske.dhPrimeLength == 256 && ske.publicKeyLength == 256)
        #expect(ske.signatureAlgorithm == 0x0804 && ske.signatureLength == 256)
    }

    @Test func dtls10ServerKeyExchangeSignsWithoutAnAlgorithm() throws {
        let point = [4] + [UInt8](repeating: 9, count: 64)
        let body = [3] + Build.u16(23) + Build.vector(1, point) + Build.vector(2, [UInt8](repeating: 1, count: 71))
        let ske = try #require(DatagramDecoder.decode(Build.handshake(.serverKeyExchange, body,
                                                                      version: ProtocolVersion.dtls10),
                                                      keyExchange: .ecdhe)
            .handshakeMessages.first?.serverKeyExchange)
        #expect(ske.kindSource == .given)
        #expect(ske.namedCurve == NamedGroup.secp256r1 && ske.publicKeyLength == 65)
        #expect(ske.signatureAlgorithm == nil && ske.signatureLength == 71)
    }

    @Test func rsaClientKeyExchangeIsGuessedFromItsShape() throws {
        let secret = (0..<256).map { UInt8(truncatingIfNeeded: $0 &* 37) }  // not a printable identity
        let cke = try #require(DatagramDecoder.decode(Build.handshake(.clientKeyExchange, Build.vector(2, secret)))
            .handshakeMessages.first?.clientKeyExchange)
        #expect(cke.kind == .rsa && cke.encryptedPreMasterSecretLength == 256)
        let given = try #require(DatagramDecoder.decode(Build.handshake(.clientKeyExchange, Build.vector(2, secret)),
                                                        keyExchange: .dhe).handshakeMessages.first?.clientKeyExchange)
        #expect(given.kind == .dhe && given.publicKeyLength == 256)
    }

    @Test func smallMessagesAndUnknownTypes() {
        let finished = DatagramDecoder.decodePlaintext(Build.handshake(.finished, [1, 2, 3]).dropFirst(13).map { $0 },
                                                       contentType: 22)
        #expect(finished.notes.map(\.message) == ["verify_data is 3 bytes, expected 12"])
        let request = DatagramDecoder.decode(Build.handshake(.helloRequest, []))
        #expect(request.handshakeMessages == [.helloRequest])
        let done = DatagramDecoder.decode(Build.handshake(.serverHelloDone, [0]))
        #expect(done.notes.map(\.message) == ["1 unexpected byte(s) after ServerHelloDone"])
        var unknown = Build.handshake(.certificateStatus, [1, 2, 3])
        #expect(DatagramDecoder.decode(unknown).handshakeMessages == [.other(type: 22, length: 3)])
        unknown[13] = 99
        #expect(DatagramDecoder.decode(unknown).handshakeMessages.first?.typeName == "HandshakeType(99)")
    }

    @Test func existingRecordLayerHelpers() throws {
        let first = CapturedHandshake.psk12.datagrams[0].bytes
        #expect(RecordLayer.startsWithClientHello(first))
        #expect(!RecordLayer.startsWithClientHello(CapturedHandshake.psk12.datagrams[1].bytes))
        #expect(!RecordLayer.startsWithClientHello(Array(first.prefix(20))))
        let header = try #require(HandshakeHeader.parse(first.dropFirst(13)))
        #expect(header.typeName == "ClientHello" && !header.isFragment && header.length == 232)
        #expect(HandshakeHeader.parse([1, 2, 3]) == nil)
    }
}
