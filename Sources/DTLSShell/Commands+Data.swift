import DTLSPlex
import DTLSWire

extension Shell {
    func sendCommand(_ a: Arguments) throws {
        let p = try a.peer(0)
        let bytes: [UInt8]
        if a[1] == "--size" {
            guard a.count == 3 else { throw ShellError.usage(a.spec.usage) }
            let n = try a.int(2, "--size", in: 1...65_535)
            let pattern = Array("0123456789abcdefghijklmnopqrstuvwxyz".utf8)
            bytes = (0..<n).map { pattern[$0 % pattern.count] }
        } else if a.count == 2 {
            do { bytes = try Tokenizer.payload(a[1]) } catch { throw ShellError.message("\(error)") }
        } else {
            bytes = Array(a.words.dropFirst().joined(separator: " ").utf8)
        }
        do { try engine.send(p, bytes) } catch { throw ShellError.message("\(error)") }
        if !engine.settings.auto {
            say("\(heading(p.name)): \(bytes.count) B written as one record (queued: flush \(p.name))")
        }
    }

    func readCommand(_ a: Arguments) throws {
        let p = try a.peer(0)
        let messages = engine.read(p)
        guard let last = messages.last else {
            let hint = p.inboundQueue.isEmpty ? "" : " (\(p.inboundQueue.count) datagram\(p.inboundQueue.count == 1 ? "" : "s") not yet processed: step \(p.name))"
            return say("\(heading(p.name)): no messages\(hint)")
        }
        lastRead[p.name] = last
        for m in messages { say(PrintableText.message(m)) }
    }

    func exportCommand(_ a: Arguments) throws {
        let p = try a.peer(0)
        let length = try a.int(2, "LENGTH", in: KeyingMaterialRequest.lengths)
        do {
            say(Hex.encode(try p.exportKeyingMaterial(label: a[1], length: length)))
        } catch {
            throw ShellError.message("\(error)")
        }
    }
}
