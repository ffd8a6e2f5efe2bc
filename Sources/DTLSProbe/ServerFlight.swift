import DTLSWire

/// The first two round trips of a full handshake, with raw datagrams: a hello, the cookie if the server
/// asks for one, the hello again, and the server's flight 4 (ServerHello … ServerHelloDone).
struct ServerFlight {
    let request: HelloVerifyRequest?
    /// The datagrams of the server's first flight, in arrival order (resends not included).
    let datagrams: [ProbeSocket.Arrival]
    let hello: OutgoingClientHello

    var serverHello: ServerHello? {
        datagrams.lazy.compactMap(\.decoded.serverHello).first
    }

    var alert: Alert? {
        datagrams.lazy.compactMap(\.decoded.alerts.first).first
    }

    /// Every handshake fragment of the flight.
    var fragments: [HandshakeFragment] { datagrams.flatMap(\.decoded.handshakeFragments) }

    var isComplete: Bool { fragments.contains { $0.header.type == HandshakeType.serverHelloDone.rawValue } }

    /// Runs the exchange on `socket`. `fragmentHello` sends the second hello in pieces.
    static func fetch(on socket: ProbeSocket, hello: OutgoingClientHello = OutgoingClientHello(), wait: Double,
                      send: ((OutgoingClientHello, ProbeSocket) throws -> Void)? = nil) throws -> ServerFlight {
        guard let first = try socket.exchange(try hello.datagram(), wait: wait) else {
            return ServerFlight(request: nil, datagrams: [], hello: hello)
        }
        var request: HelloVerifyRequest?
        var second = hello
        if let cookieRequest = first.decoded.helloVerifyRequest {
            request = cookieRequest
            second = hello.answering(cookieRequest)
            if let send {
                try send(second, socket)
            } else {
                try socket.send(try second.datagram(messageSeq: 1, sequence: 1))
            }
        } else {
            // No cookie exchange: this answer is already the flight, or an alert that ends it (mbed TLS
            // refuses a hello without a suite it has before it asks for a cookie).
            let rest = first.decoded.alerts.isEmpty ? try socket.collect(for: wait) { arrivals in
                arrivals.contains { $0.decoded.messageTypes.contains(HandshakeType.serverHelloDone.rawValue) }
            } : []
            return ServerFlight(request: nil, datagrams: [first] + rest, hello: hello)
        }
        let flight = try socket.collect(for: wait) { arrivals in
            arrivals.contains {
                $0.decoded.messageTypes.contains(HandshakeType.serverHelloDone.rawValue) || !$0.decoded.alerts.isEmpty
            }
        }
        return ServerFlight(request: request, datagrams: flight, hello: second)
    }
}
