// KITTI raw drives (a tiny synthetic drive built here), frame folders (name order, --follow in
// virtual time) and pacing (--rate / --realtime) on the manual clock.
import Foundation
import Messages
import Testing
@testable import Pipeline
@testable import Sources

private func readAll(_ r: any FrameReader, stop: StopToken = StopToken()) -> [Result<SourceFrame, FrameReadFailure>] {
    var out: [Result<SourceFrame, FrameReadFailure>] = []
    while let x = r.next(stop: stop) { out.append(x) }
    return out
}

/// A 3-frame KITTI raw drive: PNG-named frames, timestamps.txt, oxts with vf (field 9) and wu (23).
func makeKittiDrive(badTimestampAt: Int? = nil) -> TempDir {
    let d = TempDir("2011_09_26_drive_0001_sync")
    var stamps: [String] = []
    for i in 0..<3 {
        let stem = String(format: "%010d", i)
        d.write("image_02/data/\(stem).png", "png \(i)")
        stamps.append(i == badTimestampAt ? "garbage" : String(format: "2011-09-26 13:02:25.%09d", 100_000_000 * (i + 1) + 1))
        var fields = (0..<30).map { _ in "0.0" }
        fields[8] = String(format: "%.3f", 10.0 + Double(i))   // vf
        fields[22] = "0.015"                                     // wu
        d.write("oxts/data/\(stem).txt", fields.joined(separator: " ") + "\n")
    }
    d.write("image_02/timestamps.txt", stamps.joined(separator: "\n") + "\n")
    return d
}

@Suite struct KittiTests {
    @Test func replaysADriveWithSpeedFromOxts() throws {
        let d = makeKittiDrive()
        let (kind, _) = try SourceLocator.kind(of: d.path)
        #expect(kind == .kittiRaw)
        let frames = readAll(try SourceLocator.open(d.path)).map { try! $0.get() }
        #expect(frames.map(\.info.source) == ["0000000000.png", "0000000001.png", "0000000002.png"])
        #expect(frames.map(\.info.signals?.speedMps) == [10.0, 11.0, 12.0])
        #expect(frames[0].info.signals?.yawRateRadps == 0.015)
        // 2011-09-26 13:02:25 UTC = 1317042145 s
        #expect(frames[0].info.captureTimeNs == 1_317_042_145_100_000_001)
        #expect(frames[2].info.captureTimeNs - frames[1].info.captureTimeNs == 100_000_000)
        #expect(frames[1].bytes == Array("png 1".utf8))
        #expect(try KittiRawReader(folder: d.path).camera == nil)   // no calibration file: none
    }

    @Test func cameraFromTheDatesCalibrationFile() throws {
        let date = TempDir("2011_09_26")
        date.write("calib_cam_to_cam.txt", """
        calib_time: 09-Jan-2012 13:57:47
        S_rect_02: 1.242000e+03 3.750000e+02
        P_rect_02: 7.215377e+02 0.000000e+00 6.095593e+02 4.485728e+01 0.000000e+00 7.215377e+02 1.728540e+02 2.163791e-01 0.000000e+00 0.000000e+00 1.000000e+00 2.745884e-03

        """)
        date.write("drive/image_02/data/0000000000.png", "png")
        date.write("drive/image_02/timestamps.txt", "2011-09-26 13:02:25.964389445\n")
        let r = try KittiRawReader(folder: date.path + "/drive")
        #expect(r.camera == CameraMetadata(name: "kitti_image_02", width: 1242, height: 375, fx: 721.5377, fy: 721.5377,
                                           cx: 609.5593, cy: 172.854, distortion: [], mountHeightM: 1.65, pitchRad: 0))
        date.write("calib_cam_to_cam.txt", "P_rect_02: 1 2 3\n")
        #expect(throws: SourceError.malformedKitti(file: "calib_cam_to_cam.txt", line: 1, expected: "P_rect_02: 12 numbers (3x4 projection, fx > 0, fy > 0)", found: "3 numbers")) {
            try KittiRawReader(folder: date.path + "/drive")
        }
    }

    @Test func garbledTimestampIsAnErrorRecordForThatFrame() throws {
        let d = makeKittiDrive(badTimestampAt: 1)
        let frames = readAll(try KittiRawReader(folder: d.path))
        #expect(frames.count == 3)
        if case .failure(let f) = frames[1] {
            #expect(f.error.description.contains("image_02/timestamps.txt line 2: expected YYYY-MM-DD HH:MM:SS.fffffffff, found \"garbage\""))
        } else { Issue.record("expected an error record") }
        #expect((try? frames[2].get()) != nil)
    }
}

