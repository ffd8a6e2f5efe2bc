/// One decoded field for the byte-level trace: what it is called, what it says,
/// what it contains, and exactly which bytes it came from.
public struct Field: Sendable, Equatable {
    public var name: String
    public var value: String
    public var children: [Field]
    /// Offsets in the decoded buffer (the datagram, for `DatagramDecoder.decode`).
    public var byteRange: Range<Int>

    public init(name: String, value: String, children: [Field] = [], byteRange: Range<Int>) {
        self.name = name
        self.value = value
        self.children = children
        self.byteRange = byteRange
    }

    /// Depth-first search by name, for tests and for `expect`-style lookups.
    public func first(named name: String) -> Field? {
        if self.name == name { return self }
        for child in children {
            if let hit = child.first(named: name) { return hit }
        }
        return nil
    }

    /// Every field of the tree, depth first, this one included.
    public var flattened: [Field] {
        [self] + children.flatMap(\.flattened)
    }
}
