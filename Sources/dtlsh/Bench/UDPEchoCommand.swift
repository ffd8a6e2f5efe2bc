import ArgumentParser
import DTLSPlex
import DTLSShell
import Glibc

/// `dtlsh udp-echo`: a plain UDP echo on the same socket code, no DTLS: the
/// floor `dtlsh bench` measures the engine against.
struct UDPEchoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "udp-echo",
        abstract: "A raw UDP echo server (no DTLS), the baseline for dtlsh bench.",
        shouldDisplay: false)

    @Option(help: ArgumentHelp("Address to listen on.", valueName: "HOST:PORT"))
    var bind = "127.0.0.1:0"

    func validate() throws {
        do { _ = try SocketAddress(parsing: bind) } catch { throw ValidationError("--bind: \(error)") }
    }

    func run() throws {
        let signals = SignalWatch()
        let socket: UDPSocket
        do { socket = try UDPSocket(bind: try SocketAddress(parsing: bind)) } catch {
            throw CommandFailure.runtime("\(error)")
        }
        Output.line("udp echo on \(socket.localAddress)")
        var fds = [pollfd(fd: socket.fileDescriptor, events: Int16(POLLIN), revents: 0)]
        if let signals { fds.append(pollfd(fd: signals.fileDescriptor, events: Int16(POLLIN), revents: 0)) }
        var echoed = 0
        loop: while true {
            guard poll(&fds, nfds_t(fds.count), 1000) > 0 else { continue }
            if fds.count > 1, fds[1].revents != 0, signals?.take().isEmpty == false { break loop }
            for d in (try? socket.receive()) ?? [] {
                if (try? socket.send(d.bytes, to: d.source)) == true { echoed += 1 }
            }
        }
        Output.line("totals: \(echoed) datagrams echoed")
    }
}
