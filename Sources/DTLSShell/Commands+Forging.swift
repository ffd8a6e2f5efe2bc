import DTLSPlex
import DTLSWire

/// `inject`, `edit` and `replay`: datagrams made or changed by hand, on a
/// socket or peer of the shell, or on a relay's leg.
extension Shell {
    func injectCommand(_ a: Arguments) throws {
        if let (r, leg) = relays.leg(named: a[0]) {
            let d = try legDirection(a, 1)
            let bytes = try forged(Array(a.words.dropFirst(2)))
            do { try r.inject(bytes, on: leg, d) } catch { throw ShellError.message("\(error)") }
            return
        }
        let socket = try a.socket(0)
        let destination = try engine.socket(named: a[1])?.localAddress ?? relays.relay(named: a[1])?.listenSocket.localAddress
            ?? a.address(1)
        let bytes = try forged(Array(a.words.dropFirst(2)))
        do { try engine.byHand.send(bytes, from: socket, to: destination, mark: .injected) } catch { throw ShellError.message("\(error)") }
        if trace == .off { say("\(heading(socket.name)): injected \(bytes.count) B to \(destination)") }
    }

    private func forged(_ words: [String]) throws -> [UInt8] {
        do { return try ForgedDatagram.bytes(words) } catch { throw ShellError.message("\(error)") }
    }

    func editCommand(_ a: Arguments) throws {
        guard a.count == 5 else { throw ShellError.usage(a.spec.usage) }
        guard a[4].hasPrefix("hex:"), let bytes = Hex.decode(String(a[4].dropFirst(4))), !bytes.isEmpty else {
            throw ShellError.message("the new bytes are hex:…, an even number of 0-9a-f digits, not '\(a[4])'")
        }
        let offset = try a.int(3, "offset", in: 0...65_535)
        let changed = "\(bytes.count) B at offset \(offset) overwritten"
        switch try queuedDatagram(a) {
        case let .leg(r, leg, d, i):
            do { try r.edit(leg, d, index: i, offset: offset, bytes: bytes) } catch { throw ShellError.message("\(error)") }
            say("\(heading(leg.name)): \(d.rawValue) \(i + 1): \(changed) (flush \(leg.name) \(d.rawValue) sends it, marked edited)")
        case let .peer(p, d, i):
            do { try engine.byHand.edit(p, d, index: i, offset: offset, bytes: bytes) } catch { throw ShellError.message("\(error)") }
            say("\(heading(p.name)): \(d.rawValue) \(i + 1): \(changed)" + afterwards(p, d))
        }
    }

    /// `swap-records`: two records of one queued datagram change places.
    func swapRecordsCommand(_ a: Arguments) throws {
        guard a.count == 5 else { throw ShellError.usage(a.spec.usage) }
        let target = try queuedDatagram(a)
        let i = try a.int(3, "record number", in: 1...64) - 1, j = try a.int(4, "record number", in: 1...64) - 1
        let swapped = "records \(i + 1) and \(j + 1) swapped"
        switch target {
        case let .leg(r, leg, d, n):
            do { try r.swapRecords(leg, d, index: n, i, j) } catch { throw ShellError.message("\(error)") }
            say("\(heading(leg.name)): \(d.rawValue) \(n + 1): \(swapped) (flush \(leg.name) \(d.rawValue) sends it, marked edited)")
        case let .peer(p, d, n):
            do { try engine.byHand.swapRecords(p, d, index: n, i, j) } catch { throw ShellError.message("\(error)") }
            say("\(heading(p.name)): \(d.rawValue) \(n + 1): \(swapped)" + afterwards(p, d))
        }
    }

    /// A queued datagram named by PEER in|out N or LEG up|down N (N 1-based, kept 0-based).
    private enum QueuedDatagram {
        case peer(Peer, Direction, Int)
        case leg(Relay, RelayLeg, RelayDirection, Int)
    }

    private func queuedDatagram(_ a: Arguments) throws -> QueuedDatagram {
        if let (r, leg) = relays.leg(named: a[0]) {
            let d = try legDirection(a, 1)
            let n = leg.queue(d).count
            guard n > 0 else { throw ShellError.message("\(leg.name) has nothing queued \(d.rawValue)") }
            return .leg(r, leg, d, try a.int(2, "datagram number", in: 1...n) - 1)
        }
        let p = try a.peer(0)
        let d = try a.direction(1)
        let n = d == .inbound ? p.inboundQueue.count : p.outboundQueue.count
        guard n > 0 else { throw ShellError.message("\(p.name) has no \(d.rawValue)bound datagrams queued") }
        return .peer(p, d, try a.int(2, "datagram number", in: 1...n) - 1)
    }

    private func afterwards(_ p: Peer, _ d: Direction) -> String {
        d == .outbound ? " (flush \(p.name) sends it, marked edited)" : " (step \(p.name) feeds it to OpenSSL, marked edited)"
    }

    func replayCommand(_ a: Arguments) throws {
        if let (r, leg) = relays.leg(named: a[0]) {
            let d = try legDirection(a, 1)
            let n = try a.int(2, "datagram number (1 = the last sent)", in: 1...RelayLeg.sentLimitForShell)
            do { try r.replay(on: leg, d, n) } catch { throw ShellError.message("\(error)") }
            return
        }
        let p = try a.peer(0)
        let d = try a.direction(1)
        let kept = recentDatagrams.count(p.name, d)
        guard kept > 0 else { throw ShellError.message("\(p.name) has \(d == .outbound ? "sent" : "received") nothing yet") }
        let n = try a.int(2, "datagram number (1 = the latest)", in: 1...kept)
        guard let bytes = recentDatagrams.datagram(p.name, d, n) else { return }
        if d == .outbound {
            do { try engine.byHand.send(bytes, from: p.socket, to: p.address, mark: .replayed, peer: p) } catch {
                throw ShellError.message("\(error)")
            }
            if trace == .off { say("\(heading(p.name)): replayed \(bytes.count) B to \(p.address)") }
        } else {
            engine.byHand.inject(p, bytes, mark: .replayed)
            say("\(heading(p.name)): a copy of the datagram received \(n == 1 ? "last" : "\(n) back") (\(bytes.count) B) "
                + "queued in again; step \(p.name) feeds it to OpenSSL")
        }
    }
}
