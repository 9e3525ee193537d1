// Port: the output side of a stage. Each consumer attached to it gets its own edge (bounded
// queue); the producer pushes every envelope to every edge (fan-out), so each branch sees every
// frame index in order (dropped ones as tombstones).

public final class Port<Value: Sendable>: @unchecked Sendable {
    // Invariant for @unchecked Sendable: `edges` is appended to only while the pipeline is being
    // built (one thread); stage threads read it after `Pipeline.start`, which happens-after.
    public let producer: String
    private(set) var edges: [BoundedQueue<Value>] = []

    init(producer: String) { self.producer = producer }

    func attach(consumer: String, policy: EdgePolicy) -> BoundedQueue<Value> {
        let q = BoundedQueue<Value>(name: "\(producer)->\(consumer)", policy: policy)
        edges.append(q)
        return q
    }

    /// Push to every edge (a full `block` edge makes the producer wait).
    func emit(_ envelope: Envelope<Value>) {
        for edge in edges { edge.push(envelope) }
    }

    func close() { for edge in edges { edge.close() } }
}

/// Carries a non-Sendable value (a stage's closure or state) to the one thread that owns it.
/// Invariant: after hand-over only that thread touches `value`.
struct ThreadOwned<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
