// BoundedQueue: one edge between two stage threads. A lock and a condition variable around the
// `EdgeBuffer` state machine; producers and consumers are dedicated threads (never tasks of the
// cooperative pool), so waiting here blocks only the waiting stage.
import Foundation

/// An edge seen without its value type (reports, test harness).
public protocol EdgeHandle: AnyObject, Sendable {
    var name: String { get }
    var policy: EdgePolicy { get }
    func snapshot() -> EdgeSnapshot
    func wait(until predicate: (EdgeSnapshot) -> Bool)
}

public final class BoundedQueue<Value: Sendable>: EdgeHandle, @unchecked Sendable {
    // Invariant for @unchecked Sendable: `buffer` is only touched with `condition` locked.
    private let condition = NSCondition()
    private var buffer: EdgeBuffer<Value>

    public let name: String
    public let policy: EdgePolicy

    public init(name: String, policy: EdgePolicy) {
        self.name = name
        self.policy = policy
        self.buffer = EdgeBuffer(name: name, policy: policy)
    }

    /// Queue one envelope; with a `block` policy waits (high/low watermark) until there is room.
    /// Returns the index of a frame evicted to make room, if any. Offers after `close` are ignored.
    @discardableResult
    public func push(_ envelope: Envelope<Value>) -> Int? {
        condition.lock()
        defer { condition.unlock() }
        var waited = false
        while true {
            switch buffer.offer(envelope) {
            case .accepted:
                condition.broadcast()
                return nil
            case .acceptedEvicting(let frame):
                condition.broadcast()
                return frame
            case .producerMustWait:
                if !waited { buffer.noteProducerWait(); waited = true }
                condition.broadcast()    // observers may wait for "producer parked"
                condition.wait()
            case .rejectedClosed:
                return nil
            }
        }
    }

    /// The oldest envelope, waiting while the queue is empty; nil once closed and drained.
    public func pop() -> Envelope<Value>? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            switch buffer.take() {
            case .item(let e, _):
                condition.broadcast()
                return e
            case .consumerMustWait:
                condition.wait()
            case .finished:
                return nil
            }
        }
    }

    public enum Poll { case item(Envelope<Value>), empty, finished }

    /// Take without waiting (the sink flushes stdout when its input runs dry).
    public func poll() -> Poll {
        condition.lock()
        defer { condition.unlock() }
        switch buffer.take() {
        case .item(let e, _):
            condition.broadcast()
            return .item(e)
        case .consumerMustWait: return .empty
        case .finished: return .finished
        }
    }

    /// No more pushes; the consumer drains the rest and then sees the end.
    public func close() {
        condition.lock()
        buffer.close()
        condition.broadcast()
        condition.unlock()
    }

    public typealias Snapshot = EdgeSnapshot

    public func snapshot() -> EdgeSnapshot {
        condition.lock()
        defer { condition.unlock() }
        return currentSnapshot()
    }

    /// Wait until `predicate` holds for the queue's state (test harness: "the producer is parked",
    /// "three frames queued") without sleeping: every state change broadcasts.
    public func wait(until predicate: (EdgeSnapshot) -> Bool) {
        condition.lock()
        defer { condition.unlock() }
        while !predicate(currentSnapshot()) { condition.wait() }
    }

    private func currentSnapshot() -> EdgeSnapshot {
        EdgeSnapshot(depth: buffer.live, queued: buffer.count, closed: buffer.closed,
                 producerWaiting: !buffer.writable, counters: buffer.counters)
    }
}

/// One edge's state at an instant.
public struct EdgeSnapshot: Sendable, Equatable {
    /// Live frames queued (values and failures).
    public var depth: Int
    /// Everything queued, drop tombstones included.
    public var queued: Int
    public var closed: Bool
    /// Block policy: the producer must wait (above the high watermark, not yet down to the low one).
    public var producerWaiting: Bool
    public var counters: EdgeCounters
}
