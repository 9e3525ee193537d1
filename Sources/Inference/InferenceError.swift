// InferenceError: every way loading or running a model can fail, each with what was
// expected and what was found.

public enum InferenceError: Error, CustomStringConvertible, Equatable {
    /// The file is not a valid ONNX protobuf (truncated, corrupt, not ONNX).
    case malformedModel(path: String, reason: String)
    /// The graph uses an op this engine does not implement.
    case unsupportedOp(op: String, node: String)
    /// An op is used with an attribute/input combination this engine does not implement.
    case unsupportedAttribute(op: String, node: String, detail: String)
    /// A node's inputs do not fit together (shapes, counts, missing constant).
    case invalidNode(op: String, node: String, expected: String, found: String)
    /// A tensor named in the graph (or asked for by the caller) does not exist.
    case unknownTensor(name: String, known: [String])
    /// The caller gave an input of the wrong shape.
    case wrongInputShape(name: String, expected: [Int], found: [Int])
    /// The caller did not give a required input.
    case missingInput(name: String)
    /// A caller's output buffer of the wrong size, or overlapping another operand.
    case wrongOutputBuffer(name: String, expected: String, found: String)
    /// Data type the engine cannot use (e.g. float16 weights).
    case unsupportedDataType(tensor: String, expected: String, found: String)
    /// A .npy file that cannot be read or written.
    case npy(path: String, reason: String)
    /// Reading the model file failed.
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case let .malformedModel(path, reason):
            return "malformed ONNX model '\(path)': \(reason)"
        case let .unsupportedOp(op, node):
            return "unsupported op '\(op)' (node '\(node)')"
        case let .unsupportedAttribute(op, node, detail):
            return "unsupported use of op '\(op)' (node '\(node)'): \(detail)"
        case let .invalidNode(op, node, expected, found):
            return "invalid node '\(node)' (op '\(op)'): expected \(expected), found \(found)"
        case let .unknownTensor(name, known):
            let some = known.prefix(8).joined(separator: ", ")
            return "unknown tensor '\(name)' (known: \(some)\(known.count > 8 ? ", ..." : ""))"
        case let .wrongInputShape(name, expected, found):
            return "wrong shape for input '\(name)': expected \(expected), found \(found)"
        case let .missingInput(name):
            return "missing input '\(name)'"
        case let .wrongOutputBuffer(name, expected, found):
            return "output buffer for '\(name)': expected \(expected), found \(found)"
        case let .unsupportedDataType(tensor, expected, found):
            return "unsupported data type for tensor '\(tensor)': expected \(expected), found \(found)"
        case let .npy(path, reason):
            return "npy file '\(path)': \(reason)"
        case let .io(path, reason):
            return "cannot read '\(path)': \(reason)"
        }
    }
}
