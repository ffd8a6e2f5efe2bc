/// A `ByteReader` that writes down every field it reads, so the typed decode and
/// the field tree come from one pass and cannot disagree.
///
/// Every read either succeeds or leaves a `DecodeNote` saying what was missing
/// and returns nil; callers give up on the current message and keep what they have.
struct FieldReader {
    var reader: ByteReader
    var fields: [Field] = []
    var notes: [DecodeNote] = []

    init(_ reader: ByteReader) {
        self.reader = reader
    }

    var offset: Int { reader.offset }
    var remaining: Int { reader.remaining }
    var isAtEnd: Bool { reader.isAtEnd }

    mutating func note(_ message: String, at offset: Int? = nil) {
        notes.append(DecodeNote(offset: offset ?? reader.offset, message: message))
    }

    /// Records a field that ends at the current position.
    mutating func add(_ name: String, _ value: String, from start: Int, children: [Field] = []) {
        fields.append(Field(name: name, value: value, children: children, byteRange: start..<reader.offset))
    }

    private mutating func missing(_ name: String, needs count: Int) {
        note("\(name): needs \(count) byte(s), \(remaining) left")
    }

    // MARK: - Integers

    mutating func u8(_ name: String, _ show: (UInt8) -> String = { String($0) }) -> UInt8? {
        let start = offset
        guard let v = reader.u8() else { missing(name, needs: 1); return nil }
        add(name, show(v), from: start)
        return v
    }

    mutating func u16(_ name: String, _ show: (UInt16) -> String = { String($0) }) -> UInt16? {
        let start = offset
        guard let v = reader.u16() else { missing(name, needs: 2); return nil }
        add(name, show(v), from: start)
        return v
    }

    mutating func u24(_ name: String, _ show: (UInt32) -> String = { String($0) }) -> UInt32? {
        let start = offset
        guard let v = reader.u24() else { missing(name, needs: 3); return nil }
        add(name, show(v), from: start)
        return v
    }

    mutating func u32(_ name: String, _ show: (UInt32) -> String = { String($0) }) -> UInt32? {
        let start = offset
        guard let v = reader.u32() else { missing(name, needs: 4); return nil }
        add(name, show(v), from: start)
        return v
    }

    mutating func u48(_ name: String, _ show: (UInt64) -> String = { String($0) }) -> UInt64? {
        let start = offset
        guard let v = reader.u48() else { missing(name, needs: 6); return nil }
        add(name, show(v), from: start)
        return v
    }

    // MARK: - Byte strings

    /// Exactly `count` bytes.
    mutating func bytes(
        _ name: String, count: Int, _ show: (ArraySlice<UInt8>) -> String = Hex.describe
    ) -> ArraySlice<UInt8>? {
        let start = offset
        guard let body = reader.take(count) else { missing(name, needs: count); return nil }
        add(name, show(body), from: start)
        return body
    }

    /// Whatever is left.
    mutating func rest(_ name: String, _ show: (ArraySlice<UInt8>) -> String = Hex.describe) -> ArraySlice<UInt8> {
        let start = offset
        let body = reader.rest()
        add(name, show(body), from: start)
        return body
    }

    /// A length prefix of 1, 2 or 3 bytes; the length is only checked against the
    /// bytes present, never used to allocate.
    private mutating func length(_ name: String, prefix: Int) -> Int? {
        switch prefix {
        case 1: reader.u8().map(Int.init)
        case 2: reader.u16().map(Int.init)
        default: reader.u24().map(Int.init)
        }
    }

    /// `opaque name<0..2^(8*prefix)-1>`: a length prefix, then that many bytes.
    mutating func opaque(
        _ name: String, prefix: Int, _ show: (ArraySlice<UInt8>) -> String = Hex.describe
    ) -> ArraySlice<UInt8>? {
        let start = offset
        guard let n = length(name, prefix: prefix) else { missing("\(name) length", needs: prefix); return nil }
        guard let body = reader.take(n) else {
            note("\(name): length \(n) runs past the end (\(remaining) byte(s) left)", at: start)
            return nil
        }
        add(name, show(body), from: start)
        return body
    }

    // MARK: - Structure

    /// What became of a length-prefixed vector: a vector whose bytes are all
    /// present but do not decode is different from one that is not there at all,
    /// because the reader can still step over the former.
    enum VectorOutcome<T> {
        case missing
        case malformed
        case decoded(T)

        var value: T? {
            if case .decoded(let v) = self { return v }
            return nil
        }
    }

    /// A length-prefixed vector whose contents `body` decodes into child fields.
    /// Leftover bytes inside the vector are noted; the outer reader always ends
    /// up just past the vector, so one bad element does not derail what follows.
    mutating func vector<T>(
        _ name: String, prefix: Int, summary: (T) -> String, _ body: (inout FieldReader) -> T?
    ) -> T? {
        tryVector(name, prefix: prefix, summary: summary, body).value
    }

    mutating func tryVector<T>(
        _ name: String, prefix: Int, summary: (T) -> String, _ body: (inout FieldReader) -> T?
    ) -> VectorOutcome<T> {
        let start = offset
        guard let n = length(name, prefix: prefix) else {
            missing("\(name) length", needs: prefix)
            return .missing
        }
        guard let inner = reader.sub(n) else {
            note("\(name): length \(n) runs past the end (\(remaining) byte(s) left)", at: start)
            return .missing
        }
        var child = FieldReader(inner)
        let value = body(&child)
        if value != nil && !child.isAtEnd {
            child.note("\(name): \(child.remaining) unexpected byte(s) at the end")
        }
        notes += child.notes
        add(name, value.map(summary) ?? "malformed", from: start, children: child.fields)
        return value.map { .decoded($0) } ?? .malformed
    }

    /// A length-prefixed list of 16-bit code points (suites, groups, schemes, …).
    mutating func u16List(
        _ name: String, prefix: Int, item: String, _ show: (UInt16) -> String, summary: ([UInt16]) -> String
    ) -> [UInt16]? {
        vector(name, prefix: prefix, summary: summary) { r -> [UInt16]? in
            var values: [UInt16] = []
            while !r.isAtEnd {
                guard let v = r.u16(item, show) else { return nil }
                values.append(v)
            }
            return values
        }
    }

    /// A length-prefixed list of 8-bit code points.
    mutating func u8List(
        _ name: String, prefix: Int, item: String, _ show: (UInt8) -> String, summary: ([UInt8]) -> String
    ) -> [UInt8]? {
        vector(name, prefix: prefix, summary: summary) { r -> [UInt8]? in
            var values: [UInt8] = []
            while !r.isAtEnd {
                guard let v = r.u8(item, show) else { return nil }
                values.append(v)
            }
            return values
        }
    }

    /// Groups the fields `body` reads under one parent, with no length prefix.
    mutating func group<T>(_ name: String, summary: (T) -> String, _ body: (inout FieldReader) -> T?) -> T? {
        let start = offset
        var child = FieldReader(reader)
        let value = body(&child)
        reader = child.reader
        notes += child.notes
        add(name, value.map(summary) ?? "malformed", from: start, children: child.fields)
        return value
    }

    /// Notes and records any bytes left after a complete structure.
    mutating func expectEnd(_ what: String) {
        guard !isAtEnd else { return }
        note("\(remaining) unexpected byte(s) after \(what)")
        _ = rest("trailing")
    }
}
