// Graph: the engine's own model representation, decoupled from the protobuf schema.
// All runtime tensors are float32; integer tensors exist only as constants (shapes, axes,
// indices), which load-time folding resolves.

/// A constant tensor: weights, or a folded value. Integer-typed sources keep exact `ints`.
struct Const {
    var shape: [Int]
    var floats: [Float]
    var ints: [Int]?

    init(shape: [Int], floats: [Float]) {
        self.shape = shape
        self.floats = floats
        self.ints = nil
    }

    init(shape: [Int], ints: [Int]) {
        self.shape = shape
        self.ints = ints
        self.floats = ints.map { Float($0) }
    }

    var count: Int { shape.reduce(1, *) }
    /// Values as integers (exact when the source was integer-typed).
    var intValues: [Int] { ints ?? floats.map { $0.isFinite ? Int($0) : ($0 > 0 ? Int.max : Int.min) } }
}

/// A node attribute (the subset of ONNX attribute kinds the engine uses).
enum Attr {
    case int(Int)
    case float(Float)
    case ints([Int])
    case floats([Float])
    case string(String)
    case tensor(Const)
}

/// Activation fused into a producing op (Conv, ConvTranspose, Gemm).
enum Activation: Equatable {
    case none
    case relu
    case leakyRelu(Float)
    case clip(Float, Float)
    case sigmoid
    case tanh
    case hardSigmoid(Float, Float)
    case hardSwish
    case prelu([Float])  // one slope per output channel
}

struct Node {
    var op: String
    var name: String
    var inputs: [String]   // "" marks an omitted optional input
    var outputs: [String]
    var attrs: [String: Attr]
    /// Set by fusion: applied to the op's output before it is stored.
    var activation: Activation = .none

    func int(_ key: String, _ fallback: Int) -> Int {
        if case let .int(v)? = attrs[key] { return v }
        return fallback
    }
    func float(_ key: String, _ fallback: Float) -> Float {
        if case let .float(v)? = attrs[key] { return v }
        if case let .int(v)? = attrs[key] { return Float(v) }
        return fallback
    }
    func ints(_ key: String) -> [Int]? {
        if case let .ints(v)? = attrs[key] { return v }
        if case let .int(v)? = attrs[key] { return [v] }
        return nil
    }
    func floats(_ key: String) -> [Float]? {
        if case let .floats(v)? = attrs[key] { return v }
        return nil
    }
    func string(_ key: String, _ fallback: String) -> String {
        if case let .string(v)? = attrs[key] { return v }
        return fallback
    }
    func input(_ i: Int) -> String? {
        i < inputs.count && !inputs[i].isEmpty ? inputs[i] : nil
    }
}

struct Graph {
    var nodes: [Node]
    var consts: [String: Const]
    var inputs: [(name: String, shape: [Int])]
    var outputs: [String]
    /// Shapes of every non-constant value (filled by shape inference).
    var shapes: [String: [Int]] = [:]
    var opset: Int
}
