import DTLSPlex
import DTLSWire

/// One JSON object per relay event (docs/events.schema.json, the `relay_*` events).
public enum RelayEventJSON {
    public static func line(_ e: RelayEvent) -> String {
        var j = JSONWriter()
        j.add("t", e.time)
        j.add("event", e.name)
        j.add("relay", e.relay)
        j.add("leg", e.leg)
        switch e.kind {
        case let .opened(listen, upstream):
            j.add("listen", listen.description)
            j.add("upstream", upstream.description)
        case let .legOpened(client, via, server):
            j.add("client", client.description)
            j.add("via", via.description)
            j.add("server", server.description)
        case let .datagram(direction, action, bytes, seen, reason, recovery):
            j.add("direction", direction.rawValue)
            j.add("action", action.rawValue)
            j.add("bytes", bytes.count)
            if let f = seen.flight { j.add("flight", f) } else { j.addRaw("flight", "null") }
            j.add("resend", seen.isResend)
            j.add("inferred", seen.inferred)
            j.addRaw("messages", "[" + seen.names.map(JSONWriter.quote).joined(separator: ",") + "]")
            j.add("encrypted", seen.encrypted)
            j.add("unclassifiable", seen.unclassifiable)
            j.add("reason", reason)
            j.add("recovery", recovery)
        case let .held(direction, bytes, seen, position):
            j.add("direction", direction.rawValue)
            j.add("bytes", bytes.count)
            if let f = seen.flight { j.add("flight", f) } else { j.addRaw("flight", "null") }
            j.add("resend", seen.isResend)
            j.addRaw("messages", "[" + seen.names.map(JSONWriter.quote).joined(separator: ",") + "]")
            j.add("position", position)
        case .handshakeCompleted:
            j.add("inferred", true)
            j.add("how", "records at epoch 1 both ways")
        case let .upstreamUnreachable(server):
            j.add("server", server.description)
            j.add("reason", "ICMP port unreachable")
        case let .refused(from, size, reason):
            j.add("from", from.description)
            j.add("size", size)
            j.add("reason", reason)
        case let .legClosed(reason):
            j.add("reason", reason)
        case let .totals(t):
            j.add("client", t.client.description)
            j.add("up", t.up)
            j.add("down", t.down)
            j.add("dropped", t.dropped)
            j.add("duplicated", t.duplicated)
            j.add("reordered", t.reordered)
            j.add("delayed", t.delayed)
            j.add("edited", t.edited)
            j.add("handshake_completed", t.handshakeCompleted)
            j.add("inferred", true)
        }
        return j.string
    }
}
