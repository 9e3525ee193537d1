// KittiRawReader: a KITTI raw drive folder replayed unchanged:
//   <drive>/image_02/data/0000000000.png ...   left colour camera frames
//   <drive>/image_02/timestamps.txt            one "YYYY-MM-DD HH:MM:SS.nnnnnnnnn" per frame
//   <drive>/oxts/data/0000000000.txt           optional GPS/IMU, 30 space-separated fields;
//                                              field 9 `vf` (forward speed, m/s) → speed_mps,
//                                              field 23 `wu` (upward rotation rate, rad/s) → yaw_rate_radps
//   <drive>/../calib_cam_to_cam.txt (or <drive>/calib_cam_to_cam.txt), optional: the camera, from
//                                              P_rect_02 (fx, fy, cx, cy of the rectified colour
//                                              camera) and S_rect_02 (image size); images are
//                                              rectified, so no distortion; mounting from the KITTI
//                                              setup (camera 1.65 m above the ground, pitch 0).
// Frames with a missing/garbled timestamp or oxts line become error records.
import Foundation
import Messages
import Pipeline

public final class KittiRawReader: FrameReader {
    public let name: String
    public let camera: CameraMetadata?
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
        let calib = [root + "/calib_cam_to_cam.txt", (root as NSString).deletingLastPathComponent + "/calib_cam_to_cam.txt"]
            .first { FileManager.default.fileExists(atPath: $0) }
        camera = try calib.map { path throws(SourceError) in try Self.parseCalibration(path) }
    }

    /// KITTI's camera mounting (Geiger et al., "Vision meets Robotics: The KITTI Dataset", 2013).
    public static let mountHeightM = 1.65

    /// The rectified left colour camera (02) from calib_cam_to_cam.txt.
    static func parseCalibration(_ path: String) throws(SourceError) -> CameraMetadata {
        let file = (path as NSString).lastPathComponent
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw .malformedKitti(file: file, line: 1, expected: "UTF-8 text", found: "unreadable bytes")
        }
        var values: [String: (line: Int, numbers: [Double])] = [:]
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = String(line[..<colon])
            let nums = line[line.index(after: colon)...].split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map { Double($0) }
            if nums.allSatisfy({ $0 != nil }) { values[key] = (i + 1, nums.compactMap { $0 }) }
        }
        guard let p = values["P_rect_02"], p.numbers.count == 12, p.numbers.allSatisfy(\.isFinite), p.numbers[0] > 0, p.numbers[5] > 0 else {
            throw .malformedKitti(file: file, line: values["P_rect_02"]?.line ?? 1, expected: "P_rect_02: 12 numbers (3x4 projection, fx > 0, fy > 0)",
                                  found: values["P_rect_02"].map { "\($0.numbers.count) numbers" } ?? "no P_rect_02 line")
        }
        guard let size = values["S_rect_02"], size.numbers.count == 2, let w = Int(exactly: size.numbers[0].rounded()),
              let h = Int(exactly: size.numbers[1].rounded()), w > 0, h > 0, w <= 65536, h <= 65536 else {
            throw .malformedKitti(file: file, line: values["S_rect_02"]?.line ?? 1, expected: "S_rect_02: width height",
                                  found: values["S_rect_02"].map { "\($0.numbers)" } ?? "no S_rect_02 line")
        }
        let n = p.numbers
        return CameraMetadata(name: "kitti_image_02", width: w, height: h, fx: n[0], fy: n[5], cx: n[2], cy: n[6],
                              distortion: [], mountHeightM: mountHeightM, pitchRad: 0)
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
