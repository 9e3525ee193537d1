// StageStats: per-stage counters and latency histogram, shared by a stage's worker threads.
import Foundation

final class StageStats: @unchecked Sendable {
    // Invariant: all fields accessed with `lock` held.
    private let lock = NSLock()
    let name: String
    let kind: String
    let workers: Int
    private var histogram = LatencyHistogram()
    private var processed = 0
    private var failed = 0
    private var passedThrough = 0
    private var overBudget = 0

    init(name: String, kind: String, workers: Int) {
        self.name = name; self.kind = kind; self.workers = workers
    }

    func recordProcessed(ns: UInt64, failed didFail: Bool) {
        lock.lock()
        histogram.record(ns: ns)
        processed += 1
        if didFail { failed += 1 }
        lock.unlock()
    }

    func recordOverBudget() { lock.lock(); overBudget += 1; lock.unlock() }

    func recordPassThrough() { lock.lock(); passedThrough += 1; lock.unlock() }

    func report() -> StageReport {
        lock.lock(); defer { lock.unlock() }
        return StageReport(name: name, kind: kind, workers: workers, processed: processed, failed: failed,
                           passedThrough: passedThrough, overBudget: overBudget, latency: histogram)
    }
}
