/// One extension of a ClientHello or ServerHello.
public struct HelloExtension: Sendable, Equatable {
    public var type: UInt16
    /// Length of extension_data as sent.
    public var length: Int
    public var value: ExtensionValue

    public var name: String { ExtensionType.name(type) }
}

/// The decoded extension_data of the extensions a DTLS 1.2 handshake uses;
/// anything else is kept as its length.
public enum ExtensionValue: Sendable, Equatable {
    case serverName([String])
    case maxFragmentLength(UInt8)
    case supportedGroups([UInt16])
    case ecPointFormats([UInt8])
    case signatureAlgorithms([UInt16])
    case useSRTP(profiles: [UInt16], mki: [UInt8])
    case heartbeat(mode: UInt8)
    case alpn([String])
    case padding(length: Int)
    case encryptThenMAC
    case extendedMasterSecret
    case recordSizeLimit(UInt16)
    /// An empty ticket asks for a new one; a non-empty one resumes.
    case sessionTicket(length: Int)
    case supportedVersions([UInt16])
    case connectionID([UInt8])
    case renegotiationInfo([UInt8])
    case opaque(length: Int)
    /// extension_data did not parse as its type says; a note tells why.
    case malformed(length: Int)
}

extension HelloExtension {
    /// Decodes `extensions<0..2^16-1>`. A bad extension body is reported and
    /// skipped: its outer length still tells where the next one starts.
    static func readList(_ r: inout FieldReader, fromServer: Bool) -> [HelloExtension]? {
        r.vector("extensions", prefix: 2, summary: { "\($0.count) extension(s)" }) { r in
            var list: [HelloExtension] = []
            while !r.isAtEnd {
                let before = r.offset
                guard let ext = r.group("extension", summary: { (e: HelloExtension) in describe(e) }, { r in
                    read(&r, fromServer: fromServer)
                }) else { return nil }
                list.append(ext)
                if r.offset == before { return nil }  // cannot happen: a header is 4 bytes; stay total anyway
            }
            return list
        }
    }

    private static func read(_ r: inout FieldReader, fromServer: Bool) -> HelloExtension? {
        guard let type = r.u16("type", { "\(ExtensionType.name($0)) (\($0))" }) else { return nil }
        var length = 0
        let outcome = r.tryVector("extension_data", prefix: 2, summary: { _ in "\(length)B" }) { r in
            length = r.remaining
            return decodeData(type: type, &r, fromServer: fromServer)
        }
        switch outcome {
        case .missing: return nil
        case .malformed: return HelloExtension(type: type, length: length, value: .malformed(length: length))
        case .decoded(let value): return HelloExtension(type: type, length: length, value: value)
        }
    }

