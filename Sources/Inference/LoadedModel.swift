// LoadedModel: an ONNX file read, parsed and shape-inferred once, shared by every session built
// from it. The daemon runs the backbone and each head as a sub-graph session of one file; each
// used to read, parse and shape-infer the whole file again (the protobuf parse and its copies of
// the weights were most of a session's start-up). Immutable after init: a session prunes and
// compiles its own copy of the graph (a value: copy-on-write, the weight arrays are shared
// until a session changes one).

import Foundation
import ONNXSchema

public final class LoadedModel: @unchecked Sendable {
    // Invariant: nothing is mutated after init (sessions copy `graph` before changing it).
    let graph: Graph   // shapes inferred
    let path: String
    /// The file as parsed (for callers that look at nodes the engine does not keep as they are,
    /// e.g. the segmentation stage's trailing Resize).
    public let proto: Onnx_ModelProto
    /// Op type -> count as stored in the file.
    let fileOpCounts: [(op: String, count: Int)]
    /// Number of weight values in the file's initializers.
    let parameterCount: Int

    public convenience init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InferenceError.io(path: path, reason: "file not found or unreadable")
        }
        try self.init(modelData: [UInt8](data), path: path)
    }

    public init(modelData: [UInt8], path: String = "<memory>") throws {
        proto = try ModelLoader.parse(bytes: modelData, path: path)
        var g = try ModelLoader.load(model: proto, path: path)
        fileOpCounts = InferenceSession.countOps(g.nodes)
        parameterCount = g.consts.values.filter { $0.ints == nil }.reduce(0) { $0 + $1.count }
        try ShapeInference.run(&g, threads: 1)
        graph = g
        self.path = path
    }
}
