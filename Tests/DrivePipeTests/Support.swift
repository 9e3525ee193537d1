// Helpers: scratch folders, small generated drive logs (real JPEGs), the built binary, and
// reading a file descriptor's output back.
import Foundation
import ImageIO

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
let bundledLog = packageRoot + "/fixtures/logs/udacity_project_clip"

final class Scratch {
    let path: String
    init(_ label: String = "dp") {
        path = NSTemporaryDirectory() + "/\(label)-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    @discardableResult
    func write(_ rel: String, bytes: [UInt8]) -> String {
        let full = path + "/" + rel
        try? FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: full, contents: Data(bytes))
        return full
    }
    @discardableResult
    func write(_ rel: String, _ text: String) -> String { write(rel, bytes: Array(text.utf8)) }
}

/// A small real JPEG: a gradient that differs per `seed`.
func tinyJPEG(seed: Int, width: Int = 64, height: Int = 48) throws -> [UInt8] {
    var px = [UInt8](repeating: 0, count: width * height * 3)
    for y in 0..<height { for x in 0..<width {
        let i = (y * width + x) * 3
        px[i] = UInt8((x * 4 + seed * 7) & 255); px[i + 1] = UInt8((y * 5 + seed * 3) & 255); px[i + 2] = UInt8((x + y + seed) & 255)
    } }
    return try encodeJPEG(try RGBImage(width: width, height: height, pixels: px), quality: 80)
}

let smallMetadata = #"{"type":"metadata","version":1,"camera":{"name":"test","width":64,"height":48,"fx":60,"fy":60,"cx":32,"cy":24,"mount_height_m":1.2,"pitch_rad":0},"signals":"none"}"#

/// A drive log with `frames` lines. `distinct` different JPEGs are written and lines cycle over
/// them (so a 10,000-frame log stays small on disk); `corrupt` frame indices get junk bytes.
func makeDriveLog(in dir: Scratch, frames: Int, distinct: Int = 8, corrupt: Set<Int> = []) throws -> String {
    let log = dir.path + "/log"
    for i in 0..<distinct { dir.write("log/frames/f\(i).jpg", bytes: try tinyJPEG(seed: i)) }
    var jpeg0 = try tinyJPEG(seed: 99)
    jpeg0 = Array(jpeg0.prefix(jpeg0.count / 2))   // truncated: a corrupt frame
    dir.write("log/frames/corrupt.jpg", bytes: jpeg0)
    var text = smallMetadata + "\n"
    for i in 0..<frames {
        let file = corrupt.contains(i) ? "frames/corrupt.jpg" : "frames/f\(i % distinct).jpg"
        text += #"{"file":"\#(file)","t_ns":\#(1_000_000_000 + Int64(i) * 40_000_000)}"# + "\n"
    }
    dir.write("log/log.jsonl", text)
    return log
}

/// A pipeline file outside `pipelines/`: the default model (paths absolute) and the given edges.
func smallPipeline(in dir: Scratch, extra: String = "", decodeThreads: Int = 1) -> String {
    dir.write("small.yaml", """
    models: {card: \(packageRoot)/fixtures/models/drivepipe-student.json, forecaster: \(packageRoot)/fixtures/models/forecaster.onnx}
    camera: {calibration: \(packageRoot)/fixtures/calibration/udacity_1280x720.json}
    threads: {decode: \(decodeThreads)}
    \(extra)
    """)
}

/// The drivepipe binary built next to the test bundle (swift build --build-tests builds both).
func drivepipeBinary() -> String? {
    guard let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
    var dir = (exe as NSString).deletingLastPathComponent
    for _ in 0..<3 {
        let candidate = dir + "/drivepipe"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        dir = (dir as NSString).deletingLastPathComponent
    }
    let fallback = packageRoot + "/.build/debug/drivepipe"
    return FileManager.default.isExecutableFile(atPath: fallback) ? fallback : nil
}

struct RunResult { var status: Int32; var stdout: String; var stderr: String }

/// Run the binary to completion, collecting stdout and stderr.
func runBinary(_ args: [String], cwd: String? = nil) throws -> RunResult {
    guard let bin = drivepipeBinary() else { throw CocoaError(.fileNoSuchFile) }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: bin)
    p.arguments = args
    if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    // Drain stderr concurrently so a full pipe never blocks the child.
    let errData = ErrBox()
    let t = Thread { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
    t.start()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    while !errData.done { usleep(1000) }
    return RunResult(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: errData.data, as: UTF8.self))
}

/// The binary started with stdout to read as the test likes; stderr is collected on a thread.
final class RunningBinary {
    let process = Process()
    let stdout: FileHandle
    private let err = ErrBox()

    init(_ bin: String, _ args: [String]) throws {
        process.executableURL = URL(fileURLWithPath: bin)
        process.arguments = args
        let out = Pipe(), errPipe = Pipe()
        process.standardOutput = out
        process.standardError = errPipe
        stdout = out.fileHandleForReading
        try process.run()
        let box = err
        Thread { box.set(errPipe.fileHandleForReading.readDataToEndOfFile()) }.start()
    }

    /// Wait for the exit; returns stderr.
    func finish() -> String {
        process.waitUntilExit()
        while !err.done { usleep(1000) }
        return String(decoding: err.data, as: UTF8.self)
    }
}

final class ErrBox: @unchecked Sendable {
    private let lock = NSLock()
    private var d = Data()
    private var finished = false
    func set(_ x: Data) { lock.lock(); d = x; finished = true; lock.unlock() }
    var done: Bool { lock.lock(); defer { lock.unlock() }; return finished }
    var data: Data { lock.lock(); defer { lock.unlock() }; return d }
}

/// Parsed NDJSON lines.
func records(_ text: String) throws -> [[String: Any]] {
    try text.split(separator: "\n").map { line in
        guard let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { throw CocoaError(.coderReadCorrupt) }
        return obj
    }
}