    private static func decodeData(type: UInt16, _ r: inout FieldReader, fromServer: Bool) -> ExtensionValue? {
        switch type {
        case ExtensionType.serverName:
            if r.isAtEnd { return .serverName([]) }  // the server's acknowledgement
            return r.vector("server_name_list", prefix: 2, summary: { $0.joined(separator: ", ") }) { r in
                var names: [String] = []
                while !r.isAtEnd {
                    guard r.u8("name_type", { $0 == 0 ? "host_name" : String($0) }) != nil,
                          let name = r.opaque("host_name", prefix: 2, { PrintableText.quoted($0) })
                    else { return nil }
                    names.append(PrintableText.escaped(name))
                }
                return names
            }.map(ExtensionValue.serverName)
        case ExtensionType.maxFragmentLength:
            return r.u8("max_fragment_length", { "2^\(8 + Int($0)) (\($0))" }).map(ExtensionValue.maxFragmentLength)
        case ExtensionType.supportedGroups:
            return r.u16List("named_group_list", prefix: 2, item: "group", NamedGroup.describe,
                             summary: { "\($0.count) group(s)" }).map(ExtensionValue.supportedGroups)
        case ExtensionType.ecPointFormats:
            return r.u8List("ec_point_format_list", prefix: 1, item: "format", ECPointFormat.name,
                            summary: { "\($0.count) format(s)" }).map(ExtensionValue.ecPointFormats)
        case ExtensionType.signatureAlgorithms, ExtensionType.signatureAlgorithmsCert:
            return r.u16List("supported_signature_algorithms", prefix: 2, item: "scheme", SignatureScheme.describe,
                             summary: { "\($0.count) scheme(s)" }).map(ExtensionValue.signatureAlgorithms)
        case ExtensionType.useSRTP:
            guard let profiles = r.u16List("SRTPProtectionProfiles", prefix: 2, item: "profile",
                                           { "\(SRTPProtectionProfile.name($0)) (\(Hex.u16($0)))" },
                                           summary: { "\($0.count) profile(s)" }),
                  let mki = r.opaque("srtp_mki", prefix: 1) else { return nil }
            return .useSRTP(profiles: profiles, mki: Array(mki))
        case ExtensionType.heartbeat:
            return r.u8("mode", { $0 == 1 ? "peer_allowed_to_send" : $0 == 2 ? "peer_not_allowed_to_send" : String($0) })
                .map { .heartbeat(mode: $0) }
        case ExtensionType.alpn:
            return r.vector("protocol_name_list", prefix: 2, summary: { $0.joined(separator: ", ") }) { r in
                var names: [String] = []
                while !r.isAtEnd {
                    guard let name = r.opaque("protocol_name", prefix: 1, { PrintableText.quoted($0) }) else { return nil }
                    names.append(PrintableText.escaped(name))
                }
                return names
            }.map(ExtensionValue.alpn)
        case ExtensionType.padding:
            return .padding(length: r.rest("padding").count)
        case ExtensionType.encryptThenMAC, ExtensionType.extendedMasterSecret:
            guard r.isAtEnd else {
                r.note("\(ExtensionType.name(type)) must be empty, has \(r.remaining) byte(s)")
                _ = r.rest("data")
                return nil
            }
            return type == ExtensionType.encryptThenMAC ? .encryptThenMAC : .extendedMasterSecret
        case ExtensionType.recordSizeLimit:
            return r.u16("record_size_limit").map(ExtensionValue.recordSizeLimit)
        case ExtensionType.sessionTicket:
            return .sessionTicket(length: r.rest("ticket").count)
        case ExtensionType.supportedVersions:
            if fromServer {
                return r.u16("selected_version", { ProtocolVersion.name($0) }).map { .supportedVersions([$0]) }
            }
            return r.u16List("versions", prefix: 1, item: "version", ProtocolVersion.describe,
                             summary: { "\($0.count) version(s)" }).map(ExtensionValue.supportedVersions)
        case ExtensionType.connectionID, ExtensionType.connectionIDDeprecated:
            return r.opaque("cid", prefix: 1).map { .connectionID(Array($0)) }
        case ExtensionType.renegotiationInfo:
            return r.opaque("renegotiated_connection", prefix: 1).map { .renegotiationInfo(Array($0)) }
        default:
            return .opaque(length: r.rest("data").count)
        }
    }

    static func summary(_ value: ExtensionValue) -> String {
        switch value {
        case .serverName(let names): names.isEmpty ? "(acknowledged)" : names.joined(separator: ", ")
        case .maxFragmentLength(let code): "2^\(8 + Int(code))"
        case .supportedGroups(let groups): groups.map(NamedGroup.name).joined(separator: ", ")
        case .ecPointFormats(let formats): formats.map(ECPointFormat.name).joined(separator: ", ")
        case .signatureAlgorithms(let schemes): schemes.map(SignatureScheme.name).joined(separator: ", ")
        case .useSRTP(let profiles, let mki):
            profiles.map(SRTPProtectionProfile.name).joined(separator: ", ")
                + (mki.isEmpty ? " (no MKI)" : " MKI=\(Hex.string(mki))")
        case .heartbeat(let mode): "mode \(mode)"
        case .alpn(let names): names.joined(separator: ", ")
        case .padding(let length): "\(length)B"
        case .encryptThenMAC, .extendedMasterSecret: "(empty)"
        case .recordSizeLimit(let limit): String(limit)
        case .sessionTicket(let length): length == 0 ? "(empty: asks for a ticket)" : "\(length)B ticket"
        case .supportedVersions(let versions): versions.map(ProtocolVersion.name).joined(separator: ", ")
        case .connectionID(let cid): cid.isEmpty ? "(empty)" : Hex.string(cid)
        case .renegotiationInfo(let data): data.isEmpty ? "(empty: initial handshake)" : "\(data.count)B"
        case .opaque(let length): "\(length)B"
        case .malformed(let length): "malformed (\(length)B)"
        }
    }

    static func describe(_ e: HelloExtension) -> String {
        "\(e.name): \(summary(e.value))"
    }
}
