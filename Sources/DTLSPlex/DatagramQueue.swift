/// A FIFO of whole datagrams. The shell reaches into it by position (drop,
/// duplicate, reorder), so it is indexable, unlike a plain channel.
public struct DatagramQueue: Sendable {
    private var storage: [[UInt8]] = []
    private var head = 0

    public init() {}

    public var count: Int { storage.count - head }
    public var isEmpty: Bool { count == 0 }
    public var byteCount: Int { storage[head...].reduce(0) { $0 + $1.count } }
    public var first: [UInt8]? { isEmpty ? nil : storage[head] }
    public var all: [[UInt8]] { Array(storage[head...]) }

    public subscript(i: Int) -> [UInt8] { storage[head + i] }

    public mutating func append(_ d: [UInt8]) { storage.append(d) }

    public mutating func popFirst() -> [UInt8]? {
        guard head < storage.count else { return nil }
        let d = storage[head]
        storage[head] = []
        head += 1
        // Compact now and then so a long-lived peer does not grow without bound.
        if head > 32 && head * 2 > storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return d
    }

    public mutating func removeAll() -> [[UInt8]] {
        let d = all
        storage.removeAll(keepingCapacity: true)
        head = 0
        return d
    }

    /// Removes the datagram at position `i` (0 = next out).
    @discardableResult
    public mutating func remove(at i: Int) -> [UInt8] { storage.remove(at: head + i) }

    public mutating func insert(_ d: [UInt8], at i: Int) { storage.insert(d, at: head + i) }

    public mutating func swapAt(_ i: Int, _ j: Int) { storage.swapAt(head + i, head + j) }
}
