internal import CSystem
import DTLSPlex
import Dispatch
import Glibc
import Synchronization

/// What `dtlsh bench` loads: a child process, or a serve worker on a thread
/// of the bench itself.
protocol BenchServer: AnyObject {
    var address: SocketAddress { get }
    /// The server's CPU time, memory and page faults so far.
    func stats() -> ProcessStats?
    func stop()
}

extension ServerProcess: BenchServer {
    func stats() -> ProcessStats? { ProcessStats.of(pid: pid) }
}

/// `dtlsh serve`'s worker on a thread of this process (`bench --in-process`):
/// the same engine and settings as the child, without a process between the
/// load and the server. Its CPU time and page faults are its thread's; its
/// memory is the whole process's, the load generator's included.
final class InProcessServer: BenchServer, Sendable {
    let address: SocketAddress
    private let thread: pthread_t
    private let threadID: Int32
    private let shared: Shared

    private init(address: SocketAddress, thread: pthread_t, threadID: Int32, shared: Shared) {
        self.address = address
        self.thread = thread
        self.threadID = threadID
        self.shared = shared
    }

    /// Starts a worker of `serve` with these flags on a new thread, bound to
    /// a free loopback port.
    static func start(serveArguments: [String]) throws -> InProcessServer {
        let plan = try ServeCommand.parse(serveArguments + ["--bind", "127.0.0.1:0"]).workerPlan()
        let bind = try SocketAddress(parsing: "127.0.0.1:0")
        let shared = Shared()
        let thread = try startThread { [shared] in
            let worker: ServeWorker
            do {
                worker = try ServeWorker(index: 0, plan: plan, bind: bind)
            } catch {
                shared.report.withLock { $0 = .failure("\(error)") }
                shared.reported.signal()
                return
            }
            shared.report.withLock { $0 = .bound(worker.socket.localAddress, CSystem_gettid()) }
            shared.reported.signal()
            // Bounded by the stop flag; the short timeout is how soon it is seen.
            // Its lines stay held (never released): the bench prints its own.
            while !shared.stopping.load(ordering: .acquiring) { worker.turn(timeout: 0.05) }
            worker.engine.closeAll()
        }
        shared.reported.wait()
        switch shared.report.withLock({ $0 }) {
        case let .bound(address, tid):
            return InProcessServer(address: address, thread: thread, threadID: tid, shared: shared)
        case let .failure(why):
            pthread_join(thread, nil)
            throw CommandFailure.runtime("the in-process server did not start: \(why)")
        case .none:
            pthread_join(thread, nil)
            throw CommandFailure.runtime("the in-process server did not start")
        }
    }

    func stats() -> ProcessStats? { ProcessStats.of(thread: threadID) }

    func stop() {
        guard !shared.stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        pthread_join(thread, nil)
    }

    deinit { stop() }

    /// What the starting thread and the worker's thread share.
    private final class Shared: Sendable {
        enum Report: Sendable { case none, bound(SocketAddress, Int32), failure(String) }
        let report = Mutex(Report.none)
        let reported = DispatchSemaphore(value: 0)
        let stopping = Atomic<Bool>(false)
    }
}
