import DTLSWire

/// The grammar of a datagram typed by hand (`inject`): raw bytes, or records
/// built with DTLSWire's encoder, one word per record, concatenated into one
/// datagram. Options after commas; a record's sequence number defaults to its
/// position in the datagram.
///
///     hex:16fefd…                                   the bytes as they are (alone)
///     clienthello[,cookie=HEX][,msgseq=N][,frag=OFFSET+LENGTH]
///     alert:LEVEL:DESCRIPTION                       alert:fatal:handshake_failure, alert:2:40
///     ccs                                           ChangeCipherSpec
///     appdata:HEX                                   application data, epoch 1 unless told
///     handshake:TYPE:BODYHEX[,msgseq=N][,frag=OFFSET+LENGTH]
///     record:TYPE:PAYLOADHEX                        any content type, by name or number
///     …,epoch=N,seq=N,version=1.0|1.2|HEX           on any record
enum ForgedDatagram {
    static let grammar = "hex:BYTES | RECORD… with RECORD one of clienthello[,cookie=HEX][,msgseq=N][,frag=O+L], "
        + "alert:LEVEL:DESCRIPTION, ccs, appdata:HEX, handshake:TYPE:HEX[,msgseq=N][,frag=O+L], record:TYPE:HEX; "
        + "each may add ,epoch=N ,seq=N ,version=1.0|1.2"

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func bytes(_ words: [String]) throws -> [UInt8] {
        guard !words.isEmpty else { throw Failure(description: "no datagram: \(grammar)") }
        if let first = words.first, first.hasPrefix("hex:") {
            guard words.count == 1 else { throw Failure(description: "hex: gives the whole datagram; nothing may follow it") }
            guard let b = Hex.decode(String(first.dropFirst(4))), !b.isEmpty else {
                throw Failure(description: "bad hex in '\(first)': an even number of 0-9a-f digits, at least one byte")
            }
            return b
        }
        var records: [OutgoingRecord] = []
        for (i, word) in words.enumerated() { records.append(try record(word, position: i)) }
        do { return try OutgoingDatagram(records).encoded } catch { throw Failure(description: "\(error)") }
    }

    private static func record(_ word: String, position: Int) throws -> OutgoingRecord {
        var parts = word.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let head = parts.removeFirst()
        var options: [String: String] = [:]
        for p in parts {
            let kv = p.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2, ["cookie", "msgseq", "frag", "epoch", "seq", "version"].contains(kv[0]) else {
                throw Failure(description: "bad option '\(p)' in '\(word)': cookie=, msgseq=, frag=, epoch=, seq=, version=")
            }
            options[kv[0]] = kv[1]
        }
        func number<T: FixedWidthInteger>(_ key: String, _ fallback: T) throws -> T {
            guard let text = options[key] else { return fallback }
            guard let v = T(text) else { throw Failure(description: "\(key)=\(text) in '\(word)' is not a number in range") }
            return v
        }
        func hex(_ text: String) throws -> [UInt8] {
            guard let b = Hex.decode(text) else { throw Failure(description: "bad hex '\(text)' in '\(word)'") }
            return b
        }
        let fields = head.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let kind = fields[0].lowercased()
        var epoch: UInt16 = try number("epoch", kind == "appdata" ? 1 : 0)
        let sequence: UInt64 = try number("seq", UInt64(position))
        var version = ProtocolVersion.dtls12
        switch options["version"] {
        case nil, "1.2": break
        case "1.0": version = ProtocolVersion.dtls10
        case let v?:
            guard let raw = UInt16(v, radix: 16) else { throw Failure(description: "version=\(v): 1.0, 1.2 or four hex digits") }
            version = raw
        }
        func handshakeRecord(_ message: OutgoingHandshake) throws -> OutgoingRecord {
            do {
                var fragment = try message.whole
                if let frag = options["frag"] {
                    let r = frag.split(separator: "+").compactMap { Int($0) }
                    guard r.count == 2 else { throw Failure(description: "frag=\(frag): OFFSET+LENGTH") }
                    fragment = try message.fragment(offset: r[0], length: r[1])
                }
                return .handshake([fragment], version: version, epoch: epoch, sequence: sequence)
            } catch let e as WireEncodingError {
                throw Failure(description: "\(e)")
            }
        }
        switch kind {
        case "clienthello":
            guard fields.count == 1 else { throw Failure(description: "clienthello takes options after commas, not '\(head)'") }
            let hello = OutgoingClientHello(cookie: try options["cookie"].map(hex) ?? [])
            do {
                return try handshakeRecord(try hello.handshake(messageSeq: try number("msgseq", options["cookie"] == nil ? 0 : 1)))
            } catch let e as WireEncodingError { throw Failure(description: "\(e)") }
        case "handshake":
            guard fields.count == 3, let type = handshakeType(fields[1]) else {
                throw Failure(description: "handshake:TYPE:BODYHEX with TYPE a name (clienthello, finished, …) or number, not '\(head)'")
            }
            return try handshakeRecord(OutgoingHandshake(type: type, messageSeq: try number("msgseq", 0), body: try hex(fields[2])))
        case "alert":
            guard fields.count == 3, let level = alertLevel(fields[1]), let description = alertDescription(fields[2]) else {
                throw Failure(description: "alert:LEVEL:DESCRIPTION, e.g. alert:fatal:handshake_failure or alert:2:40, not '\(head)'")
            }
            return .alert(Alert(level: level, description: description), version: version, epoch: epoch, sequence: sequence)
        case "ccs":
            guard fields.count == 1 else { throw Failure(description: "ccs takes no fields, not '\(head)'") }
            return .changeCipherSpec(version: version, epoch: epoch, sequence: sequence)
        case "appdata":
            guard fields.count == 2 else { throw Failure(description: "appdata:HEX, not '\(head)'") }
            return OutgoingRecord(.applicationData, version: version, epoch: epoch, sequence: sequence, payload: try hex(fields[1]))
        case "record":
            guard fields.count == 3, let type = contentType(fields[1]) else {
                throw Failure(description: "record:TYPE:PAYLOADHEX with TYPE handshake, alert, ccs, appdata or a number, not '\(head)'")
            }
            if options["epoch"] == nil && type == ContentType.applicationData.rawValue { epoch = 1 }
            return OutgoingRecord(contentType: type, version: version, epoch: epoch, sequence: sequence, payload: try hex(fields[2]))
        default:
            throw Failure(description: "unknown record '\(head)': \(grammar)")
        }
    }

    static func handshakeType(_ s: String) -> UInt8? {
        if let n = UInt8(s) { return n }
        return (0...255).map(UInt8.init).first { HandshakeType(rawValue: $0) != nil && HandshakeType.name($0).lowercased() == s.lowercased() }
    }

    static func alertLevel(_ s: String) -> UInt8? {
        if let n = UInt8(s) { return n }
        return ["warning": 1, "fatal": 2][s.lowercased()]
    }

    static func alertDescription(_ s: String) -> UInt8? {
        if let n = UInt8(s) { return n }
        return (0...255).map(UInt8.init).first { AlertDescription.knownName($0) == s.lowercased() }
    }

    static func contentType(_ s: String) -> UInt8? {
        if let n = UInt8(s) { return n }
        return ["handshake": 22, "alert": 21, "ccs": 20, "changecipherspec": 20, "appdata": 23, "applicationdata": 23,
                "heartbeat": 24][s.lowercased()]
    }
}
