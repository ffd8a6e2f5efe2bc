import DTLSPlex
import DTLSWire

/// `explain LEG`: where a foreign handshake stands, from the wire alone:
/// which flight each side sent last and whether it got through, who waits
/// for whom, and what a lost flight will make each side do.
enum RelayExplanation {
    static func lines(_ leg: RelayLeg, holding: Bool, now: Double, quiet: Double) -> [String] {
        var out: [String] = []
        let flights = leg.history.filter { $0.observation.flight != nil }
        func last(_ d: RelayDirection) -> RelayLegEntry? { flights.last { $0.direction == d } }
        func fate(_ e: RelayLegEntry) -> String {
            switch e.action {
            case nil: "waiting in \(leg.name)'s \(e.direction.rawValue) queue"
            case .dropped?: "lost here"
            case let a?: a == .forwarded ? "passed on" : "passed on (\(a.rawValue))"
            }
        }
        for (side, d) in [("the client", RelayDirection.up), ("the server", .down)] {
            if let e = last(d), let f = e.observation.flight {
                out.append("\(side) last sent \(HandshakeFlight.describe(f))\(e.observation.isResend ? ", a resend" : "")"
                           + "\(e.observation.inferred ? " (inferred)" : ""): \(fate(e))")
            } else {
                out.append("\(side) has sent no handshake flight yet")
            }
        }
        let seconds = quiet == quiet.rounded() ? "\(Int(quiet)) s" : "\(quiet) s"
        switch leg.quietAfterFlight6(now: now, quiet: quiet) {
        case true?: out.append("no flight-5 resend within \(seconds) (twice the timer) of flight 6: the client has it (inferred)")
        case false?: out.append("the client resent flight 5 after flight 6 got through here: it had not got flight 6 then")
        case nil where leg.flight6HasPassed:
            out.append("a flight-5 resend within \(seconds) of flight 6 would say the client lacks flight 6; none so far")
        case nil: break
        }
        if leg.totals.handshakeCompleted {
            out.append("handshake completed (inferred: protected records got through both ways); "
                       + "what follows is encrypted: dtlsh sees its size, not its content")
        } else if let e = flights.last, let f = e.observation.flight {
            let sender = e.direction == .up ? "client" : "server"
            let other = e.direction == .up ? "server" : "client"
            switch e.action {
            case .dropped?:
                out.append("flight \(f) was lost here: \(FlightObservation.recovery(ofLost: f))")
            case nil:
                out.append("flight \(f) waits in the \(e.direction.rawValue) queue: flush \(leg.name) \(e.direction.rawValue) "
                           + "to pass it on, or drop \(leg.name) \(e.direction.rawValue) to lose it")
            default:
                if f < 6 {
                    let next = f == 1 ? "flight 2 (or 4 without a cookie exchange)" : HandshakeFlight.describe(f + 1)
                    out.append("the \(other) should answer with \(next); the \(sender) waits for it, its timer running")
                    out.append("if that is lost: " + FlightObservation.recovery(ofLost: f == 1 ? 2 : f + 1))
                }
            }
        } else {
            out.append("nothing has crossed yet: the client speaks first (ClientHello, flight 1)")
        }
        let up = leg.queue(.up).count, down = leg.queue(.down).count
        if up + down > 0 { out.append("queued: \(up) up, \(down) down (pending \(leg.name))") }
        if leg.unreachable { out.append("upstream unreachable: the server's address answered ICMP port unreachable") }
        if holding { out.append("manual mode: datagrams wait in \(leg.name)'s queues until flush \(leg.name) [up|down]") }
        return out
    }
}
