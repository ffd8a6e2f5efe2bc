/// A datagram's records in another order, each record's bytes unchanged: a
/// Finished ahead of its ChangeCipherSpec when flight 5 packs both in one
/// datagram (`swap-records`). Split by the record layer's decoder, joined
/// back record by record.
public enum RecordReordering {
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// Bytes that are not whole records: nothing to reorder safely.
        case notWholeRecords(String)
        /// A record number outside 1…count.
        case noSuchRecord(Int, count: Int)
        /// The same record twice.
        case sameRecord

        public var description: String {
            switch self {
            case let .notWholeRecords(why): "the datagram is not whole records (\(why)): nothing reordered"
            case let .noSuchRecord(n, count):
                count == 1 ? "the datagram holds one record: nothing to swap it with"
                    : "the datagram holds \(count) records: 1-\(count), not \(n)"
            case .sameRecord: "a record cannot be swapped with itself"
            }
        }
    }

    /// `datagram` with records `i` and `j` (0-based) exchanged.
    public static func swapping(_ datagram: [UInt8], _ i: Int, _ j: Int) throws(Failure) -> [UInt8] {
        let split = RecordLayer.split(datagram)
        if let t = split.trailing { throw .notWholeRecords(t.reason) }
        let n = split.records.count
        for k in [i, j] where !(0..<n).contains(k) { throw .noSuchRecord(k + 1, count: n) }
        guard i != j else { throw .sameRecord }
        var records = split.records.map { r in
            datagram[r.offset..<r.offset + RecordHeader.length + r.fragment.count]
        }
        records.swapAt(i, j)
        return records.flatMap { $0 }
    }
}
