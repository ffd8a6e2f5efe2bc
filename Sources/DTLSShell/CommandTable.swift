/// Every command of the shell and the script language, in one table, in the
/// order `help` lists them. Parsing, usage errors, help and completion read it.
public enum CommandTable {
    public static let groups = ["Sockets and peers", "Stepping", "Data", "Settings", "Observing", "Scripts"]

    public static let all: [CommandSpec] = [
        // Sockets and peers
        CommandSpec("open", group: "Sockets and peers", usage: "open NAME [HOST:PORT] [accept]",
                    summary: "Bind a UDP socket (IPv4 or IPv6; default 127.0.0.1 and a free port).",
                    detail: "With accept, unknown sources that send a ClientHello become server peers NAME.1, NAME.2, … after the cookie exchange (if cookies are on). A server socket keeps the TLS settings (psk, cert, ciphers, version, …) in force when it was opened.",
                    example: "open srv 127.0.0.1:24433 accept",
                    arguments: [.text, .address, .choice(["accept"])], min: 1) { try $0.open($1) },
        CommandSpec("connect", group: "Sockets and peers", usage: "connect PEER SOCKET HOST:PORT",
                    summary: "Make a client peer on SOCKET. Nothing is sent until it is stepped (or auto is on).",
                    example: "connect c1 cli 127.0.0.1:24433",
                    arguments: [.text, .socket, .address], min: 3) { try $0.connect($1) },
        CommandSpec("relay", group: "Sockets and peers", usage: "relay NAME LISTEN UPSTREAM",
                    summary: "Stand between a DTLS client and its server: clients that send to LISTEN get legs NAME.1, NAME.2, … toward UPSTREAM.",
                    detail: "LISTEN is HOST:PORT or a port (0: a free one); UPSTREAM is HOST:PORT or a socket of this shell. Each leg has its own socket toward the server and two queues, up (toward the server) and down (toward the client). In manual mode recv NAME takes what arrived into the queues, and pending, flush LEG [up|down], drop, dup and swap work on them as on a peer's; with auto on (or while wait and handshake drive) the relay forwards by itself through set loss/dup/reorder. dtlsh holds no keys: ladder LEG and explain LEG read the flights from the handshake headers and mark what is inferred. close NAME ends it.",
                    example: "relay r 0 srv",
                    arguments: [.text, .address, .address], min: 3) { try $0.relayCommand($1) },
        CommandSpec("relays", group: "Sockets and peers", usage: "relays",
                    summary: "List relays and their legs: client, upstream socket, queued and seen datagrams, handshake (inferred).",
                    example: "relays") { s, _ in s.relaysCommand() },
        CommandSpec("sockets", group: "Sockets and peers", usage: "sockets",
                    summary: "List sockets: address, accepting, peers, queued datagrams.", example: "sockets") { s, _ in s.listSockets() },
        CommandSpec("peers", group: "Sockets and peers", usage: "peers",
                    summary: "List peers: role, socket, address, status, OpenSSL state.", example: "peers") { s, _ in s.listPeers() },
        CommandSpec("show", group: "Sockets and peers", usage: "show PEER|LEG",
                    summary: "Everything about one peer: state, version, cipher, epoch, MTU, timer, queues, counters, last error.",
                    example: "show c1", arguments: [.peer], min: 1) { try $0.showPeer($1) },
        CommandSpec("close", group: "Sockets and peers", usage: "close PEER|SOCKET|RELAY",
                    summary: "Send close_notify (queued on the socket until flush), then forget the peer; or close a socket.",
                    example: "close c1", arguments: [.peerOrSocket], min: 1) { try $0.closeCommand($1) },
        CommandSpec("forget", group: "Sockets and peers", usage: "forget PEER",
                    summary: "Drop a peer's state silently: the other side is not told.",
                    example: "forget c1", arguments: [.peer], min: 1) { try $0.forget($1) },

        // Stepping
        CommandSpec("step", group: "Stepping", usage: "step PEER",
                    summary: "One SSL_do_handshake (or SSL_read once established): state before → after, messages consumed and produced, the SSL_get_error result.",
                    example: "step c1", arguments: [.peer], min: 1) { try $0.stepCommand($1) },
        CommandSpec("recv", group: "Stepping", usage: "recv SOCKET|RELAY [for DURATION]",
                    summary: "Take every datagram waiting on the socket, decode it and route it to its peer's inbound queue (or the cookie exchange).",
                    detail: "For a relay, what arrived joins its legs' queues (up and down). With for DURATION, wait up to that long for the first datagram (an outside peer answers when it answers), then take what follows it closely.",
                    example: "recv cli for 2s", arguments: [.socket, .choice(["for"]), .duration], min: 1, max: 3) { try $0.recvCommand($1) },
        CommandSpec("flush", group: "Stepping", usage: "flush PEER|SOCKET | flush LEG [up|down]",
                    summary: "Send the queued outbound datagrams of a peer, or of a socket and all its peers; pass on what a relay's leg holds.",
                    example: "flush c1", arguments: [.peerOrSocket, .choice(["up", "down"])], min: 1) { try $0.flushCommand($1) },
        CommandSpec("drop", group: "Stepping", usage: "drop PEER in|out [N|all] | drop LEG up|down [N|all]",
                    summary: "Lose queued datagrams by hand: number N (1 = next) or all (the default).",
                    example: "drop srv.1 out all", arguments: [.peer, .choice(["in", "out"]), .choice(["all"])], min: 2) { try $0.dropCommand($1) },
        CommandSpec("dup", group: "Stepping", usage: "dup PEER in|out N | dup LEG up|down N",
                    summary: "Duplicate queued datagram N (1 = next): the copy follows it.",
                    example: "dup c1 out 1", arguments: [.peer, .choice(["in", "out"]), .number], min: 3) { try $0.dupCommand($1) },
        CommandSpec("swap", group: "Stepping", usage: "swap PEER in|out N M | swap LEG up|down N M",
                    summary: "Reorder: exchange queued datagrams N and M.",
                    example: "swap c1 in 1 2", arguments: [.peer, .choice(["in", "out"]), .number, .number], min: 4) { try $0.swapCommand($1) },
        CommandSpec("pending", group: "Stepping", usage: "pending [PEER|LEG]",
                    summary: "Queued datagrams and bytes each way, and what OpenSSL reports (BIO_ctrl_pending, BIO_wpending, SSL_pending).",
                    example: "pending c1", arguments: [.peer]) { try $0.pendingCommand($1) },
        CommandSpec("errors", group: "Stepping", usage: "errors [PEER]",
                    summary: "The last SSL_get_error and every entry of the OpenSSL error queue: library, reason, file:line.",
                    example: "errors c1", arguments: [.peer]) { try $0.errorsCommand($1) },
        CommandSpec("timers", group: "Stepping", usage: "timers",
                    summary: "Each peer's retransmission timer, handshake deadline and idle clock.", example: "timers") { s, _ in s.timersCommand() },
        CommandSpec("tick", group: "Stepping", usage: "tick [PEER]",
                    summary: "Fire the expired timers; with PEER, wait for that peer's timer (up to 60 s) and fire it.",
                    detail: """
                        A fired retransmission timer queues the last flight again: flush to send it. In manual mode time \
                        stands still for OpenSSL: an expired timer fires only on tick, wait, handshake or auto on, never \
                        inside a step.
                        """,
                    example: "tick c1", arguments: [.peer]) { try $0.tickCommand($1) },
        CommandSpec("handshake", group: "Stepping", usage: "handshake PEER",
                    summary: "Drive one peer (and whatever it talks to in this shell) to the end of its handshake, showing each flight.",
                    example: "handshake c1", arguments: [.peer], min: 1) { try $0.handshakeCommand($1) },
        CommandSpec("wait", group: "Stepping", usage: "wait until established|closed|data PEER [for DURATION] | wait for DURATION",
                    summary: "Let the engine run (receive, step, flush, timers) until the condition holds or the time is up; "
                        + "waiting until established fails at once if the handshake fails or the server refuses the client's Finished.",
                    example: "wait until established c1 for 5s",
                    arguments: [.choice(["until", "for"]), .choice(["established", "closed", "data"]), .peer, .choice(["for"]), .duration],
                    min: 2, max: 5) { try $0.waitCommand($1) },
        CommandSpec("auto", group: "Stepping", usage: "auto on|off",
                    summary: "With auto on the engine receives, steps, flushes and fires timers by itself.",
                    example: "auto on", arguments: [.choice(["on", "off"])]) { try $0.autoCommand($1) },

        // Data
        CommandSpec("inject", group: "Data", usage: "inject SOCKET HOST:PORT DATAGRAM… | inject LEG up|down DATAGRAM…",
                    summary: "Send a datagram made by hand: raw bytes, or records built with DTLSWire's encoder.",
                    detail: """
                        DATAGRAM is hex:BYTES (the whole datagram) or one word per record, concatenated:
                          clienthello[,cookie=HEX][,msgseq=N][,frag=OFFSET+LENGTH]
                          alert:LEVEL:DESCRIPTION   e.g. alert:fatal:handshake_failure, alert:2:40
                          ccs                        ChangeCipherSpec
                          appdata:HEX                application data (epoch 1 unless told)
                          handshake:TYPE:BODYHEX[,msgseq=N][,frag=OFFSET+LENGTH]
                          record:TYPE:PAYLOADHEX     any content type: handshake, alert, ccs, appdata or a number
                        and on any record ,epoch=N ,seq=N ,version=1.0|1.2 (seq defaults to the record's position).
                        HOST:PORT may name a socket or relay of this shell. On a relay's leg, up sends to the server
                        from the leg's socket (a client restart: inject r.1 up clienthello), down to the client.
                        Examples:
                          inject cli 127.0.0.1:4433 clienthello                  a ClientHello without a cookie
                          inject cli srv clienthello,cookie=00112233             with a (wrong) cookie
                          inject cli srv alert:fatal:handshake_failure           a plaintext alert
                          inject cli srv clienthello,frag=0+60 clienthello,frag=60+100,seq=1   two fragments
                          inject cli srv ccs record:handshake:00,epoch=1         ChangeCipherSpec, then a bogus epoch-1 record
                          inject cli srv hex:16fefd0000000000000000000100    raw bytes
                        """,
                    example: "inject cli srv clienthello",
                    arguments: [.peerOrSocket, .address, .text], min: 3, max: nil) { try $0.injectCommand($1) },
        CommandSpec("edit", group: "Data", usage: "edit PEER in|out N OFFSET hex:BYTES | edit LEG up|down N OFFSET hex:BYTES",
                    summary: "Overwrite bytes of queued datagram N (1 = next) from OFFSET on; it cannot grow.",
                    detail: "Flip a byte of an encrypted record and the receiver discards it (a bad MAC, silently): edit c1 out 1 40 hex:ff. The datagram is marked edited (pending, the trace, the JSON, the ladder) when it leaves; a peer of this shell that receives it says nothing came of it, likely a bad MAC (inferred).",
                    example: "edit c1 out 1 40 hex:ff",
                    arguments: [.peer, .choice(["in", "out", "up", "down"]), .number, .number, .text], min: 5) { try $0.editCommand($1) },
        CommandSpec("swap-records", group: "Data", usage: "swap-records PEER in|out N I J | swap-records LEG up|down N I J",
                    summary: "Exchange records I and J inside queued datagram N: one datagram, records in another order, marked edited.",
                    detail: """
                        Flight 5 often packs ClientKeyExchange, ChangeCipherSpec and Finished in one datagram: \
                        swap-records c1 out 1 2 3 puts the Finished ahead of its ChangeCipherSpec (RFC 6347 §4.1: \
                        the receiver may keep a next-epoch record until the epoch starts). OpenSSL 3.0 keeps the early \
                        Finished and reads nothing more of that datagram: the handshake waits for the client's resend of \
                        flight 5. Across datagrams, swap reorders whole datagrams. pending shows each datagram's records in order.
                        """,
                    example: "swap-records c1 out 1 2 3",
                    arguments: [.peer, .choice(["in", "out", "up", "down"]), .number, .number, .number], min: 5) { try $0.swapRecordsCommand($1) },
        CommandSpec("replay", group: "Data", usage: "replay PEER in|out N | replay LEG up|down N",
                    summary: "Send again a copy of a datagram already sent (out, up, down) or queue again one received (in); N = 1 is the latest, of the last 16.",
                    detail: "OpenSSL drops a replayed record silently (its replay window); the copy is marked replayed in the trace, the JSON and the ladder, and a peer of this shell that receives it says it is a replay (inferred from its own replay window, RFC 6347 §4.1.2.6).",
                    example: "replay c1 out 1",
                    arguments: [.peer, .choice(["in", "out", "up", "down"]), .number], min: 3) { try $0.replayCommand($1) },
        CommandSpec("send", group: "Data", usage: "send PEER TEXT… | send PEER hex:0a0b… | send PEER --size N",
                    summary: "Write one application message (one record, one datagram); queued until flush in manual mode.",
                    example: "send c1 hello", arguments: [.peer, .text], min: 2, max: nil) { try $0.sendCommand($1) },
        CommandSpec("read", group: "Data", usage: "read PEER",
                    summary: "Print the application messages the peer has received (step it first in manual mode).",
                    detail: "One line per message. UTF-8 text is printed as it is; a newline inside a message shows as \\n, a carriage return as \\r, a tab as \\t, a backslash as \\\\ and any other byte as \\xNN, so a message's exact bytes, and where it ends, stay visible (send hex:… is the way back).",
                    example: "read srv.1", arguments: [.peer], min: 1) { try $0.readCommand($1) },
        CommandSpec("export", group: "Data", usage: "export PEER LABEL LENGTH",
                    summary: "RFC 5705 keying material, as DTLS-SRTP derives its keys, in hex.",
                    example: "export c1 EXTRACTOR-dtls_srtp 60", arguments: [.peer, .text, .number], min: 3) { try $0.exportCommand($1) },

        // Settings
        CommandSpec("set", group: "Settings", usage: "set [NAME VALUE…]",
                    summary: "Change a setting for peers made afterwards; alone, list the settings.",
                    detail: SettingTable.help,
                    example: "set psk client:00112233445566778899aabbccddeeff",
                    arguments: [.setting, .text], max: nil) { try $0.setCommand($1) },

        // Observing
        CommandSpec("trace", group: "Observing", usage: "trace " + TraceLevel.grammar,
                    summary: "How much of each datagram to decode: nothing, one line per datagram, per record, or a hex dump.",
                    example: "trace records", arguments: [.choice(TraceLevel.allCases.map(\.rawValue))]) { try $0.traceCommand($1) },
        CommandSpec("ladder", group: "Observing", usage: "ladder [PEER]",
                    summary: "A sequence diagram of every datagram that crossed the wire: flights, lost (x) and resent datagrams.",
                    detail: "One lifeline per endpoint; with PEER only that peer's two ends. Keeps the last 500 rows. With a relay's LEG: three lifelines, client | dtlsh | server, flights read from the handshake headers.",
                    example: "ladder c1", arguments: [.peer]) { try $0.ladderCommand($1) },
        CommandSpec("explain", group: "Observing", usage: "explain [PEER]",
                    summary: "In plain words: which flight each side sent and expects, timers, queues, why it failed, what to type next.",
                    detail: "With a relay's LEG (explain r.1): from the wire alone, which flight each side sent last and whether it got through, who waits for whom, and what a lost flight will make each side do.",
                    example: "explain c1", arguments: [.peer]) { try $0.explainCommand($1) },
        CommandSpec("capture", group: "Observing", usage: "capture FILE.pcap|off",
                    summary: "Write every datagram in and out to a pcap file (Wireshark, tshark).",
                    example: "capture session.pcap", arguments: [.file], min: 1) { try $0.captureCommand($1) },
        CommandSpec("keylog", group: "Observing", usage: "keylog FILE|off",
                    summary: "Write TLS secrets in NSS key log format (mode 0600) so Wireshark can decrypt the capture.",
                    example: "keylog session.keys", arguments: [.file], min: 1) { try $0.keylogCommand($1) },
        CommandSpec("stats", group: "Observing", usage: "stats",
                    summary: "Engine totals: datagrams, handshakes, cookies, drops by reason.", example: "stats") { s, _ in s.statsCommand() },
        CommandSpec("history", group: "Observing", usage: "history",
                    summary: "The commands typed so far.",
                    detail: "At a terminal they are also kept in ~/.dtlsh_history for the next run (Up and Ctrl-R walk them): the newest 1000, or DTLSH_HISTSIZE (0 keeps none); older ones are dropped when the file is saved. A file there that is not a history file is moved aside to ~/.dtlsh_history.unrecognised, never overwritten.",
                    example: "history") { s, _ in s.historyCommand() },
        CommandSpec("help", group: "Observing", usage: "help [COMMAND]",
                    summary: "List the commands, or explain one.", example: "help step",
                    arguments: [.command]) { try $0.helpCommand($1) },
        CommandSpec("quit", group: "Observing", usage: "quit",
                    summary: "Leave the shell (also exit, or Ctrl-D).", example: "quit") { s, _ in s.quitRequested = true },
        CommandSpec("exit", group: "Observing", usage: "exit",
                    summary: "Leave the shell.", example: "exit") { s, _ in s.quitRequested = true },

        CommandSpec("tour", group: "Observing", usage: "tour [stop]",
                    summary: "A guided lesson: a whole handshake between two sockets of this shell, with one lost flight.",
                    example: "tour", arguments: [.choice(["stop"])]) { try $0.tourCommand($1) },

        // Scripts
        CommandSpec("record", group: "Scripts", usage: "record FILE|off",
                    summary: "Write the commands typed from now on (those that succeed) to FILE, a script for dtlsh run.",
                    example: "record my-session.dtlsh", arguments: [.file], min: 1) { try $0.recordCommand($1) },
        CommandSpec("source", group: "Scripts", usage: "source FILE",
                    summary: "Run the commands in FILE; stops at the first failure, naming FILE:LINE.",
                    example: "source sample-sessions/01-first-psk-handshake.dtlsh", arguments: [.file], min: 1) { try $0.sourceCommand($1) },
        CommandSpec("echo", group: "Scripts", usage: "echo TEXT…",
                    summary: "Print the text.", example: "echo flight 1 is the ClientHello",
                    arguments: [.text], max: nil) { s, a in s.say(a.words.joined(separator: " ")) },
        CommandSpec("sleep", group: "Scripts", usage: "sleep DURATION",
                    summary: "Pause without running the engine (use wait to let it run).",
                    example: "sleep 1s", arguments: [.duration], min: 1) { try $0.sleepCommand($1) },
        CommandSpec("expect", group: "Scripts",
                    usage: "expect state|data|message|error|alert|pending|peers …",
                    summary: "Check a fact; a miss prints FILE:LINE: expected …, saw … and fails the script.",
                    detail: """
                        expect state PEER established|handshaking|closed|failed
                        expect state LEG established|handshaking   (a relay's leg: inferred from the wire)
                        expect data PEER "TEXT"         (a message received by PEER)
                        expect message PEER NAME        (in the last flight seen for PEER)
                        expect message LEG NAME         (in the last flight that crossed the leg)
                        expect error PEER NAME          (SSL_get_error name or an OpenSSL reason)
                        expect alert PEER NAME          (an alert sent or received, e.g. "handshake failure")
                        expect pending PEER in|out N
                        expect peers SOCKET N
                        """,
                    example: "expect state c1 established",
                    arguments: [.choice(["state", "data", "message", "error", "alert", "pending", "peers"]), .peerOrSocket, .text, .text],
                    min: 3, max: 4) { try $0.expectCommand($1) },
    ]

    public enum Lookup {
        case found(CommandSpec)
        case ambiguous([String])
        case unknown(nearest: [String])
    }

    /// Exact name, or an unambiguous prefix (as sqlite3's dot-commands).
    public static func lookup(_ word: String) -> Lookup {
        if let exact = all.first(where: { $0.name == word }) { return .found(exact) }
        let matches = all.filter { $0.name.hasPrefix(word) }
        if matches.count == 1 { return .found(matches[0]) }
        if matches.count > 1 { return .ambiguous(matches.map(\.name)) }
        return .unknown(nearest: nearest(word))
    }

    /// Names within a small edit distance, nearest first.
    static func nearest(_ word: String) -> [String] {
        let scored = all.map { ($0.name, editDistance(word, $0.name)) }
        let best = scored.map(\.1).min() ?? 99
        guard best <= max(1, word.count / 3 + 1) else { return [] }
        return scored.filter { $0.1 == best }.map(\.0)
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.prefix(64)), b = Array(b.prefix(64))
        var row = Array(0...b.count)
        for i in 1...max(1, a.count) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in 1...max(1, b.count) where !b.isEmpty {
                let old = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = old
            }
        }
        return a.isEmpty ? b.count : row[b.count]
    }
}
