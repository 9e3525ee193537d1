// Hardening of the whole daemon (the built binary): a replay with every hostile image of the
// ImageIO corpus mixed between real frames, and a consumer that reads stdout slowly.
import Foundation
import Testing

@Suite(.serialized) struct HardeningTests {
    /// Real frames of the bundled clip with the hostile corpus interleaved: one line per frame,
    /// an `error` line (stage decode) for each hostile one, decisions for the rest, exit 0.
    @Test func hostileFramesMixedIntoAReplayEachGiveOneErrorLine() throws {
        guard drivepipeBinary() != nil else { Issue.record("drivepipe binary not built next to the tests"); return }
        let hostileDir = packageRoot + "/fixtures/images/hostile"
        let hostile = try FileManager.default.contentsOfDirectory(atPath: hostileDir).sorted()
        #expect(hostile.count >= 30)
        let dir = Scratch()
        let manifest = try String(contentsOfFile: bundledLog + "/log.jsonl", encoding: .utf8).split(separator: "\n")
        var lines = [String(manifest[0])]            // the clip's metadata line (its camera)
        var expectHostile: Set<Int> = []
        var t: Int64 = 1_000_000_000
        for (i, name) in hostile.enumerated() {
            // a real frame, then a hostile one
            let real = FileManager.default.contents(atPath: bundledLog + "/frames/" + String(format: "%06d.jpg", i % 100))
            dir.write("log/frames/real\(i).jpg", bytes: [UInt8](try #require(real)))
            lines.append(#"{"file":"frames/real\#(i).jpg","t_ns":\#(t)}"#); t += 40_000_000
            let bytes = try #require(FileManager.default.contents(atPath: hostileDir + "/" + name))
            dir.write("log/frames/" + name, bytes: [UInt8](bytes))
            lines.append(#"{"file":"frames/\#(name)","t_ns":\#(t)}"#); t += 40_000_000
            expectHostile.insert(lines.count - 2)     // frame index = manifest line - 1 (metadata first)
        }
        dir.write("log/log.jsonl", lines.joined(separator: "\n") + "\n")
        let frames = lines.count - 1
        let r = try runBinary(["run", dir.path + "/log", "--pipeline", smallPipeline(in: dir), "--no-stats"])
        #expect(r.status == 0, "\(r.stderr.suffix(500))")
        let recs = try records(r.stdout)
        #expect(recs.count == frames)
        #expect(recs.map { $0["frame"] as? Int } == Array(0..<frames))
        for rec in recs {
            let frame = rec["frame"] as? Int ?? -1, source = rec["source"] as? String ?? ""
            if expectHostile.contains(frame) {
                #expect(rec["type"] as? String == "error" && rec["stage"] as? String == "decode", "\(source): \(rec)")
                #expect(((rec["error"] as? String) ?? "").count > 10)
            } else {
                #expect(rec["type"] as? String == "decision", "\(source): \(rec)")
            }
        }
    }

    /// A consumer that reads stdout slowly: nothing is lost (block edges), and the daemon's memory
    /// stays bounded while it waits on the pipe.
    @Test func slowStdoutReaderLosesNothing() throws {
        guard let bin = drivepipeBinary() else { Issue.record("drivepipe binary not built next to the tests"); return }
        let dir = Scratch()
        let log = try makeDriveLog(in: dir, frames: 150)
        let run = try RunningBinary(bin, ["run", log, "--pipeline", smallPipeline(in: dir)])
        var data = Data()
        while true {
            usleep(20_000)                        // a slow reader: small reads, long pauses
            let chunk = run.stdout.availableData
            if chunk.isEmpty { break }
            data.append(chunk)
        }
        let stderr = run.finish()
        #expect(run.process.terminationStatus == 0, "\(stderr.suffix(300))")
        let recs = try records(String(decoding: data, as: UTF8.self))
        #expect(recs.map { $0["frame"] as? Int } == Array(0..<150))
        #expect(recs.allSatisfy { $0["type"] as? String == "decision" })
        if let r = stderr.range(of: "peak RSS "), let mb = Double(stderr[r.upperBound...].prefix { $0.isNumber || $0 == "." }) {
            #expect(mb < 200, "peak RSS \(mb) MB")
        }
    }
}
