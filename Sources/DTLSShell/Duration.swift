/// A span of time as the shell's commands take it (`wait for 2s`, `sleep 500ms`),
/// at most a day.
public enum Duration {
    /// `500ms`, `2s`, `1.5` (seconds), `1m`.
    public static func parse(_ s: String) -> Double? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60)]
        for (suffix, scale) in units where s.hasSuffix(suffix) {
            guard let v = Double(s.dropLast(suffix.count)), v >= 0, v.isFinite, v * scale <= 86_400 else { return nil }
            return v * scale
        }
        guard let v = Double(s), v >= 0, v.isFinite, v <= 86_400 else { return nil }
        return v
    }
}
