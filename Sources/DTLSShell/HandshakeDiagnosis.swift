import DTLSPlex

/// Why a handshake with a foreign peer failed, from what the peer alone knows
/// (its alerts, OpenSSL's reasons, the hello OpenSSL read, its own settings):
/// the mismatch, what each side offered, and the flag and the setting that fix
/// it. `serve`, `connect`, the shell's failure event and `explain` all print
/// this one sentence, so a user reads the same diagnosis wherever it failed.
public struct HandshakeDiagnosis: Sendable, Equatable {
    public enum Mismatch: String, Sendable {
        case version, cipher, anonymousOnly, securityLevel, legacySignature
        case pskIdentity, pskKey, clientCertificate, untrustedCertificate, noAnswer

        /// As `--json` spells it (`diagnosis.cause`): "psk_key", "anonymous_only".
        public var name: String {
            rawValue.reduce(into: "") { s, c in s += c.isUppercase ? "_" + c.lowercased() : String(c) }
        }
    }

    public let mismatch: Mismatch
    /// "a version mismatch: the client offered DTLS 1.0, this side allows DTLS 1.2 only"
    public let what: String
    /// "--dtls1_0 or --any-version (shell: set version 1.0 or any)"
    public let fix: String

    public var sentence: String { "\(what) — fix: \(fix)" }

    /// For EventText and EventJSON: the diagnosis of a peer of `engine`, by
    /// name, when its handshake failed (an established peer's end needs none).
    public static func lookup(in engine: Engine) -> (String) -> HandshakeDiagnosis? {
        { [unowned engine] name in
            engine.peer(named: name).flatMap { $0.status == .failed && $0.establishedAt == nil ? HandshakeDiagnosis($0) : nil }
        }
    }

    /// Checked in this order: a generic alert such as handshake failure comes
    /// with many causes, so the specific words win.
    private static let signs: [(Mismatch, [String])] = [
        (.pskIdentity, ["unknown psk identity", "psk identity not found"]),
        (.legacySignature, ["legacy sigalg"]),
        (.securityLevel, ["insufficient security", "key too small", "md too weak", "dh key too small"]),
        (.pskKey, ["decrypt error", "bad record mac", "decryption failed", "after this side's finished"]),
        (.clientCertificate, ["peer did not return a certificate", "certificate required"]),
        (.untrustedCertificate, ["certificate verify failed", "unknown ca", "bad certificate", "certificate unknown",
                                 "unsupported certificate", "self-signed", "self signed"]),
        (.version, ["unsupported protocol", "wrong version number", "protocol version", "version too low",
                    "version too high", "wrong ssl version"]),
        (.cipher, ["no shared cipher", "no ciphers available", "no suitable signature", "handshake failure"]),
        (.noAnswer, ["read timeout expired", "handshake not done within"]),
    ]

    /// The diagnosis of a failed (or given-up) handshake; nil when nothing
    /// points at a mismatch.
    /// `clientIdentity`: the PSK identity the client sent, when someone saw
    /// it on the wire (a server's OpenSSL forgets an identity it refused).
    public init?(_ peer: Peer, clientIdentity: String? = nil) {
        let words = (peer.alerts.map(\.1) + (peer.lastError?.queue.map(\.reason) ?? []) + [peer.endReason ?? ""])
            .map { $0.lowercased() }
        guard let sign = Self.signs.first(where: { _, phrases in
            words.contains { w in phrases.contains { w.contains($0) } }
        })?.0 else { return nil }
        let offer = Offer(peer, clientIdentity: clientIdentity)
        switch sign {
        case .untrustedCertificate where offer.verifyFailure.map { $0.contains("too weak") || $0.contains("too small") } ?? false:
            self.init(.securityLevel, offer)
        case .cipher where offer.clientIsAnonymousOnly:
            self.init(.anonymousOnly, offer)
        case .cipher where words.contains { $0.contains("no suitable signature") } && offer.tls.version != .dtls1_2:
            self.init(.legacySignature, offer)
        case .noAnswer:
            if offer.sentFinishedUnanswered || offer.readFinishedUndecrypted, offer.tls.psk != nil {
                self.init(.pskKey, offer)
            } else if peer.counters.datagramsIn == 0 {
                self.init(.noAnswer, offer)
            } else {
                return nil
            }
        default:
            self.init(sign, offer)
        }
    }

