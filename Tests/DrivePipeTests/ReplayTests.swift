// Whole-daemon replays in process (Assembly + sink into a file): a corrupt frame in the middle
// gives one error line and the run goes on; replays are byte-identical, also across thread counts.
import Config
import Foundation
import Pipeline
import Sources
import Testing
@testable import DrivePipe

/// Replay `log` through the daemon's stage graph; returns stdout bytes and the report.
func replay(_ log: String, config: PipelineConfig) throws -> (String, PipelineReport, SinkTally) {
    let dir = Scratch()
    let path = dir.path + "/out.ndjson"
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    defer { close(fd) }
    let b = PipelineBuilder()
    let sink = NDJSONSink<NoPlannerDecision>(writer: OutputWriter(fd: fd), decimals: config.output.floatDecimals)
    Assembly.wire(b, reader: try SourceLocator.open(log), config: config, sink: sink)
    let report = try b.build().run()
    return (try String(contentsOfFile: path, encoding: .utf8), report, sink.tally)
}

func smallConfig(decodeThreads: Int = 1, preprocessThreads: Int = 1) -> PipelineConfig {
    var c = PipelineConfig()
    c.input.width = 64; c.input.height = 36
    c.threads.decode = decodeThreads; c.threads.preprocess = preprocessThreads
    return c
}

@Suite struct ReplayTests {
    @Test func corruptFrameMidLogGivesOneErrorLineAndTheRunGoesOn() throws {
        let dir = Scratch()
        let log = try makeDriveLog(in: dir, frames: 40, corrupt: [17])
        let (text, report, tally) = try replay(log, config: smallConfig())
        let recs = try records(text)
        #expect(recs.count == 40)
        #expect(recs.map { $0["frame"] as? Int } == Array(0..<40))
        let errors = recs.filter { $0["type"] as? String == "error" }
        #expect(errors.count == 1)
        #expect(errors.first?["frame"] as? Int == 17)
        #expect(errors.first?["stage"] as? String == "decode")
        #expect(errors.first?["source"] as? String == "corrupt.jpg")
        #expect((errors.first?["error"] as? String)?.isEmpty == false)
        #expect(tally.decisions == 39 && tally.outOfOrder == 0)
        #expect(recs.filter { $0["type"] as? String == "decision" }.allSatisfy { $0["mode"] as? String == "no_planner" })
        #expect(report.stages.first { $0.name == "preprocess" }?.passedThrough == 1)
    }

    @Test func replaysAreByteIdenticalAcrossRunsAndThreadCounts() throws {
        let a = try replay(bundledLog, config: smallConfig())
        let b = try replay(bundledLog, config: smallConfig())
        let c = try replay(bundledLog, config: smallConfig(decodeThreads: 2, preprocessThreads: 2))
        #expect(a.0.split(separator: "\n").count == 100)
        #expect(a.0 == b.0)
        #expect(a.0 == c.0)
    }
}
