// EdgeBuffer: the state machine of one bounded queue, without locks or threads (swift-nio style:
// events in, actions out), so its policy is tested deterministically. `BoundedQueue` wraps it
// with a lock and condition variable.
//
// Shape: a FIFO of envelopes in frame order. "Live" envelopes (values and failures) count towards
// the capacity; a drop tombstone (an evicted value whose payload was replaced by a `DropNotice`)
// keeps its place in the order, so consumers and joins still see every frame index, but costs only
// the frame's identity.

/// Counters for one edge, reported at the end of a run.
public struct EdgeCounters: Sendable, Equatable {
    /// Frames pushed by the producer (values, failures and pass-through drops).
    public var enqueued = 0
    /// Frames this edge evicted (its own drops, not ones reported upstream).
    public var dropped = 0
    /// Highest number of live frames queued at once.
    public var maxDepth = 0
    /// Times the producer had to wait (block policy, high watermark reached).
    public var producerWaits = 0
    public init() {}
}

struct EdgeBuffer<Value: Sendable> {
    let name: String
    let policy: EdgePolicy
    private var storage: [Envelope<Value>?] = []
    private var head = 0
    private(set) var live = 0
    private(set) var closed = false
    /// Block policy: false between reaching the high watermark and draining to the low one.
    private(set) var writable = true
    private(set) var counters = EdgeCounters()

    init(name: String, policy: EdgePolicy) {
        self.name = name
        self.policy = policy
    }

    var count: Int { storage.count - head }

    enum OfferAction: Equatable {
        /// Queued; wake the consumer.
        case accepted
        /// Queued after evicting the frame with this index (now a drop tombstone).
        case acceptedEvicting(frame: Int)
        /// Block policy above the high watermark: wait for `.wakeProducer`, then offer again.
        case producerMustWait
        /// The edge was closed; nothing was queued.
        case rejectedClosed
    }

    /// The producer offers one envelope.
    mutating func offer(_ envelope: Envelope<Value>) -> OfferAction {
        guard !closed else { return .rejectedClosed }
        // Drop tombstones from upstream pass freely: they hold no payload and must keep their place.
        guard envelope.isLive else { append(envelope); return .accepted }
        switch policy {
        case .block(let capacity, _):
            if !writable || live >= max(1, capacity) {
                writable = false
                return .producerMustWait
            }
            append(envelope)
            return .accepted
        case .dropOldest, .latestOnly:
            var evicted: Int? = nil
            if live >= policy.capacity, let i = oldestValueIndex() {
                let victim = storage[i]!
                storage[i] = victim.with(.dropped(DropNotice(edge: name, reason: policy.reasonName)))
                live -= 1
                counters.dropped += 1
                evicted = victim.info.index
            }
            append(envelope)
            return evicted.map { .acceptedEvicting(frame: $0) } ?? .accepted
        }
    }

    enum TakeAction {
        case item(Envelope<Value>, wakeProducer: Bool)
        /// Nothing queued yet: wait for an offer or close.
        case consumerMustWait
        /// Closed and drained.
        case finished
    }

    /// The consumer takes the oldest envelope.
    mutating func take() -> TakeAction {
        guard head < storage.count else { return closed ? .finished : .consumerMustWait }
        let e = storage[head]!
        storage[head] = nil
        head += 1
        if head > 64 && head * 2 > storage.count {   // compact the consumed prefix
            storage.removeFirst(head)
            head = 0
        }
        var wake = false
        if e.isLive {
            live -= 1
            if case .block(_, let low) = policy, !writable, live <= low {
                writable = true
                wake = true
            }
        }
        return .item(e, wakeProducer: wake)
    }

    /// Count one producer wait (once per blocked push, not per wake-up).
    mutating func noteProducerWait() { counters.producerWaits += 1 }

    /// The producer is done: no more offers; the consumer drains what is queued.
    mutating func close() { closed = true; writable = true }

    private mutating func append(_ e: Envelope<Value>) {
        storage.append(e)
        counters.enqueued += 1
        if e.isLive {
            live += 1
            counters.maxDepth = max(counters.maxDepth, live)
        }
    }

    private func oldestValueIndex() -> Int? {
        var i = head
        while i < storage.count {
            if storage[i]!.holdsValue { return i }
            i += 1
        }
        return nil
    }
}
