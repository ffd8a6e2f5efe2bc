import DTLSPlex

/// The shell's relays, and what lets them share the engine's loop: in auto
/// mode (and while `wait` or `handshake` drive the engine) their sockets wake
/// the loop and they forward by themselves, through the `set loss/dup/reorder`
/// impairments; otherwise datagrams wait in the legs' queues.
final class RelayBoard: EngineCompanion {
    var relays: [Relay] = []
    unowned let engine: Engine

    init(engine: Engine) { self.engine = engine }

    func relay(named name: String) -> Relay? { relays.first { $0.name == name } }

    func leg(named name: String) -> (Relay, RelayLeg)? {
        for r in relays { if let leg = r.leg(named: name) { return (r, leg) } }
        return nil
    }

    var legNames: [String] { relays.flatMap { $0.legs.map(\.name) } }

    var descriptors: [Int32] { relays.flatMap(\.descriptors) }

    /// The engine's impairments, as a relay applies them when it forwards by itself.
    func impairments(_ base: RelaySettings) -> RelaySettings {
        var s = base
        s.dropPercent = engine.settings.lossPercent
        s.dupPercent = engine.settings.duplicatePercent
        s.reorderPercent = engine.settings.reorderPercent
        s.seed = engine.settings.seed
        return s
    }

    func turn() {
        for r in relays {
            r.settings = impairments(r.settings)
            r.holding = false
            for leg in r.legs { r.flush(leg) }
            r.runOnce(timeout: 0)
            r.holding = !engine.settings.auto
        }
    }
}
