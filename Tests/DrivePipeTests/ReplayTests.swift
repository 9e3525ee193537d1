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
    let sink = NDJSONSink<PlannedFrame>(writer: OutputWriter(fd: fd), decimals: config.output.floatDecimals)
    _ = try Assembly.wire(b, reader: try SourceLocator.open(log), config: config, sink: sink)
    let report = try b.build().run()
    return (try String(contentsOfFile: path, encoding: .utf8), report, sink.tally)
}

/// The default pipeline (the committed model) with the given thread budget.
func defaultConfig(decodeThreads: Int = 1, preprocessThreads: Int = 1, blasThreads: Int = 1,
                   modelWorkers: Int = 1) throws -> PipelineConfig {
    var c = try ConfigLoader.load(path: packageRoot + "/pipelines/default.yaml")
    c.threads.decode = decodeThreads; c.threads.preprocess = preprocessThreads; c.threads.blas = blasThreads
    c.threads.backbone = modelWorkers; c.threads.heads = modelWorkers
    return c
}

let plannerModes: Set<String> = ["cruise", "follow", "brake", "stop", "degraded"]

@Suite struct ReplayTests {
    @Test func corruptFrameMidLogGivesOneErrorLineAndTheRunGoesOn() throws {
        let dir = Scratch()
        let log = try makeDriveLog(in: dir, frames: 40, corrupt: [17])
        let (text, report, tally) = try replay(log, config: try defaultConfig())
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
        #expect(recs.filter { $0["type"] as? String == "decision" }.allSatisfy { plannerModes.contains($0["mode"] as? String ?? "") })
        #expect(report.stages.first { $0.name == "preprocess" }?.passedThrough == 1)
    }

    @Test func replaysAreByteIdenticalAcrossRunsAndThreadCounts() throws {
        let a = try replay(bundledLog, config: try defaultConfig())
        let b = try replay(bundledLog, config: try defaultConfig())
        let c = try replay(bundledLog, config: try defaultConfig(decodeThreads: 2, preprocessThreads: 2, blasThreads: 2))
        let d = try replay(bundledLog, config: try defaultConfig(modelWorkers: 2))
        let lines = a.0.split(separator: "\n")
        #expect(lines.count == 100)
        #expect(a.0 == b.0)
        #expect(a.0 == c.0, "1 thread vs 2 threads")
        #expect(a.0 == d.0, "1 vs 2 workers (sessions) per model stage")
        // Real perception on real frames: decisions come from the planner, and cars are tracked.
        let recs = try records(a.0)
        #expect(recs.allSatisfy { $0["type"] as? String == "decision" && plannerModes.contains($0["mode"] as? String ?? "") })
        #expect(recs.contains { (($0["tracks"] as? [Any])?.count ?? 0) > 0 })
    }
}

/// A pipeline file without input.width/height takes them from the model card (a new model needs
/// no config change); one that sets them keeps its own (and PerceptionModel checks they match).
@Suite struct InputSizeFromModelTests {
    @Test func leftOutSizeIsTheCards() throws {
        let dir = Scratch()
        let card = dir.path + "/card.json"
        var json = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: packageRoot + "/fixtures/models/drivepipe-student.json"))) as! [String: Any]
        var input = json["input"] as! [String: Any]
        input["width"] = 512; input["height"] = 288
        json["input"] = input
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: card))
        var c = try ConfigLoader.parse(yaml: "models: {card: \(card)}")
        #expect(c.input.sizeFromModel)
        let adopted = Assembly.withModelInputSize(c)
        #expect(adopted.input.width == 512 && adopted.input.height == 288)
        c = try ConfigLoader.parse(yaml: "models: {card: \(card)}\ninput: {width: 384, height: 224}")
        let kept = Assembly.withModelInputSize(c)
        #expect(kept.input.width == 384 && kept.input.height == 224)
        // the default pipeline leaves the size to the committed card
        #expect(try defaultConfig().input.sizeFromModel)
    }
}

@Suite struct StageSchedulingTests {
    /// `threads.scheduling: auto` is batch only for an unpaced replay with single-threaded BLAS.
    @Test func autoIsBatchOnlyForAnUnpacedSingleBLASReplay() {
        var t = PipelineConfig().threads
        #expect(t.scheduling == .auto)
        #expect(Daemon.stageScheduling(t, live: false) == .batch)
        #expect(Daemon.stageScheduling(t, live: true) == .normal)
        t.blas = 2
        #expect(Daemon.stageScheduling(t, live: false) == .normal)
        t.scheduling = .batch
        #expect(Daemon.stageScheduling(t, live: true) == .batch)
        t.scheduling = .normal
        t.blas = 1
        #expect(Daemon.stageScheduling(t, live: false) == .normal)
    }
}
