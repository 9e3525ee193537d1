// Output records: fixed key order, fixed float format, escaping; one line per outcome.
import Foundation
import Messages
import Pipeline
import Testing
@testable import DrivePipe

@Suite struct OutputFormatTests {
    @Test func jsonLineKeyOrderFloatsAndEscapes() {
        var l = JSONLine(decimals: 3)
        l.add("type", "decision")
        l.add("frame", 7)
        l.add("x", -0.0001)
        l.add("y", 2.0 / 3.0)
        l.add("nan", Double.nan)
        l.add("s", "a\"b\\c\nd\u{01}é")
        l.add("v", [1.0, -2.5])
        l.add("o") { $0.add("k", true) }
        #expect(l.string == #"{"type":"decision","frame":7,"x":0.000,"y":0.667,"nan":null,"s":"a\"b\\c\nd\u0001é","v":[1.000,-2.500],"o":{"k":true}}"#)
        #expect(l.line().last == 0x0a)
    }

    @Test func sinkWritesOneLinePerOutcome() throws {
        let dir = Scratch()
        let path = dir.path + "/out.ndjson"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        #expect(fd >= 0)
        let sink = NDJSONSink<NoPlannerDecision>(writer: OutputWriter(fd: fd))
        let stats = ImageStats(meanPerChannel: [0.5, 0.25, 0.125], lowerHalfLumaStd: 0.01)
        func info(_ i: Int) -> FrameInfo { FrameInfo(index: i, source: "\(i).jpg", captureTimeNs: 1_000 + Int64(i)) }
        sink.consume(Envelope(info: info(0), acceptedAtNs: 0, payload: .value(NoPlannerDecision(stats: stats))))
        sink.consume(Envelope(info: info(1), acceptedAtNs: 0, payload: .failed(StageFailure(stage: "decode", message: "truncated \"JPEG\""))))
        sink.consume(Envelope(info: info(2), acceptedAtNs: 0, payload: .dropped(DropNotice(edge: "preprocess->image_grid", reason: "latest_only"))))
        sink.finish()
        close(fd)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == """
        {"type":"decision","frame":0,"source":"0.jpg","t_ns":1000,"steering_angle_rad":0.000000,"acceleration_mps2":0.000000,"mode":"no_planner","image_stats":{"mean_per_channel":[0.500000,0.250000,0.125000],"lower_half_luma_std":0.010000}}
        {"type":"error","frame":1,"source":"1.jpg","t_ns":1001,"stage":"decode","error":"truncated \\"JPEG\\""}
        {"type":"drop","frame":2,"source":"2.jpg","t_ns":1002,"edge":"preprocess->image_grid","reason":"latest_only"}

        """)
        #expect(sink.tally == { var t = SinkTally(); t.decisions = 1; t.errors = 1; t.drops = 1; return t }())
    }
}
