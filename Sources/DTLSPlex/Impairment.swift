/// Seeded, reproducible loss on the way out, so a lossy session replays the
/// same way every time (`set loss`, `set seed`).
struct Impairment {
    private var state: UInt64
    /// Losses in a row towards each destination, for the burst cap.
    private var run: [SocketAddress: Int] = [:]

    init(seed: UInt64) { state = seed }

    mutating func reseed(_ seed: UInt64) { state = seed }

    /// SplitMix64: tiny, fast and good enough to pick which datagrams to lose.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Loss towards `destination`, never more than `burst` in a row when
    /// `burst` > 0: OpenSSL gives up after 12 retransmissions, so a lab link
    /// that should let every handshake through caps its bursts.
    mutating func shouldLose(percent: Double, burst: Int, toward destination: SocketAddress) -> Bool {
        guard percent > 0 else { return false }
        let inRow = run[destination, default: 0]
        let lose = (burst == 0 || inRow < burst) && shouldDrop(percent: percent)
        if lose {
            run[destination] = inRow + 1
        } else if inRow > 0 {
            run[destination] = nil
        }
        // Bounded: the table forgets when it grows past a server's worth of peers.
        if run.count > 100_000 { run.removeAll() }
        return lose
    }

    mutating func shouldDrop(percent: Double) -> Bool {
        guard percent > 0 else { return false }
        return Double(next() % 1_000_000) / 10_000 < percent
    }
}
