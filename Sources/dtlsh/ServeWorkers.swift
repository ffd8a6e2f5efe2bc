import DTLSPlex
import DTLSShell
import Dispatch
import Glibc
import Synchronization

/// What every worker of `serve --workers N` builds its engine from: plain
/// values, so it crosses to the worker threads.
struct WorkerPlan: Sendable {
    var settings: Engine.Settings
    var options: EngineOptions
    var echo: Bool
    var quiet = false
    /// SO_REUSEPORT on every socket when there is more than one worker.
    var reusePort: Bool

    /// Worker 0's socket is `srv`, worker k's `srv@k`; peers take their
    /// socket's name, so `srv.3` and `srv@1.3` are different clients.
    static func socketName(_ index: Int) -> String {
        index == 0 ? "srv" : "srv@\(index)"
    }
}

/// One worker: an engine and its one accepting socket, made by and confined
/// to the thread that runs it.
final class ServeWorker {
    let index: Int
    let engine: Engine
    let socket: EngineSocket
    private let echo: Bool
    private let sinks: EngineSinks
    private let lines: LineBuffer

    /// Makes the engine and binds the socket. Output is held back until
    /// `release()`: nobody learns the port before every worker has bound it.
    init(index: Int, plan: WorkerPlan, bind address: SocketAddress) throws {
        self.index = index
        self.echo = plan.echo
        let engine = Engine(settings: plan.settings)
        do { try engine.validateSettings(for: .server) } catch { throw CommandFailure.usage("\(error)") }
        let lines = LineBuffer()
        self.sinks = try plan.options.attachOutput(to: engine, quiet: plan.quiet, brief: true, write: lines.write)
        do {
            self.socket = try engine.openSocket(name: WorkerPlan.socketName(index), bind: address, accepting: true,
                                                reusePort: plan.reusePort)
        } catch {
            throw CommandFailure.runtime("\(error)")
        }
        self.engine = engine
        self.lines = lines
        if plan.echo {
            // Answered as each message is read, from OpenSSL's plaintext buffer:
            // no copy, and the answer joins the turn's batch of sends. A message
            // that cannot go back (too large for this MTU) is dropped, as before.
            engine.messageHandler = { engine, p, message in
                try? engine.send(p, message)
                return true
            }
        }
    }

    /// Lets the held-back lines (socket_opened) out, and every line after them.
    func release() {
        lines.open()
        lines.flush()
    }

    /// One turn of the loop, then echo what arrived, then the lines that are
    /// due (`LineBuffer`). Returns which of `extra` are readable.
    @discardableResult
    func turn(timeout: Double, watching extra: [Int32] = []) -> [Int32] {
        // Lines waiting to be written bound how long the loop may sleep.
        let ready = engine.runOnce(timeout: lines.wait(atMost: timeout) { engine.now() }, watching: extra)
        if echo {
            for p in engine.peersWithUnreadData {
                for message in engine.read(p) { try? engine.send(p, message) }
            }
        }
        lines.flushIfDue { engine.now() }
        return ready
    }

    /// close_notify to every peer; the totals of this worker.
    func finish() -> Engine.Statistics {
        engine.closeAll()
        lines.open()
        lines.flush()
        _ = sinks
        return engine.statistics
    }
}

/// One worker's output: held while the worker starts; then stdout lines
/// gathered and written together, whole lines only, so workers' lines never
/// interleave inside a line. To a terminal every turn's lines go at its end;
/// to a file or a pipe (a server's log) they wait up to 50 ms or 16 KB, as
/// stdio buffers a file: a loaded server wrote once a turn, about once per
/// three handshakes. Each write(2) holds whole lines and at most PIPE_BUF
/// bytes when it can: the kernel keeps only such pipe writes in one piece,
/// and other workers write to the same pipe. Confined to the worker's thread.
private final class LineBuffer {
    @exclusivity(unchecked) private var held: [(Int32, String)]? = []
    /// Bytes, not a String: they go to write(2) as they are, and the buffer
    /// keeps its capacity from turn to turn.
    @exclusivity(unchecked) private var pending: [UInt8] = []
    /// When the oldest pending line was first seen at the end of a turn.
    @exclusivity(unchecked) private var pendingSince: Double?
    private let batches = isatty(STDOUT_FILENO) == 0
    private static let longestDelay = 0.05
    private static let largestBatch = 16 << 10

    /// How long the loop may sleep before the pending lines are due.
    func wait(atMost timeout: Double, now: () -> Double) -> Double {
        guard let since = pendingSince else { return timeout }
        return min(timeout, max(0, since + Self.longestDelay - now()))
    }

    func flushIfDue(now: () -> Double) {
        guard !pending.isEmpty else { return }
        guard batches else { return flush() }
        let clock = now()
        let since = pendingSince ?? clock
        pendingSince = since
        if pending.count >= Self.largestBatch || clock - since >= Self.longestDelay { flush() }
    }

    func write(_ fd: Int32, _ line: String) {
        if held != nil {
            held!.append((fd, line))
        } else if fd == STDOUT_FILENO {
            pending.append(contentsOf: line.utf8)
            pending.append(10)
            if pending.count >= 1 << 16 { flush() }
        } else {
            // Rare (stderr): what came before it goes first.
            flush()
            Output.write(fd, line + "\n")
        }
    }

