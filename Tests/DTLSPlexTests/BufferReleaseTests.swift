import DTLSPlex
import Testing

/// Idle established peers give OpenSSL's record buffers back; every call that
/// may read or write a record must get them again first (OpenSSL 3.0's DTLS
/// write path would dereference a NULL write buffer otherwise).
@Suite struct BufferReleaseTests {
    private func releasingSettings() -> Engine.Settings {
        var s = pskSettings()
        s.releaseBuffersAfter = 0.05
        return s
    }

    @Test func idlePeersReleaseTheirBuffersAndStillTalk() throws {
        let (server, client, _, _, c1, s1) = try establishedPair(server: releasingSettings(), client: releasingSettings())
        #expect(runAll([server, client], timeout: 3) { c1.buffersReleased && s1.buffersReleased })

        // A write first: SSL_write on a released peer is the call that used to crash.
        try server.send(s1, Array("from the server".utf8))
        #expect(!s1.buffersReleased)
        var got: [[UInt8]] = []
        #expect(runAll([server, client]) {
            got += client.read(c1)
            return !got.isEmpty
        })
        #expect(got == [Array("from the server".utf8)])

        #expect(runAll([server, client], timeout: 3) { c1.buffersReleased && s1.buffersReleased })
        try client.send(c1, Array("from the client".utf8))
        got = []
        #expect(runAll([server, client]) {
            got += server.read(s1)
            return !got.isEmpty
        })
        #expect(got == [Array("from the client".utf8)])

        // close_notify is an alert write: it too needs the buffers back.
        #expect(runAll([server, client], timeout: 3) { c1.buffersReleased && s1.buffersReleased })
        client.close(c1)
        #expect(runAll([server, client]) { s1.status == .closed })
        #expect(s1.endReason == "close_notify received")
    }

    @Test func anIdleEvictionOfAReleasedPeerSendsCloseNotify() throws {
        var serverSettings = releasingSettings()
        serverSettings.idleTimeout = 0.5
        let (server, client, _, _, c1, s1) = try establishedPair(server: serverSettings)
        #expect(runAll([server, client], timeout: 3) { s1.buffersReleased })
        #expect(runAll([server, client], timeout: 3) { c1.status == .closed })
        #expect(c1.endReason == "close_notify received")
    }

    @Test func withoutTheSettingBuffersStay() throws {
        var settings = pskSettings()
        settings.releaseBuffersAfter = nil
        let (server, client, _, _, c1, _) = try establishedPair(server: settings, client: settings)
        let until = client.now() + 0.3
        runAll([server, client], timeout: 1) { client.now() > until }
        #expect(!c1.buffersReleased)
    }
}
