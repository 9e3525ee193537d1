// ProcessMemory: this process's resident memory from /proc/self/status (Linux): VmRSS (now) and
// VmHWM (peak). Reported at the end of a run; used by the bounded-memory tests.
import Foundation

public enum ProcessMemory {
    /// Peak resident set size in bytes (VmHWM), nil where /proc is unavailable.
    public static func peakRSSBytes() -> Int? { field("VmHWM:") }
    /// Current resident set size in bytes (VmRSS).
    public static func currentRSSBytes() -> Int? { field("VmRSS:") }

    static func field(_ name: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(name) {
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if parts.count >= 2, let kb = Int(parts[1]) { return kb * 1024 }
        }
        return nil
    }
}
