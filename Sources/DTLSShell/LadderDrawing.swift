import DTLSPlex

/// Draws recorded datagrams as a sequence diagram: one lifeline per endpoint,
/// one arrow per datagram, and beside it the flight, the messages and what
/// became of it. Box drawing when the terminal speaks UTF-8, ASCII otherwise.
struct LadderDrawing {
    struct Column {
        var name: String
        var address: SocketAddress
    }

    struct Glyphs {
        var lifeline, leaveRight, leaveLeft, shaft, dashed, headRight, headLeft, lost: Character
        var resent, lostWord, pending: String

        static let unicode = Glyphs(lifeline: "│", leaveRight: "├", leaveLeft: "┤", shaft: "─", dashed: "╌",
                                    headRight: "▶", headLeft: "◀", lost: "✗", resent: "↻ ", lostWord: "✗", pending: "…")
        static let ascii = Glyphs(lifeline: "|", leaveRight: "+", leaveLeft: "+", shaft: "-", dashed: ".",
                                  headRight: ">", headLeft: "<", lost: "x", resent: "", lostWord: "x", pending: "...")
    }

    let columns: [Column]
    let glyphs: Glyphs

    /// Lifelines far enough apart for the widest header, and never cramped.
    private var spacing: Int {
        max(22, (columns.map { max($0.name.count, $0.address.description.count) }.max() ?? 0) + 4)
    }
    private var margin: Int { spacing / 2 }
    private func x(_ i: Int) -> Int { margin + i * spacing }
    private var width: Int { x(columns.count - 1) + 1 }

    func lines(_ entries: [LadderEntry]) -> [String] {
        var out = [header(\.name), header { $0.address.description }, String(blank())]
        for entry in entries {
            switch entry {
            case let .arrow(a):
                guard let f = index(a.from), let t = index(a.to) else { continue }
                out.append(String(arrowRow(a, from: f, to: t)) + "  " + annotation(a))
            case let .note(_, at, _, text):
                guard index(at) != nil else { continue }
                out.append(String(blank()) + "  " + text)
            }
        }
        return out.map { $0.trailingSpacesTrimmed }
    }

    private func index(_ a: SocketAddress) -> Int? { columns.firstIndex { $0.address == a } }

    private func header(_ text: (Column) -> String) -> String {
        var row = Array(repeating: Character(" "), count: width + spacing)
        for (i, c) in columns.enumerated() {
            let s = Array(text(c))
            let start = max(0, x(i) - s.count / 2)
            for (k, ch) in s.enumerated() where start + k < row.count { row[start + k] = ch }
        }
        return String(row)
    }

    private func blank() -> [Character] {
        var row = Array(repeating: Character(" "), count: width)
        for i in columns.indices { row[x(i)] = glyphs.lifeline }
        return row
    }

    private func arrowRow(_ a: WireArrow, from f: Int, to t: Int) -> [Character] {
        var row = blank()
        let start = x(f), end = x(t)
        guard start != end else { return row }
        let step = end > start ? 1 : -1
        let shaft = isInFlight(a) ? glyphs.dashed : glyphs.shaft
        row[start] = step > 0 ? glyphs.leaveRight : glyphs.leaveLeft
        // Where the drawn part stops: short of the receiver when the datagram never got there.
        let tip: Int
        switch a.fate {
        case .lost: tip = start + step * max(2, abs(end - start) * 3 / 5)
        default: tip = end - step
        }
        var i = start + step
        while i != tip {
            row[i] = shaft
            i += step
        }
        switch a.fate {
        case .lost, .discarded: row[tip] = glyphs.lost
        case .delivered, .inFlight: row[tip] = step > 0 ? glyphs.headRight : glyphs.headLeft
        }
        return row
    }

    private func isInFlight(_ a: WireArrow) -> Bool {
        if case .inFlight = a.fate { return true }
        return false
    }

    private func annotation(_ a: WireArrow) -> String {
        var s = a.flight.map { "flight \($0)" } ?? ""
        s += String(repeating: " ", count: max(0, 10 - s.count))
        s += "\(a.facts.label) (\(a.size) B)"
        if a.retransmission { s += "  \(glyphs.resent)retransmission" }
        if let mark = a.mark { s += "  [\(mark.rawValue)]" }
        for record in a.discardedRecords { s += "  \(glyphs.lostWord) \(record)" }
        switch a.fate {
        case .delivered: break
        case let .inFlight(socket): s += "  \(glyphs.pending) in flight: recv \(socket)"
        case let .lost(why): s += "  \(glyphs.lostWord) lost: \(why)"
        case let .discarded(why): s += "  \(glyphs.lostWord) discarded: \(why)"
        }
        return s
    }
}

extension String {
    var trailingSpacesTrimmed: String {
        var s = Substring(self)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
