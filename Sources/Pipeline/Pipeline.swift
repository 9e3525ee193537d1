// Pipeline: a built graph of stage runners. `start` launches one dedicated thread per stage worker
// (under the builder's `ThreadScheduling`);
// the run ends when the sink has seen the end of stream (end of input, or `requestStop` followed by
// the drain of every queue: accepted frames are always finished).
import Foundation

public final class Pipeline: @unchecked Sendable {
    // Invariant: `started` guarded by `lock`; runners and edges are immutable after build.
    private let runners: [any StageRunner]
    private let edges: [any EdgeHandle]
    private let group = DispatchGroup()
    private let lock = NSLock()
    private var started = false
    public let stop: StopToken
    public let scheduling: ThreadScheduling

    init(runners: [any StageRunner], edges: [any EdgeHandle], stop: StopToken, scheduling: ThreadScheduling = .normal) {
        self.runners = runners; self.edges = edges; self.stop = stop; self.scheduling = scheduling
    }

    /// Launch every stage thread (idempotent).
    public func start() {
        lock.lock()
        defer { lock.unlock() }
        guard !started else { return }
        started = true
        for runner in runners {
            for w in 0..<runner.threadCount {
                group.enter()
                let thread = Thread { [group, scheduling] in
                    if scheduling != .normal { scheduling.applyToCurrentThread() }
                    runner.runWorker(w)
                    group.leave()
                }
                thread.name = runner.threadCount > 1 ? "dp-\(runner.stats.name)-\(w)" : "dp-\(runner.stats.name)"
                thread.stackSize = 4 << 20
                thread.start()
            }
        }
    }

    /// Ask the source to stop; everything already accepted still flows to the sink.
    public func requestStop(reason: String) { stop.stop(reason: reason) }

    /// Wait for every stage thread to finish, then report.
    public func waitUntilFinished() -> PipelineReport {
        group.wait()
        return report()
    }

    /// Start and wait.
    public func run() -> PipelineReport {
        start()
        return waitUntilFinished()
    }

    /// The edge named "producer->consumer", for monitoring and the test harness.
    public func edge(_ name: String) -> (any EdgeHandle)? { edges.first { $0.name == name } }

    /// Counters so far (final once the run has finished).
    public func report() -> PipelineReport {
        PipelineReport(stages: runners.map { $0.stats.report() }, edges: edges.map { EdgeReport(name: $0.name, policy: $0.policy, counters: $0.snapshot().counters) }, stopReason: stop.reason)
    }
}
