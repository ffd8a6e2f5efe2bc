import Testing
@testable import DTLSWire

@Suite struct RenderingTests {
    let psk = CapturedHandshake.psk12

    @Test func datagramSummaries() {
        let lines = psk.decoded().map(\.summaryLine)
        #expect(lines == [
            "Handshake(ClientHello seq=0)",
            "Handshake(HelloVerifyRequest seq=0)",
            "Handshake(ClientHello seq=1)",
            "Handshake(ServerHello seq=1) | Handshake(ServerKeyExchange seq=2) | Handshake(ServerHelloDone seq=3)",
            "Handshake(ClientKeyExchange seq=2) | ChangeCipherSpec | Handshake(encrypted Finished, epoch 1)",
            "Handshake(NewSessionTicket seq=4)",
            "ChangeCipherSpec | Handshake(encrypted Finished, epoch 1)",
            "ApplicationData(encrypted 30B, epoch 1)",
            "ApplicationData(encrypted 30B, epoch 1)",
            "Alert(encrypted, epoch 1)",
            "Alert(encrypted, epoch 1)",
        ])
        let fragmented = DatagramDecoder.decode(CapturedHandshake.cert12.datagrams[5].bytes)
        #expect(fragmented.summaryLine
                == "Handshake(Certificate seq=2 frag 320+140/460) | Handshake(ServerKeyExchange seq=3 frag 0+38/112)")
    }

    @Test func recordSummaries() {
        let decoded = psk.decoded()
        #expect(decoded[2].recordLines
                == ["Handshake epoch=0 seq=1 len=264: ClientHello msg_seq=1 frag 0+252 cookie=20B"])
        #expect(decoded[3].recordLines == [
            "Handshake epoch=0 seq=1 len=65: ServerHello msg_seq=1 frag 0+53 TLS_PSK_WITH_AES_128_GCM_SHA256",
            "Handshake epoch=0 seq=2 len=18: ServerKeyExchange msg_seq=2 frag 0+6 PSK hint=\"hint\"",
            "Handshake epoch=0 seq=3 len=12: ServerHelloDone msg_seq=3 frag 0+0",
        ])
        #expect(decoded[4].recordLines == [
            "Handshake epoch=0 seq=2 len=20: ClientKeyExchange msg_seq=2 frag 0+8 PSK identity=\"client\" (guessed)",
            "ChangeCipherSpec epoch=0 seq=3 len=1",
            "Handshake epoch=1 seq=0 len=48: encrypted handshake (Finished)",
        ])
        #expect(decoded[9].recordLines == ["Alert epoch=1 seq=2 len=26: encrypted alert"])
    }

    @Test func fieldTreeOfAHelloVerifyRequest() {
        let decoded = DatagramDecoder.decode(psk.datagrams[1].bytes)
        let lines = FieldTree.lines(decoded.fields)
        #expect(Array(lines.prefix(7)) == [
            "record: Handshake epoch=0 seq=0 len=35  [0..<48]",
            "  content_type: Handshake (22)  [0..<1]",
            "  version: DTLS 1.0 (0xFEFF)  [1..<3]",
            "  epoch: 0  [3..<5]",
            "  sequence_number: 0  [5..<11]",
            "  length: 35  [11..<13]",
            "  handshake: HelloVerifyRequest msg_seq=0 frag 0+23  [13..<48]",
        ])
        #expect(lines[12] == "    server_version: DTLS 1.0 (0xFEFF)  [25..<27]")
        #expect(lines[13].hasPrefix("    cookie: 20B ") && lines[13].hasSuffix("[27..<48]"))
        #expect(FieldTree.lines(decoded.fields, showRanges: false)[1] == "  content_type: Handshake (22)")
    }

    /// Every field's bytes lie inside its parent's, siblings do not overlap, and
    /// every record field covers exactly its record.
    @Test func fieldRangesNest() {
        func check(_ field: Field, within outer: Range<Int>) {
            #expect(field.byteRange.lowerBound >= outer.lowerBound && field.byteRange.upperBound <= outer.upperBound,
                    "\(field.name) \(field.byteRange) outside \(outer)")
            var end = field.byteRange.lowerBound
            for child in field.children {
                #expect(child.byteRange.lowerBound >= end, "\(child.name) overlaps its previous sibling")
                end = child.byteRange.upperBound
                check(child, within: field.byteRange)
            }
        }
        for handshake in CapturedHandshake.all {
            for datagram in handshake.datagrams {
                let decoded = DatagramDecoder.decode(datagram.bytes)
                for (record, field) in zip(decoded.records, decoded.fields) {
                    #expect(field.byteRange == record.offset..<record.offset + 13 + Int(record.header.length))
                    check(field, within: 0..<datagram.bytes.count)
                }
            }
        }
    }

    @Test func hexDump() {
        let bytes: [UInt8] = Array(0x41...0x52) + [0x00, 0x7f]
        #expect(HexDump.lines(bytes) == [
            "0000  41 42 43 44 45 46 47 48  49 4a 4b 4c 4d 4e 4f 50  |ABCDEFGHIJKLMNOP|",
            "0010  51 52 00 7f                                       |QR..|",
        ])
        #expect(HexDump.lines(bytes, width: 8, startOffset: 0x20).first == "0020  41 42 43 44  45 46 47 48  |ABCDEFGH|")
        #expect(HexDump.lines([UInt8]()).isEmpty)
        #expect(HexDump.lines([1, 2, 3], width: 0) == ["0000  01  |.|", "0001  02  |.|", "0002  03  |.|"])
        #expect(HexDump.lines(bytes[2..<4]).count == 1)
    }

    @Test func decryptedContentDecodes() throws {
        let finished = DatagramDecoder.decodePlaintext(
            [20, 0, 0, 12, 0, 3, 0, 0, 0, 0, 0, 12] + Array(repeating: 0xab, count: 12), contentType: 22)
        #expect(finished.notes.isEmpty)
        let message = try #require(finished.body.handshakeFragments.first?.message?.finished)
        #expect(message.verifyData.count == 12)
        #expect(finished.summaryLine == "Handshake epoch=1 seq=0 len=24: Finished msg_seq=3 frag 0+12 verify_data=12B")

        let close = DatagramDecoder.decodePlaintext([1, 0], contentType: 21)
        #expect(close.body.alert?.text == "warning close_notify")
        let data = DatagramDecoder.decodePlaintext(Array("hello\n".utf8), contentType: 23)
        #expect(data.body == .applicationData(length: 6))
        #expect(data.field.children.first?.value == "6B \"hello\\x0a\"")
    }
}

@Test func hexDumpClampsItsSettings() {
    #expect(HexDump.lines([1, 2], width: .max).count == 1)
    #expect(HexDump.lines([1], startOffset: .max).first?.hasPrefix("ffffffff  01") == true)
    #expect(HexDump.lines([1], startOffset: -5).first?.hasPrefix("0000  01") == true)
}
