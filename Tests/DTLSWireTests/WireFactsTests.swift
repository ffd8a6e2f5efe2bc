import Testing
@testable import DTLSWire

/// The facts the engine reads from a datagram in place (record headers,
/// plausibility, the ClientHello random, the HelloVerifyRequest cookie,
/// alert bytes) agree with what the full decoder says of the same bytes.
@Suite struct WireFactsTests {
    let psk = CapturedHandshake.psk12

    @Test func recordAndHandshakeHeadersInPlace() throws {
        for datagram in CapturedHandshake.all.flatMap(\.datagrams) {
            let decoded = DatagramDecoder.decode(datagram.bytes)
            datagram.bytes.withUnsafeBytes { raw in
                for record in decoded.records {
                    #expect(RecordHeader(in: raw, at: record.offset) == record.header)
                }
                for fragment in decoded.handshakeFragments {
                    #expect(HandshakeHeader(in: raw, at: fragment.offset) == fragment.header)
                }
            }
        }
        let header: [UInt8] = [23, 0xfe, 0xfd, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x20]
        header.withUnsafeBytes { raw in
            #expect(RecordHeader(in: raw) == RecordHeader(contentType: 23, version: 0xfefd, epoch: 1, sequence: 0x102,
                                                          length: 32))
            #expect(RecordHeader(in: raw, at: 1) == nil)
            #expect(RecordHeader(in: raw, at: -1) == nil)
            #expect(RecordHeader(in: raw, at: 99) == nil)
            #expect(HandshakeHeader(in: raw, at: 1) == HandshakeHeader(type: 0xfe, length: 0xfd0001, messageSeq: 0,
                                                                       fragmentOffset: 1, fragmentLength: 0x02_0020))
            #expect(HandshakeHeader(in: raw, at: 2) == nil)
        }
    }

    @Test func alertBytes() {
        [UInt8]([2, 40]).withUnsafeBytes { raw in
            let alert = Alert(in: raw)
            #expect(alert == Alert(level: AlertLevel.fatal, description: AlertDescription.handshakeFailure))
            #expect(alert?.code == 0x0228)
            #expect(alert?.text == "fatal handshake_failure")
        }
        [UInt8]([1]).withUnsafeBytes { #expect(Alert(in: $0) == nil) }
        #expect(Alert(code: 0x0100) == .closeNotify)
    }

    @Test func clientHelloRandom() throws {
        for handshake in CapturedHandshake.all {
            for datagram in handshake.datagrams {
                let hello = DatagramDecoder.decode(datagram.bytes).handshakeMessages.first?.clientHello
                let random = datagram.bytes.withUnsafeBytes { RecordLayer.initialClientHelloRandom(in: $0) }
                #expect(random?.bytes == hello?.random, "\(handshake.name)")
            }
        }
        // Both hellos of one handshake carry the same random.
        let first = try #require(psk.datagrams[0].bytes.withUnsafeBytes { RecordLayer.initialClientHelloRandom(in: $0) })
        let second = psk.datagrams[2].bytes.withUnsafeBytes { RecordLayer.initialClientHelloRandom(in: $0) }
        #expect(first == second)
        #expect(HelloRandom(first.bytes) == first && first.hashValue == second?.hashValue)
        #expect(HelloRandom([1, 2, 3]) == nil)
        // Cut short inside the random: the record no longer holds the hello.
        let cut = Array(psk.datagrams[0].bytes.prefix(50))
        #expect(cut.withUnsafeBytes { RecordLayer.initialClientHelloRandom(in: $0) } == nil)
    }

    @Test func helloVerifyRequestCookie() throws {
        let datagram = psk.datagrams[1].bytes
        let request = try #require(DatagramDecoder.decode(datagram).handshakeMessages.first?.helloVerifyRequest)
        let cookie = datagram.withUnsafeBytes { HelloVerifyRequest.cookie(inDatagram: $0).map(Array.init) }
        #expect(cookie == request.cookie && !request.cookie.isEmpty)
        for other in [psk.datagrams[0].bytes, psk.datagrams[3].bytes, Array(datagram.dropLast()), []] {
            #expect(other.withUnsafeBytes { HelloVerifyRequest.cookie(inDatagram: $0) } == nil)
        }
        // A cookie length byte that runs past the message.
        var lying = datagram
        lying[27] = UInt8(request.cookie.count + 1)
        #expect(lying.withUnsafeBytes { HelloVerifyRequest.cookie(inDatagram: $0) } == nil)
    }

    // MARK: - Plausibility

    func implausible(_ bytes: [UInt8], version: UInt16? = nil, minimum: Int = 24) -> String? {
        bytes.withUnsafeBytes {
            RecordLayer.implausibleRecord(in: $0, associationVersion: version, minimumProtectedLength: minimum)?.reason
        }
    }

    func record(_ type: UInt8, version: UInt16 = ProtocolVersion.dtls12, epoch: UInt16 = 0, length: Int) -> [UInt8] {
        [type, UInt8(version >> 8), UInt8(version & 0xff), UInt8(epoch >> 8), UInt8(epoch & 0xff), 0, 0, 0, 0, 0, 1,
         UInt8(length >> 8), UInt8(length & 0xff)] + [UInt8](repeating: 0, count: length)
    }

    @Test func everyCapturedDatagramIsPlausible() {
        for handshake in CapturedHandshake.all where handshake.name != "dtls10" {
            for datagram in handshake.datagrams {
                #expect(implausible(datagram.bytes) == nil, "\(handshake.name)")
            }
        }
        for datagram in CapturedHandshake.dtls10.datagrams {
            #expect(implausible(datagram.bytes, version: ProtocolVersion.dtls10, minimum: 16) == nil)
        }
    }

    @Test func eachImplausibility() {
        #expect(implausible([]) == nil)
        #expect(implausible(record(23, epoch: 1, length: 24) + [0]) == "not a whole number of DTLS records")
        #expect(implausible(Array(record(22, length: 10).dropLast())) == "not a whole number of DTLS records")
        #expect(implausible(record(23, epoch: 1, length: 16_384 + 321)) == "not a whole number of DTLS records")
        #expect(implausible(record(23, epoch: 1, length: 16_384 + 320)) == nil)
        #expect(implausible(record(24, length: 3)) == "not a DTLS 1.2 record type")
        #expect(implausible(record(19, length: 3)) == "not a DTLS 1.2 record type")
        #expect(implausible(record(22, version: 0x0303, length: 3)) == "record version is not the association's")
        #expect(implausible(record(22, version: ProtocolVersion.dtls10, length: 3)) == nil)
        #expect(implausible(record(22, version: ProtocolVersion.dtls10, length: 3), version: ProtocolVersion.dtls12)
                == "record version is not the association's")
        // An alert only has to say it is DTLS.
        #expect(implausible(record(21, version: 0xfe00, length: 2), version: ProtocolVersion.dtls12) == nil)
        #expect(implausible(record(21, version: 0x0300, length: 2)) == "record version is not the association's")
        #expect(implausible(record(23, epoch: 1, length: 23)) == "protected record shorter than the cipher's overhead")
        #expect(implausible(record(23, epoch: 1, length: 16), minimum: 16) == nil)
        // The first bad record decides, after good ones.
        #expect(implausible(record(22, length: 5) + record(20, epoch: 1, length: 1))
                == "protected record shorter than the cipher's overhead")
    }

    // MARK: - Agreement under mutation

    /// Mutated datagrams: the in-place facts never trap and say what the
    /// decoder says (a plausible datagram splits into whole records; a random
    /// or a cookie read in place is the decoded one).
    @Test func factsAgreeWithTheDecoderOnMutatedDatagrams() {
        var fuzzer = Fuzzer(seed: 0xfac7_5eed)
        for _ in 0..<5_000 {
            let (input, recipe) = fuzzer.nextInput()
            let decoded = DatagramDecoder.decode(input)
            input.withUnsafeBytes { raw in
                if RecordLayer.implausibleRecord(in: raw, associationVersion: nil, minimumProtectedLength: 24) == nil {
                    #expect(decoded.trailing == nil, "\(recipe)")
                }
                if let random = RecordLayer.initialClientHelloRandom(in: raw) {
                    let fragment = decoded.handshakeFragments.first
                    #expect(fragment?.header.type == HandshakeType.clientHello.rawValue, "\(recipe)")
                    #expect(Array(fragment?.body.dropFirst(2).prefix(32) ?? []) == random.bytes, "\(recipe)")
                }
                if let cookie = HelloVerifyRequest.cookie(inDatagram: raw) {
                    // The decoder may find the message malformed past the cookie; the cookie itself is the same.
                    let fragment = decoded.handshakeFragments.first
                    #expect(fragment?.header.type == HandshakeType.helloVerifyRequest.rawValue, "\(recipe)")
                    #expect(Array(fragment?.body.dropFirst(3).prefix(cookie.count) ?? []) == Array(cookie), "\(recipe)")
                }
                for record in decoded.records {
                    #expect(RecordHeader(in: raw, at: record.offset) == record.header, "\(recipe)")
                }
            }
        }
    }

    /// The engine's own reading (Peer.implausibleRecord as it stood when
    /// DTLSWire took it over), kept here to show the move changes no verdict.
    static func engineVerdict(_ d: UnsafeRawBufferPointer, version: Int32?, minimum: Int) -> String? {
        var i = 0
        while i < d.count {
            guard i + 13 <= d.count else { return "not a whole number of DTLS records" }
            let type = d[i], recordVersion = Int32(d[i + 1]) << 8 | Int32(d[i + 2])
            let epoch = Int(d[i + 3]) << 8 | Int(d[i + 4]), length = Int(d[i + 11]) << 8 | Int(d[i + 12])
            guard length <= 16_384 + 320, i + 13 + length <= d.count else { return "not a whole number of DTLS records" }
            guard (20...23).contains(type) else { return "not a DTLS 1.2 record type" }
            let versionOK = type == 21 ? d[i + 1] == 0xfe
                : version.map { recordVersion == $0 } ?? (recordVersion == 0xfefd || recordVersion == 0xfeff)
            guard versionOK else { return "record version is not the association's" }
            if epoch != 0 && length < minimum { return "protected record shorter than the cipher's overhead" }
            i += 13 + length
        }
        return nil
    }

    @Test func plausibilityGivesTheEnginesVerdicts() {
        var fuzzer = Fuzzer(seed: 0x9e7d_1c75)
        var reached: Set<String> = []
        for _ in 0..<5_000 {
            let (input, recipe) = fuzzer.nextInput()
            input.withUnsafeBytes { raw in
                for version in [nil, Int32(0xfefd), Int32(0xfeff)] {
                    for minimum in [16, 24] {
                        let expected = Self.engineVerdict(raw, version: version, minimum: minimum)
                        let verdict = RecordLayer.implausibleRecord(
                            in: raw, associationVersion: version.map { UInt16(truncatingIfNeeded: $0) },
                            minimumProtectedLength: minimum)
                        #expect(verdict?.reason == expected, "\(recipe)")
                        if let verdict { reached.insert(verdict.reason) }
                    }
                }
            }
        }
        // The mutations reach every verdict, not only "plausible".
        #expect(reached.count == 4, "\(reached)")
    }
}
