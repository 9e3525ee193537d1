// DriveLogReader: replays DrivePipe's own drive-log format (documented in README.md,
// "Drive-log format"):
//
//   <log>/log.jsonl   line 1: {"type":"metadata","version":1,"camera":{...},"signals":"none",...}
//                     then one line per frame:
//                     {"file":"frames/000000.jpg","t_ns":1000000000,"speed_mps":12.1,...}
//   <log>/frames/     the frame files (JPEG or PNG), named by the manifest
//
// The metadata line must be valid (it describes the camera for every frame) or the log is rejected.
// A bad frame line becomes an error record for that frame and the replay goes on.
import Foundation
import Messages
import Pipeline

/// The metadata line of a drive log.
public struct DriveLogMetadata: Sendable, Equatable {
    public var version: Int
    public var camera: CameraMetadata
    /// "recorded" (real vehicle signals), "synthetic" (made up; never treat as real) or "none".
    public var signals: String
    public var note: String?
}

public final class DriveLogReader: FrameReader {
    public static let manifestName = "log.jsonl"
    public let name: String
    public let metadata: DriveLogMetadata
    public var camera: CameraMetadata? { metadata.camera }

    private let guardPath: PathGuard
    private let lines: LineReader
    private var nextIndex = 0
    private var previousNs: Int64? = nil

    /// Open `folder` (containing log.jsonl) and read its metadata line.
    public init(folder: String) throws(SourceError) {
        guardPath = try PathGuard(root: folder)
        name = URL(fileURLWithPath: guardPath.root).lastPathComponent
        lines = try LineReader(path: guardPath.root + "/" + Self.manifestName)
        var first: String? = nil
        while let l = lines.next() {
            if !l.allSatisfy({ $0 == " " || $0 == "\t" }) { first = l; break }
        }
        guard let first else {
            throw .malformedMetadata(line: 1, field: "type", expected: "a metadata line", found: "an empty manifest")
        }
        metadata = try Self.parseMetadata(first, line: lines.lineNumber)
    }

    public func next(stop: StopToken) -> Result<SourceFrame, FrameReadFailure>? {
        var text: String
        repeat {
            guard let l = lines.next() else { return nil }
            text = l
        } while text.allSatisfy({ $0 == " " || $0 == "\t" })   // blank lines are not frames
        let index = nextIndex
        nextIndex += 1
        let lineNo = lines.lineNumber
        var info = FrameInfo(index: index, source: "\(Self.manifestName):\(lineNo)", captureTimeNs: previousNs ?? 0)
        func fail(_ e: SourceError) -> Result<SourceFrame, FrameReadFailure> { .failure(FrameReadFailure(info: info, error: e)) }

        let entry: FrameLine
        do {
            entry = try FrameLine.parse(text, line: lineNo)
        } catch {
            if let file = error.fileName { info.source = file }
            return fail(error.error)
        }
        info.source = (entry.file as NSString).lastPathComponent
        info.captureTimeNs = entry.tNs
        info.signals = entry.signals
        if let prev = previousNs, entry.tNs < prev {
            return fail(.timestampBackwards(line: lineNo, previousNs: prev, foundNs: entry.tNs))
        }
        previousNs = entry.tNs
        switch guardPath.resolve(entry.file) {
        case .failure(.escapes(let why)):
            return fail(.pathEscapes(line: lineNo, path: entry.file, reason: why))
        case .failure(.missing(let why)):
            return fail(.missingFrame(path: entry.file, reason: why))
        case .success(let path):
            switch readFileBytes(path) {
            case .success(let bytes): return .success(SourceFrame(info: info, bytes: bytes))
            case .failure(let e): return fail(e)
            }
        }
    }

    static func parseMetadata(_ text: String, line: Int) throws(SourceError) -> DriveLogMetadata {
        func bad(_ field: String, _ expected: String, _ found: String) -> SourceError {
            .malformedMetadata(line: line, field: field, expected: expected, found: found)
        }
        let root: JSONValue
        do { root = try JSONParser.parse(text) } catch { throw bad("(line)", "a JSON object", error.description) }
        let fields = try ObjectFields(root, path: "", onError: bad)
        let type = try fields.string("type")
        guard type == "metadata" else { throw bad("type", "\"metadata\" on the first line", "\"\(type)\"") }
        let version = try fields.int("version")
        guard version == 1 else { throw bad("version", "1", "\(version)") }
        let signals = try fields.optionalString("signals") ?? "none"
        guard ["recorded", "synthetic", "none"].contains(signals) else {
            throw bad("signals", "\"recorded\", \"synthetic\" or \"none\"", "\"\(signals)\"")
        }
        let note = try fields.optionalString("note")
        _ = try fields.optionalString("attribution")
        guard let camValue = fields.value("camera") else { throw bad("camera", "an object", "nothing (missing)") }
        let cam = try ObjectFields(camValue, path: "camera.", onError: bad)
        let width = try cam.int("width"), height = try cam.int("height")
        guard width > 0, width <= 65536 else { throw bad("camera.width", "a positive pixel count", "\(width)") }
        guard height > 0, height <= 65536 else { throw bad("camera.height", "a positive pixel count", "\(height)") }
        let fx = try cam.double("fx"), fy = try cam.double("fy")
        guard fx > 0 else { throw bad("camera.fx", "a positive focal length in pixels", "\(fx)") }
        guard fy > 0 else { throw bad("camera.fy", "a positive focal length in pixels", "\(fy)") }
        let distortion = try cam.optionalDoubles("distortion") ?? []
        guard distortion.count <= 14 else { throw bad("camera.distortion", "at most 14 coefficients", "\(distortion.count)") }
        let mount = try cam.double("mount_height_m")
        guard mount > 0, mount < 10 else { throw bad("camera.mount_height_m", "a height in metres in (0, 10)", "\(mount)") }
        let pitch = try cam.double("pitch_rad")
        guard abs(pitch) < Double.pi / 2 else { throw bad("camera.pitch_rad", "an angle in (-pi/2, pi/2)", "\(pitch)") }
        let camera = CameraMetadata(name: try cam.string("name"), width: width, height: height, fx: fx, fy: fy,
                                    cx: try cam.double("cx"), cy: try cam.double("cy"), distortion: distortion,
                                    mountHeightM: mount, pitchRad: pitch)
        try cam.rejectUnknown()
        try fields.rejectUnknown()
        return DriveLogMetadata(version: version, camera: camera, signals: signals, note: note)
    }
}