    private init(_ m: Mismatch, _ o: Offer) {
        mismatch = m
        switch m {
        case .version:
            what = "a version mismatch: " + (o.clientVersion.map { "the client offered \($0), " } ?? "")
                + "this side allows \(o.ownVersions)"
                + (o.isServer ? "" : " and the server answered with another (or refused ours)")
            fix = o.tls.version == .dtls1_2
                ? "--dtls1_0 or --any-version (shell: set version 1.0 or any), or make the peer speak DTLS 1.2"
                : "--dtls1_2 or --any-version (shell: set version 1.2 or any)"
        case .cipher:
            what = "no shared cipher: " + o.offers
            fix = "--ciphers with a suite both sides allow (shell: set ciphers); a PSK suite needs --psk ID:HEX on both sides, "
                + "a certificate suite a certificate on the server; a server that speaks only anonymous suites "
                + "(the 2006 example) needs --insecure"
        case .anonymousOnly:
            what = "the \(o.isServer ? "client" : "server") offers only anonymous suites (no authentication, "
                + "the 2006 example's mode): " + o.offers
            fix = "--insecure (shell: set insecure on), which allows them at @SECLEVEL=0"
                + (o.clientVersion == "DTLS 1.0" || o.tls.version != .dtls1_2 ? ", with --dtls1_0 or --any-version" : " (and --dtls1_0 for a DTLS 1.0 peer)")
                + "; the peer needs @SECLEVEL=0 in its cipher string too"
        case .securityLevel:
            what = "the peer's key, certificate or suite is below OpenSSL's security level \(o.level) on one side"
                + (o.verifyFailure.map { " (\($0))" } ?? "")
            fix = "a stronger key on the peer, or append :@SECLEVEL=\(max(0, o.level - 1)) (or 0) to --ciphers "
                + "(shell: set ciphers '…:@SECLEVEL=0') on the side that refused"
        case .legacySignature:
            what = "DTLS 1.0 signs the certificate handshake with SHA-1, which OpenSSL 3.0 allows only at security level 0 "
                + "(this side is at level \(o.level))"
            fix = "--ciphers 'ECDHE-ECDSA-AES128-SHA:@SECLEVEL=0' (shell: set ciphers …) and @SECLEVEL=0 on the peer, "
                + "or a PSK (--psk ID:HEX), or DTLS 1.2 on both"
        case .pskIdentity:
            what = "a PSK identity mismatch: the server has no key for the identity \(o.identity)"
            fix = "--psk IDENTITY:HEX with the identity the server knows (shell: set psk IDENTITY:HEX)"
        case .pskKey:
            // The server knew the identity (it found a key for it): both sides hold it.
            what = "a PSK mismatch: both sides use the identity \(o.clientIdentity.map { "\"\($0)\"" } ?? o.ownIdentity) but not the same key"
                + (o.sentFinishedUnanswered && !o.finishedRefused ? " (the server never accepted this side's Finished)" : "")
            fix = "--psk IDENTITY:HEX with the key the peer has (shell: set psk IDENTITY:HEX)"
        case .clientCertificate:
            what = "the server wants a client certificate and got none"
            fix = "--cert FILE --key FILE on the client (shell: set cert FILE KEY), or no --ca on the server (set verify off)"
        case .untrustedCertificate:
            what = o.isServer ? "the client's certificate is not trusted by --ca" :
                (o.tls.verifiesPeer ? "the peer's certificate is not trusted: "
                                        + (o.verifyFailure ?? "no CA given with --ca signed it")
                                    : "the peer refused this side's certificate")
            fix = "--ca FILE with the CA that signed the peer's certificate (shell: set ca FILE), "
                + "or leave --ca out to test without verification (set verify off)"
        case .noAnswer:
            what = "the peer never answered"
            fix = "check the address and port, and that a DTLS server (not TLS over TCP) listens there"
        }
    }

    /// What each side offered, read from the peer.
    private struct Offer {
        let isServer: Bool
        let tls: TLSConfiguration
        let clientVersion: String?
        let clientCiphers: [String]
        let own: [String]
        let level: Int
        let identity: String
        let ownIdentity: String
        let clientIdentity: String?
        let sentFinishedUnanswered: Bool
        let readFinishedUndecrypted: Bool
        let verifyFailure: String?
        /// The handshake was given up on that evidence, and its reason says so.
        let finishedRefused: Bool

        init(_ p: Peer, clientIdentity: String?) {
            finishedRefused = p.endReason == FinishedRefusal.reason
            verifyFailure = p.configuration.verifiesPeer ? p.verifyFailure : nil
            isServer = p.role == .server
            tls = p.configuration
            clientVersion = p.clientHelloVersion
            clientCiphers = p.clientHelloCiphers
            own = p.ownCiphers
            level = p.securityLevel
            ownIdentity = tls.psk.map { "\"\($0.identity)\"" } ?? "given"
            self.clientIdentity = clientIdentity
            // A server's own identity is not the one the client sent.
            identity = (clientIdentity ?? (p.role == .client ? tls.psk?.identity : nil)).map { "\"\($0)\"" }
                ?? "the client sent"
            let outbound = p.flights.filter { $0.direction == .outbound }.flatMap(\.messages)
            let inbound = p.flights.filter { $0.direction == .inbound }.flatMap(\.messages)
            // OpenSSL's state says the same when nobody followed the messages (a brief serve).
            let state = p.stateDescription
            sentFinishedUnanswered = p.role == .client
                && ((outbound.contains("Finished") && !inbound.contains("Finished")) || state == "SSLv3/TLS write finished")
            readFinishedUndecrypted = p.role == .server
                && ((inbound.contains("ChangeCipherSpec") && !inbound.contains("Finished")) || state == "SSLv3/TLS read change cipher spec")
        }

        var clientIsAnonymousOnly: Bool {
            !clientCiphers.isEmpty && clientCiphers.allSatisfy { $0.hasPrefix("ADH-") || $0.hasPrefix("AECDH-") }
        }

        var ownVersions: String {
            switch tls.version {
            case .dtls1_2: "DTLS 1.2 only"
            case .dtls1_0: "DTLS 1.0 only"
            case .any: "DTLS 1.0 and 1.2"
            }
        }

        /// "the client offered A, B (2 suites); this side allows C, D, … (12 suites)".
        var offers: String {
            var s = ""
            if isServer, !clientCiphers.isEmpty { s += "the client offered \(Self.list(clientCiphers)); " }
            s += "this side allows \(own.isEmpty ? "no suite at all at its version and security level" : Self.list(own))"
            if !isServer { s += ", and the server refused them all (a DTLS 1.0-only server answers so too when none is a DTLS 1.0 suite)" }
            return s
        }

        static func list(_ names: [String]) -> String {
            names.count <= 4 ? names.joined(separator: ", ")
                : names.prefix(3).joined(separator: ", ") + ", … (\(names.count) suites)"
        }
    }
}
