/// Datagrams a relay holds until their time (`--delay`, `--jitter`), in
/// order of when they are due; equal times keep their arrival order.
struct DelayLine {
    struct Entry {
        var due: Double
        var order: Int
        var leg: RelayLeg
        var direction: RelayDirection
        var bytes: [UInt8]
    }

    /// The most datagrams held at once: past it a datagram is dropped, so a
    /// flood cannot grow the relay without bound.
    static let capacity = 10_000
    private(set) var entries: [Entry] = []
    private var made = 0

    var nextDue: Double? { entries.first?.due }
    var isFull: Bool { entries.count >= Self.capacity }

    mutating func add(_ bytes: [UInt8], on leg: RelayLeg, _ direction: RelayDirection, due: Double) {
        made += 1
        let entry = Entry(due: due, order: made, leg: leg, direction: direction, bytes: bytes)
        // Binary search for the first entry due later.
        var lo = 0, hi = entries.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if entries[mid].due <= due { lo = mid + 1 } else { hi = mid }
        }
        entries.insert(entry, at: lo)
    }

    /// Takes the entries due by `now`, in order.
    mutating func takeDue(_ now: Double) -> [Entry] {
        let n = entries.prefix { $0.due <= now }.count
        let due = Array(entries.prefix(n))
        entries.removeFirst(n)
        return due
    }

    /// Takes every entry of `leg` at once (the leg closes).
    mutating func flush(_ leg: RelayLeg, _ send: (Entry) -> Void) {
        let mine = entries.filter { $0.leg === leg }
        entries.removeAll { $0.leg === leg }
        mine.forEach(send)
    }
}
