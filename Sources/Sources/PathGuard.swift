// PathGuard: resolves a manifest's relative frame path inside a root folder, refusing absolute
// paths, `..` components and symlinks that resolve outside the root.
import Foundation

struct PathGuard {
    /// The root, fully resolved (symlinks followed), without a trailing slash.
    let root: String

    init(root: String) throws(SourceError) {
        guard let r = PathGuard.realPath(root) else { throw .unreadable(path: root, reason: "no such folder") }
        self.root = r
    }

    enum Rejection: Error, Equatable { case escapes(String), missing(String) }

    /// The resolved absolute path of `relative`, or why not.
    func resolve(_ relative: String) -> Result<String, Rejection> {
        if relative.isEmpty { return .failure(.escapes("empty path")) }
        if relative.hasPrefix("/") { return .failure(.escapes("absolute path")) }
        if relative.contains("\0") { return .failure(.escapes("NUL byte in path")) }
        let parts = relative.split(separator: "/", omittingEmptySubsequences: true)
        if parts.contains("..") { return .failure(.escapes("'..' component")) }
        let joined = root + "/" + relative
        guard let real = PathGuard.realPath(joined) else { return .failure(.missing("no such file")) }
        guard real.hasPrefix(root + "/") else { return .failure(.escapes("symlink resolves to \(real)")) }
        var st = stat()
        guard stat(real, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return .failure(.missing("not a regular file")) }
        return .success(real)
    }

    static func realPath(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }
}

/// Read a whole file as bytes.
func readFileBytes(_ path: String) -> Result<[UInt8], SourceError> {
    guard let h = FileHandle(forReadingAtPath: path) else { return .failure(.missingFrame(path: path, reason: "cannot open")) }
    defer { try? h.close() }
    do {
        let data = try h.readToEnd() ?? Data()
        return .success([UInt8](data))
    } catch {
        return .failure(.missingFrame(path: path, reason: "read failed: \(error)"))
    }
}
