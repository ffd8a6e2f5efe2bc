/// NewSessionTicket (RFC 5077 §3.3): an opaque ticket for resumption.
public struct NewSessionTicket: Sendable, Equatable {
    /// Seconds; 0 means unspecified.
    public var lifetimeHint: UInt32
    public var ticketLength: Int

    static func read(_ r: inout FieldReader) -> NewSessionTicket? {
        guard let lifetime = r.u32("ticket_lifetime_hint", { "\($0)s" }),
              let ticket = r.opaque("ticket", prefix: 2)
        else { return nil }
        r.expectEnd("NewSessionTicket")
        return NewSessionTicket(lifetimeHint: lifetime, ticketLength: ticket.count)
    }
}