/// One parsed frame line.
struct FrameLine {
    var file: String
    var tNs: Int64
    var signals: VehicleSignals?

    struct Failure: Error { var error: SourceError; var fileName: String? }

    static func parse(_ text: String, line: Int) throws(Failure) -> FrameLine {
        func bad(_ field: String, _ expected: String, _ found: String) -> SourceError {
            .malformedLine(line: line, field: field, expected: expected, found: found)
        }
        let root: JSONValue
        do { root = try JSONParser.parse(text) } catch {
            throw Failure(error: bad("(line)", "a JSON object", error.description), fileName: nil)
        }
        var fileName: String? = nil
        do throws(SourceError) {
            let f = try ObjectFields(root, path: "", onError: bad)
            if let name = f.value("file")?.stringValue { fileName = (name as NSString).lastPathComponent }
            if let type = try f.optionalString("type"), type != "frame" {
                throw bad("type", "\"frame\" (or no type)", "\"\(type)\"")
            }
            let file = try f.string("file")
            let t = try f.int64("t_ns")
            guard t >= 0 else { throw bad("t_ns", "a non-negative capture time in nanoseconds", "\(t)") }
            let speed = try f.optionalDouble("speed_mps")
            let steer = try f.optionalDouble("steering_angle_rad")
            let yaw = try f.optionalDouble("yaw_rate_radps")
            try f.rejectUnknown()
            let signals = (speed == nil && steer == nil && yaw == nil) ? nil
                : VehicleSignals(speedMps: speed, steeringAngleRad: steer, yawRateRadps: yaw)
            return FrameLine(file: file, tNs: t, signals: signals)
        } catch {
            throw Failure(error: error, fileName: fileName)
        }
    }
}

/// Typed access to a JSON object's fields with errors naming the key path; tracks which keys were
/// read so unknown keys can be rejected.
final class ObjectFields {
    private let members: [(String, JSONValue)]
    private let path: String
    private let onError: (String, String, String) -> SourceError
    private var used: Set<String> = []

    init(_ v: JSONValue, path: String, onError: @escaping (String, String, String) -> SourceError) throws(SourceError) {
        guard case .object(let m) = v else { throw onError(path.isEmpty ? "(line)" : String(path.dropLast()), "an object", v.kindName) }
        members = m; self.path = path; self.onError = onError
    }

    func value(_ key: String) -> JSONValue? {
        used.insert(key)
        return members.first(where: { $0.0 == key })?.1
    }

    private func required(_ key: String, _ expected: String) throws(SourceError) -> JSONValue {
        guard let v = value(key) else { throw onError(path + key, expected, "nothing (missing)") }
        return v
    }

    func string(_ key: String) throws(SourceError) -> String {
        let v = try required(key, "a string")
        guard let s = v.stringValue else { throw onError(path + key, "a string", v.kindName) }
        return s
    }

    func optionalString(_ key: String) throws(SourceError) -> String? {
        guard let v = value(key), v != .null else { return nil }
        guard let s = v.stringValue else { throw onError(path + key, "a string", v.kindName) }
        return s
    }

    func int64(_ key: String) throws(SourceError) -> Int64 {
        let v = try required(key, "an integer")
        guard let i = v.int64 else { throw onError(path + key, "an integer", v.kindName) }
        return i
    }

    func int(_ key: String) throws(SourceError) -> Int {
        let v = try required(key, "an integer")
        guard let i = v.int64, let n = Int(exactly: i) else { throw onError(path + key, "an integer", v.kindName) }
        return n
    }

    func double(_ key: String) throws(SourceError) -> Double {
        let v = try required(key, "a number")
        guard let d = v.double else { throw onError(path + key, "a finite number", v.kindName) }
        return d
    }

    func optionalDouble(_ key: String) throws(SourceError) -> Double? {
        guard let v = value(key), v != .null else { return nil }
        guard let d = v.double else { throw onError(path + key, "a finite number", v.kindName) }
        return d
    }

    func optionalDoubles(_ key: String) throws(SourceError) -> [Double]? {
        guard let v = value(key), v != .null else { return nil }
        guard case .array(let items) = v else { throw onError(path + key, "an array of numbers", v.kindName) }
        var out: [Double] = []
        for (i, item) in items.enumerated() {
            guard let d = item.double else { throw onError("\(path)\(key)[\(i)]", "a finite number", item.kindName) }
            out.append(d)
        }
        return out
    }

    func rejectUnknown() throws(SourceError) {
        if let unknown = members.first(where: { !used.contains($0.0) }) {
            throw onError(path + unknown.0, "no such field (unknown key)", "a value for \"\(unknown.0)\"")
        }
    }
}
