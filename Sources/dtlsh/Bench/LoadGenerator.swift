import DTLSPlex
import Glibc

/// Drives DTLS clients on one engine against a server: full handshakes,
/// echo round trips, or peers held open. Every loop is bounded by a deadline.
final class LoadGenerator {
    struct Result {
        var completed = 0
        var failed = 0
        var seconds = 0.0
        var latencies: [Double] = []
        var established = 0

        func percentile(_ q: Double) -> Double? {
            guard !latencies.isEmpty else { return nil }
            let sorted = latencies.sorted()
            return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * q + 0.5))]
        }
    }

    let engine: Engine
    let target: SocketAddress
    private var sockets: [EngineSocket] = []
    private var counter = 0

    init(target: SocketAddress, tls: TLSConfiguration, mtu: Int, timerInitial: Int?) {
        var settings = Engine.Settings(tls: tls)
        settings.auto = true
        settings.mtu = mtu
        settings.keepFinishedPeers = false
        settings.handshakeTimeout = 30
        settings.tls.timerInitialMilliseconds = timerInitial
        engine = Engine(settings: settings)
        self.target = target
    }

    /// One client socket per concurrent peer: a server tells peers apart by source address.
    private func socket(_ i: Int) throws -> EngineSocket {
        while sockets.count <= i {
            let local = try SocketAddress(parsing: target.family == .inet ? "127.0.0.1:0" : "[::1]:0")
            sockets.append(try engine.openSocket(name: "s\(sockets.count)", bind: local, accepting: false))
        }
        return sockets[i]
    }

    /// A new socket in slot `i`, on a new port: the next client there is a
    /// stranger to the server, not the one before it starting over.
    private func renewSocket(_ i: Int) throws {
        guard i < sockets.count else { return }
        engine.closeSocket(sockets[i])
        let local = try SocketAddress(parsing: target.family == .inet ? "127.0.0.1:0" : "[::1]:0")
        sockets[i] = try engine.openSocket(name: "s\(i)", bind: local, accepting: false)
    }

    private func start(on i: Int) throws -> (Peer, Double) {
        counter += 1
        let p = try engine.connect(name: "p\(counter)", socket: try socket(i), to: target)
        return (p, engine.now())
    }

    /// `count` full handshakes, `concurrency` at a time, each closed with
    /// close_notify — or, with `vanish`, dropped without a word, as a client
    /// that loses power would: the server learns of it only by idle eviction.
    /// With `rate`, no more than that many handshakes begin per second.
    func handshakes(count: Int, concurrency: Int, deadline: Double, vanish: Bool = false, rate: Double? = nil) throws -> Result {
        var r = Result()
        var slots = [(Peer, Double)?](repeating: nil, count: min(concurrency, count))
        var started = 0
        let begin = engine.now()
        func mayStart() -> Bool {
            started < count && (rate.map { Double(started) < (engine.now() - begin) * $0 + 1 } ?? true)
        }
        while r.completed + r.failed < count, engine.now() - begin < deadline {
            for i in slots.indices where slots[i] == nil && mayStart() {
                slots[i] = try start(on: i)
                started += 1
            }
            engine.runOnce(timeout: rate == nil ? 0.05 : 0.01)
            for i in slots.indices {
                guard let (p, t0) = slots[i] else { continue }
                switch p.status {
                case .handshaking:
                    continue
                case .established:
                    r.completed += 1
                    r.latencies.append(engine.now() - t0)
                    if vanish {
                        engine.remove(p)
                        try renewSocket(i)
                    } else {
                        engine.close(p)
                    }
                default:
                    r.failed += 1
                    engine.remove(p)
                }
                slots[i] = nil
                if mayStart() {
                    slots[i] = try start(on: i)
                    started += 1
                }
            }
        }
        r.seconds = engine.now() - begin
        return r
    }

    /// Establishes `peers` peers (`concurrency` at a time) and keeps them.
    func establish(peers: Int, concurrency: Int, deadline: Double) throws -> [Peer] {
        var ready: [Peer] = []
        var pending: [Peer] = []
        var next = 0
        let begin = engine.now()
        while ready.count < peers, engine.now() - begin < deadline {
            while pending.count < concurrency, next < peers {
                pending.append(try start(on: next).0)
                next += 1
            }
            engine.runOnce(timeout: 0.05)
            pending.removeAll { p in
                if p.status == .established { ready.append(p); return true }
                if p.status != .handshaking {
                    engine.remove(p)
                    return true
                }
                return false
            }
            if pending.isEmpty && next >= peers { break }
        }
        return ready
    }

    /// Each peer sends `messages` messages of `size` bytes, each waiting for its echo.
    func echo(peers: [Peer], messages: Int, size: Int, deadline: Double) throws -> Result {
        var r = Result()
        r.established = peers.count
        let payload = [UInt8](repeating: 0x61, count: size)
        var left = [Int](repeating: messages, count: peers.count)
        var sentAt = [Double](repeating: 0, count: peers.count)
        let begin = engine.now()
        for (i, p) in peers.enumerated() where messages > 0 {
            try engine.send(p, payload)
            sentAt[i] = engine.now()
        }
        var outstanding = messages > 0 ? peers.count : 0
        let index = Dictionary(uniqueKeysWithValues: peers.enumerated().map { (ObjectIdentifier($1), $0) })
        while outstanding > 0, engine.now() - begin < deadline {
            engine.runOnce(timeout: 0.05)
            for p in engine.peersWithUnreadData {
                guard let i = index[ObjectIdentifier(p)] else { continue }
                let got = engine.read(p).count
                guard got > 0 else { continue }
                r.completed += 1
                r.latencies.append(engine.now() - sentAt[i])
                left[i] -= 1
                if left[i] > 0 {
                    try engine.send(p, payload)
                    sentAt[i] = engine.now()
                } else {
                    outstanding -= 1
                }
            }
        }
        r.failed = left.reduce(0) { $0 + max(0, $1) }
        r.seconds = engine.now() - begin
        return r
    }

    func closeAll() {
        engine.closeAll()
    }
}

