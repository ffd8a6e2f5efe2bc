/// A check of the client-side battery (`dtlsh probe --listen`): its id, the RFC section it tests, and
/// how it serves the one client connection it gets.
public struct ClientCheck: Sendable {
    public let id: String
    public let rfc: String
    /// What it does, said to whoever runs the client while it waits.
    public let summary: String
    /// A cookie exchange before the handshake; the other checks go without it, a round trip fewer.
    let cookies: Bool
    /// What a check's body returns, as the server battery's checks do.
    typealias Outcome = ProbeCheck.Outcome
    let run: @Sendable (ClientSession) throws -> ProbeCheck.Outcome

    init(_ id: String, rfc: String, summary: String, cookies: Bool = false,
         run: @escaping @Sendable (ClientSession) throws -> ProbeCheck.Outcome) {
        self.id = id
        self.rfc = rfc
        self.summary = summary
        self.cookies = cookies
        self.run = run
    }
}
