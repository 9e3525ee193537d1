// BLASRuntime: OpenBLAS's CPU-kernel choice. OpenBLAS 0.3.21 (Debian bookworm) does not
// recognise recent Intel Xeons (e.g. family 6 model 207) and falls back to its SSE3
// "Prescott" kernels, about 3x slower than its AVX2/AVX-512 ones. The core can only be
// chosen through OPENBLAS_CORETYPE before the library loads, so a command-line tool
// re-executes itself once with it set.

import Foundation

#if canImport(Glibc)
import Glibc
#endif

@_silgen_name("openblas_get_corename")
private func openblas_get_corename() -> UnsafeMutablePointer<CChar>?

public enum BLASRuntime {
    /// The OpenBLAS kernel family in use (e.g. "Haswell", "SkylakeX", "Prescott").
    public static var coreName: String {
        guard let p = openblas_get_corename() else { return "unknown" }
        return String(cString: p)
    }

    /// The best OPENBLAS_CORETYPE for this CPU, from /proc/cpuinfo flags (nil if unknown).
    public static func preferredCore() -> String? {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flagsLine = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return nil }
        let flags = Set(flagsLine.split(separator: " ").map(String.init))
        if flags.contains("avx512f") && flags.contains("avx512bw") && flags.contains("avx512vl") { return "SkylakeX" }
        if flags.contains("avx2") && flags.contains("fma") { return "Haswell" }
        return nil
    }

    /// True when OpenBLAS fell back to generic kernels although the CPU has AVX2 or better.
    public static var isUsingFallbackKernels: Bool {
        let slow: Set<String> = ["Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Atom", "Katmai", "unknown"]
        return slow.contains(coreName) && preferredCore() != nil
    }

    /// For command-line tools: when OpenBLAS picked fallback kernels and OPENBLAS_CORETYPE is
    /// unset, set it and exec this program again with the same arguments (does not return on
    /// success; on failure it returns and the slower kernels are used).
    public static func reexecWithFastKernelsIfNeeded() {
        guard getenv("OPENBLAS_CORETYPE") == nil, isUsingFallbackKernels, let core = preferredCore() else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        let args = CommandLine.arguments
        var cArgs: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) }
        cArgs.append(nil)
        execv("/proc/self/exe", &cArgs)
        // exec failed: carry on with the fallback kernels
        FileHandle.standardError.write(Data("warning: OpenBLAS uses its \(coreName) kernels (set OPENBLAS_CORETYPE=\(core))\n".utf8))
    }
}
