import Testing
@testable import DTLSWire

/// The PSK handshakes: plain PSK, ECDHE-PSK, use_srtp, DTLS 1.0, and a failure.
@Suite struct PSKHandshakeTests {
    let psk = CapturedHandshake.psk12

    @Test func everyDatagramDecodesWithoutNotes() {
        for handshake in CapturedHandshake.all {
            for (index, datagram) in handshake.decoded().enumerated() {
                #expect(datagram.notes.isEmpty, "\(handshake.name) #\(index): \(datagram.notes)")
                #expect(datagram.trailing == nil)
            }
        }
    }

    @Test func cookieExchange() throws {
        let client = psk.messages(.clientToServer), server = psk.messages(.serverToClient)
        let first = try #require(client.first?.clientHello)
        let verify = try #require(server.first?.helloVerifyRequest)
        let second = try #require(client.dropFirst().first?.clientHello)
        #expect(first.cookie.isEmpty)
        #expect(verify.cookie.count == 20)  // s_server's HMAC-SHA1 cookie
        #expect(second.cookie == verify.cookie)
        #expect(second.random == first.random)  // RFC 6347 §4.2.1: same random on the retry
        #expect(verify.serverVersion == ProtocolVersion.dtls10)  // RFC 6347 recommends 1.0 here
    }

    @Test func clientHelloOffersAndServerChoosesPSKSuite() throws {
        let hello = try #require(psk.messages(.clientToServer).compactMap(\.clientHello).last)
        #expect(hello.clientVersion == ProtocolVersion.dtls12)
        #expect(hello.offers(0x00A8))
        #expect(hello.cipherSuites.map(CipherSuite.name).contains("TLS_PSK_WITH_AES_128_GCM_SHA256"))
        #expect(hello.cipherSuites.last == CipherSuite.emptyRenegotiationInfoSCSV)
        #expect(hello.compressionMethods == [0])
        #expect(hello.extension(ExtensionType.extendedMasterSecret)?.value == .extendedMasterSecret)
        #expect(hello.extension(ExtensionType.encryptThenMAC)?.value == .encryptThenMAC)
        #expect(hello.extension(ExtensionType.sessionTicket)?.value == .sessionTicket(length: 0))
        let groups = try #require(hello.extension(ExtensionType.supportedGroups))
        #expect(groups.value == .supportedGroups([29, 23, 30, 25, 24]))
        #expect(ExtensionValue.ecPointFormats([0, 1, 2]) == hello.extension(ExtensionType.ecPointFormats)?.value)
        guard case .signatureAlgorithms(let schemes)? = hello.extension(ExtensionType.signatureAlgorithms)?.value
        else { Issue.record("no signature_algorithms"); return }
        #expect(schemes.first == SignatureScheme.ecdsaSecp256r1SHA256)

        let server = try #require(psk.messages(.serverToClient).compactMap(\.serverHello).first)
        #expect(server.cipherSuite == 0x00A8)
        #expect(server.cipherSuiteName == "TLS_PSK_WITH_AES_128_GCM_SHA256")
        #expect(server.serverVersion == ProtocolVersion.dtls12)
        #expect(server.extension(ExtensionType.renegotiationInfo)?.value == .renegotiationInfo([]))
        #expect(server.extension(ExtensionType.extendedMasterSecret) != nil)
    }

    @Test func keyExchangeMessages() throws {
        let ske = try #require(psk.messages(.serverToClient).compactMap(\.serverKeyExchange).first)
        #expect(ske.kind == .psk)
        #expect(ske.kindSource == .serverHello)  // the ServerHello shares its datagram
        #expect(ske.pskIdentityHint == Array("hint".utf8))
        let cke = try #require(psk.messages(.clientToServer).compactMap(\.clientKeyExchange).first)
        #expect(cke.kind == .psk)
        #expect(cke.kindSource == .guessed)
        #expect(cke.pskIdentity == Array("client".utf8))
        // Told the key exchange, the decoder uses it instead of guessing.
        let told = DatagramDecoder.decode(psk.datagrams[4].bytes, keyExchange: .psk)
        #expect(told.handshakeMessages.first?.clientKeyExchange?.kindSource == .given)
    }

    @Test func changeCipherSpecAndEncryptedRecords() throws {
        let flight = DatagramDecoder.decode(psk.datagrams[4].bytes)
        #expect(flight.records.map(\.header.contentType) == [22, 20, 22])
        #expect(flight.records[1].body == .changeCipherSpec)
        let finished = try #require(flight.records[2].body.encrypted)
        #expect(finished.epoch == 1)
        #expect(finished.length == 48)  // 12 verify_data + 12 header + 8 explicit nonce + 16 tag
        #expect(finished.likelyContent == "encrypted handshake (Finished)")
        #expect(flight.records[2].header.sequence == 0)  // sequence numbers restart with the epoch

        let tail = psk.records(.clientToServer).suffix(2)
        #expect(tail.map { $0.body.encrypted?.contentType } == [23, 21])
        #expect(tail.allSatisfy { $0.isEncrypted && $0.header.epoch == 1 })
    }

