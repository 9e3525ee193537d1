// Bounded memory: a slow sink and a long source keep the number of live frames (and so memory)
// flat: the peak is set by queue capacities, not by the length of the input.
import Foundation
import Testing
@testable import Pipeline

@Suite(.serialized) struct MemoryTests {
    /// Peak live 256 KiB frames while a slow sink drains `count` frames through block edges.
    func peakLiveFrames(count: Int) throws -> (peak: Int, delivered: Int) {
        Blob.tracker.reset()
        let before = Blob.tracker.current
        let b = PipelineBuilder()
        let frames = b.source("source", ScriptedSource<Blob>(count: count) { _ in .success(Blob(size: 256 << 10)) })
        let a = b.map("a", frames, edge: .block(4)) { blob, _ in blob }
        let c = b.map("c", a, edge: .block(capacity: 8, lowWatermark: 2), workers: 2) { { blob, _ in blob } }
        let gate = Gate(permits: 0)
        let sink = CollectingSink<Blob>(gate: gate) { _ in "" }
        b.sink("sink", c, edge: .block(4), sink)
        let p = try b.build()
        p.start()
        // The slow sink: it takes one frame only once the source is parked on a full edge (or done),
        // so the producers are always as far ahead as the queues let them be.
        let first = try #require(p.edge("source->a"))
        for _ in 0..<count {
            first.wait { $0.producerWaiting || $0.closed }
            gate.release(1)
        }
        _ = p.waitUntilFinished()
        return (Blob.tracker.peak - before, sink.indices.count)
    }

    @Test func peakLiveFramesIndependentOfLength() throws {
        let short = try peakLiveFrames(count: 1_000)
        let long = try peakLiveFrames(count: 10_000)
        #expect(short.delivered == 1_000 && long.delivered == 10_000)
        // capacities 4 + 8 + 4, the two-worker map stage's reorder window (2 x workers frames:
        // in progress or finished early), one frame each in source, a and sink
        let bound = 4 + 8 + 4 + 2 * 2 + 3
        #expect(long.peak <= bound, "peak \(long.peak) live frames for 10,000 frames (bound \(bound))")
        #expect(short.peak <= bound)
    }
}
