// The runtime end to end with scripted stages: lossless block edges, reported drops, order through
// fan-out/join and parallel workers, failures passed through, shutdown draining every frame.
import Foundation
import Messages
import Testing
@testable import Pipeline

@Suite struct RuntimeTests {
    @Test func blockEdgesLoseNothingWithASlowSink() throws {
        let b = PipelineBuilder()
        let src = ScriptedSource<Int>(count: 2_000) { .success($0) }
        let frames = b.source("source", src)
        let doubled = b.map("double", frames, edge: .block(2)) { v, _ in v * 2 }
        let gate = Gate()
        let sink = CollectingSink<Int>(gate: gate)
        b.sink("sink", doubled, edge: .block(capacity: 3, lowWatermark: 1), sink)
        let p = try b.build()
        p.start()
        // The sink is held: the source can only get ahead by the queue capacities, then parks.
        gate.waitForWaiters()
        let q = p.report().edges
        #expect(q.allSatisfy { $0.counters.dropped == 0 })
        gate.open()
        let report = p.waitUntilFinished()
        #expect(sink.indices == Array(0..<2_000))
        #expect(sink.outcomes == (0..<2_000).map { .value("\($0 * 2)") })
        #expect(report.totalDropped == 0)
        #expect(report.edges.allSatisfy { $0.counters.maxDepth <= $0.policy.capacity })
        #expect(report.edges.contains { $0.counters.producerWaits > 0 })   // backpressure engaged
    }

    @Test func boundedWhileTheSinkIsHeld() throws {
        // While the sink is stalled, the source cannot run ahead: frames in flight stay bounded by
        // the edge capacities plus one frame per stage.
        let b = PipelineBuilder()
        let src = ScriptedSource<Int>(count: 10_000) { .success($0) }
        let frames = b.source("source", src)
        let a = b.map("a", frames, edge: .block(4)) { v, _ in v }
        let gate = Gate()
        let sink = CollectingSink<Int>(gate: gate)
        b.sink("sink", a, edge: .block(4), sink)
        let p = try b.build()
        p.start()
        gate.waitForWaiters()
        // Let the producers fill everything and park (they cannot get further).
        while p.report().edges.contains(where: { $0.counters.maxDepth < $0.policy.capacity }) { sched_yield() }
        let emitted = src.emitted.value
        #expect(emitted <= 4 + 4 + 1 + 1 + 1)   // two queues, the map's frame, the sink's frame, the source's frame
        gate.open()
        _ = p.waitUntilFinished()
        #expect(sink.indices.count == 10_000)
    }

    @Test func latestOnlyDropsAndReportsEveryDroppedFrame() throws {
        // Frame 0 is held inside the consumer; frames 1...9 then arrive at a latestOnly edge:
        // 1...8 are each replaced by the next one and reported as drops, 9 survives.
        let b = PipelineBuilder()
        let feed = Gate(permits: 1)   // frame 0 only, until the test says so
        let src = ScriptedSource<Int>(count: 10, gate: feed) { .success($0) }
        let frames = b.source("source", src)
        let hold = Gate()
        let slow = b.map("slow", frames, edge: .latestOnly) { v, _ in hold.pass(); return v }
        let sink = CollectingSink<Int>()
        b.sink("sink", slow, edge: .block(16), sink)
        let p = try b.build()
        p.start()
        hold.waitForWaiters()        // frame 0 is in the stage
        feed.open()
        // the source has pushed every frame (latestOnly never blocks) and closed the edge
        p.edge("source->slow")?.wait { $0.closed }
        hold.open()
        let report = p.waitUntilFinished()
        var expected: [Outcome] = [.value("0")]
        expected += (1...8).map { _ in .dropped(edge: "source->slow") }
        expected.append(.value("9"))
        #expect(sink.indices == Array(0..<10))
        #expect(sink.outcomes == expected)
        let edge = report.edges.first { $0.name == "source->slow" }
        #expect(edge?.counters.dropped == 8)
        #expect(report.stages.first { $0.name == "slow" }?.passedThrough == 8)
    }

    @Test func orderKeptThroughWorkersFanOutAndJoin() throws {
        let b = PipelineBuilder()
        let n = 600
        let src = ScriptedSource<Int>(count: n) { .success($0) }
        let frames = b.source("source", src)
        // Uneven work per frame on 3 workers: completions come out of order, emission must not.
        let work = b.map("work", frames, edge: .block(4), workers: 3) {
            { v, _ in
                var x = UInt64(v)
                for _ in 0..<((v * 7919) % 13) * 2_000 { x = x &* 6364136223846793005 &+ 1 }
                return (v, x)
            }
        }
        let left = b.map("left", work, edge: .block(2)) { v, _ in v.0 }
        let right = b.map("right", work, edge: .block(3), workers: 2) { { v, info in "\(info.index):\(v.0)" } }
        let joined = b.join("join", left, right, edges: (.block(2), .block(2))) { l, r, info in
            "\(info.index)=\(l)|\(r)"
        }
        let sink = CollectingSink<String>()
        b.sink("sink", joined, edge: .block(8), sink)
        _ = try b.build().run()
        #expect(sink.indices == Array(0..<n))
        #expect(sink.outcomes == (0..<n).map { .value("\($0)=\($0)|\($0):\($0)") })
    }

