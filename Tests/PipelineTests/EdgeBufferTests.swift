// The queue state machine alone: policies, watermarks, tombstones.
import Messages
import Testing
@testable import Pipeline

private func env(_ i: Int) -> Envelope<Int> { Envelope(info: frameInfo(i), acceptedAtNs: 0, payload: .value(i)) }

@Suite struct EdgeBufferTests {
    @Test func blockUsesHighAndLowWatermarks() {
        var b = EdgeBuffer<Int>(name: "e", policy: .block(capacity: 4, lowWatermark: 1))
        for i in 0..<4 { #expect(b.offer(env(i)) == .accepted) }
        #expect(b.offer(env(4)) == .producerMustWait)        // high watermark
        guard case .item(_, let w1) = b.take() else { Issue.record("no item"); return }
        #expect(!w1)                                           // depth 3 > low 1: producer stays parked
        #expect(b.offer(env(4)) == .producerMustWait)
        _ = b.take()
        guard case .item(_, let w3) = b.take() else { Issue.record("no item"); return }
        #expect(w3)                                            // depth 1 == low: wake the producer
        #expect(b.offer(env(4)) == .accepted)
        #expect(b.counters.dropped == 0 && b.counters.maxDepth == 4)
    }

    @Test func latestOnlyEvictsIntoTombstonesInOrder() {
        var b = EdgeBuffer<Int>(name: "a->b", policy: .latestOnly)
        #expect(b.offer(env(0)) == .accepted)
        #expect(b.offer(env(1)) == .acceptedEvicting(frame: 0))
        #expect(b.offer(env(2)) == .acceptedEvicting(frame: 1))
        var seen: [String] = []
        while case .item(let e, _) = b.take() {
            switch e.payload {
            case .value(let v): seen.append("v\(v)")
            case .dropped(let d): seen.append("d\(e.info.index):\(d.edge):\(d.reason)")
            case .failed: seen.append("f")
            }
        }
        #expect(seen == ["d0:a->b:latest_only", "d1:a->b:latest_only", "v2"])
        #expect(b.counters.dropped == 2 && b.counters.maxDepth == 1)
    }

    @Test func dropOldestKeepsNewestN_andPassesUpstreamTombstones() {
        var b = EdgeBuffer<Int>(name: "e", policy: .dropOldest(2))
        var upstreamDrop = env(0)
        upstreamDrop.payload = .dropped(DropNotice(edge: "x->y", reason: "latest_only"))
        #expect(b.offer(upstreamDrop) == .accepted)            // tombstones never count or evict
        #expect(b.offer(env(1)) == .accepted)
        #expect(b.offer(env(2)) == .accepted)
        #expect(b.offer(env(3)) == .acceptedEvicting(frame: 1))
        #expect(b.live == 2 && b.count == 4)
        b.close()
        var order: [Int] = []
        while case .item(let e, _) = b.take() { order.append(e.info.index) }
        #expect(order == [0, 1, 2, 3])
        if case .finished = b.take() {} else { Issue.record("expected finished") }
    }

    @Test func closedEdgeRejectsAndFinishes() {
        var b = EdgeBuffer<Int>(name: "e", policy: .block(2))
        b.close()
        #expect(b.offer(env(0)) == .rejectedClosed)
        if case .finished = b.take() {} else { Issue.record("expected finished") }
    }
}
