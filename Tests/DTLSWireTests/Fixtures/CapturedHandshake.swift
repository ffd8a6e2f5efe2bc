/// A real handshake captured between `openssl s_server` and `openssl s_client`
/// (see `.capture-fixtures.py` next to this file), datagram by datagram.
struct CapturedHandshake: Sendable {
    enum Direction: Sendable {
        case clientToServer
        case serverToClient
    }

    struct Datagram: Sendable {
        let direction: Direction
        let bytes: [UInt8]

        /// `hex` may contain whitespace and line breaks.
        init(_ direction: Direction, _ hex: String) {
            self.direction = direction
            self.bytes = Self.parse(hex)
        }

        private static func parse(_ hex: String) -> [UInt8] {
            let digits = hex.unicodeScalars.compactMap { Int(String($0), radix: 16) }
            precondition(digits.count % 2 == 0, "odd number of hex digits in a fixture")
            return stride(from: 0, to: digits.count, by: 2).map { UInt8(digits[$0] << 4 | digits[$0 + 1]) }
        }
    }

    let name: String
    let datagrams: [Datagram]

    var fromClient: [Datagram] { datagrams.filter { $0.direction == .clientToServer } }
    var fromServer: [Datagram] { datagrams.filter { $0.direction == .serverToClient } }
}
