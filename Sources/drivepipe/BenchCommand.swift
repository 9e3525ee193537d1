import ArgumentParser
import Foundation
import Inference

/// `drivepipe bench`: times inference on random input after warm-up; last stdout line
/// is `median_ms=<number>`.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time inference of an ONNX model on random input (last line: median_ms=<number>)."
    )

    @Option(name: .long, help: "The ONNX model file.")
    var model: String

    @Option(name: .long, help: "Threads (OpenBLAS and the engine's own loops).")
    var threads: Int = 1

    @Option(name: .long, help: "Timed runs.")
    var runs: Int = 20

    @Option(name: .long, help: "Untimed warm-up runs.")
    var warmup: Int = 3

    @Flag(name: .long, help: "Print per-step times (stderr).")
    var profile = false

    func run() throws {
        BLASRuntime.reexecWithFastKernelsIfNeeded()
        do {
            let s = try InferenceSession(modelPath: model, threads: threads)
            s.profiling = profile
            var seed: UInt64 = 0x9E3779B97F4A7C15
            for i in s.inputs {
                guard let buf = s.inputBuffer(i.name) else { continue }
                for k in buf.indices {
                    seed = seed &* 6364136223846793005 &+ 1442695040888963407
                    buf[k] = Float(seed >> 40) / Float(1 << 24)
                }
            }
            for _ in 0..<max(0, warmup) { s.runInPlace() }
            var times: [Double] = []
            for _ in 0..<max(1, runs) {
                let t0 = DispatchTime.now().uptimeNanoseconds
                s.runInPlace()
                times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
            }
            times.sort()
            if profile { FileHandle.standardError.write(Data(s.profileReport().utf8)) }
            let median = times.count % 2 == 1 ? times[times.count / 2]
                : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
            let gflops = Double(s.flops) / 1e9
            FileHandle.standardError.write(Data((String(format: "%@: %d runs, threads %d, min %.3f ms, %.1f GFLOPS at median",
                                                        model, times.count, threads, times[0], gflops / (median / 1e3))
                                                 + ", OpenBLAS core \(BLASRuntime.coreName)\n").utf8))
            print(String(format: "median_ms=%.4f", median))
        } catch let e as InferenceError {
            FileHandle.standardError.write(Data("drivepipe bench: error: \(e.description)\n".utf8))
            throw ExitCode(1)
        }
    }
}
