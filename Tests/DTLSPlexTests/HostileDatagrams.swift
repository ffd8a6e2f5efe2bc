import FuzzSupport

/// Hostile datagrams for a DTLS server: made from real flights captured from
/// a real handshake, mutated in the ways an attacker or a broken stack would
/// (truncated headers, bad lengths, wrong epochs, records from the future,
/// huge fragment offsets, splices), or plain random bytes.
struct HostileDatagrams {
    var random: SeededRandom
    /// Real datagrams of real handshakes, both directions.
    let corpus: [[UInt8]]

    init(seed: UInt64, corpus: [[UInt8]]) {
        random = SeededRandom(seed: seed)
        self.corpus = corpus.filter { !$0.isEmpty }
    }

    /// The next datagram and the name of the recipe that made it.
    mutating func next() -> ([UInt8], String) {
        switch random.below(20) {
        case 0:
            return (randomBytes(), "random bytes")
        case 1:
            // A header cut short, or nothing at all.
            return (Array(random.pick(corpus).prefix(random.below(26))), "truncated header")
        case 2:
            let d = random.pick(corpus)
            return (Array(d.prefix(random.below(d.count + 1))), "truncated")
        case 3:
            // A plausible record header in front of random bytes.
            var d: [UInt8] = [random.pick([20, 21, 22, 23, 24, 25, 0, 255]), 0xfe, random.pick([0xfd, 0xff, 0x00])]
            d += (0..<10).map { _ in random.byte() }
            d += randomBytes(max: 300)
            return (d, "header and noise")
        case 4:
            // Many tiny records in one datagram.
            var d: [UInt8] = []
            for _ in 0..<(1 + random.below(200)) {
                let body = (0..<random.below(4)).map { _ in random.byte() }
                d += [random.pick([20, 21, 22, 23]), 0xfe, 0xfd, 0, UInt8(random.below(3)), 0, 0, 0, 0, random.byte(), random.byte(),
                      0, UInt8(body.count)] + body
            }
            return (d, "many tiny records")
        case 5:
            return (random.pick(corpus), "replay")
        default:
            var d = random.pick(corpus)
            var names: [String] = []
            for _ in 0..<(1 + random.below(3)) { names.append(mutate(&d)) }
            return (d, names.joined(separator: "+"))
        }
    }

    private mutating func randomBytes(max: Int = 1500) -> [UInt8] {
        // Now and then a large one, up to what UDP carries.
        let n = random.chance(2) ? 1500 + random.below(20_000) : random.below(max + 1)
        return (0..<n).map { _ in random.byte() }
    }

    /// Offsets of the record headers in `d` (as far as they parse).
    private func recordOffsets(_ d: [UInt8]) -> [Int] {
        var out: [Int] = []
        var i = 0
        while i + 13 <= d.count, out.count < 64 {
            out.append(i)
            i += 13 + (Int(d[i + 11]) << 8 | Int(d[i + 12]))
        }
        return out
    }

    private mutating func put16(_ d: inout [UInt8], _ at: Int, _ v: Int) {
        guard at + 2 <= d.count else { return }
        d[at] = UInt8(truncatingIfNeeded: v >> 8)
        d[at + 1] = UInt8(truncatingIfNeeded: v)
    }

    private mutating func put24(_ d: inout [UInt8], _ at: Int, _ v: Int) {
        guard at + 3 <= d.count else { return }
        d[at] = UInt8(truncatingIfNeeded: v >> 16)
        d[at + 1] = UInt8(truncatingIfNeeded: v >> 8)
        d[at + 2] = UInt8(truncatingIfNeeded: v)
    }

    private mutating func interesting16() -> Int { random.pick([0, 1, 12, 13, 255, 256, 0x3fff, 0x4000, 0x7fff, 0xfffe, 0xffff, random.below(65_536)]) }
    private mutating func interesting24() -> Int { random.pick([0, 1, 12, 0xff, 0x4000, 0xfffe, 0xffffff, 0x7fffff, random.below(1 << 24)]) }

    /// One mutation in place; returns its name.
    private mutating func mutate(_ d: inout [UInt8]) -> String {
        // A recipe that does not apply (no record to aim at) gives way to another.
        for _ in 0..<4 {
            if let name = mutateOnce(&d) { return name }
        }
        if d.isEmpty { d = [22] }
        let i = random.below(d.count)
        d[i] = d[i] &+ UInt8(random.pick([1, 255, 16, 240]))
        return "arithmetic"
    }

