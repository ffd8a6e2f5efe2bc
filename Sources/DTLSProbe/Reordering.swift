import DTLSWire

/// One way of sending flight 5 out of order, and what the server made of it.
struct Reordering: Sendable {
    enum Outcome: Sendable {
        /// Completed once everything had come: the early part was buffered.
        case buffered
        /// Nothing until the flight came again in order, then completed.
        case ignored
        case fatal(String)
        /// Completed before the whole flight had come, or with a Finished the client rejects.
        case completedEarly
        case completedWrongly
        /// Neither completed nor ended, even after the flight came again in order.
        case wedged

        var description: String {
            switch self {
            case .buffered: "buffered"
            case .ignored: "ignored (the in-order resend completed it)"
            case let .fatal(alert): "fatal \(alert) alert"
            case .completedEarly: "completed before the whole flight came!"
            case .completedWrongly: "completed with a Finished the client rejects!"
            case .wedged: "stuck: no answer even to the flight in order"
            }
        }

        var word: String {
            switch self {
            case .buffered: "buffered"
            case .ignored: "ignored"
            case .fatal: "fatal"
            case .completedEarly: "completed-early"
            case .completedWrongly: "completed-wrongly"
            case .wedged: "stuck"
            }
        }

        var breaksHandshake: Bool {
            switch self {
            case .completedEarly, .completedWrongly, .wedged: true
            default: false
            }
        }

        var isFatal: Bool {
            if case .fatal = self { return true }
            return false
        }
    }

    let name: String
    /// Its name in `measured`.
    let key: String
    /// The client sent the flight as two datagrams, ClientKeyExchange+ChangeCipherSpec and Finished, which
    /// the network swapped: its resend is those two again, in order, not the flight in one datagram (a
    /// server that reads epoch 1 only, once the CCS came, may drop a datagram that begins in epoch 0 whole,
    /// tinydtls does, and with it a Finished packed behind).
    let twoDatagrams: Bool
    /// The flight's records in the datagrams to send, one after another.
    let arrange: @Sendable (_ clear: [OutgoingRecord], _ changeCipherSpec: [OutgoingRecord], _ finished: [OutgoingRecord]) -> [[OutgoingRecord]]

    init(name: String, key: String, twoDatagrams: Bool = false,
         arrange: @escaping @Sendable ([OutgoingRecord], [OutgoingRecord], [OutgoingRecord]) -> [[OutgoingRecord]]) {
        self.name = name
        self.key = key
        self.twoDatagrams = twoDatagrams
        self.arrange = arrange
    }

    static let all = [
        Reordering(name: "CCS before ClientKeyExchange", key: "ccs_before_key_exchange") { clear, ccs, finished in [ccs + clear + finished] },
        Reordering(name: "Finished before CCS", key: "finished_before_ccs") { clear, ccs, finished in [clear + finished + ccs] },
        // The Finished's message_seq is one past the ClientKeyExchange's, which comes after it.
        Reordering(name: "message_seq gap", key: "message_seq_gap", twoDatagrams: true) { clear, ccs, finished in [finished, clear + ccs] },
    ]

    func run(_ held: HeldHandshake, _ target: ProbeTarget) throws -> Outcome {
        let records = held.flightRecords.map(OutgoingRecord.init)
        let clear = records.filter { $0.epoch == 0 && $0.contentType != ContentType.changeCipherSpec.rawValue }
        let ccs = records.filter { $0.contentType == ContentType.changeCipherSpec.rawValue }
        let finished = records.filter { $0.epoch == 1 }
        let start = held.raw.arrivals.count
        func ended(_ arrivals: [ProbeSocket.Arrival]) -> Bool {
            arrivals.contains { $0.switchedEpoch || $0.decoded.alerts.contains { $0.level == AlertLevel.fatal } }
        }
        let groups = arrange(clear, ccs, finished)
        for (index, group) in groups.enumerated() {
            try held.send([try OutgoingDatagram(group).encoded])
            if index < groups.count - 1,
               try held.raw.collect(for: held.answerWindow(atLeast: 0.2), until: ended).contains(where: \.switchedEpoch) {
                return .completedEarly
            }
        }
        func judge(_ arrivals: [ProbeSocket.Arrival], completed: Outcome) throws -> Outcome? {
            if arrivals.contains(where: \.switchedEpoch) {
                return try held.completes(from: start, wait: target.answerWait) ? completed : .completedWrongly
            }
            let fatal = arrivals.lazy.flatMap(\.decoded.alerts).first { $0.level == AlertLevel.fatal }
            return fatal.map { .fatal($0.descriptionName) }
        }
        if let outcome = try judge(try held.raw.collect(for: held.answerWindow(atLeast: target.silence), until: ended),
                                   completed: .buffered) { return outcome }
        // What the client's timer would do: the flight again, in order, in the datagrams it sent it in.
        let inOrder = twoDatagrams ? [try OutgoingDatagram(clear + ccs).encoded, try OutgoingDatagram(finished).encoded] : held.flight
        try held.send(try held.resent(inOrder))
        return try judge(try held.raw.collect(for: target.answerWait, until: ended), completed: .ignored) ?? .wedged
    }
}
