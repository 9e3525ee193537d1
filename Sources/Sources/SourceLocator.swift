// SourceLocator: decides what a SOURCE path is: a drive log (has log.jsonl, or is one), a KITTI
// raw drive (has image_02/data), or a plain folder of frames.
import Foundation
import Pipeline

public struct SourceOptions: Sendable {
    public var follow = false
    public var idleTimeoutS: Double? = nil
    public var pace: PacedReader.Pace? = nil
    public init(follow: Bool = false, idleTimeoutS: Double? = nil, pace: PacedReader.Pace? = nil) {
        self.follow = follow; self.idleTimeoutS = idleTimeoutS; self.pace = pace
    }
}

public enum SourceLocator {
    public enum Kind: String, Sendable { case driveLog = "drive log", kittiRaw = "KITTI raw drive", frameFolder = "frame folder" }

    public static func kind(of path: String) throws(SourceError) -> (Kind, String) {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw .unreadable(path: path, reason: "no such file or folder")
        }
        if !isDir.boolValue {
            if (path as NSString).lastPathComponent == DriveLogReader.manifestName {
                let dir = (path as NSString).deletingLastPathComponent
                return (.driveLog, dir.isEmpty ? "." : dir)
            }
            throw .unrecognisedSource(path: path, expected: "a drive-log folder, a KITTI raw drive or a folder of frames", found: "a file")
        }
        if FileManager.default.fileExists(atPath: path + "/" + DriveLogReader.manifestName) { return (.driveLog, path) }
        if KittiRawReader.looksLikeDrive(path) { return (.kittiRaw, path) }
        return (.frameFolder, path)
    }

    /// Open `path` as the right kind of source, paced if asked.
    public static func open(_ path: String, options: SourceOptions = .init(), clock: any PipelineClock = SystemClock()) throws(SourceError) -> any FrameReader {
        let (kind, folder) = try kind(of: path)
        if options.follow, kind != .frameFolder {
            throw .unrecognisedSource(path: path, expected: "a frame folder for --follow", found: "a \(kind.rawValue)")
        }
        let reader: any FrameReader
        switch kind {
        case .driveLog: reader = try DriveLogReader(folder: folder)
        case .kittiRaw: reader = try KittiRawReader(folder: folder)
        case .frameFolder:
            reader = try FrameFolderReader(folder: folder, follow: options.follow, idleTimeoutS: options.idleTimeoutS, clock: clock)
        }
        if let pace = options.pace { return PacedReader(reader, pace: pace, clock: clock) }
        return reader
    }
}
