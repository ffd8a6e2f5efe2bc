import DTLSPlex
import DTLSShell
import DTLSWire

/// Follows one client peer's datagrams into flights, so that `connect` stops
/// as soon as the server has refused its Finished (FinishedRefusal) rather
/// than at the handshake deadline.
final class FinishedRefusalWatch {
    private var flights = FlightTracker()
    private(set) var refusal = FinishedRefusal()

    init(engine: Engine, peer name: String) {
        engine.subscribe(.datagrams) { [weak self] e in
            // Once the server's flight 6 came, nothing more is to be read here.
            guard let self, e.peer == name, !self.refusal.accepted else { return }
            switch e.kind {
            case let .datagramOut(_, bytes): self.note(bytes, fromClient: true)
            case let .datagramIn(_, bytes): self.note(bytes, fromClient: false)
            default: break
            }
        }
    }

    private func note(_ bytes: [UInt8], fromClient: Bool) {
        let o = flights.observe(bytes, fromClient: fromClient)
        refusal.note(fromClient: fromClient, flight: o.flight, resend: o.isResend, messages: o.messageNames)
    }
}
