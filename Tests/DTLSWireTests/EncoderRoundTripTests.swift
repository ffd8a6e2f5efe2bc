import Testing
@testable import DTLSWire

/// Whatever the encoder builds, the decoder (DatagramDecoder and
/// HandshakeReassembler) reads back to the same fields.
@Suite struct EncoderRoundTripTests {
    let random = [UInt8](0..<32)

    @Test func recordsOfEveryKindInOneDatagram() throws {
        let datagram = OutgoingDatagram(
            OutgoingRecord(.applicationData, epoch: 0, sequence: 0x0000_ffff_ffff_fffe, payload: [1, 2, 3]),
            .alert(Alert(level: AlertLevel.fatal, description: AlertDescription.handshakeFailure), sequence: 7),
            .changeCipherSpec(version: ProtocolVersion.dtls10, sequence: 8),
            OutgoingRecord(contentType: 99, version: 0xfefc, epoch: 3, sequence: OutgoingRecord.largestSequence,
                           payload: [UInt8](repeating: 0xab, count: 40)))
        let bytes = try datagram.encoded
        let decoded = DatagramDecoder.decode(bytes)
        #expect(decoded.isWellFormed, "\(decoded.notes)")
        #expect(decoded.records.map(\.header) == datagram.records.map(\.header))
        #expect(decoded.records.map(\.body) == [
            .applicationData(length: 3), .alert(Alert(level: 2, description: 40)), .changeCipherSpec,
            .encrypted(EncryptedRecord(contentType: 99, epoch: 3, length: 40)),
        ])
        #expect(RecordLayer.split(bytes).records.map { Array($0.fragment) } == datagram.records.map(\.payload))
        #expect(bytes.count == datagram.records.map { 13 + $0.payload.count }.reduce(0, +))
    }

    @Test func numberedRecordsAndAnEmptyDatagram() throws {
        let numbered = OutgoingDatagram([.changeCipherSpec(), .changeCipherSpec(), .alert(.closeNotify)]).numbered(from: 5)
        #expect(DatagramDecoder.decode(try numbered.encoded).records.map(\.header.sequence) == [5, 6, 7])
        #expect(try OutgoingDatagram([]).encoded == [])
    }

    @Test func defaultClientHello() throws {
        let outgoing = OutgoingClientHello(random: random)
        let decoded = DatagramDecoder.decode(try outgoing.datagram())
        #expect(decoded.isWellFormed, "\(decoded.notes)")
        #expect(decoded.records.first?.header.epoch == 0 && decoded.records.first?.header.sequence == 0)
        let hello = try #require(decoded.handshakeMessages.first?.clientHello)
        #expect(hello.clientVersion == ProtocolVersion.dtls12)
        #expect(hello.random == random && hello.sessionID.isEmpty && hello.cookie.isEmpty)
        #expect(hello.cipherSuites == OutgoingClientHello.defaultCipherSuites)
        #expect(hello.compressionMethods == [0])
        #expect(hello.extensions.map(\.value) == [
            .supportedGroups([29, 23, 24]), .ecPointFormats([0]),
            .signatureAlgorithms([0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601]),
            .extendedMasterSecret, .renegotiationInfo([]),
        ])
        // What the engine reads of it in place.
        let bytes = try outgoing.datagram()
        #expect(RecordLayer.startsWithClientHello(bytes))
        #expect(bytes.withUnsafeBytes { RecordLayer.initialClientHelloRandom(in: $0) }?.bytes == random)
    }

    @Test func secondClientHelloWithCookieAndChosenOffer() throws {
        let first = OutgoingClientHello(
            cipherSuites: [0x00A8, CipherSuite.emptyRenegotiationInfoSCSV],
            extensions: [.serverName("example.com"), .alpn(["coap"]), .useSRTP(profiles: [1, 7], mki: [9]),
                         .connectionID([1, 2]), .recordSizeLimit(512), .sessionTicket(), .encryptThenMAC,
                         .padding(3), OutgoingExtension(type: 0x4444, data: [5, 6])],
            sessionID: [0xaa, 0xbb])
        let request = HelloVerifyRequest(cookie: [UInt8](repeating: 0xc0, count: 32))
        let second = first.answering(request)
        let decoded = DatagramDecoder.decode(try second.datagram(messageSeq: 1, sequence: 1))
        #expect(decoded.isWellFormed, "\(decoded.notes)")
        let fragment = try #require(decoded.handshakeFragments.first)
        #expect(fragment.header.messageSeq == 1 && decoded.records.first?.header.sequence == 1)
        let hello = try #require(fragment.message?.clientHello)
        #expect(hello.cookie == request.cookie && hello.random == first.random && hello.sessionID == [0xaa, 0xbb])
        #expect(hello.cipherSuites == [0x00A8, 0x00FF])
        #expect(hello.extensions.map(\.value) == [
            .serverName(["example.com"]), .alpn(["coap"]), .useSRTP(profiles: [1, 7], mki: [9]),
            .connectionID([1, 2]), .recordSizeLimit(512), .sessionTicket(length: 0), .encryptThenMAC,
            .padding(length: 3), .opaque(length: 2),
        ])
    }

    @Test func helloWithoutOrWithEmptyExtensions() throws {
        let none = OutgoingClientHello(extensions: nil, random: random)
        let empty = OutgoingClientHello(extensions: [], random: random)
        #expect(try empty.body.count == none.body.count + 2)
        for hello in [none, empty] {
            let decoded = DatagramDecoder.decode(try hello.datagram())
            #expect(decoded.isWellFormed && decoded.handshakeMessages.first?.clientHello?.extensions == [])
        }
    }

    @Test func helloVerifyRequestAndAlert() throws {
        let request = HelloVerifyRequest(cookie: [1, 2, 3, 4])
        let datagram = try OutgoingDatagram(.handshake([try request.handshake().whole]),
                                            .alert(.closeNotify, sequence: 1)).encoded
        let decoded = DatagramDecoder.decode(datagram)
        #expect(decoded.isWellFormed, "\(decoded.notes)")
        #expect(decoded.handshakeMessages == [.helloVerifyRequest(request)])
        #expect(request.serverVersion == ProtocolVersion.dtls10)
        #expect(decoded.records.last?.body == .alert(.closeNotify))
        #expect(datagram.withUnsafeBytes { HelloVerifyRequest.cookie(inDatagram: $0).map(Array.init) } == [1, 2, 3, 4])
    }

    // MARK: - Fragments

    /// Fragments reassembled in the order given, and the message they make.
    func reassemble(_ fragments: [OutgoingFragment], perRecord: Int = 1) throws -> [HandshakeReassembler.Message] {
        var records: [OutgoingRecord] = []
        for start in stride(from: 0, to: fragments.count, by: perRecord) {
            let group = Array(fragments[start..<min(start + perRecord, fragments.count)])
            records.append(.handshake(group, sequence: UInt64(records.count)))
        }
        let decoded = DatagramDecoder.decode(try OutgoingDatagram(records).encoded)
        #expect(decoded.isWellFormed, "\(decoded.notes)")
        #expect(decoded.handshakeFragments.map(\.header) == fragments.map(\.header))
        var reassembler = HandshakeReassembler()
        return decoded.handshakeFragments.compactMap { reassembler.add($0) }
    }

    @Test func fragmentsInOrderOutOfOrderAndOverlapping() throws {
        let hello = try OutgoingClientHello(random: random).handshake(messageSeq: 2)
        let length = hello.body.count
        let expected = try #require(DatagramDecoder.decode(try OutgoingDatagram(.handshake([hello.whole])).encoded)
            .handshakeMessages.first)
        let cuts: [[Range<Int>]] = [
            [0..<40, 40..<100, 100..<length],                        // in order
            [100..<length, 0..<40, 40..<100],                        // out of order
            [50..<length, 0..<60, 30..<90],                          // overlapping, out of order
            [0..<length, 10..<20],                                   // whole first: done before the extra piece
            [0..<0, 0..<length - 1, length - 1..<length],            // an empty piece, a one-byte piece
        ]
        for ranges in cuts {
            for perRecord in [1, 3] {
                let fragments = try hello.fragments(ranges)
                let messages = try reassemble(fragments, perRecord: perRecord)
                #expect(messages.count == 1, "\(ranges)")
                #expect(messages.first?.message == expected, "\(ranges)")
                #expect(messages.first?.body == hello.body && messages.first?.messageSeq == 2)
            }
        }
        let mtu = try hello.fragments(maxLength: 50)
        #expect(mtu.count == (length + 49) / 50 && mtu.allSatisfy { $0.data.count <= 50 })
        #expect(try reassemble(mtu).first?.fragmentCount == mtu.count)
        #expect(try reassemble(mtu.reversed()).first?.message == expected)
    }

    @Test func aGapLeavesTheMessageIncomplete() throws {
        let hello = try OutgoingClientHello(random: random).handshake()
        #expect(try reassemble(hello.fragments([0..<40, 41..<hello.body.count])).isEmpty)
    }

    @Test func emptyMessageIsOneEmptyFragment() throws {
        let done = OutgoingHandshake(.serverHelloDone, messageSeq: 4, body: [])
        let fragments = try done.fragments(maxLength: 10)
        #expect(fragments.count == 1 && fragments[0].encoded.count == 12)
        let decoded = DatagramDecoder.decode(try OutgoingDatagram(.handshake(fragments)).encoded)
        #expect(decoded.handshakeMessages == [.serverHelloDone])
        #expect(decoded.handshakeFragments.first?.header.messageSeq == 4)
    }
}
