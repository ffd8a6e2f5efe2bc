@testable import DTLSPlex
import Testing

/// The words a discarded record is reported with.
@Suite struct DiscardedRecordTests {
    /// The epoch after the last one wraps: the reason is built, nothing traps.
    @Test func aWrongEpochAtTheLastReadEpochIsWorded() {
        let d = DiscardedRecord(verdict: .wrongEpoch, contentType: 22, epoch: 3, sequence: 0, size: 61, readEpoch: .max)
        #expect(d.reason == "epoch 3 record before any of epoch 0: OpenSSL discards it silently (inferred from the epochs seen)")
        #expect(d.brief == "record 3:0 discarded: epoch not read now (inferred)")
    }

    /// Content types are named as the rest of dtlsh names them.
    @Test func aRecordIsNamedByItsContentType() {
        let d = DiscardedRecord(verdict: .nothingCameOfIt, contentType: 23, epoch: 1, sequence: 4, size: 42, readEpoch: 1)
        #expect(d.reason == "epoch 1 sequence 4 (ApplicationData) read and nothing came of it: discarded, likely a bad MAC (inferred)")
        let early = DiscardedRecord(verdict: .wrongEpoch, contentType: 21, epoch: 1, sequence: 0, size: 39, readEpoch: 0)
        #expect(early.reason.hasPrefix("epoch 1 Alert before the ChangeCipherSpec"))
    }
}