@Suite struct FrameFolderTests {
    @Test func nameOrderFrameExtensionsOnly() throws {
        let d = TempDir("frames")
        for n in ["b.JPG", "a.png", "c.jpeg", "notes.txt", ".hidden.jpg", "d.gif"] { d.write(n, n) }
        let (kind, _) = try SourceLocator.kind(of: d.path)
        #expect(kind == .frameFolder)
        let frames = readAll(try SourceLocator.open(d.path)).map { try! $0.get() }
        #expect(frames.map(\.info.source) == ["a.png", "b.JPG", "c.jpeg"])
        #expect(frames.map(\.info.index) == [0, 1, 2])
        #expect(frames[0].info.captureTimeNs > 0)   // file modification time
    }

    @Test func emptyFolderIsAnErrorUnlessFollowing() throws {
        let d = TempDir("empty")
        #expect(throws: SourceError.self) { try FrameFolderReader(folder: d.path) }
        let clock = ManualClock()
        let r = try FrameFolderReader(folder: d.path, follow: true, idleTimeoutS: 1, clock: clock)
        #expect(readAll(r).isEmpty)                  // idle timeout in virtual time: no real waiting
        #expect(clock.nowNs() >= 1_000_000_000 + 1_000_000_000)
    }

    @Test func followTakesNewFramesOnceCompleteAndEndsOnIdleTimeout() throws {
        let d = TempDir("live")
        d.write("000.jpg", "zero")
        let clock = ManualClock(startNs: 0)
        let r = try FrameFolderReader(folder: d.path, follow: true, idleTimeoutS: 2, pollIntervalS: 0.1, clock: clock)
        // The "camera writer": acts at virtual instants during the reader's poll sleeps.
        let path = d.path
        clock.onSleep { t in
            switch t {
            case 300_000_000: _ = FileManager.default.createFile(atPath: path + "/002.jpg", contents: Data("two".utf8))
            case 500_000_000:   // a file still being written: grows between polls
                _ = FileManager.default.createFile(atPath: path + "/001.jpg", contents: Data("o".utf8))
            case 600_000_000:
                _ = FileManager.default.createFile(atPath: path + "/001.jpg", contents: Data("one, complete".utf8))
            case 700_000_000:
                _ = FileManager.default.createFile(atPath: path + "/.003.jpg.tmp", contents: Data("partial".utf8))
            default: break
            }
        }
        var got: [(String, [UInt8])] = []
        let stop = StopToken()
        while let f = r.next(stop: stop) { let s = try f.get(); got.append((s.info.source, s.bytes)) }
        #expect(got.map(\.0) == ["000.jpg", "002.jpg", "001.jpg"])
        #expect(got[2].1 == Array("one, complete".utf8))        // never the half-written version
        // ended by the idle timeout, 2 s after the last frame
        #expect(clock.nowNs() >= 700_000_000 + 2_000_000_000 && clock.nowNs() < 3_000_000_000)   // 001 taken at 0.7 s
    }

    @Test func followEndsOnStop() throws {
        let d = TempDir("live2")
        let clock = ManualClock()
        let r = try FrameFolderReader(folder: d.path, follow: true, idleTimeoutS: nil, clock: clock)
        let stop = StopToken()
        clock.onSleep { _ in if clock.sleeps >= 5 { stop.stop(reason: "SIGTERM") } }
        #expect(r.next(stop: stop) == nil ? true : false)
    }
}

@Suite struct PacingTests {
    func log(_ times: [Int64]) -> TempDir {
        let d = TempDir("paced")
        var lines = [metadataLine]
        for (i, t) in times.enumerated() {
            d.write("frames/\(i).jpg", "x")
            lines.append(#"{"file":"frames/\#(i).jpg","t_ns":\#(t)}"#)
        }
        d.write("log.jsonl", lines.joined(separator: "\n"))
        return d
    }

    @Test func realtimeFollowsCaptureTimes() throws {
        let d = log([5_000_000_000, 5_040_000_000, 5_200_000_000, 5_210_000_000])
        let clock = ManualClock(startNs: 1_000)
        let r = try SourceLocator.open(d.path, options: SourceOptions(pace: .realtime), clock: clock)
        var at: [UInt64] = []
        let stop = StopToken()
        while r.next(stop: stop) != nil { at.append(clock.nowNs() - 1_000) }
        #expect(at == [0, 40_000_000, 200_000_000, 210_000_000])
    }

    @Test func fixedRate() throws {
        let d = log([0, 1, 2, 3])
        let clock = ManualClock(startNs: 0)
        let r = try SourceLocator.open(d.path, options: SourceOptions(pace: .rate(hz: 20)), clock: clock)
        var at: [UInt64] = []
        let stop = StopToken()
        while r.next(stop: stop) != nil { at.append(clock.nowNs()) }
        #expect(at == [0, 50_000_000, 100_000_000, 150_000_000])
    }
}
