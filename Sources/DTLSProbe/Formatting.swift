/// Numbers in evidence lines, without Foundation.
enum Formatting {
    /// `value` with `places` decimals (half away from zero).
    static func fixed(_ value: Double, _ places: Int) -> String {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        let whole = Int(scaled / scale)
        let fraction = Int(scaled) - whole * Int(scale)
        var digits = String(fraction)
        while digits.count < places { digits = "0" + digits }
        return (value < 0 && scaled > 0 ? "-" : "") + String(whole) + (places > 0 ? "." + digits : "")
    }
}
