/// `--only` and `--skip` over a battery: the checks to run, in the battery's order.
enum CheckSelection {
    /// `only` (if given) minus `skip`; an unknown id is an error naming the known ones.
    static func select<Check>(_ all: [Check], id: (Check) -> String, only: [String]?, skip: [String]) throws -> [Check] {
        let ids = all.map(id)
        for name in (only ?? []) + skip where !ids.contains(name) {
            throw ProbeError("no check named '\(name)'; checks: \(ids.joined(separator: ", "))")
        }
        return all.filter { (only?.contains(id($0)) ?? true) && !skip.contains(id($0)) }
    }
}
