import Foundation
import FuzzSupport
import Testing
@testable import DTLSWire

/// A seeded mutation fuzzer over the captured datagrams: bit flips, truncations,
/// length-field smashes, splices, random bytes. It checks that every decode
/// returns, stays within the bytes it was given, and renders.
///
/// `DTLSH_FUZZ_ITERATIONS` sets the count (default 20000; `make fuzz` uses
/// 1000000) and `DTLSH_FUZZ_SEED` the seed, so any failure replays exactly.
@Suite struct FuzzTests {
    @Test func mutatedDatagramsNeverTrapOrRunAway() {
        let environment = ProcessInfo.processInfo.environment
        let iterations = environment["DTLSH_FUZZ_ITERATIONS"].flatMap { Int($0) } ?? 20_000
        let seed = environment["DTLSH_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0x0d71_5eed
        var fuzzer = Fuzzer(seed: seed)
        var reassembler = HandshakeReassembler()
        var slowest = Duration.zero
        var failures = 0

        let clock = ContinuousClock()
        let started = clock.now
        for iteration in 0..<iterations {
            let (input, recipe) = fuzzer.nextInput()
            let keyExchange = fuzzer.pick([nil] + KeyExchangeKind.allCases.map(Optional.some))
            let before = clock.now
            let decoded = DatagramDecoder.decode(input, keyExchange: keyExchange)
            let rendered = decoded.summaryLine.count + decoded.recordLines.count + FieldTree.lines(decoded.fields).count
            for fragment in decoded.handshakeFragments {
                _ = reassembler.add(fragment, keyExchange: keyExchange)
            }
            if let record = decoded.records.last {
                // Ciphertext decoded as if decrypted: more garbage for the message decoders.
                let content = Array(input[(record.offset + RecordHeader.length)..<record.field.byteRange.upperBound])
                _ = DatagramDecoder.decodePlaintext(content, contentType: record.header.contentType)
            }
            slowest = max(slowest, clock.now - before)

            if let problem = Self.violation(decoded, input: input, rendered: rendered) {
                failures += 1
                if failures <= 5 {
                    let hex = Hex.string(input, limit: 4096)
                    Issue.record(Comment(rawValue: "iteration \(iteration) (\(recipe)) seed \(seed): \(problem)\n\(hex)"))
                }
            }
        }
        let elapsed = clock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        print("fuzz: \(iterations) iterations in \(String(format: "%.2f", seconds))s "
              + "(\(Int(Double(iterations) / max(seconds, 1e-9))) /s), seed \(seed), slowest decode \(slowest), "
              + "\(reassembler.pendingCount) reassemblies pending")
        #expect(failures == 0)
        #expect(slowest < .seconds(1))
    }

    /// What must hold whatever the input.
    static func violation(_ d: DecodedDatagram, input: [UInt8], rendered: Int) -> String? {
        if d.length != input.count { return "length \(d.length) != \(input.count)" }
        if d.records.count > input.count / RecordHeader.length { return "\(d.records.count) records" }
        var end = 0
        for record in d.records {
            if record.offset != end { return "record at \(record.offset), expected \(end)" }
            end = record.offset + RecordHeader.length + Int(record.header.length)
        }
        if end > input.count { return "records run to \(end)" }
        if (d.trailing.map { $0.offset + $0.count } ?? end) != input.count { return "bytes unaccounted for" }
        let fields = d.fields.flatMap(\.flattened)
        // Output in proportion to the input, never to a length field.
        if fields.count > 4 * input.count + 8 { return "\(fields.count) fields for \(input.count) bytes" }
        if let bad = fields.first(where: { $0.byteRange.lowerBound < 0 || $0.byteRange.upperBound > input.count }) {
            return "field \(bad.name) at \(bad.byteRange)"
        }
        if d.notes.contains(where: { $0.offset < 0 || $0.offset > input.count }) { return "note outside the input" }
        for record in d.records where record.notes.isEmpty {
            // A message that failed to decode must say why.
            if record.body.handshakeFragments.contains(where: { $0.isWholeMessage && $0.message == nil }) {
                return "record at \(record.offset): undecoded message without a note"
            }
        }
        if rendered == 0 { return "nothing rendered" }
        return nil
    }
}

/// Deterministic input generator: SplitMix64 drives mutations of the corpus.
struct Fuzzer {
    private var random: SeededRandom
    private let corpus: [[UInt8]]
    /// Per corpus entry, the byte ranges of its decoded fields: where the length
    /// prefixes and counts are, so smashes hit structure rather than random noise.
    private let fieldRanges: [[Range<Int>]]

    init(seed: UInt64) {
        random = SeededRandom(seed: seed)
        corpus = CapturedHandshake.all.flatMap { $0.datagrams.map(\.bytes) }
        fieldRanges = corpus.map { bytes in
            DatagramDecoder.decode(bytes).fields.flatMap(\.flattened).map(\.byteRange).filter { !$0.isEmpty }
        }
    }

    mutating func next() -> UInt64 { random.next() }
    mutating func below(_ n: Int) -> Int { random.below(n) }
    mutating func pick<T>(_ items: [T]) -> T { random.pick(items) }

    mutating func nextInput() -> (bytes: [UInt8], recipe: String) {
        let index = below(corpus.count)
        var bytes = corpus[index]
        var recipe: [String] = ["#\(index)"]
        for _ in 0...below(3) {
            recipe.append(mutate(&bytes, ranges: fieldRanges[index]))
        }
        return (bytes, recipe.joined(separator: " "))
    }

    private mutating func mutate(_ bytes: inout [UInt8], ranges: [Range<Int>]) -> String {
        switch below(8) {
        case 0 where !bytes.isEmpty:
            let at = below(bytes.count)
            bytes[at] ^= 1 << UInt8(below(8))
            return "flip@\(at)"
        case 1:
            let keep = below(bytes.count + 1)
            bytes.removeLast(bytes.count - keep)
            return "truncate@\(keep)"
        case 2, 3:
            // Smash the first bytes of a field: length prefixes, counts, types.
            guard let range = ranges.isEmpty ? nil : pick(ranges), range.upperBound <= bytes.count else { break }
            let value = pick([0x00, 0xff, 0x80, 0x7f, 0x01, UInt8(truncatingIfNeeded: next())])
            for at in range.prefix(1 + below(3)) { bytes[at] = value }
            return "smash@\(range.lowerBound)=\(value)"
        case 4:
            let other = pick(corpus)
            let from = below(other.count), count = below(other.count - from + 1)
            let at = below(bytes.count + 1)
            bytes.insert(contentsOf: other[from..<from + count], at: at)
            return "splice@\(at)+\(count)"
        case 5:
            // Zero every epoch, so ciphertext is decoded as if it were plaintext.
            var offset = 0
            while offset + RecordHeader.length <= bytes.count {
                bytes[offset + 3] = 0
                bytes[offset + 4] = 0
                offset += RecordHeader.length + (Int(bytes[offset + 11]) << 8 | Int(bytes[offset + 12]))
            }
            return "epoch0"
        case 6:
            let count = below(64)
            let random = (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) }
            bytes.insert(contentsOf: random, at: below(bytes.count + 1))
            return "random+\(count)"
        default:
            // A fresh record header over random content: random bytes with a chance of getting deep.
            let count = below(300)
            let type = pick([20, 21, 22, 23, UInt8(truncatingIfNeeded: next())])
            let body = (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) }
            bytes = [type, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, UInt8(count >> 8), UInt8(count & 0xff)] + body
            return "randomrecord\(type)+\(count)"
        }
        return "noop"
    }
}
