/// Renders field trees for the shell's `trace bytes` level.
public enum FieldTree {
    /// One line per field, children indented under their parent:
    /// `client_version: DTLS 1.2 (0xFEFD)  [25..<27]`.
    public static func lines(_ fields: [Field], indent: String = "  ", showRanges: Bool = true) -> [String] {
        var out: [String] = []
        for field in fields { append(field, depth: 0, indent: indent, showRanges: showRanges, to: &out) }
        return out
    }

    private static func append(_ field: Field, depth: Int, indent: String, showRanges: Bool, to out: inout [String]) {
        let prefix = String(repeating: indent, count: depth)
        var line = field.value.isEmpty ? "\(prefix)\(field.name)" : "\(prefix)\(field.name): \(field.value)"
        if showRanges { line += "  [\(field.byteRange.lowerBound)..<\(field.byteRange.upperBound)]" }
        out.append(line)
        for child in field.children {
            append(child, depth: depth + 1, indent: indent, showRanges: showRanges, to: &out)
        }
    }
}

extension Field {
    /// This field and its children as indented lines.
    public func lines(indent: String = "  ", showRanges: Bool = true) -> [String] {
        FieldTree.lines([self], indent: indent, showRanges: showRanges)
    }
}
