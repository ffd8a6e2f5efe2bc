import DTLSPlex
import DTLSWire

/// One JSON object per event, as SPEC.md's `--json` describes.
public enum EventJSON {
    /// `diagnosis`: a failed handshake's HandshakeDiagnosis by peer name, for
    /// the `diagnosis` member of `error` and `peer_evicted` (null without one).
    public static func line(_ e: Event, diagnosis: ((String) -> HandshakeDiagnosis?)? = nil) -> String {
        var j = JSONWriter()
        j.add("t", e.time)
        j.add("event", e.name)
        j.add("socket", e.socket)
        j.add("peer", e.peer)
        switch e.kind {
        case let .socketOpened(address, accepting):
            j.add("address", address.description)
            j.add("accepting", accepting)
        case .socketClosed:
            break
        case let .datagramIn(from, bytes):
            j.add("from", from.description)
            j.add("size", bytes.count)
            j.addRaw("records", records(bytes))
            if let mark = e.mark { j.add("mark", mark.rawValue) }
        case let .datagramOut(to, bytes):
            j.add("to", to.description)
            j.add("size", bytes.count)
            j.addRaw("records", records(bytes))
            if let mark = e.mark { j.add("mark", mark.rawValue) }
        case let .record(direction, type, epoch, sequence, length):
            j.add("direction", direction.rawValue)
            j.add("content_type", ContentType.name(type))
            j.add("epoch", Int(epoch))
            j.add("sequence", sequence)
            j.add("length", length)
        case let .handshakeMessage(direction, type, seq, offset, fragLength, length):
            j.add("direction", direction.rawValue)
            j.add("type", HandshakeType.name(type))
            j.add("message_seq", Int(seq))
            j.add("fragment_offset", offset)
            j.add("fragment_length", fragLength)
            j.add("length", length)
        case let .state(from, to):
            j.add("from", from)
            j.add("to", to)
        case let .cookieSent(to, length):
            j.add("to", to.description)
            j.add("cookie_length", length)
        case let .cookieOK(from), let .cookieBad(from):
            j.add("from", from.description)
        case let .peerCreated(role, address):
            j.add("role", role.rawValue)
            j.add("address", address.description)
        case let .established(version, cipher, srtp):
            j.add("version", version)
            j.add("cipher", cipher)
            j.add("srtp", srtp)
        case let .appData(direction, bytes):
            j.add("direction", direction.rawValue)
            j.add("size", bytes.count)
            j.add("text", PrintableText.message(bytes))
            j.add("hex", Hex.encode(bytes))
        case let .alert(direction, level, description):
            j.add("direction", direction.rawValue)
            j.add("level", level)
            j.add("description", description)
        case let .timer(seconds):
            j.add("seconds", seconds)
        case let .retransmit(count):
            j.add("count", count)
        case let .peerEvicted(reason):
            j.add("reason", reason)
            j.addRaw("diagnosis", object(e.peer.flatMap { diagnosis?($0) }))
        case let .peerClosed(reason):
            j.add("reason", reason)
        case let .error(error):
            j.add("operation", error.operation)
            j.add("ssl_error", error.sslErrorName)
            j.addRaw("queue", "[" + error.queue.map(entry).joined(separator: ",") + "]")
            j.addRaw("diagnosis", object(e.peer.flatMap { diagnosis?($0) }))
        case let .dropped(direction, from, size, reason):
            j.add("direction", direction.rawValue)
            j.add("from", from?.description)
            j.add("size", size)
            j.add("reason", reason)
            if let d = e.discarded {
                var r = JSONWriter()
                r.add("content_type", ContentType.name(d.contentType))
                r.add("epoch", Int(d.epoch))
                r.add("sequence", d.sequence)
                j.addRaw("record", r.string)
                j.add("verdict", d.verdict.rawValue)
                j.add("inferred", true)
            }
        }
        return j.string
    }

    /// {"cause": "psk_key", "text": "a PSK mismatch: …", "fix": "--psk IDENTITY:HEX …"}, or null.
    static func object(_ d: HandshakeDiagnosis?) -> String {
        guard let d else { return "null" }
        var j = JSONWriter()
        j.add("cause", d.mismatch.name)
        j.add("text", d.what)
        j.add("fix", d.fix)
        return j.string
    }

    static func entry(_ e: OpenSSLErrorEntry) -> String {
        var j = JSONWriter()
        j.add("library", e.library)
        j.add("reason", e.reason)
        j.add("function", e.function)
        j.add("file", e.file)
        j.add("line", e.line)
        j.add("code", Int(e.code))
        j.add("data", e.data.isEmpty ? nil : e.data)
        return j.string
    }

    static func records(_ bytes: [UInt8]) -> String {
        let split = RecordLayer.split(bytes)
        let items = split.records.map { r -> String in
            var j = JSONWriter()
            j.add("content_type", ContentType.name(r.header.contentType))
            j.add("epoch", Int(r.header.epoch))
            j.add("sequence", r.header.sequence)
            j.add("length", Int(r.header.length))
            if r.header.epoch == 0, r.header.contentType == ContentType.handshake.rawValue,
               let h = HandshakeHeader.parse(r.fragment) {
                j.add("handshake", h.typeName)
            }
            return j.string
        }
        return "[" + items.joined(separator: ",") + "]"
    }
}
