/// A FIFO of whole datagrams. The shell reaches into it by position (drop,
/// duplicate, reorder, edit), so it is indexable, unlike a plain channel.
/// A datagram changed by hand carries its `DatagramMark` through every move
/// until it leaves, so that what sends it can say so.
public struct DatagramQueue: Sendable {
    private var storage: [[UInt8]] = []
    /// Parallel to `storage` once anything was marked, empty until then: the
    /// queues of the loop's peers never pay for marks.
    private var marks: [DatagramMark?] = []
    private var head = 0

    public init() {}

    public var count: Int { storage.count - head }
    public var isEmpty: Bool { count == 0 }
    public var byteCount: Int { storage[head...].reduce(0) { $0 + $1.count } }
    public var first: [UInt8]? { isEmpty ? nil : storage[head] }
    public var all: [[UInt8]] { Array(storage[head...]) }

    public subscript(i: Int) -> [UInt8] { storage[head + i] }

    /// How the datagram at position `i` was changed by hand, if it was.
    public func mark(at i: Int) -> DatagramMark? { marks.isEmpty ? nil : marks[head + i] }

    public mutating func append(_ d: [UInt8]) {
        storage.append(d)
        if !marks.isEmpty { marks.append(nil) }
    }

    public mutating func popFirst() -> [UInt8]? { popFirstMarked()?.bytes }

    /// The next datagram and its mark.
    public mutating func popFirstMarked() -> (bytes: [UInt8], mark: DatagramMark?)? {
        guard head < storage.count else { return nil }
        let d = storage[head]
        let mark = marks.isEmpty ? nil : marks[head]
        storage[head] = []
        head += 1
        // Compact now and then so a long-lived peer does not grow without bound.
        if head > 32 && head * 2 > storage.count {
            storage.removeFirst(head)
            if !marks.isEmpty { marks.removeFirst(head) }
            head = 0
        }
        // Nothing marked is left: back to no marks at all.
        if mark != nil, !marks[head...].contains(where: { $0 != nil }) { marks = [] }
        return (d, mark)
    }

    public mutating func removeAll() -> [[UInt8]] {
        let d = all
        storage.removeAll(keepingCapacity: true)
        marks = []
        head = 0
        return d
    }

    /// Removes the datagram at position `i` (0 = next out).
    @discardableResult
    public mutating func remove(at i: Int) -> [UInt8] {
        if !marks.isEmpty { marks.remove(at: head + i) }
        return storage.remove(at: head + i)
    }

    public mutating func insert(_ d: [UInt8], at i: Int, mark: DatagramMark? = nil) {
        if mark != nil && marks.isEmpty { marks = Array(repeating: nil, count: storage.count) }
        storage.insert(d, at: head + i)
        if !marks.isEmpty { marks.insert(mark, at: head + i) }
    }

    /// Replaces the datagram at position `i`, marking it.
    public mutating func replace(at i: Int, with d: [UInt8], mark: DatagramMark) {
        if marks.isEmpty { marks = Array(repeating: nil, count: storage.count) }
        storage[head + i] = d
        marks[head + i] = mark
    }

    public mutating func swapAt(_ i: Int, _ j: Int) {
        storage.swapAt(head + i, head + j)
        if !marks.isEmpty { marks.swapAt(head + i, head + j) }
    }
}
