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

    /// For a process whose engines serve load (`Engine.trimHeapOnlyOnSchedule`):
    /// glibc gives the heap's top back to the system whenever 128 KB of it is
    /// free, so a busy server shrinks and regrows it all the time, and every
    /// regrown page faults (OpenSSL zeroes a 16 KB buffer for each handshake)
    /// — thousands of faults a second. With this, memory goes back only when
    /// an engine returns it (`returnFreed`, once a second after peers went).
    static func holdHeapBetweenTrims() {
        _ = mallopt(M_TRIM_THRESHOLD, 64 << 20)
    }

    /// Idle peers' record buffers, then freed pages, back. Called once a
    /// turn: `engine` is borrowed, not captured in a closure, so the call
    /// makes no reference-counting traffic (a closure here cost a retain and
    /// a release per turn).
    mutating func returnFreed(now t: Double, of engine: Engine) {
        if let after = engine.settings.releaseBuffersAfter, bufferSweepDue(now: t, after: after) {
            for p in engine.peersByID.values where p.status == .established && t - p.lastActivity >= after {
                // Freed buffers are memory for malloc to hand back, as after removed peers.
                if p.releaseBuffers() { freedSinceTrim += 1 }
            }
        }
        trimIfDue(now: t)
    }

    /// Whether to look for peers idle for `after` seconds now.
    private mutating func bufferSweepDue(now t: Double, after: Double) -> Bool {
        guard t - lastBufferSweep >= min(1, after) else { return false }
        lastBufferSweep = t
        return true
    }

    private mutating func trimIfDue(now t: Double) {
        guard freedSinceTrim > 0, t - lastTrim >= 1 else { return }
        freedSinceTrim = 0
        lastTrim = t
        _ = malloc_trim(0)
    }
}
