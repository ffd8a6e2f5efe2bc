import DTLSWire

/// What a peer's OpenSSL will do with each protected record it reads,
/// judged from the header OpenSSL's message callback hands over just before
/// it checks the record itself (`dtls1_get_record`): OpenSSL discards
/// replays, records of an epoch it does not read and records that fail their
/// MAC without an error or a callback. The same callbacks say afterwards
/// whether anything came of a record (a message, an alert, an answer; data
/// is the engine's to say): a fresh record of the read epoch that came to
/// nothing most likely failed its MAC.
///
/// It lives in the message callback, so it costs nothing where messages are
/// not followed (a quiet or `--trace off` server), and there only a few
/// comparisons per record: no allocation, no event unless something is
/// discarded.
struct InboundRecordCheck {
    /// The epoch OpenSSL reads at: one past the epoch of the last
    /// ChangeCipherSpec it read (renegotiation is off: 0, then 1).
    private(set) var readEpoch: UInt16 = 0
    /// The sequence numbers taken at `readEpoch`: those of records that came
    /// to something.
    private var window = ReplayWindow()
    /// The epoch of the record OpenSSL is reading now.
    private var reading: UInt16 = 0
    /// A fresh protected record of the read epoch that nothing has come of
    /// yet; its number is taken when something does.
    private(set) var awaiting: RecordHeader?
    private var awaitingWhileHandshaking = false

    /// The verdict on the record whose header OpenSSL just read (conclude
    /// the one before it first). The common case — a fresh record of the
    /// read epoch — is a few comparisons and stores.
    mutating func read(_ h: RecordHeader, handshaking: Bool) -> DiscardedRecord? {
        reading = h.epoch
        // Epoch 0 is in clear: OpenSSL answers or says what is wrong. And not
        // every header the callback hands over is a record: after a repeated
        // ClientHello, OpenSSL 3.0 reports "headers" read from inside the
        // hello's body. Routing lets only records of a DTLS version and a
        // DTLS 1.2 content type reach OpenSSL, so anything else is not one.
        guard h.epoch > 0, ProtocolVersion.isDTLS(h.version), ContentType.isDTLS12(h.contentType) else { return nil }
        if h.epoch == readEpoch {
            switch window.verdict(h.sequence) {
            case .fresh:
                // Application data read while handshaking is kept for after
                // it (OpenSSL's buffered_app_data): nothing to await, and the
                // number is taken as OpenSSL takes it when the MAC checks out.
                if handshaking && h.contentType == ContentType.applicationData.rawValue {
                    window.accept(h.sequence)
                } else {
                    awaiting = h
                    awaitingWhileHandshaking = handshaking
                }
                return nil
            case .replay: return discarded(h, .replay)
            case .tooOld: return discarded(h, .tooOld)
            }
        }
        // dtls1_get_bitmap: the next epoch's handshake and alert records are
        // kept until its ChangeCipherSpec while handshaking (a Finished ahead
        // of its ChangeCipherSpec); everything else of another epoch is dropped.
        let kept = h.epoch == readEpoch &+ 1 && handshaking
            && (h.contentType == ContentType.handshake.rawValue || h.contentType == ContentType.alert.rawValue)
        return kept ? nil : discarded(h, .wrongEpoch)
    }

    @inline(never)
    private func discarded(_ h: RecordHeader, _ verdict: DiscardedRecord.Verdict, duringHandshake: Bool = false) -> DiscardedRecord {
        DiscardedRecord(verdict: verdict, contentType: h.contentType, epoch: h.epoch, sequence: h.sequence,
                        size: RecordHeader.length + Int(h.length), readEpoch: readEpoch, duringHandshake: duringHandshake)
    }

    /// The record being read came to something: a message, an alert, data,
    /// an answer. Its MAC checked out, so OpenSSL took its sequence number.
    mutating func cameOfIt() {
        guard let h = awaiting else { return }
        window.accept(h.sequence)
        awaiting = nil
    }

    /// OpenSSL read a ChangeCipherSpec: it reads the next epoch from now on.
    mutating func changedCipherSpec() {
        readEpoch = reading &+ 1
        window = ReplayWindow()
        awaiting = nil
    }

    /// The verdict on the awaited record once OpenSSL has moved on without
    /// anything coming of it. OpenSSL takes its sequence number only when
    /// the MAC checks out, so neither does this: the window stays where it was.
    mutating func conclude() -> DiscardedRecord? {
        guard let h = awaiting else { return nil }
        awaiting = nil
        return discarded(h, .nothingCameOfIt, duringHandshake: awaitingWhileHandshaking)
    }
}
