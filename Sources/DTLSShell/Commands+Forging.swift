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

    private func peerDirection(_ a: Arguments, _ i: Int) throws -> Direction {
        try a.direction(i)
    }

    func editCommand(_ a: Arguments) throws {
        guard a.count == 5 else { throw ShellError.usage(a.spec.usage) }
        guard a[4].hasPrefix("hex:"), let bytes = Hex.decode(String(a[4].dropFirst(4))), !bytes.isEmpty else {
            throw ShellError.message("the new bytes are hex:…, an even number of 0-9a-f digits, not '\(a[4])'")
        }
        let offset = try a.int(3, "offset", in: 0...65_535)
        if let (r, leg) = relays.leg(named: a[0]) {
            let d = try legDirection(a, 1)
            let n = leg.queue(d).count
            guard n > 0 else { throw ShellError.message("\(leg.name) has nothing queued \(d.rawValue)") }
            let i = try a.int(2, "datagram number", in: 1...n) - 1
            do { try r.edit(leg, d, index: i, offset: offset, bytes: bytes) } catch { throw ShellError.message("\(error)") }
            return say("\(heading(leg.name)): \(d.rawValue) \(i + 1): \(bytes.count) B at offset \(offset) overwritten "
                       + "(flush \(leg.name) \(d.rawValue) sends it, marked edited)")
        }
        let p = try a.peer(0)
        let d = try a.direction(1)
        let n = d == .inbound ? p.inboundQueue.count : p.outboundQueue.count
        guard n > 0 else { throw ShellError.message("\(p.name) has no \(d.rawValue)bound datagrams queued") }
        let i = try a.int(2, "datagram number", in: 1...n) - 1
        do { try engine.byHand.edit(p, d, index: i, offset: offset, bytes: bytes) } catch { throw ShellError.message("\(error)") }
        say("\(heading(p.name)): \(d.rawValue) \(i + 1): \(bytes.count) B at offset \(offset) overwritten"
            + (d == .outbound ? " (flush \(p.name) sends it)" : " (step \(p.name) feeds it to OpenSSL)"))
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
            engine.byHand.inject(p, bytes)
            say("\(heading(p.name)): a copy of the datagram received \(n == 1 ? "last" : "\(n) back") (\(bytes.count) B) "
                + "queued in again; step \(p.name) feeds it to OpenSSL")
        }
    }
}
