import DTLSProbe
import DTLSShell

/// What the client probe says besides its report rows: where it listens, which check waits for the next
/// connection, and which client it got.
extension ProbeReport {
    static func listening(_ address: String, checks: Int) -> String {
        "listening on \(address): run the client against it once per check (\(checks) check\(checks == 1 ? "" : "s"))"
    }

    static func jsonListening(_ address: String, checks: Int) -> String {
        var body = JSONWriter()
        body.add("address", address)
        body.add("checks", checks)
        return object("listening", body)
    }

    static func waiting(_ check: ClientCheck, position: Int, of count: Int) -> String {
        "waiting for a client connection for \(check.id) (\(position)/\(count)): \(check.summary)"
    }

    static func jsonWaiting(_ check: ClientCheck, position: Int, of count: Int) -> String {
        var body = JSONWriter()
        body.add("check", check.id)
        body.add("rfc", check.rfc)
        body.add("summary", check.summary)
        body.add("position", position)
        body.add("of", count)
        return object("waiting", body)
    }

    static func connected(_ check: ClientCheck, client: String) -> String {
        "\(check.id): client \(client) connected"
    }

    static func jsonConnected(_ check: ClientCheck, client: String) -> String {
        var body = JSONWriter()
        body.add("check", check.id)
        body.add("client", client)
        return object("connected", body)
    }

    /// `{"KEY": {…}}`: one line says what it is by its only key, as the summary does.
    private static func object(_ key: String, _ body: JSONWriter) -> String {
        var j = JSONWriter()
        j.addRaw(key, body.string)
        return j.string
    }
}
