// KittiRawReader: a KITTI raw drive folder replayed unchanged:
//   <drive>/image_02/data/0000000000.png ...   left colour camera frames
//   <drive>/image_02/timestamps.txt            one "YYYY-MM-DD HH:MM:SS.nnnnnnnnn" per frame
//   <drive>/oxts/data/0000000000.txt           optional GPS/IMU, 30 space-separated fields;
//                                              field 9 `vf` (forward speed, m/s) → speed_mps,
//                                              field 23 `wu` (upward rotation rate, rad/s) → yaw_rate_radps
// Frames with a missing/garbled timestamp or oxts line become error records.
import Foundation
import Messages
import Pipeline

public final class KittiRawReader: FrameReader {
    public let name: String
    public let camera: CameraMetadata? = nil
    private let root: String
    private let frames: [String]
    private let timestamps: LineReader?
    private var nextIndex = 0
    private var previousNs: Int64? = nil

    public static func looksLikeDrive(_ folder: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: folder + "/image_02/data", isDirectory: &isDir) && isDir.boolValue
    }

    public init(folder: String) throws(SourceError) {
        let guardPath = try PathGuard(root: folder)
        root = guardPath.root
        name = URL(fileURLWithPath: root).lastPathComponent
        let dataDir = root + "/image_02/data"
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: dataDir) } catch {
            throw .unreadable(path: dataDir, reason: "cannot list folder")
        }
        frames = names.filter { FrameFolderReader.isFrameName($0) }.sorted()
        guard !frames.isEmpty else {
            throw .unrecognisedSource(path: dataDir, expected: "KITTI frames (*.png)", found: "no frames")
        }
        timestamps = try? LineReader(path: root + "/image_02/timestamps.txt")
        guard timestamps != nil else { throw .unreadable(path: root + "/image_02/timestamps.txt", reason: "missing") }
    }

    public func next(stop: StopToken) -> Result<SourceFrame, FrameReadFailure>? {
        guard nextIndex < frames.count else { return nil }
        let file = frames[nextIndex]
        var info = FrameInfo(index: nextIndex, source: file, captureTimeNs: previousNs ?? 0)
        nextIndex += 1
        func fail(_ e: SourceError) -> Result<SourceFrame, FrameReadFailure> { .failure(FrameReadFailure(info: info, error: e)) }

        let tsFile = "image_02/timestamps.txt"
        guard let line = timestamps?.next() else {
            return fail(.malformedKitti(file: tsFile, line: info.index + 1, expected: "a timestamp for \(file)", found: "end of file"))
        }
        guard let t = Self.parseTimestamp(line) else {
            return fail(.malformedKitti(file: tsFile, line: info.index + 1, expected: "YYYY-MM-DD HH:MM:SS.fffffffff", found: "\"\(line.prefix(40))\""))
        }
        info.captureTimeNs = t
        if let prev = previousNs, t < prev {
            return fail(.malformedKitti(file: tsFile, line: info.index + 1, expected: "a time >= \(prev) ns", found: "\(t) ns (backwards)"))
        }
        previousNs = t
        let stem = (file as NSString).deletingPathExtension
        let oxtsPath = root + "/oxts/data/" + stem + ".txt"
        if FileManager.default.fileExists(atPath: oxtsPath) {
            guard let text = try? String(contentsOfFile: oxtsPath, encoding: .utf8) else {
                return fail(.malformedKitti(file: "oxts/data/\(stem).txt", line: 1, expected: "UTF-8 text", found: "unreadable bytes"))
            }
            let fields = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" }).map(String.init)
            guard fields.count >= 23, let vf = Double(fields[8]), vf.isFinite, let wu = Double(fields[22]), wu.isFinite else {
                return fail(.malformedKitti(file: "oxts/data/\(stem).txt", line: 1, expected: "30 numeric fields (vf is field 9)",
                                            found: "\(fields.count) fields"))
            }
            info.signals = VehicleSignals(speedMps: vf, yawRateRadps: wu)
        }
        switch readFileBytes(root + "/image_02/data/" + file) {
        case .success(let bytes): return .success(SourceFrame(info: info, bytes: bytes))
        case .failure(let e): return fail(e)
        }
    }

    /// "2011-09-26 13:02:25.964389445" (UTC) → ns since the Unix epoch.
    static func parseTimestamp(_ s: String) -> Int64? {
        let parts = s.trimmingCharacters(in: .whitespaces).split(separator: " ")
        guard parts.count == 2 else { return nil }
        let d = parts[0].split(separator: "-").compactMap { Int32($0) }
        let hms = parts[1].split(separator: ":")
        guard d.count == 3, hms.count == 3, let hh = Int32(hms[0]), let mm = Int32(hms[1]) else { return nil }
        let secParts = hms[2].split(separator: ".", omittingEmptySubsequences: false)
        guard let ss = Int32(secParts[0]), secParts.count <= 2 else { return nil }
        var frac: Int64 = 0
        if secParts.count == 2 {
            let digits = secParts[1]
            guard !digits.isEmpty, digits.count <= 9, digits.allSatisfy(\.isNumber), let f = Int64(digits) else { return nil }
            frac = f * Int64(pow(10.0, Double(9 - digits.count)))
        }
        guard (1...12).contains(d[1]), (1...31).contains(d[2]), (0...23).contains(hh), (0...59).contains(mm), (0...60).contains(ss) else { return nil }
        var tmv = tm()
        tmv.tm_year = d[0] - 1900; tmv.tm_mon = d[1] - 1; tmv.tm_mday = d[2]
        tmv.tm_hour = hh; tmv.tm_min = mm; tmv.tm_sec = ss
        let secs = timegm(&tmv)
        return Int64(secs) * 1_000_000_000 + frac
    }
}
