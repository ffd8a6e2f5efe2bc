import DTLSPlex
import DTLSWire

/// Checks of a handshake as a whole: credentials, versions, suites, fragments, sizes.
extension ProbeCheck {
    static let handshake = ProbeCheck(
        "handshake", rfc: "RFC 6347 §4.2",
        summary: "a full handshake with the given credentials; version, suite and extensions answered"
    ) { context in
        let flight = try ServerFlight.fetch(on: try context.socket(), wait: context.target.answerWait)
        var answered: [String] = []
        if let hello = flight.serverHello {
            let names: [(UInt16, String)] = [
                (ExtensionType.extendedMasterSecret, "EMS"), (ExtensionType.encryptThenMAC, "EtM"),
                (ExtensionType.renegotiationInfo, "renegotiation_info"), (ExtensionType.useSRTP, "use_srtp"),
            ]
            answered = names.filter { hello.extension($0.0) != nil }.map(\.1)
        }
        context.abandonRawHandshakes()
        let client = try context.establishedClient()
        let version = client.peer.version ?? "?"
        let suite = client.peer.cipher ?? "?"
        let extensions = answered.isEmpty ? "no extensions answered" : "answered " + answered.joined(separator: ", ")
        return Outcome(verdict: .pass, evidence: "\(version), \(suite); \(extensions)",
                       measured: [("version", .text(version)), ("suite", .text(suite)), ("extensions", .text(answered.joined(separator: ",")))])
    }

    static let versionNegotiation = ProbeCheck(
        "version-negotiation", rfc: "RFC 6347 §4.1, RFC 5246 App. E",
        summary: "what the server answers to DTLS 1.0 only, to 1.2, and to a version it cannot speak"
    ) { context in
        func answer(_ version: UInt16) throws -> String {
            let flight = try ServerFlight.fetch(
                on: try context.socket(), hello: OutgoingClientHello(clientVersion: version), wait: context.target.answerWait)
            defer { context.abandonRawHandshakes() }
            if let hello = flight.serverHello { return hex(hello.serverVersion) }
            if let alert = flight.alert { return "\(alert.descriptionName) alert" }
            return "silence"
        }
        let v10 = try answer(ProtocolVersion.dtls10)
        let v12 = try answer(ProtocolVersion.dtls12)
        let future = try answer(0xFEFB)
        let evidence = "1.0 → \(v10); 1.2 → \(v12); 0xfefb → \(future)"
        let measured: [(String, MeasuredValue)] = [("dtls1_0", .text(v10)), ("dtls1_2", .text(v12)), ("unknown", .text(future))]
        // A client offering more than the server speaks must get the server's highest (RFC 5246 App. E.1).
        if future == hex(ProtocolVersion.dtls12) || future == hex(ProtocolVersion.dtls10) {
            return Outcome(verdict: .pass, evidence: evidence, measured: measured)
        }
        return Outcome(verdict: future.hasSuffix("alert") && v12 != hex(ProtocolVersion.dtls12) ? .differs : .differs,
                       evidence: evidence + " (a higher version SHOULD get the server's highest)", measured: measured)
    }

    static let suites = ProbeCheck(
        "suites", rfc: "RFC 6347 §4.1.2",
        summary: "which of a list of suites the server accepts, one short handshake each"
    ) { context in
        let candidates: [UInt16] = [
            0xC02B, 0xC02C, 0xCCA9, 0xC0AE, 0xC02F, 0xCCA8, 0x00A8, 0x00A9, 0xCCAB, 0xC0A8, 0xC0A4, 0xC037, 0x00AE,
            0x008C, 0xC009, 0x002F,
        ]
        // A ServerHello or an alert ends a suite's handshake early, but some servers refuse a suite with
        // silence (gnutls-serv): each suite waits twice as long as the server took to answer a hello with
        // every suite, so a slow server (the mbed TLS fixture: 0.8 s) is not taken for a refusing one.
        let began = Clock.now()
        _ = try ServerFlight.fetch(on: try context.socket(), wait: context.target.answerWait)
        let wait = min(context.target.answerWait, max(context.target.silence, 2 * (Clock.now() - began)))
        context.abandonRawHandshakes()
        var accepted: [String] = []
        for suite in candidates {
            let flight = try ServerFlight.fetch(
                on: try context.socket(), hello: OutgoingClientHello(cipherSuites: [suite]), wait: wait)
            if flight.serverHello?.cipherSuite == suite { accepted.append(CipherSuite.name(suite)) }
            context.abandonRawHandshakes()
        }
        return Outcome(verdict: accepted.isEmpty ? .fail : .pass,
                       evidence: accepted.isEmpty ? "none of \(candidates.count) suites" : "\(accepted.count) of \(candidates.count): " + accepted.joined(separator: " "),
                       measured: [("accepted", .text(accepted.joined(separator: " "))),
                                  ("wait_per_suite_ms", .number((wait * 1000).rounded()))])
    }

    static let fragmentReassembly = ProbeCheck(
        "fragment-reassembly", rfc: "RFC 6347 §4.2.3",
        summary: "a ClientHello in fragments, out of order and one overlapping, is reassembled and answered"
    ) { context in
        let flight = try ServerFlight.fetch(on: try context.socket(), wait: context.target.answerWait) { hello, socket in
            let message = try hello.handshake(messageSeq: 1)
            let size = message.body.count
            let third = size / 3
            // Last piece first, the middle one overlapping both neighbours, each in a datagram of its own.
            let ranges = [(2 * third)..<size, 0..<(third + 8), (third - 8)..<(2 * third + 4)]
            for (index, fragment) in try message.fragments(ranges).enumerated() {
                try socket.send(try OutgoingDatagram(.handshake([fragment], sequence: UInt64(1 + index))).encoded)
            }
        }
        guard flight.request != nil else {
            return Outcome(verdict: .notApplicable, evidence: "no cookie exchange to send a fragmented hello into")
        }
        if let hello = flight.serverHello {
            return Outcome(verdict: .pass, evidence: "3 fragments (reversed, overlapping) → ServerHello, \(hello.cipherSuiteName)")
        }
        if let alert = flight.alert { return Outcome(verdict: .fail, evidence: "\(alert.levelName) \(alert.descriptionName) alert") }
        return Outcome(verdict: .fail, evidence: "no answer to the fragmented hello")
    }

    static let recordSize = ProbeCheck(
        "record-size", rfc: "RFC 6347 §4.1.1.1",
        summary: "the largest datagram of the server's flight, and whether it fragments handshake messages"
    ) { context in
        let flight = try ServerFlight.fetch(on: try context.socket(), wait: context.target.answerWait)
        guard !flight.datagrams.isEmpty else { return Outcome(verdict: .error, evidence: "no server flight") }
        let largest = flight.datagrams.map(\.bytes.count).max() ?? 0
        let fragmented = Set(flight.fragments.filter(\.header.isFragment).map(\.typeName))
        let note = fragmented.isEmpty ? "no message fragmented" : "fragments " + fragmented.sorted().joined(separator: ", ")
        return Outcome(verdict: .pass, evidence: "\(flight.datagrams.count) datagram(s), largest \(largest) bytes; \(note)",
                       measured: [("largest_datagram", .number(Double(largest))),
                                  ("datagrams", .number(Double(flight.datagrams.count))),
                                  ("fragmented", .text(fragmented.sorted().joined(separator: ",")))])
    }
}
