import Foundation
import SubprocessSupport
import Testing

/// Helpers for the observation tests: `--json` event lines, the JSON Schema
/// in docs/, tshark over the pcap and key log files dtlsh writes.
enum Observe {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var schemaPath: String { repository.appendingPathComponent("docs/events.schema.json").path }

    /// Removes a test's directory (key logs are secrets), unless
    /// DTLSH_KEEP_TEST_FILES is set to look at them.
    static func remove(_ dir: String) {
        guard ProcessInfo.processInfo.environment["DTLSH_KEEP_TEST_FILES"] == nil else { return }
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// A fresh directory for one test's files.
    static func directory(_ tag: String) throws -> String {
        let dir = NSTemporaryDirectory() + "dtlsh-\(tag)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    // MARK: - --json

    typealias Object = [String: Any]

    /// Every line of `text` parsed as one JSON object (a line that is not one fails the test).
    static func objects(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> [Object] {
        text.split(separator: "\n").compactMap { line in
            let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? Object
            #expect(o != nil, "not a JSON object: \(line)", sourceLocation: sourceLocation)
            return o
        }
    }

    /// `dtlsh serve --json` on a free loopback port (or `bind`), with the port
    /// taken from its socket_opened event.
    static func serveJSON(bind: String = "127.0.0.1:0", _ extra: [String]) throws -> (Subprocess, Int) {
        let p = try Subprocess(Tools.dtlsh, ["serve", "--bind", bind, "--json"] + extra)
        try #require(p.waitFor("\"event\":\"socket_opened\""), "serve did not start: \(p.stderr)")
        let first = try #require(objects(p.stdout).first)
        let address = try #require(first["address"] as? String)
        let port = try #require(Int(address.split(separator: ":").last ?? ""))
        return (p, port)
    }

    /// The port in the shell's `NAME: listening on HOST:PORT` line.
    static func listeningPort(_ output: String, socket: String) -> Int? {
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("\(socket): listening on ") }) else { return nil }
        return Int(line.split(separator: ":").last ?? "")
    }

    // MARK: - python3 with jsonschema

    /// A python3 that imports jsonschema: DTLSH_PYTHON, the one on PATH, or Debian's.
    static let python: String? = {
        var candidates: [String] = []
        if let p = ProcessInfo.processInfo.environment["DTLSH_PYTHON"] { candidates.append(p) }
        if let p = Tools.which("python3") { candidates.append(p) }
        candidates.append("/usr/bin/python3")
        for c in candidates where FileManager.default.isExecutableFile(atPath: c) {
            if let p = try? Subprocess(c, ["-c", "import jsonschema"]), p.waitExit(timeout: 20) == 0 { return c }
        }
        return nil
    }()

    /// Checks every line of `lines` against docs/events.schema.json with
    /// python's jsonschema (Draft 2020-12). With `expectValid: false` every
    /// line must be rejected instead. Returns the checker's report.
    static func validate(_ lines: [String], expectValid: Bool = true, in dir: String) throws -> (ok: Bool, report: String) {
        let python = try #require(python, "no python3 with jsonschema: `make test-deps` installs python3-jsonschema")
        let file = dir + "/lines-\(UUID().uuidString.prefix(6)).jsonl"
        try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let p = try Subprocess(python, ["-c", checker, schemaPath, file, expectValid ? "valid" : "invalid"])
        let status = p.waitExit(timeout: 30)
        return (status == 0, p.stdout + p.stderr)
    }

    private static let checker = """
        import json, sys
        from jsonschema import Draft202012Validator
        schema = json.load(open(sys.argv[1]))
        Draft202012Validator.check_schema(schema)
        validator = Draft202012Validator(schema)
        want_valid = sys.argv[3] == "valid"
        def no_constants(c):
            raise ValueError("not JSON: " + c)
        failures = checked = 0
        for n, line in enumerate(open(sys.argv[2]), 1):
            line = line.rstrip("\\n")
            if not line:
                continue
            checked += 1
            try:
                errors = [e.message + " at /" + "/".join(map(str, e.absolute_path))
                          for e in validator.iter_errors(json.loads(line, parse_constant=no_constants))]
            except ValueError as e:
                errors = [str(e)]
            if want_valid and errors:
                failures += 1
                print("line %d: %s\\n    %s" % (n, "; ".join(errors[:3]), line))
            elif not want_valid and not errors:
                failures += 1
                print("line %d: accepted, should be rejected\\n    %s" % (n, line))
        print("%d lines checked, %d failures" % (checked, failures))
        sys.exit(1 if failures or not checked else 0)
        """

    // MARK: - tshark

    static func tshark() throws -> String {
        try #require(Tools.which("tshark") ?? (FileManager.default.isExecutableFile(atPath: "/usr/bin/tshark") ? "/usr/bin/tshark" : nil),
                     "tshark not found: `make test-deps` installs it")
    }