    func open() {
        guard let lines = held else { return }
        held = nil
        for (fd, line) in lines { write(fd, line) }
    }

    func flush() {
        pendingSince = nil
        guard !pending.isEmpty else { return }
        pending.withUnsafeBytes { all in
            var start = 0
            // Bounded: every piece ends at a newline past `start` or at the end.
            while start < all.count {
                let window = all[start..<min(all.count, start + Int(PIPE_BUF))]
                // The last whole line in the window; a longer line goes alone.
                let end = window.lastIndex(of: 10).map { $0 + 1 }
                    ?? all[start...].firstIndex(of: 10).map { $0 + 1 } ?? all.count
                Output.write(STDOUT_FILENO, UnsafeRawBufferPointer(rebasing: all[start..<end]))
                start = end
            }
        }
        pending.removeAll(keepingCapacity: true)
    }
}

/// What the threads of `serve --workers` share: a stop flag, and the start-up
/// and exit reports. Nothing of any engine.
final class WorkerCrew: Sendable {
    let stopping = Atomic<Bool>(false)

    private struct State {
        var ready = 0
        var failures: [String] = []
        var statistics: [Int: Engine.Statistics] = [:]
    }

    private let state = Mutex(State())
    private let reported = DispatchSemaphore(value: 0)
    private let started = DispatchSemaphore(value: 0)
    private let threads = Mutex<[pthread_t]>([])

    /// Runs the loop of worker `index` on a new thread: bind `address`, report,
    /// wait for the go, turn until `stopping`, close every peer, record totals.
    func spawn(index: Int, plan: WorkerPlan, bind address: SocketAddress) throws {
        let thread = try startThread { [self] in
            let worker: ServeWorker
            do {
                worker = try ServeWorker(index: index, plan: plan, bind: address)
            } catch {
                state.withLock { $0.failures.append("worker \(index): \(error)") }
                reported.signal()
                return
            }
            state.withLock { $0.ready += 1 }
            reported.signal()
            started.wait()
            if !stopping.load(ordering: .acquiring) { worker.release() }
            // Bounded by the stop flag, which the main thread sets on SIGINT/SIGTERM;
            // the short timeout is how soon a worker notices it.
            while !stopping.load(ordering: .acquiring) {
                worker.turn(timeout: 0.1)
            }
            let s = worker.finish()
            state.withLock { $0.statistics[index] = s }
        }
        threads.withLock { $0.append(thread) }
    }

    /// Waits until `count` spawned workers have each bound their socket or
    /// failed; returns the failures.
    func awaitReports(_ count: Int) -> [String] {
        for _ in 0..<count { reported.wait() }
        return state.withLock { $0.failures }
    }

    /// Lets `count` waiting workers into their loops (or, when stopping, out).
    func start(_ count: Int) {
        for _ in 0..<count { started.signal() }
    }

    func stop() { stopping.store(true, ordering: .releasing) }

    /// Joins every spawned thread; the totals of those that ran, by index.
    func join() -> [Int: Engine.Statistics] {
        for t in threads.withLock({ $0 }) { pthread_join(t, nil) }
        return state.withLock { $0.statistics }
    }
}

private final class ThreadBody {
    let run: @Sendable () -> Void
    init(_ run: @escaping @Sendable () -> Void) { self.run = run }
}

/// A joinable POSIX thread running `body`. It inherits the calling thread's
/// signal mask: block signals (SignalWatch) before calling this.
func startThread(_ body: @escaping @Sendable () -> Void) throws -> pthread_t {
    let box = Unmanaged.passRetained(ThreadBody(body))
    var thread = pthread_t()
    let rc = pthread_create(&thread, nil, { raw in
        guard let raw else { return nil }
        Unmanaged<ThreadBody>.fromOpaque(raw).takeRetainedValue().run()
        return nil
    }, box.toOpaque())
    guard rc == 0 else {
        box.release()
        throw CommandFailure.runtime("pthread_create: \(String(cString: strerror(rc)))")
    }
    return thread
}

extension Engine.Statistics {
    /// Adds another engine's totals to these.
    mutating func add(_ o: Engine.Statistics) {
        datagramsIn += o.datagramsIn; datagramsOut += o.datagramsOut
        bytesIn += o.bytesIn; bytesOut += o.bytesOut
        cookiesSent += o.cookiesSent; cookiesOK += o.cookiesOK; cookiesBad += o.cookiesBad
        peersCreated += o.peersCreated; handshakesCompleted += o.handshakesCompleted
        handshakesFailed += o.handshakesFailed
        peersClosed += o.peersClosed; peersEvicted += o.peersEvicted
        retransmits += o.retransmits
        messagesIn += o.messagesIn; messagesOut += o.messagesOut
        // Peaks of workers that run side by side add up to at most the sum.
        peersPeak += o.peersPeak; halfOpenPeak += o.halfOpenPeak
        dropped.merge(o.dropped, uniquingKeysWith: +)
    }
}