    /// `scheduling: .batch` puts every stage thread (and threads they start) under SCHED_BATCH on
    /// Linux; the frames, their order and their values are the same as under normal scheduling.
    @Test func batchSchedulingReachesEveryStageThreadAndChangesNoOutput() throws {
        final class Seen: @unchecked Sendable {   // invariant: `names` only under `lock`
            private let lock = NSLock()
            private var names: Set<String> = []
            func note(_ prefix: String = "") {
                let n = prefix + (ThreadScheduling.ofCurrentThread()?.rawValue ?? "other")
                lock.lock(); names.insert(n); lock.unlock()
            }
            var all: Set<String> { lock.lock(); defer { lock.unlock() }; return names }
        }
        func run(_ scheduling: ThreadScheduling) throws -> (outcomes: [Outcome], policies: Set<String>) {
            let b = PipelineBuilder()
            b.scheduling = scheduling
            let seen = Seen()
            let src = ScriptedSource<Int>(count: 200) { .success($0) }
            let frames = b.source("source", src)
            let work = b.map("work", frames, edge: .block(2), workers: 2) { { v, _ in seen.note(); return v * 3 } }
            let text = b.map("text", work, edge: .block(2)) { v, _ in
                if v == 0 {   // a thread started from a stage thread inherits its policy
                    let done = DispatchSemaphore(value: 0)
                    let t = Thread { seen.note("child:"); done.signal() }
                    t.start()
                    done.wait()
                }
                seen.note()
                return "\(v)"
            }
            let sink = CollectingSink<String>()
            b.sink("sink", text, edge: .block(4), sink)
            _ = try b.build().run()
            return (sink.outcomes, seen.all)
        }
        let normal = try run(.normal), batch = try run(.batch)
        #expect(batch.outcomes == normal.outcomes)
        #expect(normal.outcomes == (0..<200).map { .value("\($0 * 3)") })
        #if os(Linux)
        #expect(normal.policies == ["normal", "child:normal"])
        #expect(batch.policies == ["batch", "child:batch"])
        #endif
    }

    @Test func aWorkerGoesOnWhileAnEarlierFrameIsHeld() throws {
        // Two workers; frame 0 is held. The other worker finishes frames 1, 2, 3 meanwhile (the
        // reorder window is 2 x workers tickets) instead of waiting for frame 0's turn; the
        // output stays in input order.
        let b = PipelineBuilder()
        let n = 10
        let src = ScriptedSource<Int>(count: n) { .success($0) }
        let frames = b.source("source", src)
        let hold = Gate(), done = Counter()
        let work = b.map("work", frames, edge: .block(8), workers: 2) {
            { v, _ in
                if v == 0 { hold.pass() }
                done.increment()
                return v * 10
            }
        }
        let sink = CollectingSink<Int>()
        b.sink("sink", work, edge: .block(16), sink)
        let p = try b.build()
        p.start()
        let deadline = Date().addingTimeInterval(10)
        while done.value < 3 && Date() < deadline { usleep(1_000) }
        #expect(done.value == 3, "frames finished while frame 0 was held: \(done.value)")
        #expect(sink.consumed.value == 0)
        hold.open()
        _ = p.waitUntilFinished()
        #expect(sink.indices == Array(0..<n))
        #expect(sink.outcomes == (0..<n).map { .value("\($0 * 10)") })
    }

