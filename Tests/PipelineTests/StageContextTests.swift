// StageContext: budget overruns travel with the frame; a later stage sees the recent frames'
// drops, failures and overruns in input order (the planner's health signal), in virtual time.
import Foundation
import Messages
import Testing
@testable import Pipeline

@Suite struct StageContextTests {
    @Test func budgetOverrunsAndRecentWindowReachTheLaterStage() throws {
        let clock = ManualClock()
        let b = PipelineBuilder(clock: clock)
        let frames = b.source("source", ScriptedSource<Int>(count: 10) { i in
            i == 5 ? .failure(StageFailure(stage: "source", message: "bad")) : .success(i)
        })
        // frames 2 and 7 cost 50 ms against a 20 ms budget
        let slow = b.map("slow", frames, edge: .block(2), budgetMs: 20) { v, _ in
            clock.advance(byNs: (v == 2 || v == 7) ? 50_000_000 : 1_000_000)
            return v
        }
        let seen = b.mapWithContext("planner", slow, edge: .block(2), windowSize: 4) {
            { v, ctx in "\(v):late\(ctx.overBudget):w\(ctx.window.count)/d\(ctx.window.dropped)/f\(ctx.window.failed)/o\(ctx.window.overBudget)" }
        }
        let sink = CollectingSink<String>()
        b.sink("sink", seen, edge: .block(2), sink)
        let report = try b.build().run()
        #expect(sink.outcomes == [
            .value("0:late0:w1/d0/f0/o0"), .value("1:late0:w2/d0/f0/o0"), .value("2:late1:w3/d0/f0/o1"),
            .value("3:late0:w4/d0/f0/o1"), .value("4:late0:w4/d0/f0/o1"), .failed(stage: "source"),
            .value("6:late0:w4/d0/f1/o0"), .value("7:late1:w4/d0/f1/o1"), .value("8:late0:w4/d0/f1/o1"),
            .value("9:late0:w4/d0/f0/o1"),
        ])
        #expect(report.stages.first { $0.name == "slow" }?.overBudget == 2)
        #expect(report.table().contains("late"))
    }

    @Test func windowCountsDropsFromALatestOnlyEdge() throws {
        let b = PipelineBuilder()
        let feed = Gate(permits: 1)
        let src = ScriptedSource<Int>(count: 6, gate: feed) { .success($0) }
        let frames = b.source("source", src)
        let hold = Gate()
        let live = b.map("live", frames, edge: .latestOnly) { v, _ in hold.pass(); return v }
        let planner = b.mapWithContext("planner", live, edge: .block(8)) { { v, ctx in ctx.window.dropRatio } }
        let sink = CollectingSink<Double>()
        b.sink("sink", planner, edge: .block(8), sink)
        let p = try b.build()
        p.start()
        hold.waitForWaiters()
        feed.open()
        p.edge("source->live")?.wait { $0.closed }
        hold.open()
        _ = p.waitUntilFinished()
        // frame 0 value, 1...4 dropped, 5 value: the planner sees 4 drops in 6 frames at frame 5
        #expect(sink.outcomes.last == .value("\(4.0 / 6.0)"))
    }
}
