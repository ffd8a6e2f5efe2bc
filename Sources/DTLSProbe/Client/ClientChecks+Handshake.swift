import DTLSWire

/// Client checks of a handshake served as a server would: plain, and after a cookie exchange.
extension ClientCheck {
    static let clientHandshake = ClientCheck(
        "client-handshake", rfc: "RFC 6347 §4.2",
        summary: "a normal handshake: version, suite, what the hello offers"
    ) { session in
        let ending = try session.serve()
        let offered = session.clientHellos.first.map { offer($0.hello) } ?? "no ClientHello decoded"
        guard ending.completed else {
            return Outcome(verdict: .fail, evidence: "\(ending.summary); \(offered)")
        }
        let version = session.peer.version ?? "?"
        let suite = session.peer.cipher ?? "?"
        var measured: [(String, MeasuredValue)] = [("version", .text(version)), ("suite", .text(suite))]
        if let hello = session.clientHellos.first?.hello {
            measured.append(("offered_suites", .number(Double(hello.cipherSuites.count))))
            measured.append(("extensions", .text(extensionNames(hello).joined(separator: ","))))
        }
        return Outcome(verdict: .pass, evidence: "\(version), \(suite); \(offered)", measured: measured)
    }

    static let clientHVR = ClientCheck(
        "client-hvr", rfc: "RFC 6347 §4.2.1",
        summary: "the cookie exchange: a HelloVerifyRequest answered with the same hello and the cookie", cookies: true
    ) { session in
        let hellos = session.clientHellos
        guard let first = hellos.first?.hello, let answer = hellos.first(where: { !$0.hello.cookie.isEmpty }),
              let request = session.listener.cookiesSent.last(where: { $0.to == session.source && $0.at <= answer.at }) else {
            return Outcome(verdict: .error, evidence: "no HelloVerifyRequest was answered by this client")
        }
        let answerMs = (answer.at - request.at) * 1000
        let ending = try session.serve()
        let same = answer.hello.random == first.random && answer.hello.cipherSuites == first.cipherSuites
            && answer.hello.sessionID == first.sessionID && answer.hello.clientVersion == first.clientVersion
        let exchange = "HelloVerifyRequest (\(request.length)-byte cookie) answered in \(Int(answerMs.rounded())) ms"
            + (same ? " with the same hello" : " with a changed hello (random, suites, session or version)")
        let measured: [(String, MeasuredValue)] = [
            ("cookie_bytes", .number(Double(request.length))), ("answer_ms", .number(answerMs.rounded())),
            ("hellos_without_cookie", .number(Double(hellos.count { $0.hello.cookie.isEmpty }))),
        ]
        guard ending.completed else {
            return Outcome(verdict: .fail, evidence: "\(exchange); \(ending.summary)", measured: measured)
        }
        // RFC 6347 §4.2.1: the client MUST use the same parameters in the second hello.
        return Outcome(verdict: same ? .pass : .fail, evidence: "\(exchange); \(ending.summary)", measured: measured)
    }

    /// The hello's offer in a few words: suites, and the extensions the server probe names too.
    private static func offer(_ hello: ClientHello) -> String {
        let names = extensionNames(hello)
        return "its hello offered \(hello.cipherSuites.count) suite(s)" + (names.isEmpty ? "" : ", " + names.joined(separator: ", "))
    }

    private static func extensionNames(_ hello: ClientHello) -> [String] {
        let names: [(UInt16, String)] = [
            (ExtensionType.extendedMasterSecret, "EMS"), (ExtensionType.encryptThenMAC, "EtM"),
            (ExtensionType.renegotiationInfo, "renegotiation_info"), (ExtensionType.sessionTicket, "session_ticket"),
            (ExtensionType.useSRTP, "use_srtp"),
        ]
        return names.filter { hello.extension($0.0) != nil }.map(\.1)
    }
}
