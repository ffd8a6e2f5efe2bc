import DTLSWire
import Testing

@Suite struct ReplayWindowTests {
    @Test func freshReplayAndTooOld() {
        var w = ReplayWindow()
        #expect(w.check(5) == .fresh)
        #expect(w.check(5) == .replay)
        #expect(w.check(3) == .fresh)
        #expect(w.check(3) == .replay)
        #expect(w.check(200) == .fresh)
        #expect(w.check(5) == .tooOld)
        #expect(w.check(137) == .fresh)
        #expect(w.check(136) == .tooOld)
        #expect(w.check(199) == .fresh)
        #expect(w.check(200) == .replay)
    }

    /// A record that failed its MAC was never taken: its number is fresh again.
    @Test func aForgottenNumberIsFreshAgain() {
        var w = ReplayWindow()
        #expect(w.check(10) == .fresh)
        #expect(w.check(9) == .fresh)
        w.forget(9)
        #expect(w.check(9) == .fresh)
        #expect(w.check(9) == .replay)
        w.forget(500)
        #expect(w.check(10) == .replay)
    }
}
