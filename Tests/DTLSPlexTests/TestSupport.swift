import DTLSPlex
import DTLSWire
import Testing

let testPSK = TLSConfiguration.PSK(identity: "client", key: Hex.decode("00112233445566778899aabbccddeeff")!)
let loopback = try! SocketAddress(parsing: "127.0.0.1:0")

/// Collects every event an engine emits.
final class EventLog {
    var events: [Event] = []
    init(_ engine: Engine) { engine.subscribe { [unowned self] in self.events.append($0) } }
    func named(_ name: String) -> [Event] { events.filter { $0.name == name } }
    func count(_ name: String) -> Int { named(name).count }
}

func pskSettings(auto: Bool = true) -> Engine.Settings {
    var s = Engine.Settings(tls: TLSConfiguration(psk: testPSK))
    s.auto = auto
    s.tls.timerInitialMilliseconds = 100
    return s
}

/// Drives several engines' loops in turn until `condition` holds; bounded by time.
@discardableResult
func runAll(_ engines: [Engine], timeout: Double = 5, until condition: () -> Bool) -> Bool {
    let clock = engines[0]
    let end = clock.now() + timeout
    while !condition() {
        if clock.now() > end { return false }
        for e in engines { e.runOnce(timeout: 0.002) }
    }
    return true
}
