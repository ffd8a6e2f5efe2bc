extension Engine {
    /// What an engine is asked to do: its TLS configuration, caps, clocks and
    /// impairments. Sockets and peers take them when they are made.
    public struct Settings: Sendable {
        public var tls: TLSConfiguration
        /// Datagram payload limit given to SSL_set_mtu.
        public var mtu = 1400
        /// The HelloVerifyRequest round before any per-peer state.
        public var cookies = true
        public var maxPeers = 10_000
        /// Server peers still handshaking, per socket.
        public var halfOpenLimit = 1_000
        /// Of those, the most one source address may hold (an IPv4 address,
        /// an IPv6 /64): one host with many ports cannot fill the cap for
        /// everybody. nil: a quarter of the cap.
        public var halfOpenShare: Int?
        /// The cookie master key (`serve --cookie-key FILE`): servers that
        /// share it accept each other's cookies. nil: random per process.
        public var cookieMasterKey: [UInt8]?
        public var effectiveHalfOpenShare: Int { halfOpenShare ?? max(1, halfOpenLimit / 4) }
        /// Evict a peer after this long with no datagram in; nil never.
        public var idleTimeout: Double?
        /// Fail a handshake not done after this long; nil never.
        public var handshakeTimeout: Double?
        /// Keep closed and failed peers for inspection (the shell) or free them at once (servers).
        public var keepFinishedPeers = true
        /// Step, flush and fire timers without being asked.
        public var auto = false
        /// Outbound loss, in percent, from a seeded generator.
        public var lossPercent = 0.0
        /// At most this many losses in a row towards one destination; 0 no cap.
        public var lossBurst = 0
        /// Outbound datagrams sent twice, in percent.
        public var duplicatePercent = 0.0
        /// Outbound datagrams held back and sent after the next one, in percent.
        public var reorderPercent = 0.0
        public var seed: UInt64 = 1
        /// Give OpenSSL's record buffers of an established peer back after
        /// this long without a datagram in (they return with the next one);
        /// nil keeps them.
        public var releaseBuffersAfter: Double? = 1
        /// Follow every peer's records and messages through OpenSSL's message
        /// callback: its flights, alerts and write epoch (what the shell's
        /// ladder, explain and `peers` show) and the record, message and alert
        /// events. A server that reports nothing per peer goes without: the
        /// callback runs for every record and message, a few hundred
        /// nanoseconds a handshake.
        public var followsMessages = true

        public init(tls: TLSConfiguration = TLSConfiguration()) {
            self.tls = tls
        }
    }
}
