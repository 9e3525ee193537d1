// StageContext: what a stage may know about a frame besides its value: identity, how long it has
// been in the pipeline, and what happened to the frames just before it at this stage's input
// (drops, failures, budget overruns). The planner turns this into its perception-health signal.
// Deterministic for a lossless replay (no drops, no budgets): only time-based fields vary.
import Messages

/// Outcomes of the most recent frames seen at a stage's input (including the current one), in
/// input order. Fixed size: the last `capacity` frames.
public struct FrameWindow: Sendable, Equatable {
    public let capacity: Int
    private var kinds: [UInt8] = []   // ring: bit 0 dropped, bit 1 failed, bit 2 over budget
    private var next = 0

    public init(capacity: Int = 30) { self.capacity = max(1, capacity) }

    mutating func record(dropped: Bool, failed: Bool, overBudget: Bool) {
        let k = UInt8(dropped ? 1 : 0) | UInt8(failed ? 2 : 0) | UInt8(overBudget ? 4 : 0)
        if kinds.count < capacity { kinds.append(k) } else { kinds[next] = k }
        next = (next + 1) % capacity
    }

    /// Frames in the window.
    public var count: Int { kinds.count }
    public var dropped: Int { kinds.reduce(0) { $0 + Int($1 & 1) } }
    public var failed: Int { kinds.reduce(0) { $0 + Int(($1 >> 1) & 1) } }
    /// Frames on which some stage exceeded its time budget.
    public var overBudget: Int { kinds.reduce(0) { $0 + Int(($1 >> 2) & 1) } }
    /// dropped / count (0 when empty).
    public var dropRatio: Double { count == 0 ? 0 : Double(dropped) / Double(count) }
}

public struct StageContext: Sendable {
    public var info: FrameInfo
    /// Monotonic time the source accepted the frame, and now (ns).
    public var acceptedAtNs: UInt64
    public var nowNs: UInt64
    /// Stages that went over budget on this frame so far.
    public var overBudget: Int
    /// The recent frames at this stage's input, this one included.
    public var window: FrameWindow

    /// Seconds since the source accepted the frame.
    public var ageInPipelineS: Double { Double(nowNs &- acceptedAtNs) / 1e9 }
}
