// SourceError: everything a frame source can reject, each case saying what was expected and what
// was found. Errors about one frame become that frame's `error` record (the run goes on); errors
// about the whole source (no log, bad metadata line) stop `drivepipe run` before it starts.

public enum SourceError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The source path is not something we can replay.
    case unrecognisedSource(path: String, expected: String, found: String)
    /// A file or folder that should be there is not, or cannot be read.
    case unreadable(path: String, reason: String)
    /// The first line of log.jsonl (the metadata) is malformed.
    case malformedMetadata(line: Int, field: String, expected: String, found: String)
    /// A frame line of log.jsonl is malformed.
    case malformedLine(line: Int, field: String, expected: String, found: String)
    /// A frame path that would leave the log folder.
    case pathEscapes(line: Int, path: String, reason: String)
    /// The frame file named by the manifest is missing or not a regular file.
    case missingFrame(path: String, reason: String)
    /// Capture time earlier than the previous frame's.
    case timestampBackwards(line: Int, previousNs: Int64, foundNs: Int64)
    /// A KITTI raw drive file is malformed.
    case malformedKitti(file: String, line: Int, expected: String, found: String)

    public var description: String {
        switch self {
        case .unrecognisedSource(let p, let e, let f):
            return "\(p): expected \(e), found \(f)"
        case .unreadable(let p, let r):
            return "\(p): cannot read (\(r))"
        case .malformedMetadata(let l, let field, let e, let f):
            return "log.jsonl line \(l) (metadata): field \"\(field)\": expected \(e), found \(f)"
        case .malformedLine(let l, let field, let e, let f):
            return "log.jsonl line \(l): field \"\(field)\": expected \(e), found \(f)"
        case .pathEscapes(let l, let p, let r):
            return "log.jsonl line \(l): frame path \"\(p)\" leaves the log folder (\(r)); expected a relative path inside it"
        case .missingFrame(let p, let r):
            return "frame file \(p): \(r)"
        case .timestampBackwards(let l, let prev, let found):
            return "log.jsonl line \(l): capture time goes backwards: expected t_ns >= \(prev), found \(found)"
        case .malformedKitti(let file, let l, let e, let f):
            return "\(file) line \(l): expected \(e), found \(f)"
        }
    }
}
