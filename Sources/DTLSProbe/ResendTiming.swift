/// The resends of a flight, timed: what the server and the client timer checks both report.
struct ResendTiming {
    /// Milliseconds between the first transmission and each resend, in order.
    let intervals: [Double]
    /// The median ratio of one interval to the one before (nil with one resend).
    let backoff: Double?

    /// From the arrival times (seconds) of the first transmission and its resends; nil without a resend.
    init?(times: [Double]) {
        intervals = zip(times.dropFirst(), times).map { ($0 - $1) * 1000 }
        guard !intervals.isEmpty else { return nil }
        let ratios = zip(intervals.dropFirst(), intervals).map { $0 / $1 }
        backoff = ratios.isEmpty ? nil : ratios.sorted()[ratios.count / 2]
    }

    var initial: Double { intervals[0] }

    var measured: [(String, MeasuredValue)] {
        var m: [(String, MeasuredValue)] = [
            ("initial_timeout_ms", .number(initial.rounded())), ("retransmissions", .number(Double(intervals.count))),
            ("intervals_ms", .numbers(intervals.map { $0.rounded() })),
        ]
        if let backoff { m.append(("backoff", .number((backoff * 100).rounded() / 100))) }
        return m
    }

    /// "3 resend(s) after 1000, 2000, 4000 ms; backoff ×2.00"
    var evidence: String {
        let shown = intervals.map { String(Int($0.rounded())) }.joined(separator: ", ")
        var e = "\(intervals.count) resend(s) after \(shown) ms"
        if let backoff { e += "; backoff ×\(Formatting.fixed(backoff, 2))" }
        return e
    }
}
