import DTLSWire

/// A datagram a relay holds in one of a leg's queues (manual mode) until it
/// is flushed, dropped, duplicated or moved; classified when it arrived, so
/// moving it around does not count it twice.
public struct HeldDatagram: Sendable {
    public var bytes: [UInt8]
    public var observation: FlightObservation
    /// Its line in the leg's history, which says what became of it.
    var entry: Int
    /// Changed by hand while it waited (`edit LEG …`).
    public internal(set) var edited = false
}