    /// `tshark -r PCAP -d udp.port==PORT,dtls -o tls.keylog_file:KEYS -T fields -e …`:
    /// one row per frame, one column per field (multiple occurrences joined by ',').
    static func fields(_ pcap: String, port: Int, keylog: String?, _ fields: [String],
                       sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String]] {
        var args = ["-n", "-r", pcap, "-d", "udp.port==\(port),dtls", "-o", "udp.check_checksum:TRUE"]
        if let keylog { args += ["-o", "tls.keylog_file:\(keylog)"] }
        args += ["-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,"]
        for f in fields { args += ["-e", f] }
        let p = try Subprocess(try tshark(), args)
        let status = p.waitExit(timeout: 30)
        try #require(status == 0, "tshark failed: \(p.stderr)", sourceLocation: sourceLocation)
        return p.stdout.split(separator: "\n", omittingEmptySubsequences: true).map {
            $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        }
    }

    /// TLS HandshakeType numbers as tshark prints them, named as dtlsh names them.
    static let handshakeNames: [Int: String] = [
        0: "HelloRequest", 1: "ClientHello", 2: "ServerHello", 3: "HelloVerifyRequest", 4: "NewSessionTicket",
        11: "Certificate", 12: "ServerKeyExchange", 13: "CertificateRequest", 14: "ServerHelloDone",
        15: "CertificateVerify", 16: "ClientKeyExchange", 20: "Finished",
    ]

    /// A tshark column of comma-separated handshake type numbers, as names.
    static func handshakeTypes(_ column: String) -> [String] {
        column.split(separator: ",").map { Int($0).flatMap { handshakeNames[$0] } ?? "HandshakeType(\($0))" }
    }

    static func bytes(hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var i = hex.startIndex
        while let j = hex.index(i, offsetBy: 2, limitedBy: hex.endIndex), i < hex.endIndex {
            out.append(UInt8(hex[i..<j], radix: 16) ?? 0)
            i = j
        }
        return out
    }

    /// The plaintext of every decrypted application data record in a tshark `data.data` column.
    static func plaintexts(_ rows: [[String]], column: Int) -> [String] {
        rows.flatMap { row -> [String] in
            guard row.count > column, !row[column].isEmpty else { return [] }
            return row[column].split(separator: ",").map { String(decoding: bytes(hex: String($0)), as: UTF8.self) }
        }
    }

    /// For each datagram dtlsh reported (`datagram_in`/`datagram_out`, in
    /// order), the handshake messages in it: epoch-0 names from the datagram's
    /// own `records`, encrypted ones from the `handshake_message` event that
    /// followed the matching `record` event.
    static func handshakesPerDatagram(_ events: [Object]) -> [[String]] {
        var encrypted: [String: String] = [:]
        var pendingRecord: String?
        for e in events {
            switch e["event"] as? String {
            case "record":
                let key = "\(e["direction"] ?? "")/\(e["epoch"] ?? "")/\(e["sequence"] ?? "")"
                pendingRecord = (e["content_type"] as? String) == "Handshake" ? key : nil
            case "handshake_message":
                if let key = pendingRecord, encrypted[key] == nil { encrypted[key] = e["type"] as? String }
                pendingRecord = nil
            default:
                break
            }
        }
        return events.compactMap { e -> [String]? in
            let name = e["event"] as? String
            guard name == "datagram_in" || name == "datagram_out" else { return nil }
            let direction = name == "datagram_in" ? "in" : "out"
            let records = e["records"] as? [Object] ?? []
            return records.compactMap { r in
                guard (r["content_type"] as? String) == "Handshake" else { return nil }
                if let h = r["handshake"] as? String { return h }
                return encrypted["\(direction)/\(r["epoch"] ?? "")/\(r["sequence"] ?? "")"] ?? "?"
            }
        }
    }

    // MARK: - Raw UDP

    /// Sends one datagram from a fresh socket on 127.0.0.1.
    static func sendUDP(_ bytes: [UInt8], toPort port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        _ = bytes.withUnsafeBytes { b in
            withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, b.baseAddress, b.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
    }

    /// A DTLS 1.2 ClientHello carrying a 32-byte cookie no server ever made.
    static func clientHelloWithForgedCookie() -> [UInt8] {
        func be(_ v: Int, _ n: Int) -> [UInt8] { (0..<n).reversed().map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
        var body: [UInt8] = [0xfe, 0xfd] + (0..<32).map { _ in UInt8.random(in: 0...255) }
        body += [0]                                          // session id
        body += [32] + [UInt8](repeating: 0xab, count: 32)   // cookie
        body += be(2, 2) + [0xc0, 0x2b]                      // ECDHE-ECDSA-AES128-GCM-SHA256
        body += [1, 0]                                       // null compression
        let handshake = [1] + be(body.count, 3) + be(0, 2) + be(0, 3) + be(body.count, 3) + body
        return [22, 0xfe, 0xfd] + be(0, 2) + be(0, 6) + be(handshake.count, 2) + handshake
    }

    /// The file's permission bits.
    static func mode(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue
    }
}
