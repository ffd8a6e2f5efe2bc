// One-line renderings for the shell's `trace flights` and `trace records` levels.
// Plain strings, no printing: the shell decides where they go.

extension HandshakeMessage {
    /// The few facts worth a place on a one-line summary.
    public var brief: String {
        switch self {
        case .helloRequest, .serverHelloDone: ""
        case .clientHello(let h):
            h.cookie.isEmpty ? "no cookie" : "cookie=\(h.cookie.count)B"
        case .helloVerifyRequest(let h): "cookie=\(h.cookie.count)B"
        case .serverHello(let h): h.cipherSuiteName
        case .certificate(let c):
            "\(c.certificates.count) cert(s)" + (c.certificates.first.map { entry in
                entry.summary?.subjectCommonName.map { " CN=\($0)" } ?? ""
            } ?? "")
        case .serverKeyExchange(let s): keyExchangeBrief(
            kind: s.kind, source: s.kindSource, identityLabel: "hint", identity: s.pskIdentityHint,
            group: s.namedCurve, publicKey: s.publicKeyLength,
            tail: s.signatureAlgorithm.map { " sig=\(SignatureScheme.name($0))" } ?? "")
        case .clientKeyExchange(let c): keyExchangeBrief(
            kind: c.kind, source: c.kindSource, identityLabel: "identity", identity: c.pskIdentity,
            group: nil, publicKey: c.publicKeyLength,
            tail: c.encryptedPreMasterSecretLength.map { " encrypted_pms=\($0)B" } ?? "")
        case .certificateRequest(let c):
            "types=" + c.certificateTypes.map(ClientCertificateType.name).joined(separator: ",")
        case .certificateVerify(let v):
            (v.signatureAlgorithm.map { SignatureScheme.name($0) + " " } ?? "") + "sig=\(v.signatureLength)B"
        case .newSessionTicket(let t): "lifetime=\(t.lifetimeHint)s ticket=\(t.ticketLength)B"
        case .finished(let f): "verify_data=\(f.verifyData.count)B"
        case .other(_, let length): "\(length)B"
        }
    }

    private func keyExchangeBrief(
        kind: KeyExchangeKind, source: KeyExchangeSource, identityLabel: String, identity: [UInt8]?,
        group: UInt16?, publicKey: Int?, tail: String
    ) -> String {
        var text = kind.name
        if let identity { text += " \(identityLabel)=\(PrintableText.quoted(identity, limit: 32))" }
        if let group { text += " \(NamedGroup.name(group))" }
        if let publicKey { text += " pub=\(publicKey)B" }
        return text + tail + (source == .guessed ? " (guessed)" : "")
    }
}

extension HandshakeFragment {
    /// `ClientHello msg_seq=1 frag 0+112 cookie=20B`.
    public var summary: String {
        var text = "\(typeName) msg_seq=\(header.messageSeq) \(fragmentText)"
        if let message {
            let brief = message.brief
            if !brief.isEmpty { text += " " + brief }
        } else if isWholeMessage {
            text += " (malformed)"
        } else if body.count < Int(header.fragmentLength) {
            text += " (cut short)"
        }
        return text
    }

    /// `ClientHello seq=0`, `Certificate seq=2 frag 117+203/460`: the flights view.
    var flightText: String {
        var text = "\(typeName) seq=\(header.messageSeq)"
        if header.isFragment { text += " " + fragmentText }
        if message == nil && isWholeMessage { text += " malformed" }
        return text
    }
}

extension DecodedRecord {
    /// `Handshake epoch=0 seq=1 len=124: ClientHello msg_seq=1 frag 0+112 cookie=20B`.
    public var summaryLine: String {
        let head = "\(contentTypeName) epoch=\(header.epoch) seq=\(header.sequence) len=\(header.length)"
        let detail: String = switch body {
        case .handshake(let fragments): fragments.map(\.summary).joined(separator: "; ")
        case .changeCipherSpec: ""
        case .alert(let alert): alert.text
        case .applicationData(let length): "\(length)B plaintext"
        case .encrypted(let e): e.likelyContent
        case .opaque(let length): "\(length)B"
        }
        let noteText = notes.isEmpty ? "" : " [\(notes.count) decode note(s): \(notes[0])]"
        return (detail.isEmpty ? head : "\(head): \(detail)") + noteText
    }

    /// `Handshake(ServerHello seq=1, ServerHelloDone seq=2)`: the flights view.
    var flightText: String {
        let inner: String = switch body {
        case .handshake(let fragments): fragments.map(\.flightText).joined(separator: ", ")
        case .changeCipherSpec: ""
        case .alert(let alert): alert.text
        case .applicationData(let length): "\(length)B"
        case .encrypted(let e):
            switch ContentType(rawValue: e.contentType) {
            case .handshake: "encrypted Finished, epoch \(e.epoch)"
            case .applicationData: "encrypted \(e.length)B, epoch \(e.epoch)"
            default: "encrypted, epoch \(e.epoch)"
            }
        case .opaque(let length): "\(length)B"
        }
        return inner.isEmpty ? contentTypeName : "\(contentTypeName)(\(inner))"
    }
}

extension DecodedDatagram {
    /// `Handshake(ClientHello seq=0) | ChangeCipherSpec | Handshake(encrypted Finished, epoch 1)`.
    public var summaryLine: String {
        var parts = records.map(\.flightText)
        if let trailing { parts.append("trailing \(trailing.count)B (\(trailing.reason))") }
        if parts.isEmpty { parts.append(length == 0 ? "empty datagram" : "no records") }
        let line = parts.joined(separator: " | ")
        return notes.isEmpty ? line : "\(line) [\(notes.count) decode note(s)]"
    }

    /// The record-level view: one `summaryLine` per record, then any trailing bytes.
    public var recordLines: [String] {
        records.map(\.summaryLine) + (trailing.map { ["trailing \($0.count)B at \($0.offset): \($0.reason)"] } ?? [])
    }
}
