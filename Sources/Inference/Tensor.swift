// Tensor: the value type that crosses the engine's public API.
// A dense float32 array in row-major (C) order; `data.count == shape.product`.

public struct Tensor: Sendable, Equatable {
    public var shape: [Int]
    public var data: [Float]

    public init(shape: [Int], data: [Float]) {
        self.shape = shape
        self.data = data
    }

    /// A zero-filled tensor of `shape`.
    public init(zeros shape: [Int]) {
        self.shape = shape
        self.data = [Float](repeating: 0, count: shape.reduce(1, *))
    }

    public var count: Int { shape.reduce(1, *) }
}
