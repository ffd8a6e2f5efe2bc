import Testing
@testable import DTLSWire

/// Malformed input is reported as notes saying what and where; whatever can
/// still be decoded around it is.
@Suite struct MalformedInputTests {
    /// The second ClientHello of the PSK handshake (277 bytes, one record).
    /// Offsets: record header 0..<13, handshake header 13..<25 (fragment_length
    /// 22..<25), client_version 25, random 27, session_id 59, cookie 60,
    /// cipher_suites 81.
    let clientHello = CapturedHandshake.psk12.datagrams[2].bytes
    /// ServerHello | ServerKeyExchange | ServerHelloDone, three records.
    let serverFlight = CapturedHandshake.psk12.datagrams[3].bytes

    @Test func emptyAndTinyDatagrams() {
        let empty = DatagramDecoder.decode([])
        #expect(empty.records.isEmpty && empty.notes.isEmpty)
        #expect(empty.summaryLine == "empty datagram")
        let tiny = DatagramDecoder.decode([22, 0xfe, 0xfd, 0, 0])
        #expect(tiny.records.isEmpty)
        #expect(tiny.trailing == .init(offset: 0, count: 5, reason: "truncated record header"))
        #expect(tiny.notes == [DecodeNote(offset: 0, message: "5 trailing byte(s): truncated record header")])
        #expect(tiny.summaryLine == "trailing 5B (truncated record header) [1 decode note(s)]")
    }

    @Test func recordLengthPastTheEnd() {
        let cut = DatagramDecoder.decode(Array(clientHello.dropLast(10)))
        #expect(cut.records.isEmpty)
        #expect(cut.trailing?.reason == "record length 264 runs past the datagram end")
        #expect(cut.fields.map(\.name) == ["trailing"])
    }

    @Test func garbageAfterGoodRecords() {
        let decoded = DatagramDecoder.decode(serverFlight + [0xde, 0xad])
        #expect(decoded.records.count == 3)
        #expect(decoded.trailing?.offset == serverFlight.count)
        #expect(decoded.notes.count == 1 && decoded.notes[0].offset == serverFlight.count)
    }

