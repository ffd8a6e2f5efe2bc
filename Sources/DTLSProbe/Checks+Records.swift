import DTLSPlex
import DTLSWire

/// Checks of the record layer after the handshake: records the probe protects itself with the
/// association's keys (RecordProtector), so the server's answer says what its record layer does with
/// them, not what its MAC check does.
extension ProbeCheck {
    /// An established client, the server known to echo, and a protector of the client's records.
    private static func echoingAssociation(_ context: ProbeContext) throws -> (EstablishedClient, RecordProtector)? {
        let client = try context.establishedClient()
        guard try context.serverEchoes(client) else { return nil }
        guard let secrets = client.peer.sessionSecrets() else { throw ProbeError("no record keys for \(client.peer.cipher ?? "this suite")") }
        return (client, try RecordProtector(secrets, writer: .client))
    }

    private static func record(_ protector: RecordProtector, _ text: String, type: UInt8 = 23, epoch: UInt16 = 1,
                               sequence: UInt64, tamper: Bool = false) throws -> [UInt8] {
        var fragment = try protector.protect(Array(text.utf8), contentType: type, version: ProtocolVersion.dtls12,
                                             epoch: epoch, sequence: sequence)
        if tamper { fragment[fragment.count - 1] ^= 0x01 }
        return try OutgoingRecord(contentType: type, epoch: epoch, sequence: sequence, payload: fragment).encoded
    }

    static let replayWindow = ProbeCheck(
        "replay-window", rfc: "RFC 6347 §4.1.2.6",
        summary: "an application record sent twice is delivered once"
    ) { context in
        guard let (client, protector) = try echoingAssociation(context) else {
            return Outcome(verdict: .notApplicable, evidence: "the server does not echo")
        }
        let datagram = try record(protector, "replayed-record", sequence: 40)
        try client.sendRaw(datagram)
        try client.sendRaw(datagram)
        client.run(for: context.target.silence)
        let echoes = client.takeReceived().filter { $0 == Array("replayed-record".utf8) }.count
        let after = try client.echo("after-replay", wait: context.target.answerWait)
        let alerts = client.alertsReceived
        let evidence = "sent twice → echoed \(echoes) time(s); \(alerts.isEmpty ? "no alert" : alerts.joined(separator: ", ")); next record \(after == nil ? "not echoed" : "echoed")"
        let measured: [(String, MeasuredValue)] = [("echoes", .number(Double(echoes)))]
        if after == nil || client.peer.status != .established { return Outcome(verdict: .fail, evidence: evidence, measured: measured) }
        // Replay detection is a SHOULD: a second delivery is a weakness, not a violation.
        return Outcome(verdict: echoes == 1 ? .pass : .differs, evidence: evidence, measured: measured)
    }

    static let badRecordDiscard = ProbeCheck(
        "bad-record-discard", rfc: "RFC 6347 §4.1.2.7",
        summary: "a record with a corrupted authentication tag is discarded and the association survives"
    ) { context in
        guard let (client, protector) = try echoingAssociation(context) else {
            return Outcome(verdict: .notApplicable, evidence: "the server does not echo")
        }
        try client.sendRaw(try record(protector, "corrupted", sequence: 40, tamper: true))
        client.run(for: context.target.silence)
        let delivered = client.takeReceived().contains(Array("corrupted".utf8))
        let alerts = client.alertsReceived
        let after = client.peer.status == .established ? try client.echo("after-bad-record", wait: context.target.answerWait) : nil
        let evidence = "\(delivered ? "delivered!" : "not delivered"); \(alerts.isEmpty ? "no alert" : alerts.joined(separator: ", ")); next record \(after == nil ? "not echoed" : "echoed")"
        if delivered { return Outcome(verdict: .fail, evidence: evidence) }
        if !alerts.isEmpty || after == nil {
            // §4.1.2.7 lets an implementation end the association with an alert; it SHOULD discard silently.
            return Outcome(verdict: .differs, evidence: evidence)
        }
        return Outcome(verdict: .pass, evidence: evidence)
    }

    static let unknownEpochDiscard = ProbeCheck(
        "unknown-epoch-discard", rfc: "RFC 6347 §4.1",
        summary: "authenticated records of a future epoch, of an unknown type, and epoch-0 data are discarded"
    ) { context in
        guard let (client, protector) = try echoingAssociation(context) else {
            return Outcome(verdict: .notApplicable, evidence: "the server does not echo")
        }
        try client.sendRaw(try record(protector, "future-epoch", epoch: 2, sequence: 41))
        try client.sendRaw(try record(protector, "unknown-type", type: 99, sequence: 42))
        try client.sendRaw(try OutgoingRecord(.applicationData, epoch: 0, sequence: 50, payload: Array("epoch-0 data".utf8)).encoded)
        client.run(for: context.target.silence)
        let delivered = client.takeReceived().map { String(decoding: $0, as: UTF8.self) }
        let alerts = client.alertsReceived
        let after = client.peer.status == .established ? try client.echo("after-epochs", wait: context.target.answerWait) : nil
        let evidence = "\(delivered.isEmpty ? "none delivered" : "delivered: " + delivered.joined(separator: ", ")); \(alerts.isEmpty ? "no alert" : alerts.joined(separator: ", ")); next record \(after == nil ? "not echoed" : "echoed")"
        if !delivered.isEmpty || after == nil { return Outcome(verdict: .fail, evidence: evidence) }
        return Outcome(verdict: alerts.isEmpty ? .pass : .differs, evidence: evidence)
    }

    static let closeNotify = ProbeCheck(
        "close-notify", rfc: "RFC 5246 §7.2.1",
        summary: "the server answers close_notify and then refuses data"
    ) { context in
        let client = try context.establishedClient()
        guard let secrets = client.peer.sessionSecrets() else {
            throw ProbeError("no record keys for \(client.peer.cipher ?? "this suite")")
        }
        // The probe's own close_notify, protected with the client's keys: dtlsh's peer stays open to see
        // what comes back (closing it through the engine would stop it reading).
        let protector = try RecordProtector(secrets, writer: .client)
        try client.sendRaw(try protector.datagram(Alert(level: AlertLevel.warning, description: AlertDescription.closeNotify), sequence: 45))
        let isClose = { (text: String) in text.contains("close notify") }
        client.run(for: context.target.answerWait) { client.alertsReceived.contains(where: isClose) }
        let answered = client.alertsReceived.contains(where: isClose)
        try client.sendRaw(try record(protector, "after-close", sequence: 46))
        client.run(for: context.target.silence)
        let delivered = !client.takeReceived().isEmpty
        let evidence = (answered ? "close_notify answered" : "no close_notify back within \(context.target.answerWait) s")
            + "; data after it \(delivered ? "answered" : "not answered")"
        if delivered { return Outcome(verdict: .fail, evidence: evidence) }
        // Answering close_notify is a MUST of TLS 1.2 (§7.2.1); many stacks just go quiet.
        return Outcome(verdict: answered ? .pass : .differs, evidence: evidence)
    }
}
