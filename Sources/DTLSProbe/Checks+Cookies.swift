import DTLSPlex
import DTLSWire

/// Checks of the cookie exchange: state and amplification before the client proves its address.
extension ProbeCheck {
    static let cookieExchange = ProbeCheck(
        "cookie-exchange", rfc: "RFC 6347 §4.2.1",
        summary: "a cookie-less ClientHello is answered with a HelloVerifyRequest"
    ) { context in
        let socket = try context.socket()
        guard let answer = try socket.exchange(try OutgoingClientHello().datagram(), wait: context.target.answerWait) else {
            return Outcome(verdict: .fail, evidence: "no answer to a ClientHello within \(context.target.answerWait) s")
        }
        let decoded = answer.decoded
        if let request = decoded.helloVerifyRequest {
            return Outcome(verdict: .pass, evidence: "HelloVerifyRequest with a \(request.cookie.count)-byte cookie",
                           measured: [("cookie_bytes", .number(Double(request.cookie.count)))])
        }
        if decoded.serverHello != nil {
            return Outcome(verdict: .differs, evidence: "ServerHello at once: no cookie exchange (state and a whole flight for any source address)")
        }
        return Outcome(verdict: .fail, evidence: "answered with \(context.describe(decoded))")
    }

    static let amplification = ProbeCheck(
        "amplification", rfc: "RFC 6347 §4.2.1",
        summary: "bytes sent for one cookie-less ClientHello, as a ratio to its size"
    ) { context in
        let socket = try context.socket()
        let hello = try OutgoingClientHello().datagram()
        try socket.send(hello)
        let answers = try socket.collect(for: context.target.silence + 0.5)
        let sent = answers.reduce(0) { $0 + $1.bytes.count }
        let ratio = Double(sent) / Double(hello.count)
        let measured: [(String, MeasuredValue)] = [
            ("hello_bytes", .number(Double(hello.count))), ("answer_bytes", .number(Double(sent))),
            ("datagrams", .number(Double(answers.count))), ("ratio", .number((ratio * 100).rounded() / 100)),
        ]
        let evidence = "\(hello.count)-byte hello → \(answers.count) datagram(s), \(sent) bytes (×\(Formatting.fixed(ratio, 2)))"
        guard !answers.isEmpty else { return Outcome(verdict: .fail, evidence: "no answer", measured: measured) }
        return Outcome(verdict: ratio <= 1 ? .pass : .differs, evidence: evidence, measured: measured)
    }

    static let cookieGarbage = ProbeCheck(
        "cookie-garbage", rfc: "RFC 6347 §4.2.1",
        summary: "a ClientHello with a random cookie gets another HelloVerifyRequest"
    ) { context in
        let socket = try context.socket()
        let hello = OutgoingClientHello(cookie: (0..<20).map { _ in UInt8.random(in: 0...255) })
        guard let answer = try socket.exchange(try hello.datagram(), wait: context.target.answerWait) else {
            return Outcome(verdict: .differs, evidence: "silence: the hello was dropped (no new cookie)")
        }
        let decoded = answer.decoded
        if decoded.helloVerifyRequest != nil { return Outcome(verdict: .pass, evidence: "a new HelloVerifyRequest") }
        if decoded.serverHello != nil { return Outcome(verdict: .fail, evidence: "ServerHello: a made-up cookie was accepted") }
        if let alert = decoded.alerts.first {
            return Outcome(verdict: .differs, evidence: "\(alert.levelName) \(alert.descriptionName) alert")
        }
        return Outcome(verdict: .fail, evidence: "answered with \(context.describe(decoded))")
    }

    static let cookieBoundToAddress = ProbeCheck(
        "cookie-bound-to-address", rfc: "RFC 6347 §4.2.1",
        summary: "a valid cookie sent from another IP address is refused"
    ) { context in
        guard context.target.address.family == .inet, context.target.address.host.hasPrefix("127.") else {
            return Outcome(verdict: .notApplicable, evidence: "needs a loopback IPv4 target (a second source address)")
        }
        let first = try context.socket()
        let hello = OutgoingClientHello()
        guard let request = try first.exchange(try hello.datagram(), wait: context.target.answerWait)?.decoded.helloVerifyRequest else {
            return Outcome(verdict: .notApplicable, evidence: "no HelloVerifyRequest to take a cookie from")
        }
        let second = try hello.answering(request).datagram(messageSeq: 1, sequence: 1)
        let otherHost = try context.socket(source: "127.0.0.2:0")
        let fromOtherHost = try otherHost.exchange(second, wait: context.target.answerWait)?.decoded
        let otherPort = try context.socket()
        let fromOtherPort = try otherPort.exchange(second, wait: context.target.answerWait)?.decoded
        let portNote = fromOtherPort?.serverHello != nil ? "accepted from another port (the cookie binds the IP only)"
            : "refused from another port too"
        if fromOtherHost?.serverHello != nil {
            return Outcome(verdict: .fail, evidence: "accepted from 127.0.0.2: the cookie is not bound to the address; \(portNote)")
        }
        return Outcome(verdict: .pass, evidence: "refused from 127.0.0.2 (\(fromOtherHost.map(context.describe) ?? "silence")); \(portNote)")
    }

    static let hvrVersion = ProbeCheck(
        "hvr-version", rfc: "RFC 6347 §4.2.1",
        summary: "the HelloVerifyRequest's versions, and a ClientHello in a DTLS 1.0 record"
    ) { context in
        let socket = try context.socket()
        guard let answer = try socket.exchange(try OutgoingClientHello().datagram(), wait: context.target.answerWait),
              let request = answer.decoded.helloVerifyRequest, let record = answer.decoded.records.first else {
            return Outcome(verdict: .notApplicable, evidence: "no HelloVerifyRequest")
        }
        // A first hello in a record of version DTLS 1.0, as RFC 6347 §4.1 lets clients send.
        let hello = try OutgoingClientHello().handshake()
        let old = try OutgoingDatagram(.handshake([hello.whole], version: ProtocolVersion.dtls10)).encoded
        let oldAnswer = try context.socket().exchange(old, wait: context.target.answerWait)?.decoded
        let versions = "record \(hex(record.header.version)), server_version \(hex(request.serverVersion))"
        let oldNote = oldAnswer?.helloVerifyRequest != nil ? "a hello in a 0xfeff record is answered" : "a hello in a 0xfeff record is not answered"
        let measured: [(String, MeasuredValue)] = [
            ("record_version", .text(hex(record.header.version))), ("server_version", .text(hex(request.serverVersion))),
        ]
        if oldAnswer?.helloVerifyRequest == nil {
            return Outcome(verdict: .differs, evidence: "\(versions); \(oldNote)", measured: measured)
        }
        return Outcome(verdict: request.serverVersion == ProtocolVersion.dtls10 ? .pass : .differs,
                       evidence: "\(versions)\(request.serverVersion == ProtocolVersion.dtls10 ? "" : " (SHOULD be 0xfeff)"); \(oldNote)",
                       measured: measured)
    }
}

func hex(_ version: UInt16) -> String {
    "0x" + String(version, radix: 16)
}
