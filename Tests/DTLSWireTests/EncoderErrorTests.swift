import Testing
@testable import DTLSWire

/// Parameters the wire format cannot express are thrown as a
/// `WireEncodingError` that says what and by how much; nothing traps.
@Suite struct EncoderErrorTests {
    let message = OutgoingHandshake(.clientHello, body: [UInt8](repeating: 1, count: 100))

    @Test func fragmentsOutsideTheMessage() {
        #expect(throws: WireEncodingError.fragmentOutsideMessage(offset: 90, length: 20, messageLength: 100)) {
            try message.fragment(offset: 90, length: 20)
        }
        #expect(throws: WireEncodingError.fragmentOutsideMessage(offset: 101, length: 0, messageLength: 100)) {
            try message.fragment(offset: 101, length: 0)
        }
        #expect(throws: WireEncodingError.fragmentOutsideMessage(offset: -1, length: 5, messageLength: 100)) {
            try message.fragment(offset: -1, length: 5)
        }
        #expect(throws: WireEncodingError.fragmentOutsideMessage(offset: 0, length: -5, messageLength: 100)) {
            try message.fragment(offset: 0, length: -5)
        }
        #expect(throws: WireEncodingError.fragmentOutsideMessage(offset: Int.max, length: Int.max, messageLength: 100)) {
            try message.fragment(offset: Int.max, length: Int.max)
        }
        #expect(throws: WireEncodingError.fragmentOutsideMessage(offset: 50, length: 60, messageLength: 100)) {
            try message.fragments([0..<50, 50..<110])
        }
        #expect(throws: WireEncodingError.fragmentSizeNotPositive(0)) { try message.fragments(maxLength: 0) }
        #expect((try? message.fragment(offset: 100, length: 0)) != nil)
    }

    @Test func recordLimits() throws {
        let big = OutgoingRecord(.applicationData, payload: [UInt8](repeating: 0, count: (1 << 14) + 1))
        #expect(throws: WireEncodingError.payloadTooLong(count: 16_385, limit: 16_384)) { try big.encoded }
        #expect(throws: WireEncodingError.payloadTooLong(count: 16_385, limit: 16_384)) {
            try OutgoingDatagram(.alert(.closeNotify), big).encoded
        }
        var protected = big
        protected.epoch = 1
        #expect(try protected.encoded.count == 13 + 16_385)
        protected.payload += [UInt8](repeating: 0, count: 2048)
        #expect(throws: WireEncodingError.payloadTooLong(count: 18_433, limit: 18_432)) { try protected.encoded }
        let late = OutgoingRecord(.alert, sequence: 1 << 48, payload: [1, 0])
        #expect(throws: WireEncodingError.sequenceOutOfRange(1 << 48)) { try late.encoded }
        let full = OutgoingRecord(.applicationData, epoch: 1, payload: [UInt8](repeating: 0, count: 16_000))
        #expect(throws: WireEncodingError.datagramTooLong(count: 5 * 16_013, limit: 65_507)) {
            try OutgoingDatagram(Array(repeating: full, count: 5)).encoded
        }
        #expect(try OutgoingDatagram(Array(repeating: full, count: 4)).encoded.count == 4 * 16_013)
    }

    @Test func helloFieldsTooLongOrMisSized() {
        #expect(throws: WireEncodingError.vectorTooLong(field: "cookie", count: 256, limit: 255)) {
            try OutgoingClientHello(cookie: [UInt8](repeating: 0, count: 256)).body
        }
        #expect(throws: WireEncodingError.vectorTooLong(field: "cookie", count: 300, limit: 255)) {
            try HelloVerifyRequest(cookie: [UInt8](repeating: 0, count: 300)).handshake()
        }
        #expect(throws: WireEncodingError.vectorTooLong(field: "session_id", count: 256, limit: 255)) {
            try OutgoingClientHello(sessionID: [UInt8](repeating: 0, count: 256)).body
        }
        #expect(throws: WireEncodingError.wrongSize(field: "random", count: 31, expected: 32)) {
            try OutgoingClientHello(random: [UInt8](repeating: 0, count: 31)).datagram()
        }
        #expect(throws: WireEncodingError.vectorTooLong(field: "cipher_suites", count: 70_000, limit: 65_535)) {
            try OutgoingClientHello(cipherSuites: [UInt16](repeating: 0x00A8, count: 35_000)).body
        }
        // Found while the extension was built, thrown when the hello is encoded.
        let formats = OutgoingExtension.ecPointFormats([UInt8](repeating: 0, count: 256))
        #expect(throws: WireEncodingError.vectorTooLong(field: "ec_point_format_list", count: 256, limit: 255)) {
            try OutgoingClientHello(extensions: [formats]).body
        }
        let huge = OutgoingExtension(type: 0x4444, data: [UInt8](repeating: 0, count: 70_000))
        #expect(throws: WireEncodingError.vectorTooLong(field: "extension_data of 0x4444", count: 70_000,
                                                        limit: 65_535)) {
            try OutgoingClientHello(extensions: [huge]).body
        }
    }

    @Test func messageLongerThanItsLengthField() {
        let huge = OutgoingHandshake(.certificate, body: [UInt8](repeating: 0, count: 1 << 24))
        #expect(throws: WireEncodingError.messageTooLong(count: 1 << 24)) { try huge.fragment(offset: 0, length: 10) }
    }

    @Test func errorsSayWhatAndHowMuch() {
        #expect(WireEncodingError.fragmentOutsideMessage(offset: 90, length: 20, messageLength: 100).description
                == "fragment 90+20 is not within the 100-byte message")
        #expect(WireEncodingError.payloadTooLong(count: 16_385, limit: 16_384).description
                == "a record payload of 16385 bytes is over the limit of 16384")
        #expect(WireEncodingError.vectorTooLong(field: "cookie", count: 256, limit: 255).description
                == "cookie of 256 bytes is over its limit of 255")
    }
}