    @Test func newSessionTicket() throws {
        let ticket = try #require(psk.messages(.serverToClient).compactMap(\.newSessionTicket).first)
        #expect(ticket.lifetimeHint == 7200)
        #expect(ticket.ticketLength > 0)
    }

    @Test func ecdhePSKServerKeyExchangeCarriesHintAndCurve() throws {
        let h = CapturedHandshake.ecdhepsk12
        let ske = try #require(h.messages(.serverToClient).compactMap(\.serverKeyExchange).first)
        #expect(ske.kind == .ecdhePSK)
        #expect(ske.pskIdentityHint == Array("hint".utf8))
        #expect(ske.curveType == ECCurveType.namedCurve)
        #expect(ske.namedCurve == NamedGroup.x25519)
        #expect(ske.publicKeyLength == 32)
        #expect(ske.signatureAlgorithm == nil)
        let cke = try #require(h.messages(.clientToServer).compactMap(\.clientKeyExchange).first)
        #expect(cke.kind == .ecdhePSK)
        #expect(cke.pskIdentity == Array("client".utf8))
        #expect(cke.publicKeyLength == 32)
    }

    @Test func ecdhePSKGuessedWithoutTheServerHello() throws {
        // Decode the ServerKeyExchange datagram with its ServerHello record cut away.
        let datagram = DatagramDecoder.decode(CapturedHandshake.ecdhepsk12.datagrams[3].bytes)
        let rest = Array(CapturedHandshake.ecdhepsk12.datagrams[3].bytes[datagram.records[1].offset...])
        let ske = try #require(DatagramDecoder.decode(rest).handshakeMessages.first?.serverKeyExchange)
        #expect(ske.kind == .ecdhePSK)
        #expect(ske.kindSource == .guessed)
    }

    @Test func useSRTPOfferAndAnswer() throws {
        let h = CapturedHandshake.srtp12
        let offer = try #require(h.messages(.clientToServer).compactMap(\.clientHello).last)
        #expect(offer.extension(ExtensionType.useSRTP)?.value
                == .useSRTP(profiles: [SRTPProtectionProfile.aeadAES128GCM, SRTPProtectionProfile.aes128CMSHA1_80],
                            mki: []))
        let answer = try #require(h.messages(.serverToClient).compactMap(\.serverHello).first)
        #expect(answer.extension(ExtensionType.useSRTP)?.value == .useSRTP(profiles: [0x0001], mki: []))
        #expect(SRTPProtectionProfile.name(0x0001) == "SRTP_AES128_CM_SHA1_80")
    }

    @Test func dtls10Handshake() throws {
        let h = CapturedHandshake.dtls10
        let hello = try #require(h.messages(.clientToServer).compactMap(\.clientHello).last)
        #expect(hello.clientVersion == ProtocolVersion.dtls10)
        let server = try #require(h.messages(.serverToClient).compactMap(\.serverHello).first)
        #expect(server.serverVersion == ProtocolVersion.dtls10)
        #expect(server.cipherSuiteName == "TLS_PSK_WITH_AES_128_CBC_SHA")
        #expect(h.records(.serverToClient).allSatisfy { $0.header.version == ProtocolVersion.dtls10 })
        // CBC with an explicit IV and a SHA-1 MAC: 16 IV + 12+12 padded to 32 + 20 MAC.
        let finished = try #require(h.records(.clientToServer).compactMap(\.body.encrypted).first)
        #expect(finished.length == 68)
    }

    @Test func noSharedCipherEndsInAPlaintextFatalAlert() throws {
        let h = CapturedHandshake.nosharedcipher
        let hello = try #require(h.messages(.clientToServer).compactMap(\.clientHello).last)
        #expect(hello.offers(0x00A9))
        #expect(!hello.offers(0x00A8))
        let last = try #require(h.records(.serverToClient).last)
        #expect(last.header.epoch == 0)
        let alert = try #require(last.body.alert)
        #expect(alert == Alert(level: AlertLevel.fatal, description: AlertDescription.handshakeFailure))
        #expect(alert.text == "fatal handshake_failure")
        #expect(last.summaryLine == "Alert epoch=0 seq=1 len=2: fatal handshake_failure")
    }
}
