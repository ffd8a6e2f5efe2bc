import DTLSWire

/// Client checks of how the server's flights arrive: cut small, out of order, twice. The bytes of each
/// record are the server's own; only their packing, order and number change.
extension ClientCheck {
    /// Handshake fragments of the flight cut this small, one per datagram (datagrams of 57 bytes at most).
    static let fragmentBytes = 32

    static let clientFragmentedFlight = ClientCheck(
        "client-fragmented-flight", rfc: "RFC 6347 §4.2.3",
        summary: "flight 4 cut into fragments of at most \(fragmentBytes) bytes, one per datagram"
    ) { session in
        var cut = (datagrams: [[UInt8]](), added: 0)
        let ending = try session.serve(flight4: { four in
            cut = try FlightRewrite.fragmented(four, maxLength: fragmentBytes)
            return cut.datagrams
        }, flight6: { six in
            // From here on the server's epoch-0 records carry numbers above the fragments'.
            session.epoch0Shift = UInt64(max(0, cut.added))
            return six
        })
        let largest = cut.datagrams.map(\.count).max() ?? 0
        let evidence = "flight 4 as \(cut.datagrams.count) datagrams of at most \(largest) bytes: \(ending.summary)"
        let measured: [(String, MeasuredValue)] = [
            ("datagrams", .number(Double(cut.datagrams.count))), ("largest_datagram", .number(Double(largest))),
        ]
        return Outcome(verdict: ending.completed ? .pass : .fail, evidence: evidence, measured: measured)
    }

    static let clientReorderedFlight = ClientCheck(
        "client-reordered-flight", rfc: "RFC 6347 §4.2.2",
        summary: "flight 4's records one per datagram, last first"
    ) { session in
        var names: [String] = []
        let ending = try session.serve(flight4: { four in
            let reversed = Array(try FlightRewrite.oneRecordPerDatagram(four).reversed())
            names = reversed.map { DatagramDecoder.decode($0).handshakeFragments.first?.typeName ?? "record" }
            return reversed
        })
        let evidence = "flight 4 as \(names.count) datagrams in reverse (\(names.joined(separator: ", "))): \(ending.summary)"
        return Outcome(verdict: ending.completed ? .pass : .fail, evidence: evidence,
                       measured: [("datagrams", .number(Double(names.count)))])
    }

    static let clientDuplicateFlight = ClientCheck(
        "client-duplicate-flight", rfc: "RFC 6347 §4.2.4",
        summary: "every datagram of flights 4 and 6 sent twice"
    ) { session in
        let twice = { (flight: [[UInt8]]) in flight.flatMap { [$0, $0] } }
        let ending = try session.serve(flight4: twice, flight6: twice)
        let alert = ending.alert.map { "; \($0.levelName) \($0.descriptionName) alert" } ?? ""
        let evidence = "flights 4 and 6 each twice: \(ending.summary); flight 5 sent \(ending.flight5Sent) time(s)\(alert)"
        // Answering a repeated flight 4 with flight 5 again is the RFC's own state machine: harmless.
        return Outcome(verdict: ending.completed ? .pass : .fail, evidence: evidence,
                       measured: [("flight5_sent", .number(Double(ending.flight5Sent)))])
    }
}
