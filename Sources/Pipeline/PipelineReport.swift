// PipelineReport: what a run did, per stage (latency p50/p95/p99) and per edge (enqueued,
// dropped, max depth, producer waits); printed as a table on stderr at the end of a run.
import Foundation

public struct StageReport: Sendable, Equatable {
    public var name: String
    public var kind: String
    public var workers: Int
    /// Frames the stage worked on (its body ran), including those where it failed.
    public var processed: Int
    public var failed: Int
    /// Frames passed through untouched (already failed or dropped upstream).
    public var passedThrough: Int
    /// Frames on which processing took longer than the stage's budget.
    public var overBudget: Int
    public var latency: LatencyHistogram
}

public struct EdgeReport: Sendable, Equatable {
    public var name: String
    public var policy: EdgePolicy
    public var counters: EdgeCounters
}

public struct PipelineReport: Sendable {
    public var stages: [StageReport]
    public var edges: [EdgeReport]
    public var stopReason: String?

    public var totalDropped: Int { edges.reduce(0) { $0 + $1.counters.dropped } }

    /// Fixed-width table for stderr.
    public func table() -> String {
        func ms(_ ns: UInt64) -> String { String(format: "%9.3f", Double(ns) / 1e6) }
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        var out = "stage                 kind   thr  frames  failed  passed  late    p50 ms    p95 ms    p99 ms    max ms\n"
        for s in stages {
            out += pad(s.name, 22) + pad(s.kind, 7) + String(format: "%3d %7d %7d %7d %5d ", s.workers, s.processed, s.failed, s.passedThrough, s.overBudget)
            out += ms(s.latency.quantileNs(0.5)) + " " + ms(s.latency.quantileNs(0.95)) + " "
            out += ms(s.latency.quantileNs(0.99)) + " " + ms(s.latency.maxNs) + "\n"
        }
        out += "edge                                policy              enqueued  dropped  max depth  producer waits\n"
        for e in edges {
            out += pad(e.name, 36) + pad(e.policy.description, 18)
            out += String(format: "%10d %8d %10d %15d\n", e.counters.enqueued, e.counters.dropped, e.counters.maxDepth, e.counters.producerWaits)
        }
        return out
    }
}
