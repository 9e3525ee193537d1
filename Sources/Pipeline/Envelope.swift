// Envelope: what travels on every edge. One envelope per input frame, in input order, whatever
// happened to the frame: it carries a value, the failure of the stage that gave up on it, or the
// notice that a queue dropped it. Later stages pass failures and drops through untouched, so the
// sink sees exactly one outcome per frame (Result-like, with a third case for drops).
import Messages

/// A stage's failure on one frame: which stage, and a human-readable message.
public struct StageFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var stage: String
    public var message: String
    public init(stage: String, message: String) { self.stage = stage; self.message = message }
    public var description: String { "\(stage): \(message)" }
}

/// A frame dropped by a queue: the edge's name and why (the policy that evicted it).
public struct DropNotice: Sendable, Equatable {
    public var edge: String
    public var reason: String
    public init(edge: String, reason: String) { self.edge = edge; self.reason = reason }
}

/// The outcome of one frame so far.
public enum Payload<Value: Sendable>: Sendable {
    case value(Value)
    case failed(StageFailure)
    case dropped(DropNotice)

    /// Same outcome with another value type; only `.value` needs a transform.
    @inlinable
    public func passThrough<Other>() -> Payload<Other>? {
        switch self {
        case .value: return nil
        case .failed(let f): return .failed(f)
        case .dropped(let d): return .dropped(d)
        }
    }
}

/// One frame on an edge: identity (index, source name, capture time), when the source accepted it
/// (monotonic ns, for the opt-in latency field and frame age), how many stages went over their
/// time budget on it so far, and its payload.
public struct Envelope<Value: Sendable>: Sendable {
    public var info: FrameInfo
    public var acceptedAtNs: UInt64
    /// Stages whose processing of this frame exceeded their configured budget (a "timeout": the
    /// frame still goes on; the planner may treat it as a health problem).
    public var overBudget: Int = 0
    public var payload: Payload<Value>
    public init(info: FrameInfo, acceptedAtNs: UInt64, overBudget: Int = 0, payload: Payload<Value>) {
        self.info = info; self.acceptedAtNs = acceptedAtNs; self.overBudget = overBudget; self.payload = payload
    }
    /// The same frame with a new payload.
    public func with<Other>(_ payload: Payload<Other>) -> Envelope<Other> {
        Envelope<Other>(info: info, acceptedAtNs: acceptedAtNs, overBudget: overBudget, payload: payload)
    }
    /// True unless the frame was dropped: failures still occupy a queue slot (they count for `block`).
    var isLive: Bool { if case .dropped = payload { return false } else { return true } }
    var holdsValue: Bool { if case .value = payload { return true } else { return false } }
}
