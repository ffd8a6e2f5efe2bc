#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// What has been read from the terminal and decoded but not yet handed to libedit.
///
/// The editor reads the terminal itself, never libedit: every read is non-blocking and bounded, and
/// what follows a finished line (the rest of a paste) waits here for the next call.
struct TerminalReader {
    enum Outcome { case nothing, read, closed }

    let descriptor: Int32
    private var decoder = TypedInputDecoder()
    private var items: [TypedInput] = []
    private var next = 0
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    var hasItems: Bool { next < items.count }

    mutating func popItem() -> TypedInput? {
        guard next < items.count else {
            items.removeAll(keepingCapacity: true)
            next = 0
            return nil
        }
        defer { next += 1 }
        return items[next]
    }

    /// Reads and decodes what the terminal has now (at most a few reads, so the engine's events keep flowing
    /// during a long paste; the rest is read on the loop's next turn).
    mutating func readAvailable() -> Outcome {
        var outcome = Outcome.nothing
        for _ in 0..<16 {
            switch Terminal.readiness(of: descriptor) {
            case .idle:
                if decoder.isWaitingForMore {
                    // The rest of an escape sequence or character is normally in the same write; wait briefly.
                    if Terminal.waitReadable(descriptor, milliseconds: 30) { continue }
                    items += decoder.flush()
                }
                return outcome
            case .closed:
                return outcome == .read ? .read : .closed
            case .ready, .readableButEmpty:
                // A read says which: bytes, end of file (0), nothing after all (EAGAIN) or an error.
                break
            }
            switch readOnce() {
            case .some(0): return outcome == .read ? .read : .closed
            case .none: return outcome
            case .some: outcome = .read
            }
        }
        return outcome
    }

    /// Waits for the terminal (in 100 ms steps, up to an hour) until something decodes, for a libedit
    /// command that reads more keys (Ctrl-R's search). `false` when Ctrl-C is pending or the terminal
    /// ended.
    mutating func waitForItems() -> Bool {
        for _ in 0..<(10 * 3600) where !hasItems {
            if Terminal.interruptIsPending() { return false }
            guard Terminal.waitReadable(descriptor, milliseconds: 100) else { continue }
            if readOnce() == 0 { return false }
        }
        return hasItems
    }

    /// Forgets what was read and not used, and any half-decoded sequence (Ctrl-C abandons the line).
    mutating func discard() {
        items.removeAll()
        next = 0
        decoder.reset()
    }

    /// One non-blocking read, decoded: the byte count, 0 at the end of input, `nil` when nothing was
    /// there after all.
    private mutating func readOnce() -> Int? {
        let count = buffer.withUnsafeMutableBytes { Terminal.readWithoutWaiting(descriptor, into: $0) }
        if count < 0 && (errno == EINTR || errno == EAGAIN) { return nil }
        guard count > 0 else { return 0 }
        items += decoder.decode(buffer[..<count])
        return count
    }
}
