import ArgumentParser
import DTLSPlex
import Glibc

/// Who dtlsh is and which DTLS it speaks: the flags of every subcommand that completes a handshake
/// (`serve`, `connect`, `probe`), in `openssl s_client`/`s_server`'s
/// spelling where one exists, and the TLS configuration they make.
struct CredentialOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Pre-shared key, as openssl's -psk_identity and -psk.", valueName: "IDENTITY:HEXKEY"))
    var psk: String?

    @Option(help: ArgumentHelp("Certificate chain (PEM). Default: an in-memory self-signed ECDSA P-256 certificate.", valueName: "FILE"))
    var cert: String?

    @Option(help: ArgumentHelp("Private key (PEM) for --cert.", valueName: "FILE"))
    var key: String?

    @Option(help: ArgumentHelp("Verify the peer's certificate against these CAs (PEM). Without it, no verification.", valueName: "FILE"))
    var ca: String?

    @Option(help: ArgumentHelp("OpenSSL cipher string. Default: AEAD suites for the credentials given.", valueName: "STRING"))
    var ciphers: String?

    @Flag(name: .customLong("dtls1_0"), help: "DTLS 1.0 only.")
    var dtls10 = false

    @Flag(name: .customLong("dtls1_2"), help: "DTLS 1.2 only (the default).")
    var dtls12 = false

    @Flag(name: .customLong("any-version"), help: "Any DTLS version the library allows.")
    var anyVersion = false

    func validate() throws {
        if [dtls10, dtls12, anyVersion].filter({ $0 }).count > 1 {
            throw ValidationError("choose one of --dtls1_0, --dtls1_2, --any-version")
        }
        if (cert == nil) != (key == nil) { throw ValidationError("--cert and --key go together") }
        for file in [cert, key, ca].compactMap({ $0 }) where access(file, R_OK) != 0 {
            throw ValidationError("cannot read '\(file)'")
        }
        if let psk { do { _ = try TLSConfiguration.PSK(parsing: psk) } catch { throw ValidationError("\(error)") } }
    }

    /// A server given a PSK and no certificate (nor cipher string) serves PSK suites only: what a user of
    /// --psk expects, and a PSK handshake then pays nothing for a certificate.
    var servesPSKOnly: Bool { psk != nil && cert == nil && ciphers == nil }

    func tlsConfiguration(defaultPSK: TLSConfiguration.PSK? = nil) throws -> TLSConfiguration {
        var tls = TLSConfiguration(psk: try psk.map(TLSConfiguration.PSK.init(parsing:)) ?? defaultPSK)
        if let cert, let key { tls.certificate = .files(certificate: cert, key: key) }
        tls.caFile = ca
        tls.ciphers = ciphers
        tls.version = dtls10 ? .dtls1_0 : anyVersion ? .any : .dtls1_2
        return tls
    }
}
