import Testing
@testable import DTLSWire

/// The certificate handshakes: fragmentation, reassembly, the DER walk, client auth.
@Suite struct CertificateHandshakeTests {
    @Test func serverChoosesECDHEECDSA() throws {
        let hello = try #require(CapturedHandshake.cert12.messages(.serverToClient).compactMap(\.serverHello).first)
        #expect(hello.cipherSuiteName == "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384")
        #expect(CipherSuite.keyExchange(hello.cipherSuite) == .ecdhe)
    }

    @Test(arguments: [CapturedHandshake.cert12, .mtu12, .mutual12])
    func certificateFragmentsAddUp(_ h: CapturedHandshake) throws {
        let pieces = h.fragments(.serverToClient).filter { $0.header.type == HandshakeType.certificate.rawValue }
        #expect(pieces.count == 3)
        let total = try #require(pieces.first?.header.length)
        #expect(pieces.allSatisfy { $0.header.length == total && $0.header.isFragment && $0.message == nil })
        // In order, back to back, nothing missing, nothing overlapping.
        var next: UInt32 = 0
        for piece in pieces {
            #expect(piece.header.fragmentOffset == next)
            #expect(piece.body.count == Int(piece.header.fragmentLength))
            next += piece.header.fragmentLength
        }
        #expect(next == total)
        #expect(Set(pieces.map(\.header.messageSeq)).count == 1)
    }

    @Test func smallMTUKeepsTheFragmentedFlightSmall() {
        // -mtu 300 leaves 272 bytes for DTLS after IPv4 and UDP headers. (OpenSSL lets
        // its last flight, NewSessionTicket + CCS + Finished, run over: 282 bytes.)
        let flight = CapturedHandshake.mtu12.datagrams.filter { datagram in
            DatagramDecoder.decode(datagram.bytes).handshakeFragments.contains { $0.header.isFragment }
        }
        #expect(flight.count == 3)
        #expect(flight.allSatisfy { $0.bytes.count <= 272 })
        #expect(flight.contains { $0.bytes.count == 272 })
    }

    @Test(arguments: [CapturedHandshake.cert12, .mtu12])
    func reassembledCertificateNamesTheServer(_ h: CapturedHandshake) throws {
        let messages = h.reassembled(.serverToClient)
        let assembled = try #require(messages.first { $0.type == HandshakeType.certificate.rawValue })
        #expect(assembled.fragmentCount == 3)
        #expect(assembled.notes.isEmpty)
        let chain = try #require(assembled.message?.certificate)
        #expect(chain.certificates.count == 1)
        let entry = try #require(chain.certificates.first)
        #expect(entry.length == Int(assembled.body.count) - 6)
        let summary = try #require(entry.summary)
        #expect(summary.subjectCommonName == "localhost")
        #expect(summary.subject == "O=dtlsh test, CN=localhost")
        #expect(summary.isSelfIssued)
        #expect(summary.publicKey == "EC P-256")
        let notBefore = try #require(summary.notBefore), notAfter = try #require(summary.notAfter)
        #expect(notBefore.count == "2026-01-01 00:00:00Z".count && notBefore < notAfter)
        #expect(assembled.fields.contains { $0.name == "certificate_list" })
    }

    @Test func reassembledServerKeyExchangeWithTheNegotiatedSuite() throws {
        let messages = CapturedHandshake.cert12.reassembled(.serverToClient, keyExchange: .ecdhe)
        let ske = try #require(messages.compactMap(\.message?.serverKeyExchange).first)
        #expect(ske.kind == .ecdhe)
        #expect(ske.kindSource == .given)
        #expect(ske.namedCurve == NamedGroup.x25519)
        #expect(ske.publicKeyLength == 32)
        #expect(ske.signatureAlgorithm == SignatureScheme.ecdsaSecp256r1SHA256)
        #expect((70...72).contains(ske.signatureLength ?? 0))  // DER ECDSA signature
    }

    @Test func wholeServerKeyExchangeIsGuessedAsECDHE() throws {
        // In mtu12 the ServerKeyExchange is whole but its ServerHello came two datagrams earlier.
        let ske = try #require(CapturedHandshake.mtu12.messages(.serverToClient).compactMap(\.serverKeyExchange).first)
        #expect(ske.kind == .ecdhe)
        #expect(ske.kindSource == .guessed)
        #expect(ske.signatureAlgorithm == SignatureScheme.ecdsaSecp256r1SHA256)
    }

    @Test func clientAuthentication() throws {
        let h = CapturedHandshake.mutual12
        let request = try #require(h.messages(.serverToClient).compactMap(\.certificateRequest).first)
        #expect(request.certificateTypes.map(ClientCertificateType.name) == ["rsa_sign", "dss_sign", "ecdsa_sign"])
        #expect(request.signatureAlgorithms.contains(SignatureScheme.ecdsaSecp256r1SHA256))
        #expect(request.certificateAuthorities.isEmpty)

        let client = h.messages(.clientToServer)
        let chain = try #require(client.compactMap(\.certificate).first)
        #expect(chain.certificates.first?.summary?.subjectCommonName == "dtlsh client")
        let cke = try #require(client.compactMap(\.clientKeyExchange).first)
        #expect(cke.kind == .ecdhe && cke.publicKeyLength == 32)
        let verify = try #require(client.compactMap(\.certificateVerify).first)
        #expect(verify.signatureAlgorithm == SignatureScheme.ecdsaSecp256r1SHA256)
        #expect(client.map(\.typeName).prefix(5)
                == ["ClientHello", "ClientHello", "Certificate", "ClientKeyExchange", "CertificateVerify"])
    }

    @Test func fragmentedNewSessionTicketReassembles() throws {
        let tickets = CapturedHandshake.mutual12.reassembled(.serverToClient).filter {
            $0.type == HandshakeType.newSessionTicket.rawValue
        }
        let assembled = try #require(tickets.first)
        let ticket = try #require(assembled.message?.newSessionTicket)
        #expect(assembled.fragmentCount == 4)
        #expect(ticket.lifetimeHint == 7200)
        #expect(ticket.ticketLength == assembled.body.count - 6)  // after lifetime (4) and length (2)
    }
}

extension CapturedHandshake: CustomTestStringConvertible {
    var testDescription: String { name }
}
