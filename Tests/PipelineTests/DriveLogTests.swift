// Drive-log reader: the happy path, and every kind of malformed manifest giving a clear error
// (fatal for the metadata line, one error record per bad frame line otherwise).
import Foundation
import Messages
import Testing
@testable import Pipeline
@testable import Sources

private func readAll(_ r: any FrameReader) -> [Result<SourceFrame, FrameReadFailure>] {
    var out: [Result<SourceFrame, FrameReadFailure>] = []
    let stop = StopToken()
    while let x = r.next(stop: stop) { out.append(x) }
    return out
}

private func errorText(_ r: Result<SourceFrame, FrameReadFailure>) -> String? {
    if case .failure(let f) = r { return f.error.description }
    return nil
}

@Suite struct DriveLogTests {
    func makeLog(_ lines: [String], frames: [String] = ["frames/a.jpg", "frames/b.jpg", "frames/c.jpg"]) -> TempDir {
        let d = TempDir("log")
        for f in frames { d.write(f, "bytes of \(f)") }
        d.write("log.jsonl", lines.joined(separator: "\n") + "\n")
        return d
    }

    @Test func readsMetadataFramesAndSignals() throws {
        let d = makeLog([metadataLine,
                         #"{"file":"frames/a.jpg","t_ns":1700000000123456789,"speed_mps":12.5,"yaw_rate_radps":-0.01}"#,
                         "",
                         #"{"type":"frame","file":"frames/b.jpg","t_ns":1700000000163456789}"#])
        let r = try DriveLogReader(folder: d.path)
        #expect(r.metadata.camera.fx == 60 && r.metadata.camera.distortion.count == 5)
        #expect(r.metadata.camera.mountHeightM == 1.3 && r.metadata.signals == "recorded")
        let frames = readAll(r)
        #expect(frames.count == 2)
        let a = try frames[0].get()
        #expect(a.info == FrameInfo(index: 0, source: "a.jpg", captureTimeNs: 1_700_000_000_123_456_789,
                                    signals: VehicleSignals(speedMps: 12.5, yawRateRadps: -0.01)))
        #expect(a.bytes == Array("bytes of frames/a.jpg".utf8))
        let b = try frames[1].get()
        #expect(b.info.index == 1 && b.info.signals == nil)
    }

