import DTLSPlex
import DTLSWire

/// Checks of what follows a completed handshake on the same address or with the same session: a client
/// starting over, renegotiating, resuming.
extension ProbeCheck {
    static let restartSamePort = ProbeCheck(
        "restart-same-port", rfc: "RFC 6347 §4.2.8",
        summary: "a new ClientHello from the address of a live association replaces it, after a cookie exchange"
    ) { context in
        let old = try context.establishedClient()
        let echoes = try context.serverEchoes(old)
        // A hello from the association's own port, as a client that lost its state sends it.
        let raw = ProbeSocket(udp: old.socket.udp, target: context.target.address)
        let first = try raw.exchange(try OutgoingClientHello().datagram(), wait: context.target.answerWait)?.decoded
        let answer = first.map { $0.helloVerifyRequest != nil ? "HelloVerifyRequest" : context.describe($0) } ?? "no answer"
        // §4.2.8: the old association MUST stay until the client proved it can receive at that address.
        let survived = echoes ? try old.echo("after-hello", wait: context.target.answerWait) != nil : nil
        let oldSecrets = old.peer.sessionSecrets()
        context.release(old)
        old.engine.remove(old.peer)
        // No answer to the hello: a new handshake from that port cannot start either.
        let new = first == nil ? nil
            : try context.connectClient(engine: old.engine, socket: old.socket, name: "p2", wait: context.target.answerWait + 1)
        let replaced = new?.peer.status == .established
        if !replaced, let oldSecrets {
            // The server kept the old association: end it, so the next check is served.
            let protector = try RecordProtector(oldSecrets, writer: .client)
            try raw.send(try protector.datagram(Alert(level: AlertLevel.warning, description: AlertDescription.closeNotify), sequence: 30))
        }
        let survivedNote = survived.map { $0 ? "the old association still echoed" : "the old association stopped echoing" } ?? "(no echo to test the old association with)"
        let evidence = "a fresh ClientHello from its port → \(answer); \(survivedNote); a new handshake from the same port \(replaced ? "completed" : first == nil ? "cannot start" : "did not complete")"
        let measured: [(String, MeasuredValue)] = [("answer", .text(answer)), ("replaced", .text(replaced ? "yes" : "no"))]
        if survived == false { return Outcome(verdict: .fail, evidence: evidence + " (a cookie-less hello destroyed it)", measured: measured) }
        return Outcome(verdict: replaced ? .pass : .differs, evidence: evidence, measured: measured)
    }

