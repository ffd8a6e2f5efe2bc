internal import CSystem
import Glibc

/// When an engine gives memory back. glibc keeps what freed peers held
/// (about 70 KB each) for reuse, so a server that once held many peers would
/// keep that resident for good; after peers go, whole free pages go back to
/// the system, at most once a second (the walk costs a few milliseconds).
/// Established peers idle long enough give OpenSSL's record buffers back,
/// looked for at most once a second too.
struct MemoryReturn {
    /// Peers freed, and idle peers' buffers given back, since pages last went back.
    var freedSinceTrim = 0
    private var lastTrim = 0.0
    private var lastBufferSweep = 0.0

    /// See `Engine.trimHeapOnlyOnSchedule`.
    static func holdHeapBetweenTrims() {
        _ = mallopt(M_TRIM_THRESHOLD, 64 << 20)
    }

    /// Whether to look for peers idle for `after` seconds now.
    mutating func bufferSweepDue(now t: Double, after: Double) -> Bool {
        guard t - lastBufferSweep >= min(1, after) else { return false }
        lastBufferSweep = t
        return true
    }

    mutating func trimIfDue(now t: Double) {
        guard freedSinceTrim > 0, t - lastTrim >= 1 else { return }
        freedSinceTrim = 0
        lastTrim = t
        _ = malloc_trim(0)
    }
}
