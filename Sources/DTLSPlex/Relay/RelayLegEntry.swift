import DTLSWire

/// One line of a leg's story, for `ladder LEG` and `explain LEG`.
public struct RelayLegEntry: Sendable {
    /// Numbered in arrival order on the leg.
    public var id = 0
    public var time: Double
    public var direction: RelayDirection
    /// Nil: arrived and held (manual mode); otherwise what became of it.
    public var action: RelayAction?
    public var size: Int
    public var observation: FlightObservation
}
