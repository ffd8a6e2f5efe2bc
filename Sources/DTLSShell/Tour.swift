import DTLSPlex

/// The guided lesson behind `tour`: a complete PSK handshake between two
/// sockets of this shell, one command at a time, with one lost flight. Each
/// step says what to type (Enter types it), and after it runs, what happened
/// and why: read from the state then, never assumed. It uses names nobody in
/// the shell has taken and settings of its own (`Shell.tourCommand`).
struct Tour {
    /// The sockets and peers the tour makes.
    struct Names {
        var srv, cli, client: String
        /// The first peer admitted on a fresh socket is SOCKET.1.
        var server: String { "\(srv).1" }
    }

    struct Step {
        var command: String
        var before: String
        /// What happened, told from the state after the command.
        var after: (TourView) -> String
    }

    let names: Names
    let steps: [Step]
    /// The user's settings, put back when the tour ends however it ends.
    let savedSettings: Engine.Settings
    private(set) var index = 0

    init(names: Names, savedSettings: Engine.Settings) {
        self.names = names
        self.savedSettings = savedSettings
        steps = Self.steps(names)
    }

    var isFinished: Bool { index >= steps.count }
    var current: Step? { isFinished ? nil : steps[index] }
    var progress: String { "\(min(index + 1, steps.count))/\(steps.count)" }

    mutating func advance() { index += 1 }

    /// The settings the story needs: the shell's defaults (demo PSK, cookies,
    /// OpenSSL's 1 s first timeout doubling), by hand, no impairment.
    static var settings: Engine.Settings {
        var s = Engine.Settings(tls: TLSConfiguration(psk: .demo))
        s.auto = false
        s.keepFinishedPeers = true
        return s
    }

    /// Names not yet taken in `engine`: srv, cli and c1, else srv2, cli2, c2, …
    static func freeNames(in engine: Engine) -> Names {
        func free(_ base: String, taken: (String) -> Bool) -> String {
            if !taken(base) { return base }
            // Bounded: there are fewer sockets and peers than this.
            for n in 2...100_000 where !taken("\(base)\(n)") { return "\(base)\(n)" }
            return base
        }
        func socketTaken(_ name: String) -> Bool {
            engine.socket(named: name) != nil || engine.peer(named: name) != nil
        }
        let srv = free("srv", taken: socketTaken)
        let cli = free("cli", taken: { socketTaken($0) || $0 == srv })
        var client = "c1"
        for n in 1...100_000 where !socketTaken("c\(n)") && "c\(n)" != srv && "c\(n)" != cli {
            client = "c\(n)"
            break
        }
        return Names(srv: srv, cli: cli, client: client)
    }

    /// Checked before each step: what the story assumes still holds, or why not.
    func mismatch(_ v: TourView) -> String? {
        let n = names
        if v.engine.settings.auto { return "auto is on, so the engine moves by itself and the tour's story no longer holds" }
        if v.engine.socket(named: n.srv) == nil && index > 0 { return "socket \(n.srv) is gone" }
        if v.engine.socket(named: n.cli) == nil && index > 1 { return "socket \(n.cli) is gone" }
        for name in [n.client, n.server] {
            if let p = v.engine.peer(named: name), p.status == .failed || p.status == .closed {
                return "\(name) is \(p.status.rawValue)" + (p.endReason.map { " (\($0))" } ?? "")
            }
        }
        guard let step = current else { return nil }
        if step.command.hasPrefix("send ") || step.command.hasPrefix("read "),
           let c = v.client, c.status != .established {
            return "\(n.client) is not established yet (\(c.status.rawValue)); 'explain \(n.client)' says why"
        }
        return nil
    }
}

/// What a tour sentence may look at.
struct TourView {
    let engine: Engine
    let names: Tour.Names
    var client: Peer? { engine.peer(named: names.client) }
    var server: Peer? { engine.peer(named: names.server) }

    func queued(_ p: Peer?) -> Int { p?.outboundQueue.count ?? 0 }
    func waiting(_ p: Peer?) -> Int { p?.inboundQueue.count ?? 0 }

    static func datagrams(_ n: Int) -> String { "\(n) datagram\(n == 1 ? "" : "s")" }

    /// The retransmission timer in words, as `timers` shows it.
    func timer(_ p: Peer?) -> String {
        guard let p, let left = engine.timerStatus(p).retransmit else { return "no timer armed" }
        return left == 0 ? "expired" : "\(EventText.seconds(left)) left"
    }
}
