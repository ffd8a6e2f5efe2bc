import Synchronization

/// What one check learned of the server that spares later checks a wait: a server that does not echo
/// costs each record check a whole answer wait to find out again.
final class ProbeFindings: Sendable {
    private let echoes = Mutex<Bool?>(nil)

    /// Whether the server echoes what it reads; `nil` until a check asked.
    var serverEchoes: Bool? {
        get { echoes.withLock { $0 } }
        set { echoes.withLock { $0 = newValue } }
    }
}

extension ProbeContext {
    /// Whether the server echoes: asked of `client` once per battery, then known.
    func serverEchoes(_ client: EstablishedClient) throws -> Bool {
        if let known = findings.serverEchoes { return known }
        let echoed = try client.echo("dtlsh-probe hello", wait: target.answerWait) != nil
        findings.serverEchoes = echoed
        return echoed
    }
}
