import ArgumentParser
import Foundation
import Inference

/// `drivepipe inspect`: inputs, outputs, op counts, parameter count and FLOPs of a model.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Print a model's inputs, outputs, op counts, parameter count and FLOPs."
    )

    @Option(name: .long, help: "The ONNX model file.")
    var model: String

    func run() throws {
        do {
            let s = try InferenceSession(modelPath: model)
            var out = "model: \(model)\n"
            for i in s.inputs { out += "input  \(i.name) \(i.shape)\n" }
            for o in s.outputs { out += "output \(o.name) \(o.shape)\n" }
            out += "ops in file:\n"
            for c in s.fileOpCounts { out += "  \(c.op) \(c.count)\n" }
            out += "ops after folding and fusion:\n"
            for c in s.opCounts { out += "  \(c.op) \(c.count)\n" }
            out += "parameters: \(s.parameterCount)\n"
            out += "flops: \(s.flops) (" + String(format: "%.3f", Double(s.flops) / 1e9) + " GFLOP per run)\n"
            print(out, terminator: "")
        } catch let e as InferenceError {
            FileHandle.standardError.write(Data("drivepipe inspect: error: \(e.description)\n".utf8))
            throw ExitCode(1)
        }
    }
}
