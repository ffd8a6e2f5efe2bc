import Foundation

/// Two bench runs side by side, scenario by scenario: dtlsh serve and another
/// server (the C reference) loaded by the same generator in the same run.
extension BenchReport {
    static func comparison(_ a: BenchReport, _ b: BenchReport) -> [String] {
        let left = a.serverName ?? a.target, right = b.serverName ?? b.target
        var rows: [[String]] = [["", left, right, "ratio"]]
        func ratio(_ x: Double, _ y: Double) -> String { y > 0 ? "\(Int((100 * x / y).rounded())) %" : "-" }
        func number(_ d: Double) -> String {
            d >= 100 ? String(Int(d.rounded())) : String((d * 100).rounded() / 100)
        }
        for row in a.rows {
            guard let other = b.rows.first(where: { $0.scenario == row.scenario }) else { continue }
            if !row.perPeer, let x = row.perServerCPUSecond, let y = other.perServerCPUSecond {
                rows.append(["\(row.scenario): \(row.unit) per server-CPU-second", number(x), number(y), ratio(x, y)])
            }
            if row.perPeer, let x = row.rssPerPeer, let y = other.rssPerPeer {
                rows.append(["\(row.scenario): RSS bytes per peer (lower is better)", number(x), number(y), ratio(x, y)])
            }
            if row.perPeer, let x = row.heapPerPeer, let y = other.heapPerPeer {
                rows.append(["\(row.scenario): heap bytes per peer (lower is better)", number(x), number(y), ratio(x, y)])
            }
            if !row.perPeer, let x = row.pageFaultsPerUnit, let y = other.pageFaultsPerUnit {
                rows.append(["\(row.scenario): page faults per \(row.singular)", number(x), number(y), ""])
            }
            if !row.perPeer, let x = row.allocationsPerUnit, let y = other.allocationsPerUnit {
                rows.append(["\(row.scenario): heap allocations per \(row.singular)", number(x), number(y), ""])
            }
        }
        let widths = (0..<4).map { c in rows.map { $0[c].count }.max() ?? 0 }
        return ["\(left) against \(right), same load generator, taking turns" + (a.runs > 1 ? " (medians of \(a.runs) runs each):" : ":")] + rows.map { r in
            "  " + r[0].padding(toLength: widths[0], withPad: " ", startingAt: 0)
                + (1..<4).map { c in "  " + String(repeating: " ", count: widths[c] - r[c].count) + r[c] }.joined()
        }
    }
}

extension BenchReport {
    /// One report of several runs of the same scenarios: for each scenario
    /// the run whose main figure is the median (per server-CPU-second, or
    /// bytes per peer for a held population).
    static func median(_ runs: [BenchReport]) -> BenchReport {
        guard var out = runs.first else { preconditionFailure("at least one run") }
        guard runs.count > 1 else { return out }
        out.rows = out.rows.map { row in
            let all = runs.compactMap { r in r.rows.first { $0.scenario == row.scenario } }
            // Failures win: a run with a failure must show.
            if let failed = all.first(where: { $0.result.failed > 0 || $0.result.completed == 0 }) { return failed }
            let key: (BenchReport.Row) -> Double = { r in (r.perPeer ? r.rssPerPeer : r.perServerCPUSecond) ?? 0 }
            let sorted = all.sorted { key($0) < key($1) }
            var median = sorted[sorted.count / 2]
            median.scenario = row.scenario
            return median
        }
        out.runs = runs.count
        return out
    }
}

extension BenchReport.Row {
    var perServerCPUSecond: Double? { serverCPU.flatMap { $0 > 0 ? Double(result.completed) / $0 : nil } }
    var rssPerPeer: Double? {
        guard let a = rssAfter, let b = rssBefore, result.completed > 0 else { return nil }
        return Double(a - b) / Double(result.completed)
    }
    var heapPerPeer: Double? { heapGrowth.flatMap { result.completed > 0 ? Double($0) / Double(result.completed) : nil } }
    var pageFaultsPerUnit: Double? { pageFaults.flatMap { result.completed > 0 ? Double($0) / Double(result.completed) : nil } }
    var allocationsPerUnit: Double? { allocations.flatMap { result.completed > 0 ? Double($0) / Double(result.completed) : nil } }
}