    static let renegotiation = ProbeCheck(
        "renegotiation", rfc: "RFC 5246 §7.4.1.2, RFC 5746",
        summary: "a client-initiated renegotiation is accepted, refused with an alert, or ignored"
    ) { context in
        let client = try context.establishedClient()
        guard let secrets = client.peer.sessionSecrets() else { throw ProbeError("no record keys for \(client.peer.cipher ?? "this suite")") }
        let writer = try RecordProtector(secrets, writer: .client)
        let reader = try RecordProtector(secrets, writer: .server)
        let raw = ProbeSocket(udp: client.socket.udp, target: context.target.address)
        // A new handshake starts at message_seq 0 (RFC 6347 §4.2.2), under the association's keys, with
        // the client's last verify_data in renegotiation_info (RFC 5746).
        var hello = OutgoingClientHello()
        hello.extensions = (hello.extensions ?? OutgoingClientHello.defaultExtensions).filter { $0.type != ExtensionType.renegotiationInfo }
            + [.renegotiationInfo(client.peer.ownFinishedVerifyData)]
        // Within 64 of what OpenSSL's own records use: a higher number would move the server's replay window
        // past them, and the close_notify `finish` sends would be dropped as too old.
        var sequence: UInt64 = 30
        func send(_ message: OutgoingHandshake) throws {
            try raw.send(try writer.datagram(try message.whole.encoded, contentType: ContentType.handshake.rawValue, sequence: sequence))
            sequence += 1
        }
        /// What the server sent back, its protected records opened: handshake messages and alerts.
        func answer() throws -> [DecodedRecord] {
            let arrivals = try raw.collect(for: context.target.answerWait) { !$0.isEmpty }
            return arrivals.flatMap { arrival in
                zip(RecordLayer.split(arrival.bytes).records, arrival.decoded.records).compactMap { record, decoded in
                    guard record.header.epoch == 1 else { return decoded }
                    guard let opened = try? reader.unprotect(Array(record.fragment), contentType: record.header.contentType,
                                                             version: record.header.version, epoch: 1,
                                                             sequence: record.header.sequence) else { return nil }
                    return DatagramDecoder.decodePlaintext(opened, contentType: record.header.contentType, sequence: record.header.sequence)
                }
            }
        }
        try send(try hello.handshake(messageSeq: 0))
        var records = try answer()
        if let request = records.lazy.compactMap(\.helloVerifyRequest).first {
            try send(try hello.answering(request).handshake(messageSeq: 1))
            records = try answer()
        }
        let alerts = records.compactMap(\.body.alert)
        if let serverHello = records.lazy.compactMap(\.serverHello).first {
            // Accepted: end the association (half renegotiated), and send it nothing more after.
            try raw.send(try writer.datagram(Alert.probeAbort, sequence: sequence))
            context.release(client)
            let secure = serverHello.extension(ExtensionType.renegotiationInfo) != nil ? "secure renegotiation (RFC 5746)" : "no renegotiation_info!"
            return Outcome(verdict: .pass, evidence: "accepted: a ServerHello under the old keys, \(secure)",
                           measured: [("answer", .text("accepted"))])
        }
        if let alert = alerts.first {
            if alert.level == AlertLevel.fatal { context.release(client) }
            let named = "\(alert.levelName) \(alert.descriptionName) alert"
            // RFC 5246 §7.2.2: a server that will not renegotiate says no_renegotiation, always a warning.
            let polite = alert.level == AlertLevel.warning && alert.description == AlertDescription.noRenegotiation
            return Outcome(verdict: polite ? .pass : .differs, evidence: "refused with a \(named)\(polite ? "" : " (RFC 5246: a no_renegotiation warning)")",
                           measured: [("answer", .text(alert.descriptionName))])
        }
        let alive = try context.serverEchoes(client) && client.echo("after-renegotiation", wait: context.target.answerWait) != nil
        return Outcome(verdict: .differs, evidence: "ignored: no answer within \(context.target.answerWait) s (RFC 5246 §7.2.2: a no_renegotiation warning)"
                       + (alive ? "; the association still echoes" : ""),
                       measured: [("answer", .text("ignored"))])
    }

    static let resumption = ProbeCheck(
        "resumption", rfc: "RFC 5246 §7.3, RFC 5077",
        summary: "an abbreviated handshake with the session (id or ticket) works"
    ) { context in
        let first = try context.establishedClient { $0.tls.sessionTickets = true }
        guard let session = first.peer.resumableSession() else { throw ProbeError("OpenSSL kept no session") }
        // Closed properly: a server drops the session of an association that ended any other way.
        first.engine.close(first.peer)
        first.run(for: context.target.answerWait) { !first.socket.udp.hasQueuedSends }
        let way = session.hasTicket ? "ticket" : "session id"
        let second = try context.establishedClient(configure: { $0.tls.sessionTickets = true }, resuming: session)
        let measured: [(String, MeasuredValue)] = [("by", .text(way)), ("resumed", .text(second.peer.resumedSession ? "yes" : "no"))]
        if second.peer.resumedSession {
            return Outcome(verdict: .pass, evidence: "resumed by \(way): an abbreviated handshake", measured: measured)
        }
        // Resuming is the server's choice; every reconnect costing a full handshake is a weakness.
        return Outcome(verdict: .differs, evidence: "not resumed: offered by \(way), a full handshake followed", measured: measured)
    }
}
