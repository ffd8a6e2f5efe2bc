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

    /// A verdict alone takes nothing: a record that failed its MAC was never
    /// taken, its number is fresh again and the window has not moved.
    @Test func aVerdictAloneMovesNothing() {
        var w = ReplayWindow()
        #expect(w.check(10) == .fresh)
        #expect(w.verdict(9) == .fresh)
        #expect(w.verdict(9) == .fresh)
        #expect(w.verdict(10) == .replay)
        // A forged record numbered far ahead, not taken: 11 is still fresh.
        #expect(w.verdict(1000) == .fresh)
        #expect(w.check(11) == .fresh)
        #expect(w.verdict(1000) == .fresh)
        // Taken, it moves the window past 11's neighbours.
        w.accept(1000)
        #expect(w.verdict(12) == .tooOld)
        #expect(w.verdict(1000) == .replay)
        #expect(w.verdict(UInt64(1) << 48 - 1) == .fresh)
    }

    /// Taking a number at or behind the window's top keeps the top.
    @Test func acceptingAnOldNumberKeepsTheTop() {
        var w = ReplayWindow()
        w.accept(100)
        w.accept(90)
        w.accept(5)
        #expect(w.verdict(90) == .replay)
        #expect(w.verdict(91) == .fresh)
        #expect(w.verdict(5) == .tooOld)
        #expect(w.verdict(100) == .replay)
    }
}