    @Test func fragmentLongerThanItsRecord() throws {
        var bytes = clientHello
        bytes[22...24] = [0, 0x01, 0x00]  // fragment_length 256 in a 264-byte record: 4 bytes short
        bytes[14...16] = [0, 0x01, 0x00]
        let decoded = DatagramDecoder.decode(bytes)
        let fragment = try #require(decoded.handshakeFragments.first)
        #expect(fragment.message == nil)
        #expect(fragment.body.count == 252)
        #expect(decoded.notes.map(\.description)
                == ["at byte 13: fragment_length 256 runs past the record end (252 byte(s) left)"])
        #expect(decoded.records[0].summaryLine.contains("ClientHello msg_seq=1 frag 0+256 (cut short)"))
    }

    @Test func fragmentPastItsMessageLength() {
        var bytes = clientHello
        bytes[19...21] = [0, 0, 9]  // fragment_offset 9 + 252 > length 252
        let notes = DatagramDecoder.decode(bytes).notes.map(\.message)
        #expect(notes.contains("fragment 9+252 runs past the message length 252"))
    }

    @Test func oddCipherSuiteListLosesTheMessageButKeepsTheFields() throws {
        var bytes = clientHello
        bytes[82] -= 1  // an odd cipher_suites length
        let decoded = DatagramDecoder.decode(bytes)
        #expect(decoded.handshakeFragments.first?.message == nil)
        #expect(decoded.notes.contains { $0.message == "cipher_suite: needs 2 byte(s), 1 left" })
        let handshake = try #require(decoded.fields.first?.first(named: "handshake"))
        #expect(handshake.children.map(\.name).contains("cookie"))
        #expect(decoded.records[0].summaryLine.hasSuffix(
            "ClientHello msg_seq=1 frag 0+252 (malformed) [\(decoded.records[0].notes.count) decode note(s): "
            + "\(decoded.records[0].notes[0])]"))
    }

    @Test func badExtensionBodyIsSkippedNotFatal() throws {
        // Find supported_groups in the ClientHello and corrupt its inner list length.
        let decoded = DatagramDecoder.decode(clientHello)
        let groups = try #require(decoded.fields[0].flattened.first { $0.name == "named_group_list" })
        var bytes = clientHello
        bytes[groups.byteRange.lowerBound + 1] += 2
        let broken = DatagramDecoder.decode(bytes)
        let hello = try #require(broken.handshakeMessages.first?.clientHello)
        #expect(hello.extension(ExtensionType.supportedGroups)?.value == .malformed(length: 12))
        #expect(hello.extension(ExtensionType.signatureAlgorithms) != nil)  // the next one still decoded
        #expect(broken.notes.count == 1)
        #expect(broken.notes[0].offset == groups.byteRange.lowerBound)
    }

    @Test func brokenServerHelloDoesNotStopTheNextRecords() throws {
        var bytes = serverFlight
        bytes[59] = 200  // session_id length far past the message end
        let decoded = DatagramDecoder.decode(bytes)
        #expect(decoded.records.count == 3)
        #expect(decoded.handshakeFragments.first?.message == nil)
        #expect(decoded.notes.first?.message == "session_id: length 200 runs past the end (18 byte(s) left)")
        let ske = try #require(decoded.handshakeMessages.first?.serverKeyExchange)
        #expect(ske.kind == .psk && ske.kindSource == .guessed)  // no ServerHello to go by now
        #expect(decoded.handshakeMessages.last == .serverHelloDone)
    }

    @Test func shortHandshakeRecord() {
        let decoded = DatagramDecoder.decode([22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 7, 0, 5, 1, 2, 3, 4, 5])
        #expect(decoded.records.count == 1)
        #expect(decoded.notes.map(\.message)
                == ["5 byte(s) after the last handshake message: too few for a 12-byte header"])
        let empty = DatagramDecoder.decode([22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0])
        #expect(empty.notes.map(\.message) == ["empty handshake record"])
    }

    @Test func alertAndChangeCipherSpecShapes() {
        func record(_ type: UInt8, _ body: [UInt8]) -> [UInt8] {
            [type, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 1, 0, UInt8(body.count)] + body
        }
        let short = DatagramDecoder.decode(record(21, [2]))
        #expect(short.records[0].body == .opaque(length: 1))
        #expect(short.notes.map(\.message) == ["description: needs 1 byte(s), 0 left"])
        let long = DatagramDecoder.decode(record(21, [2, 40, 0]))
        #expect(long.records[0].body.alert?.text == "fatal handshake_failure")
        #expect(long.notes.map(\.message) == ["1 unexpected byte(s) after Alert"])
        let ccs = DatagramDecoder.decode(record(20, [2]))
        #expect(ccs.records[0].body == .changeCipherSpec)
        #expect(ccs.notes.map(\.description) == ["at byte 13: ChangeCipherSpec value 2, expected 1"])
        let plain = DatagramDecoder.decode(record(23, Array("hi".utf8)))
        #expect(plain.records[0].body == .applicationData(length: 2))
        let unknown = DatagramDecoder.decode(record(99, [1, 2, 3]))
        #expect(unknown.records[0].body == .opaque(length: 3))
        #expect(unknown.summaryLine == "ContentType(99)(3B)")
        var foreign = record(21, [1, 0])
        foreign[1] = 0x03
        #expect(DatagramDecoder.decode(foreign).notes.map(\.message) == ["record version 0x03FD is not a DTLS version"])
    }

    @Test func unrecognisableServerKeyExchange() {
        // A ServerKeyExchange of 5 bytes that fits no layout.
        let body: [UInt8] = [12, 0, 0, 5, 0, 2, 0, 0, 0, 0, 0, 5, 9, 9, 9, 9, 9]
        let decoded = DatagramDecoder.decode([22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 2, 0, UInt8(body.count)] + body)
        #expect(decoded.handshakeFragments.first?.message == nil)
        #expect(decoded.notes.first?.message.hasPrefix("ServerKeyExchange: could not tell the key exchange") == true)
    }

    @Test func certificateThatIsNotDER() throws {
        // certificate_list with one 4-byte "certificate".
        let body: [UInt8] = [0, 0, 7, 0, 0, 4, 0x30, 0x84, 0xff, 0xff]
        let message: [UInt8] = [11, 0, 0, UInt8(body.count), 0, 2, 0, 0, 0, 0, 0, UInt8(body.count)] + body
        let decoded = DatagramDecoder.decode([22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 2, 0, UInt8(message.count)]
                                             + message)
        let chain = try #require(decoded.handshakeMessages.first?.certificate)
        #expect(chain.certificates == [CertificateMessage.Entry(length: 4, summary: nil)])
        #expect(decoded.notes.isEmpty)
    }

    @Test func reassemblerBounds() {
        func fragment(seq: UInt16 = 5, length: UInt32, offset: UInt32, _ body: [UInt8]) -> HandshakeFragment {
            HandshakeFragment(header: HandshakeHeader(type: 4, length: length, messageSeq: seq, fragmentOffset: offset,
                                                      fragmentLength: UInt32(body.count)),
                              offset: 0, body: body[...])
        }
        var r = HandshakeReassembler(maxMessageLength: 1000, maxPending: 2)
        // A forged 16 MB length is refused outright.
        #expect(r.add(fragment(length: 0xffffff, offset: 0, [1, 2, 3])) == nil)
        #expect(r.pendingCount == 0)
        // Out of order and overlapping still completes, once.
        let ticket: [UInt8] = [0, 0, 0, 60, 0, 2, 0xaa, 0xbb]
        #expect(r.add(fragment(length: 8, offset: 5, Array(ticket[5...]))) == nil)
        #expect(r.add(fragment(length: 8, offset: 0, Array(ticket[0..<3]))) == nil)
        let done = r.add(fragment(length: 8, offset: 2, Array(ticket[2..<6])))
        #expect(done?.body == ticket)
        #expect(done?.message?.newSessionTicket == NewSessionTicket(lifetimeHint: 60, ticketLength: 2))
        #expect(r.pendingCount == 0)
        // Pending messages beyond the cap push out the oldest.
        for seq in UInt16(0)..<5 { _ = r.add(fragment(seq: seq, length: 8, offset: 0, [0])) }
        #expect(r.pendingCount == 2)
        // A fragment that claims more bytes than its message is refused.
        #expect(r.add(fragment(length: 2, offset: 1, [1, 2])) == nil)
    }
}