/// The baseline: the same echo pattern over plain UDP sockets, no DTLS.
enum RawEcho {
    static func run(target: SocketAddress, peers: Int, messages: Int, size: Int, deadline: Double) throws -> LoadGenerator.Result {
        var r = LoadGenerator.Result()
        let local = try SocketAddress(parsing: target.family == .inet ? "127.0.0.1:0" : "[::1]:0")
        let sockets = try (0..<peers).map { _ in try UDPSocket(bind: local, batch: 4) }
        let payload = [UInt8](repeating: 0x61, count: size)
        var left = [Int](repeating: messages, count: peers)
        var sentAt = [Double](repeating: 0, count: peers)
        var fds = sockets.map { pollfd(fd: $0.fileDescriptor, events: Int16(POLLIN), revents: 0) }
        func clock() -> Double {
            var t = timespec()
            clock_gettime(CLOCK_MONOTONIC, &t)
            return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
        }
        let begin = clock()
        var outstanding = 0
        for (i, s) in sockets.enumerated() where messages > 0 {
            try s.send(payload, to: target)
            sentAt[i] = clock()
            outstanding += 1
        }
        r.established = peers
        while outstanding > 0, clock() - begin < deadline {
            guard poll(&fds, nfds_t(fds.count), 50) > 0 else { continue }
            for i in fds.indices where fds[i].revents & Int16(POLLIN) != 0 {
                for _ in try sockets[i].receive() {
                    r.completed += 1
                    r.latencies.append(clock() - sentAt[i])
                    left[i] -= 1
                    if left[i] > 0 {
                        try sockets[i].send(payload, to: target)
                        sentAt[i] = clock()
                    } else {
                        outstanding -= 1
                    }
                }
            }
        }
        r.failed = left.reduce(0) { $0 + max(0, $1) }
        r.seconds = clock() - begin
        return r
    }
}
