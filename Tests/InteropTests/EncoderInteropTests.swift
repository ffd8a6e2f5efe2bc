import DTLSWire
import Foundation
import SubprocessSupport
import Testing

/// Hellos built by DTLSWire's encoder, sent from a plain UDP socket to a real
/// `openssl s_server -dtls1_2`: OpenSSL takes them for a client's, answering
/// the first with a HelloVerifyRequest and the one with its cookie with a
/// ServerHello flight. What `probe` and `inject` will send is what OpenSSL reads.
@Suite struct EncoderInteropTests {
    /// A PSK server that offers only PSK-AES128-GCM-SHA256 (the encoder's
    /// default hello offers it among others) and exchanges cookies.
    static func pskServer() throws -> (Subprocess, UInt16) {
        let (server, port) = try Peers.sServer(["-nocert", "-cipher", "PSK-AES128-GCM-SHA256"]
                                               + OpenSSLInteropTests.pskArgs)
        return (server, UInt16(port))
    }

    /// Sends `datagram` and collects what comes back until `done` holds of the
    /// messages so far: each wait bounded by poll, the hello resent (as a client
    /// would on its timer) when a wait passes with nothing, three times at most.
    static func exchange(_ datagram: [UInt8], on socket: RawUDP, port: UInt16,
                         until done: ([HandshakeMessage]) -> Bool) -> [[UInt8]] {
        var received: [[UInt8]] = []
        for _ in 0..<3 {
            #expect(socket.send(datagram, toPort: port))
            // Up to 8 answers per try; a flight is a handful of datagrams.
            for _ in 0..<8 {
                var ready = pollfd(fd: socket.fd, events: Int16(POLLIN), revents: 0)
                guard poll(&ready, 1, 2_000) == 1 else { break }
                received += socket.receiveAll()
                if done(received.flatMap { DatagramDecoder.decode($0).handshakeMessages }) { return received }
            }
        }
        return received
    }

    @Test func encodedHelloGetsCookieThenServerHelloFromSServer() throws {
        let (server, port) = try Self.pskServer()
        defer { Peers.end(server) }
        let socket = try #require(RawUDP(host: "127.0.0.1"))
        defer { socket.close() }

        let hello = OutgoingClientHello()
        let first = Self.exchange(try hello.datagram(), on: socket, port: port) { messages in
            messages.contains { $0.helloVerifyRequest != nil }
        }
        let raw = try #require(first.first, "s_server did not answer the first hello: \(server.stdout)\(server.stderr)")
        let answer = DatagramDecoder.decode(raw)
        #expect(answer.isWellFormed, "\(answer.notes)")
        let request = try #require(answer.handshakeMessages.first?.helloVerifyRequest, "\(answer.summaryLine)")
        #expect(!request.cookie.isEmpty)

        // The cookie as the engine would read it, in place, is the decoded one.
        #expect(raw.withUnsafeBytes { HelloVerifyRequest.cookie(inDatagram: $0).map(Array.init) } == request.cookie)

        // The second hello: same random and offer, the cookie, message_seq 1.
        let second = try hello.answering(request).datagram(messageSeq: 1, sequence: 1)
        let flight = Self.exchange(second, on: socket, port: port) { messages in
            messages.contains { $0 == .serverHelloDone }
        }.map { DatagramDecoder.decode($0) }
        #expect(flight.allSatisfy { $0.isWellFormed }, "\(flight.flatMap(\.notes))")
        let messages = flight.flatMap(\.handshakeMessages)
        let serverHello = try #require(messages.first?.serverHello,
                                       "no ServerHello: \(flight.map(\.summaryLine)) \(server.stdout)\(server.stderr)")
        #expect(serverHello.serverVersion == ProtocolVersion.dtls12)
        #expect(serverHello.cipherSuite == 0x00A8, "\(serverHello.cipherSuiteName)")
        #expect(messages.last == .serverHelloDone)
        #expect(serverHello.extension(ExtensionType.extendedMasterSecret) != nil)
    }

    /// The same first hello cut into three fragments sent last-first, one
    /// record each in one datagram: OpenSSL reassembles it and asks for a cookie.
    @Test func fragmentedHelloOutOfOrderGetsCookieFromSServer() throws {
        let (server, port) = try Self.pskServer()
        defer { Peers.end(server) }
        let socket = try #require(RawUDP(host: "127.0.0.1"))
        defer { socket.close() }

        let message = try OutgoingClientHello().handshake()
        let length = message.body.count
        let pieces = try message.fragments([100..<length, 40..<100, 0..<40])
        let datagram = try OutgoingDatagram(pieces.map { OutgoingRecord.handshake([$0]) }).numbered(from: 0).encoded
        let answers = Self.exchange(datagram, on: socket, port: port) { messages in
            messages.contains { $0.helloVerifyRequest != nil }
        }
        let decoded = answers.map { DatagramDecoder.decode($0) }
        #expect(decoded.flatMap(\.handshakeMessages).contains { $0.helloVerifyRequest != nil },
                "\(decoded.map(\.summaryLine)) \(server.stdout)\(server.stderr)")
    }
}
