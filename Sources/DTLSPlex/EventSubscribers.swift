/// Who listens to an engine's events, and the union of what they want:
/// every place that emits asks first, so nothing is built for nobody.
struct EventSubscribers {
    private var handlers: [(EventInterest, (Event) -> Void)] = []
    /// What at least one subscriber wants.
    private(set) var interest: EventInterest = []

    var isEmpty: Bool { handlers.isEmpty }

    mutating func add(_ interest: EventInterest, _ handler: @escaping (Event) -> Void) {
        handlers.append((interest, handler))
        self.interest.formUnion(interest)
    }

    /// To every subscriber that wants an event of this kind.
    func deliver(_ event: Event, as type: EventInterest) {
        for (wanted, handler) in handlers where !wanted.isDisjoint(with: type) { handler(event) }
    }
}
