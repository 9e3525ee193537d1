import ArgumentParser
import Foundation
import Inference

/// `drivepipe infer`: runs one ONNX model on .npy inputs, writes one .npy per output.
struct InferCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "infer",
        abstract: "Run an ONNX model on .npy inputs; write DIR/<output>.npy (float32) per output."
    )

    @Option(name: .long, help: "The ONNX model file.")
    var model: String

    @Option(name: .long, help: "[NAME=]FILE.npy (NAME defaults to the model's first input). Repeatable.")
    var input: [String] = []

    @Option(name: .customLong("output-dir"), help: "Folder for the output .npy files (created if missing).")
    var outputDir: String

    @Option(name: .long, help: "Threads (OpenBLAS and the engine's own loops).")
    var threads: Int = 1

    @Option(name: .long, help: "Comma-separated output tensor names (default: the model's outputs).")
    var outputs: String?

    func run() throws {
        BLASRuntime.reexecWithFastKernelsIfNeeded()
        do {
            let names = outputs.map { $0.split(separator: ",").map(String.init) }
            var feedNames: [String]? = nil
            var specs: [(String?, String)] = []
            for spec in input {
                if let eq = spec.firstIndex(of: "="), !spec[..<eq].hasSuffix(".npy") {
                    specs.append((String(spec[..<eq]), String(spec[spec.index(after: eq)...])))
                } else {
                    specs.append((nil, spec))
                }
            }
            // Named inputs that are not graph inputs select a sub-graph.
            let probe = try InferenceSession(modelPath: model, threads: threads, outputNames: names)
            let graphInputs = Set(probe.inputs.map { $0.name })
            if specs.contains(where: { $0.0 != nil && !graphInputs.contains($0.0!) }) {
                feedNames = specs.compactMap { $0.0 }
            }
            let session = feedNames == nil ? probe
                : try InferenceSession(modelPath: model, threads: threads, inputNames: feedNames, outputNames: names)
            var feeds: [String: Tensor] = [:]
            for (name, file) in specs {
                guard let key = name ?? session.inputs.first?.name else { continue }
                feeds[key] = try NPY.read(path: file)
            }
            let result = try session.run(feeds)
            try FileManager.default.createDirectory(atPath: outputDir, withIntermediateDirectories: true)
            for o in session.outputs {
                let safe = o.name.replacingOccurrences(of: "/", with: "_")
                try NPY.write(result[o.name]!, to: (outputDir as NSString).appendingPathComponent(safe + ".npy"))
                FileHandle.standardError.write(Data("wrote \(safe).npy \(o.shape)\n".utf8))
            }
        } catch let e as InferenceError {
            FileHandle.standardError.write(Data("drivepipe infer: error: \(e.description)\n".utf8))
            throw ExitCode(1)
        }
    }
}
