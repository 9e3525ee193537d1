// FrameFolderReader: a plain folder of frames (*.jpg, *.jpeg, *.png, any case), taken in name
// order. Capture time is the file's modification time (what a camera writer leaves behind).
// With `follow`, the folder is polled for new frames as a writer drops them in; a new file is taken
// once its size is unchanged over one poll interval (so half-written files are not read), and
// names starting with "." are ignored (write to ".name.tmp" and rename for atomic hand-over).
// Following ends on a stop request or after `idleTimeoutNs` without a new frame.
import Foundation
import Messages
import Pipeline

public final class FrameFolderReader: FrameReader {
    public static let extensions: Set<String> = ["jpg", "jpeg", "png"]
    public let name: String
    public let camera: CameraMetadata? = nil

    private let root: String
    private let follow: Bool
    private let idleTimeoutNs: UInt64?
    private let pollIntervalNs: UInt64
    private let clock: any PipelineClock
    private var pending: [String] = []
    private var pendingHead = 0
    private var seen: Set<String> = []
    private var growing: [String: Int64] = [:]
    private var nextIndex = 0
    private var lastFrameAtNs: UInt64

    public init(folder: String, follow: Bool = false, idleTimeoutS: Double? = nil, pollIntervalS: Double = 0.05,
                clock: any PipelineClock = SystemClock()) throws(SourceError) {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue else {
            throw .unreadable(path: folder, reason: "no such folder")
        }
        root = folder
        name = URL(fileURLWithPath: folder).lastPathComponent
        self.follow = follow
        self.idleTimeoutNs = idleTimeoutS.map { UInt64(max(0, $0) * 1e9) }
        self.pollIntervalNs = UInt64(max(0.001, pollIntervalS) * 1e9)
        self.clock = clock
        lastFrameAtNs = clock.nowNs()
        let initial = try listFrames()
        if !follow {
            pending = initial.map(\.name)
            seen = Set(pending)
            if pending.isEmpty {
                throw .unrecognisedSource(path: folder, expected: "frames (*.jpg, *.jpeg, *.png) or a log.jsonl", found: "no frames")
            }
        } else {
            // Frames already present are complete: take them now, watch for the rest.
            pending = initial.map(\.name)
            seen = Set(pending)
        }
    }

    static func isFrameName(_ n: String) -> Bool {
        !n.hasPrefix(".") && extensions.contains((n as NSString).pathExtension.lowercased())
    }

    private func listFrames() throws(SourceError) -> [(name: String, size: Int64)] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: root) } catch {
            throw .unreadable(path: root, reason: "cannot list folder")
        }
        var out: [(String, Int64)] = []
        for n in names where Self.isFrameName(n) {
            var st = stat()
            guard lstat(root + "/" + n, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { continue }
            out.append((n, Int64(st.st_size)))
        }
        return out.sorted { $0.0 < $1.0 }
    }

    public func next(stop: StopToken) -> Result<SourceFrame, FrameReadFailure>? {
        while pendingHead >= pending.count {
            guard follow else { return nil }
            if stop.isStopped { return nil }
            if let idle = idleTimeoutNs, clock.nowNs() &- lastFrameAtNs >= idle { return nil }
            guard clock.sleep(untilNs: clock.nowNs() + pollIntervalNs, stop: stop) else { return nil }
            poll()
        }
        let file = pending[pendingHead]
        pendingHead += 1
        if pendingHead >= 1024 { pending.removeFirst(pendingHead); pendingHead = 0 }
        lastFrameAtNs = clock.nowNs()
        let path = root + "/" + file
        var info = FrameInfo(index: nextIndex, source: file, captureTimeNs: 0)
        nextIndex += 1
        var st = stat()
        if stat(path, &st) == 0 {
            info.captureTimeNs = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        }
        switch readFileBytes(path) {
        case .success(let bytes): return .success(SourceFrame(info: info, bytes: bytes))
        case .failure(let e): return .failure(FrameReadFailure(info: info, error: e))
        }
    }

    /// One look at the folder: files whose size held still since the last look become frames.
    private func poll() {
        guard let listing = try? listFrames() else { return }
        var ready: [String] = []
        var still: [String: Int64] = [:]
        for (n, size) in listing where !seen.contains(n) {
            if let before = growing[n], before == size, size > 0 { ready.append(n) } else { still[n] = size }
        }
        growing = still
        for n in ready { seen.insert(n) }
        pending.append(contentsOf: ready.sorted())
    }
}
