/// A min-heap of peer deadlines. Entries are never updated in place: a peer
/// that reschedules pushes a new entry with a new generation, and stale ones
/// are skipped when they surface.
struct TimerHeap {
    struct Entry {
        var deadline: Double
        var peerID: Int
        var generation: Int
    }

    private var items: [Entry] = []

    var isEmpty: Bool { items.isEmpty }
    var count: Int { items.count }
    var first: Entry? { items.first }

    mutating func push(_ e: Entry) {
        items.append(e)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[i].deadline < items[parent].deadline else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> Entry? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        siftDown(from: 0)
        return top
    }

    /// Moves the entry at `start` down until neither child is earlier.
    private mutating func siftDown(from start: Int) {
        var i = start
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < items.count && items[l].deadline < items[m].deadline { m = l }
            if r < items.count && items[r].deadline < items[m].deadline { m = r }
            if m == i { return }
            items.swapAt(i, m)
            i = m
        }
    }

    mutating func removeAll() { items.removeAll() }

    /// Drops the entries `isLive` rejects and restores the heap order, in
    /// linear time: stale entries of peers long gone would otherwise stay
    /// until their deadline (minutes for an idle timeout), making every push
    /// and pop walk, and miss the cache on, a heap many times too deep.
    mutating func compact(keeping isLive: (Entry) -> Bool) {
        items.removeAll { !isLive($0) }
        for start in stride(from: items.count / 2 - 1, through: 0, by: -1) { siftDown(from: start) }
    }
}
