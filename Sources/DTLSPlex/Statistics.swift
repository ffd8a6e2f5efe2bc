extension Engine {
    /// What an engine has counted since it started.
    public struct Statistics: Sendable {
        public var datagramsIn = 0, datagramsOut = 0, bytesIn = 0, bytesOut = 0
        public var cookiesSent = 0, cookiesOK = 0, cookiesBad = 0
        public var peersCreated = 0, handshakesCompleted = 0, handshakesFailed = 0
        public var peersClosed = 0, peersEvicted = 0
        public var retransmits = 0
        public var messagesIn = 0, messagesOut = 0
        /// The most peers at once, and the most server peers still
        /// handshaking on one socket at once: what the caps bound.
        public var peersPeak = 0, halfOpenPeak = 0
        /// Datagrams dropped, by reason.
        public var dropped: [String: Int] = [:]
        public var droppedTotal: Int { dropped.values.reduce(0, +) }
    }
}
