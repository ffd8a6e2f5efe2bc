import DTLSPlex
import DTLSWire
import Glibc

/// A client socket of its own for one check (its own source port), speaking raw datagrams: what the
/// probe forges goes out as it is, and what comes back is decoded, with the time it came.
final class ProbeSocket {
    struct Arrival {
        let at: Double
        let bytes: [UInt8]
        var decoded: DecodedDatagram { DatagramDecoder.decode(bytes) }
    }

    let udp: UDPSocket
    let target: SocketAddress
    private(set) var arrivals: [Arrival] = []

    init(target: SocketAddress, source: String? = nil) throws {
        self.target = target
        let local = source ?? (target.family == .inet6 ? "[::1]:0" : "127.0.0.1:0")
        udp = try UDPSocket(bind: SocketAddress(parsing: local))
    }

    /// Raw reading and writing on a socket an engine client has: what the server sends the association
    /// is read here, unseen by OpenSSL, while the engine is not run.
    init(udp: UDPSocket, target: SocketAddress) {
        self.udp = udp
        self.target = target
    }

    func send(_ bytes: [UInt8]) throws {
        _ = try udp.send(bytes, to: target)
    }

    /// Collects datagrams from the target until `done` says so or `timeout` passes; returns the new ones.
    @discardableResult
    func collect(for timeout: Double, until done: ([Arrival]) -> Bool = { _ in false }) throws -> [Arrival] {
        let start = arrivals.count
        let end = Clock.now() + timeout
        while true {
            let fresh = Array(arrivals[start...])
            if !fresh.isEmpty && done(fresh) { return fresh }
            let left = end - Clock.now()
            if left <= 0 { return fresh }
            var entry = pollfd(fd: udp.fileDescriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, Int32(max(1, min(left * 1000, 1000)))) > 0 else { continue }
            for datagram in try udp.receive() where datagram.source == target {
                arrivals.append(Arrival(at: Clock.now(), bytes: datagram.bytes))
            }
        }
    }

    /// Takes in what has arrived already, without waiting: what came before a datagram the check sends
    /// is no answer to it.
    func drain() throws {
        var entry = pollfd(fd: udp.fileDescriptor, events: Int16(POLLIN), revents: 0)
        // Bounded: a receive takes a batch; a server cannot keep the queue full for long.
        for _ in 0..<64 where poll(&entry, 1, 0) > 0 {
            for datagram in try udp.receive() where datagram.source == target {
                arrivals.append(Arrival(at: Clock.now(), bytes: datagram.bytes))
            }
        }
    }

    /// Sends `bytes` and waits for the first answer.
    func exchange(_ bytes: [UInt8], wait: Double) throws -> Arrival? {
        try send(bytes)
        return try collect(for: wait) { !$0.isEmpty }.first
    }
}

enum Clock {
    static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}

extension DecodedDatagram {
    /// The types of the handshake fragments in this datagram.
    var messageTypes: [UInt8] { handshakeFragments.map(\.header.type) }

    var helloVerifyRequest: HelloVerifyRequest? { records.lazy.compactMap(\.helloVerifyRequest).first }

    var serverHello: ServerHello? { records.lazy.compactMap(\.serverHello).first }

    var alerts: [Alert] { records.compactMap(\.body.alert) }

    /// A server's answer to a ClientHello: a ServerHello, a HelloVerifyRequest, or an alert.
    var answersHello: Bool { serverHello != nil || helloVerifyRequest != nil || !alerts.isEmpty }
}

extension DecodedRecord {
    var helloVerifyRequest: HelloVerifyRequest? {
        body.handshakeFragments.lazy.compactMap { $0.message?.helloVerifyRequest }.first
    }

    var serverHello: ServerHello? {
        body.handshakeFragments.lazy.compactMap { $0.message?.serverHello }.first
    }
}

extension ProbeSocket.Arrival {
    /// The server switched to its new keys: a ChangeCipherSpec, or anything of a later epoch.
    var switchedEpoch: Bool {
        RecordLayer.split(bytes).records.contains {
            $0.header.contentType == ContentType.changeCipherSpec.rawValue || $0.header.epoch > 0
        }
    }
}