    @Test(arguments: [
        (#"{"type":"metadata","version":1}"#, "field \"camera\": expected an object, found nothing (missing)"),
        (#"{"type":"metadata","version":2,"camera":{}}"#, "field \"version\": expected 1, found 2"),
        (#"{"file":"frames/a.jpg","t_ns":1}"#, "field \"type\": expected a string, found nothing (missing)"),
        (#"{"type":"metadata","version":1,"camera":{"name":"c","width":64,"height":48,"fx":"60","fy":60,"cx":1,"cy":1,"mount_height_m":1,"pitch_rad":0}}"#,
         "field \"camera.fx\": expected a finite number, found a string \"60\""),
        (#"{"type":"metadata","version":1,"camera":{"name":"c","width":64,"height":48,"fx":60,"fy":60,"cx":1,"cy":1,"mount_height_m":1,"pitch_rad":0,"zoom":2}}"#,
         "field \"camera.zoom\": expected no such field (unknown key)"),
        (#"{"type":"metadata","version":1,"camera":{"name":"c","width":0,"height":48,"fx":60,"fy":60,"cx":1,"cy":1,"mount_height_m":1,"pitch_rad":0}}"#,
         "field \"camera.width\": expected a positive pixel count, found 0"),
        ("not json", "expected a JSON object"),
    ])
    func malformedMetadataIsFatalAndNamesTheField(line: String, message: String) {
        let d = makeLog([line])
        do {
            _ = try DriveLogReader(folder: d.path)
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains(message), "\(error.description)")
            #expect(error.description.contains("line 1"))
        }
    }

    @Test func emptyOrMissingManifest() {
        let d = TempDir("log")
        #expect(throws: SourceError.self) { try DriveLogReader(folder: d.path) }
        d.write("log.jsonl", "\n\n")
        #expect(throws: SourceError.self) { try DriveLogReader(folder: d.path) }
    }

    @Test func badFrameLinesGiveOneErrorEachAndTheReplayGoesOn() throws {
        let outside = TempDir("outside")
        outside.write("secret.jpg", "x")
        let d = makeLog([metadataLine,
                         #"{"file":"frames/a.jpg","t_ns":100}"#,                 // 0 ok
                         #"{"file":"frames/b.jpg"}"#,                            // 1 missing t_ns
                         #"{"file":"frames/b.jpg","t_ns":"200"}"#,               // 2 wrong type
                         #"{"file":"frames/b.jpg","t_ns":2.5e2}"#,               // 3 not an integer
                         #"{"file":"../outside.jpg","t_ns":300}"#,               // 4 .. escape
                         #"{"file":"/etc/passwd","t_ns":300}"#,                  // 5 absolute
                         #"{"file":"frames/link.jpg","t_ns":300}"#,              // 6 symlink escaping
                         #"{"file":"frames/b.jpg","t_ns":50}"#,                  // 7 backwards (after 300 above)
                         #"{"file":"frames/nope.jpg","t_ns":400}"#,              // 8 missing file
                         #"{"file":"frames/b.jpg","t_ns":400,"speed":3}"#,       // 9 unknown key
                         #"{"file":"frames/b.jpg","t_ns":400,"speed_mps":"fast"}"#, // 10 wrong type
                         #"{"file":"frames/b.jpg","t_ns":400"#,                  // 11 broken JSON
                         #"{"file":"frames/inlink.jpg","t_ns":450}"#,            // 12 symlink inside: ok
                         #"{"file":"frames/c.jpg","t_ns":500}"#])                // 13 ok
        try FileManager.default.createSymbolicLink(atPath: d.path + "/frames/link.jpg", withDestinationPath: outside.path + "/secret.jpg")
        try FileManager.default.createSymbolicLink(atPath: d.path + "/frames/inlink.jpg", withDestinationPath: d.path + "/frames/a.jpg")
        let frames = readAll(try DriveLogReader(folder: d.path))
        #expect(frames.count == 14)
        let expected: [Int: String] = [
            1: "line 3: field \"t_ns\": expected an integer, found nothing (missing)",
            2: "line 4: field \"t_ns\": expected an integer, found a string \"200\"",
            3: "line 5: field \"t_ns\": expected an integer, found the number 2.5e2",
            4: "frame path \"../outside.jpg\" leaves the log folder ('..' component)",
            5: "frame path \"/etc/passwd\" leaves the log folder (absolute path)",
            6: "frame path \"frames/link.jpg\" leaves the log folder (symlink resolves to",
            7: "line 9: capture time goes backwards: expected t_ns >= 300, found 50",
            8: "frame file frames/nope.jpg: no such file",
            9: "field \"speed\": expected no such field (unknown key)",
            10: "field \"speed_mps\": expected a finite number, found a string \"fast\"",
            11: "line 13: field \"(line)\": expected a JSON object, found invalid JSON",
        ]
        for (i, f) in frames.enumerated() {
            if let want = expected[i] {
                let got = errorText(f) ?? "(no error)"
                #expect(got.contains(want), "frame \(i): \(got)")
            } else {
                #expect(errorText(f) == nil, "frame \(i): \(errorText(f) ?? "")")
            }
        }
        // Every record keeps its input index; the file name is known where the line names it.
        let infos = frames.map { r -> FrameInfo in
            switch r { case .success(let s): return s.info; case .failure(let e): return e.info }
        }
        #expect(infos.map(\.index) == Array(0..<14))
        #expect(infos[1].source == "b.jpg" && infos[11].source == "log.jsonl:13")
    }
}

@Suite struct JSONParserTests {
    @Test func parsesExactIntegersAndKeepsKeyOrder() throws {
        let v = try JSONParser.parse(#" {"b":1700000000123456789,"a":[1,-2.5e3,true,null,"x\u00e9\n"]} "#)
        guard case .object(let m) = v else { Issue.record("not an object"); return }
        #expect(m.map(\.0) == ["b", "a"])
        #expect(m[0].1.int64 == 1_700_000_000_123_456_789)
        #expect(m[1].1 == .array([.number("1"), .number("-2.5e3"), .bool(true), .null, .string("xé\n")]))
    }

    @Test(arguments: ["", "{", "{\"a\":1,}", "{\"a\":1,\"a\":2}", "[01]", "\"\\x\"", "{\"a\":1} x", "nul", "[1,]", "\"\u{01}\""])
    func rejectsInvalid(text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test func boundsNesting() {
        let deep = String(repeating: "[", count: 1_000) + String(repeating: "]", count: 1_000)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
    }
}
