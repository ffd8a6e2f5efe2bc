import ArgumentParser
import DTLSPlex
import DTLSShell
import DTLSWire
import Glibc

/// `dtlsh relay`: dtlsh between a DTLS client and its server, like mbed TLS's
/// udp_proxy, decoding what is in clear and impairing what it is told to.
struct RelayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay",
        abstract: "Stand between DTLS clients and a server: forward, decode, impair.",
        discussion: """
            Every client address that sends to --listen gets a leg (relay.1, relay.2, …) with its own \
            socket toward --to, so the server sees one source per client. dtlsh holds no keys: it decodes \
            record headers and epoch-0 handshake headers, puts each datagram in an RFC 6347 flight (1-6 of a \
            full handshake with a cookie) from those headers, and marks encrypted records and what it only \
            infers. Random impairments draw from --seed (the same seed, the same decisions per leg) and touch \
            only DTLS datagrams. SIGINT or SIGTERM prints a totals line per leg and exits 0.
            """)

    @Option(help: ArgumentHelp("Address the clients send to.", valueName: "HOST:PORT"))
    var listen: String

    @Option(help: ArgumentHelp("The server.", valueName: "HOST:PORT"))
    var to: String

    @Option(help: ArgumentHelp("Drop this percent of datagrams each way.", valueName: "PERCENT"))
    var drop: Double = 0

    @Option(help: ArgumentHelp("Duplicate this percent of datagrams.", valueName: "PERCENT"))
    var dup: Double = 0

    @Option(help: ArgumentHelp("Hold this percent of datagrams back behind the next one the same way.", valueName: "PERCENT"))
    var reorder: Double = 0

    @Option(help: ArgumentHelp("Delay every datagram this long.", valueName: "MS"))
    var delay: Double = 0

    @Option(help: ArgumentHelp("Add up to this much more delay, at random.", valueName: "MS"))
    var jitter: Double = 0

    @Option(help: ArgumentHelp("Seed of the random decisions.", valueName: "N"))
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("Drop the first transmission of these flights (RFC 6347 numbering, 1-6).", valueName: "N[,N…]"))
    var dropFlight: String?

    @Option(help: ArgumentHelp("IP MTU: drop (and report) datagrams over it less 28 bytes (IPv4) or 48 (IPv6).", valueName: "BYTES"))
    var mtu: Int?

    @Option(help: ArgumentHelp("Drop the datagram carrying the Nth transmission (default 1) of a message, e.g. Finished, ChangeCipherSpec; repeatable.", valueName: "NAME[:N]"))
    var dropMessage: [String] = []

    @Option(help: ArgumentHelp("Delay every datagram carrying a message; repeatable.", valueName: "NAME:MS"))
    var delayMessage: [String] = []

    @Flag(help: "Never drop a HelloVerifyRequest.")
    var protectHvr = false

    @Flag(help: "Send the datagrams of one flight that follow each other within 10 ms as one datagram (up to the payload limit).")
    var pack = false

    @Option(help: ArgumentHelp("Flip a byte of this percent of encrypted application data records.", valueName: "PERCENT"))
    var corruptApp: Double = 0

    @Option(help: ArgumentHelp("Most clients (legs) at once.", valueName: "N"))
    var maxClients = 1_000

    @Option(help: ArgumentHelp("Close a leg after this long without a datagram.", valueName: "SECONDS"))
    var idle: Double = 300

    @Option(help: TraceLevel.flagHelp("How much of each datagram to show"))
    var trace: String = TraceLevel.flights.rawValue

    @Flag(help: "Print one JSON object per relay event instead of text.")
    var json = false

    @Option(help: ArgumentHelp("Write every datagram sent on, client <-> server, to a pcap file.", valueName: "FILE"))
    var pcap: String?

    @Flag(help: "Only the listening line, legs' troubles and the totals.")
    var quiet = false

    func validate() throws {
        do { _ = try SocketAddress(parsing: listen) } catch { throw ValidationError("--listen: \(error)") }
        do { _ = try SocketAddress(parsing: to) } catch { throw ValidationError("--to: \(error)") }
        for (name, value) in [("--drop", drop), ("--dup", dup), ("--reorder", reorder)] where !(0...100).contains(value) {
            throw ValidationError("\(name) must be a percent, 0-100")
        }
        for (name, value) in [("--delay", delay), ("--jitter", jitter)] where !(0...60_000).contains(value) {
            throw ValidationError("\(name) must be 0-60000 ms")
        }
        _ = try flights()
        _ = try droppedMessages()
        _ = try delayedMessages()
        guard (0...100).contains(corruptApp) else { throw ValidationError("--corrupt-app must be a percent, 0-100") }
        if let mtu, !(128...65_535).contains(mtu) { throw ValidationError("--mtu must be 128-65535") }
        guard maxClients > 0 else { throw ValidationError("--max-clients must be at least 1") }
        guard idle > 0 else { throw ValidationError("--idle must be positive") }
        _ = try TraceLevel.flag(trace)
    }

    private func flights() throws -> Set<Int> {
        guard let dropFlight else { return [] }
        var out: Set<Int> = []
        for part in dropFlight.split(separator: ",", omittingEmptySubsequences: false) {
            guard let n = Int(part), (1...6).contains(n) else {
                throw ValidationError("--drop-flight takes flight numbers 1-6, comma-separated, not '\(dropFlight)'")
            }
            out.insert(n)
        }
        return out
    }

    /// `NAME[:N]`: a message name as `ClearView.messageNames` spells it, and N ≥ 1.
    private func droppedMessages() throws -> [(name: String, nth: Int)] {
        try dropMessage.map { text in
            let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
            let nth = parts.count == 2 ? Int(parts[1]) : 1
            guard let name = parts.first, ClearView.askableNames.contains(name), let nth, nth >= 1 else {
                throw ValidationError("--drop-message takes NAME[:N] with NAME one of \(ClearView.askableNames.joined(separator: ", ")), not '\(text)'")
            }
            return (name, nth)
        }
    }

    private func delayedMessages() throws -> [(name: String, milliseconds: Double)] {
        try delayMessage.map { text in
            let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, ClearView.askableNames.contains(parts[0]), let ms = Double(parts[1]), (0...60_000).contains(ms) else {
                throw ValidationError("--delay-message takes NAME:MS (MS 0-60000) with NAME one of \(ClearView.askableNames.joined(separator: ", ")), not '\(text)'")
            }
            return (parts[0], ms)
        }
    }

    func run() throws {
        var settings = RelaySettings()
        settings.dropPercent = drop
        settings.dupPercent = dup
        settings.reorderPercent = reorder
        settings.delayMilliseconds = delay
        settings.jitterMilliseconds = jitter
        settings.seed = seed
        settings.dropFlights = try flights()
        settings.mtu = mtu
        settings.dropMessages = try droppedMessages()
        settings.delayMessages = try delayedMessages()
        settings.protectHelloVerifyRequest = protectHvr
        settings.corruptAppPercent = corruptApp
        settings.pack = pack
        settings.maxClients = maxClients
        settings.idleSeconds = idle
        let relay: Relay
        // A listen address in use, or a pcap that cannot be written: one line, exit 2.
        do {
            relay = try Relay(listen: try SocketAddress(parsing: listen), upstream: try SocketAddress(parsing: to),
                              settings: settings)
            if let pcap { relay.pcap = try PcapWriter(path: pcap) }
        } catch {
            throw CommandFailure.usage("\(error)")
        }
        let signals = SignalWatch()
        attachOutput(to: relay)
        relay.announce()
        let watched = signals.map { [$0.fileDescriptor] } ?? []
        var stop = false
        // Bounded by SIGINT/SIGTERM: the loop ends when one arrives.
        while !stop {
            let ready = relay.runOnce(timeout: 1, watching: watched)
            if !ready.isEmpty, let signals, !signals.take().isEmpty { stop = true }
        }
        relay.finish()
    }

    private func attachOutput(to relay: Relay) {
        let level = TraceLevel(rawValue: trace) ?? .flights
        if json {
            let quiet = self.quiet
            relay.subscribe { e in
                if quiet, !Self.essential(e) { return }
                Output.line(RelayEventJSON.line(e))
            }
        } else {
            let text = RelayEventText(level: quiet ? .off : level, style: TextStyle(enabled: Output.colourWanted()))
            let quiet = self.quiet
            relay.subscribe { e in
                if quiet, !Self.essential(e) { return }
                text.lines(e).forEach(Output.line)
            }
        }
    }

    /// What `--quiet` still shows: the relay opening, trouble, the totals.
    private static func essential(_ e: RelayEvent) -> Bool {
        switch e.kind {
        case .opened, .upstreamUnreachable, .refused, .totals: true
        default: false
        }
    }
}