    private mutating func mutateOnce(_ d: inout [UInt8]) -> String? {
        let records = recordOffsets(d)
        let r = records.isEmpty ? nil : random.pick(records)
        switch random.below(14) {
        case 0:
            guard let r else { return nil }
            put16(&d, r + 11, random.chance(50) ? interesting16() : (Int(d[r + 11]) << 8 | Int(d[r + 12])) + random.pick([-1, 1, -13, 13]))
            return "bad record length"
        case 1:
            guard let r else { return nil }
            put16(&d, r + 3, random.pick([0, 1, 2, 3, 0x7fff, 0xffff, random.below(65_536)]))
            return "wrong epoch"
        case 2:
            guard let r else { return nil }
            // From the future: a later epoch, or a sequence number far ahead.
            if random.chance(50) {
                let epoch = Int(d[r + 3]) << 8 | Int(d[r + 4])
                put16(&d, r + 3, epoch + 1 + random.below(3))
            } else {
                for i in 0..<6 where r + 5 + i < d.count { d[r + 5 + i] = i == 0 ? 0xff : random.byte() }
            }
            return "record from the future"
        case 3:
            guard let r, r + 25 <= d.count else { return nil }
            // Handshake header: length, message_seq, fragment offset and length.
            switch random.below(4) {
            case 0: put24(&d, r + 13 + 6, interesting24())
            case 1: put24(&d, r + 13 + 9, interesting24())
            case 2: put24(&d, r + 13 + 1, interesting24())
            default: put16(&d, r + 13 + 4, interesting16())
            }
            return "huge fragment fields"
        case 4:
            guard let r else { return nil }
            d[r] = random.pick([0, 19, 20, 21, 22, 23, 24, 25, 26, 255])
            return "content type"
        case 5:
            guard let r else { return nil }
            put16(&d, r + 1, random.pick([0xfeff, 0xfefd, 0xfefc, 0x0303, 0x0000, 0xffff]))
            return "version"
        case 6:
            guard !d.isEmpty else { return nil }
            for _ in 0..<(1 + random.below(8)) { d[random.below(d.count)] ^= UInt8(1) << UInt8(random.below(8)) }
            return "bit flips"
        case 7:
            guard !d.isEmpty else { return nil }
            for _ in 0..<(1 + random.below(8)) { d[random.below(d.count)] = random.pick([0, 0xff, 0x7f, 0x80, random.byte()]) }
            return "bytes set"
        case 8:
            // Records of another datagram appended, or the datagram doubled.
            let extra = random.chance(50) ? random.pick(corpus) : d
            d += extra
            if d.count > 60_000 { d.removeSubrange(60_000...) }
            return "splice"
        case 9:
            let at = random.below(d.count + 1)
            d.insert(contentsOf: (0..<(1 + random.below(32))).map { _ in random.byte() }, at: at)
            return "insert"
        case 10:
            guard !d.isEmpty else { return nil }
            let at = random.below(d.count)
            d.removeSubrange(at..<min(d.count, at + 1 + random.below(32)))
            return "delete"
        case 11:
            // Inside a ClientHello: session id, cookie, cipher suites and
            // extensions lengths (offsets of the captured hello's fields).
            guard d.count > 60, d[0] == 22, d[13] == 1 else { return nil }
            let sid = 13 + 12 + 2 + 32
            switch random.below(3) {
            case 0: d[sid] = random.pick([33, 255, random.byte()])
            default:
                let cookieAt = sid + 1 + Int(d[sid])
                if cookieAt < d.count { d[cookieAt] = random.pick([0, 32, 255, random.byte()]) }
            }
            return "hello lengths"
        case 12:
            // Cut in the middle of the last record.
            guard d.count > 14 else { return nil }
            d.removeSubrange((d.count - 1 - random.below(min(d.count - 13, 64)))...)
            return "cut record"
        default:
            guard !d.isEmpty else { return nil }
            let i = random.below(d.count)
            d[i] = d[i] &+ UInt8(random.pick([1, 255, 16, 240]))
            return "arithmetic"
        }
    }
}