    @Test func joinPairsADropOnOneBranchWithTheOtherBranchsFrame() throws {
        // One branch drops (latestOnly while held); the join emits a drop record for those frames
        // and a value only where both branches delivered.
        let b = PipelineBuilder()
        let feed = Gate(permits: 1)
        let src = ScriptedSource<Int>(count: 6, gate: feed) { .success($0) }
        let frames = b.source("source", src)
        let hold = Gate()
        let live = b.map("live", frames, edge: .latestOnly) { v, _ in hold.pass(); return v }
        let all = b.map("all", frames, edge: .block(8)) { v, _ in v }
        let joined = b.join("join", live, all, edges: (.block(8), .block(8))) { l, a, _ in l + a }
        let sink = CollectingSink<Int>()
        b.sink("sink", joined, edge: .block(8), sink)
        let p = try b.build()
        p.start()
        hold.waitForWaiters()
        feed.open()
        p.edge("source->live")?.wait { $0.closed }
        hold.open()
        _ = p.waitUntilFinished()
        #expect(sink.indices == Array(0..<6))
        #expect(sink.outcomes == [.value("0"), .dropped(edge: "source->live"), .dropped(edge: "source->live"),
                                  .dropped(edge: "source->live"), .dropped(edge: "source->live"), .value("10")])
    }

    @Test func aFailingFrameBecomesOneErrorAndLaterStagesPassItThrough() throws {
        struct Boom: Error, CustomStringConvertible { var description: String { "corrupt frame" } }
        let b = PipelineBuilder()
        let src = ScriptedSource<Int>(count: 8) { i in i == 6 ? .failure(StageFailure(stage: "source", message: "bad line")) : .success(i) }
        let frames = b.source("source", src)
        let decoded = b.map("decode", frames, edge: .block(2)) { v, _ in if v == 3 { throw Boom() }; return v }
        let after = b.map("after", decoded, edge: .block(2)) { v, _ in v + 100 }
        let sink = CollectingSink<Int>()
        b.sink("sink", after, edge: .block(2), sink)
        let report = try b.build().run()
        #expect(sink.outcomes == [.value("100"), .value("101"), .value("102"), .failed(stage: "decode"),
                                  .value("104"), .value("105"), .failed(stage: "source"), .value("107")])
        let decode = report.stages.first { $0.name == "decode" }
        #expect(decode?.failed == 1 && decode?.passedThrough == 1)
        #expect(report.stages.first { $0.name == "after" }?.passedThrough == 2)
    }

    @Test func stopRequestDrainsEveryAcceptedFrame() throws {
        // An endless source; stop once the sink has seen 50 frames. Every frame the source
        // emitted must reach the sink (nothing accepted is abandoned), in order.
        let b = PipelineBuilder()
        let src = ScriptedSource<Int>(count: nil) { .success($0) }
        let frames = b.source("source", src)
        let a = b.map("a", frames, edge: .block(4)) { v, _ in v }
        let l = b.map("l", a, edge: .block(2)) { v, _ in v }
        let r = b.map("r", a, edge: .dropOldest(2)) { v, _ in v }
        let j = b.join("j", l, r, edges: (.block(2), .block(2))) { x, _, _ in x }
        let sink = CollectingSink<Int>()
        b.sink("sink", j, edge: .block(4), sink)
        let p = try b.build()
        p.start()
        sink.consumed.wait(atLeast: 50)
        p.requestStop(reason: "test")
        let report = p.waitUntilFinished()
        let emitted = src.emitted.value
        #expect(emitted >= 50)
        #expect(sink.indices == Array(0..<emitted))
        #expect(sink.finished.value == 1)
        #expect(report.stopReason == "test")
        #expect(report.stages.first { $0.kind == "source" }?.processed == emitted)
    }

    @Test func buildRejectsBadGraphs() {
        let b = PipelineBuilder()
        let frames = b.source("source", ScriptedSource<Int>(count: 1) { .success($0) })
        _ = b.map("x", frames, edge: .block(1)) { v, _ in v }
        #expect(throws: PipelineBuildError.unconsumedPort(stage: "x")) { try b.build() }
        let b2 = PipelineBuilder()
        let f2 = b2.source("s", ScriptedSource<Int>(count: 1) { .success($0) })
        b2.sink("s", f2, edge: .block(1), CollectingSink<Int>())
        #expect(throws: PipelineBuildError.duplicateStage(name: "s")) { try b2.build() }
    }
}

@Suite struct ClockAndStatsTests {
    @Test func latencyQuantilesFromScriptedCosts() throws {
        // Scripted costs on a manual clock: frame i costs (i % 100 + 1) ms of virtual time.
        let clock = ManualClock()
        let b = PipelineBuilder(clock: clock)
        let frames = b.source("source", ScriptedSource<Int>(count: 1_000) { .success($0) })
        let s = b.map("stage", frames, edge: .block(1)) { v, _ in clock.advance(byNs: UInt64(v % 100 + 1) * 1_000_000); return v }
        b.sink("sink", s, edge: .block(1), CollectingSink<Int>())
        let report = try b.build().run()
        let h = try #require(report.stages.first { $0.name == "stage" }?.latency)
        #expect(h.count == 1_000)
        func near(_ ns: UInt64, _ ms: Double) -> Bool { abs(Double(ns) / 1e6 - ms) <= ms * 0.06 }
        #expect(near(h.quantileNs(0.50), 50))
        #expect(near(h.quantileNs(0.95), 95))
        #expect(near(h.quantileNs(0.99), 99))
        #expect(h.maxNs == 100_000_000)
        #expect(report.table().contains("stage"))
    }

    @Test func manualClockSleepIsVirtualAndStoppable() {
        let clock = ManualClock(startNs: 0)
        let stop = StopToken()
        #expect(clock.sleep(untilNs: 5_000_000_000, stop: stop))
        #expect(clock.nowNs() == 5_000_000_000)
        stop.stop(reason: "x")
        #expect(!clock.sleep(untilNs: 6_000_000_000, stop: stop))
    }

    @Test func systemClockSleepWakesOnStop() {
        let stop = StopToken()
        let clock = SystemClock()
        let t0 = clock.nowNs()
        DispatchQueue.global().async { stop.stop(reason: "wake") }
        let completed = clock.sleep(untilNs: t0 + 30_000_000_000, stop: stop)
        #expect(!completed)
        #expect(clock.nowNs() - t0 < 10_000_000_000)
    }
}
