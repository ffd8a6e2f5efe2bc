import DTLSPlex
import Glibc
import Testing

/// The send batch: datagrams queued on a socket leave whole, in order and to
/// their address, however many one turn gathers.
@Suite struct UDPSocketTests {
    /// Receives until `count` datagrams have come, waiting in poll (at most 5 s a wait).
    static func receive(_ count: Int, on socket: UDPSocket) throws -> [ReceivedDatagram] {
        var got: [ReceivedDatagram] = []
        // Bounded: every round but the last receives at least one datagram.
        for _ in 0..<count where got.count < count {
            var ready = pollfd(fd: socket.fileDescriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, 5000) > 0 else { break }
            got += try socket.receive()
        }
        return got
    }

    /// 300 datagrams are more than the 256 one batch holds: queueing the
    /// 257th sends the batch and starts it again in the same slots.
    @Test(arguments: ["127.0.0.1:0", "[::1]:0"])
    func moreDatagramsThanABatchHoldsAllArriveWhole(bind: String) throws {
        let address = try SocketAddress(parsing: bind)
        let sender = try UDPSocket(bind: address)
        let receiver = try UDPSocket(bind: address)
        let sent = (0..<300).map { i in [UInt8](repeating: UInt8(i & 0xff), count: 100 + i) }
        for d in sent { sender.queue(d, to: receiver.localAddress) }
        #expect(sender.hasQueuedSends)
        #expect(sender.sendQueued() == 0, "none refused")
        #expect(!sender.hasQueuedSends)
        let got = try Self.receive(sent.count, on: receiver)
        #expect(got.map(\.bytes) == sent)
        #expect(got.allSatisfy { $0.source == sender.localAddress })
    }
}
