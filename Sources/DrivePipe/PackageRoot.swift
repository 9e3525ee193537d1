// PackageRoot: finds the project folder (the one holding pipelines/ and fixtures/) so
// `drivepipe run` without arguments finds the bundled drive log and default pipeline, whether it
// is started from the project folder, from scripts/demo.sh, or by path from elsewhere.
import Foundation

public enum PackageRoot {
    public static let defaultPipeline = "pipelines/default.yaml"
    /// The bundled demo drive log (see its ATTRIBUTION.md).
    public static let bundledLog = "fixtures/logs/udacity_project_clip"

    /// First of: $DRIVEPIPE_ROOT, the working directory and its parents, the executable's folder
    /// and its parents (.build/<config>/drivepipe sits three levels below the root), that holds
    /// pipelines/default.yaml.
    public static func find() -> String? {
        var candidates: [String] = []
        if let env = ProcessInfo.processInfo.environment["DRIVEPIPE_ROOT"] { candidates.append(env) }
        candidates.append(contentsOf: ancestors(FileManager.default.currentDirectoryPath))
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append(contentsOf: ancestors((exe as NSString).deletingLastPathComponent))
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0 + "/" + defaultPipeline) }
    }

    static func ancestors(_ path: String) -> [String] {
        var out: [String] = []
        var p = (path as NSString).standardizingPath
        while true {
            out.append(p)
            let parent = (p as NSString).deletingLastPathComponent
            if parent == p || parent.isEmpty { break }
            p = parent
        }
        return out
    }
}
