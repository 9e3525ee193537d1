// CompiledOp: what compiling one node for fixed input shapes yields: its output shapes,
// the scratch it needs and a kernel closure over raw buffers. Kernels run with no allocation.

/// Kernel signature: input pointers (constants included; omitted inputs point at a dummy),
/// output pointers, and a scratch area of `scratchCount` floats. Buffers never alias.
typealias Kernel = (_ ins: [UnsafePointer<Float>], _ outs: [UnsafeMutablePointer<Float>],
                    _ scratch: UnsafeMutablePointer<Float>) -> Void

struct CompiledOp {
    var outShapes: [[Int]]
    var scratchCount: Int = 0
    /// Multiply-adds counted as 2 FLOPs (for `inspect`).
    var flops: Int = 0
    /// Output values known at compile time without running (integer shape chains).
    var constOutputs: [Const]? = nil
    var kernel: Kernel
    /// A direct conv's offer to read or write padded layouts (see PaddedLayoutPlan).
    var layoutHooks: ConvLayoutHooks? = nil
}

/// Everything an op compiler sees: the node, its input shapes and any constant input values.
struct OpContext {
    let node: Node
    let inShapes: [[Int]]   // [] for an omitted input (and for scalars)
    let consts: [Const?]
    let present: [Bool]     // whether input i is given
    let threads: Int

    func fail(_ expected: String, _ found: String) -> InferenceError {
        .invalidNode(op: node.op, node: node.name, expected: expected, found: found)
    }
    func unsupported(_ detail: String) -> InferenceError {
        .unsupportedAttribute(op: node.op, node: node.name, detail: detail)
    }
    func has(_ i: Int) -> Bool { i < present.count && present[i] }
    func shape(_ i: Int) -> [Int] { i < inShapes.count ? inShapes[i] : [] }
    /// A required constant input (axes, shapes, weights known at load time).
    func const(_ i: Int, _ what: String) throws -> Const {
        guard i < consts.count, let c = consts[i] else {
            throw fail("constant input \(i) (\(what))", "a runtime tensor")
        }
        return c
    }
    func optionalConst(_ i: Int) -> Const? { i < consts.count ? consts[i] : nil }
    func requireInputs(_ n: Int) throws {
        for i in 0..<n where !has(i) { throw fail("at least \(n) inputs", "input \(i) missing") }
    }
}

// MARK: shape helpers

@inline(__always) func product(_ s: [Int]) -> Int { s.reduce(1, *) }
@inline(__always) func product(_ s: ArraySlice<Int>) -> Int { s.reduce(1, *) }

/// Row-major strides of `shape`.
func stridesOf(_ shape: [Int]) -> [Int] {
    var st = [Int](repeating: 1, count: shape.count)
    var acc = 1
    for i in stride(from: shape.count - 1, through: 0, by: -1) { st[i] = acc; acc *= shape[i] }
    return st
}

/// Normalises a possibly negative axis for a tensor of `rank`.
func normAxis(_ a: Int, _ rank: Int, _ ctx: OpContext) throws -> Int {
    let r = a < 0 ? a + rank : a
    guard r >= 0 && r < max(rank, 1) else { throw ctx.fail("axis in [-\(rank), \(rank))", "\(a)") }
    return r
}

/// NumPy-style broadcast of two shapes.
func broadcastShapes(_ a: [Int], _ b: [Int]) -> [Int]? {
    let r = max(a.count, b.count)
    var out = [Int](repeating: 1, count: r)
    for i in 0..<r {
        let da = i < r - a.count ? 1 : a[i - (r - a.count)]
        let db = i < r - b.count ? 1 : b[i - (r - b.count)]
        if da == db || db == 1 { out[i] = da } else if da == 1 { out[i] = db } else { return nil }
    }
    return out
}

/// Strides of `shape` viewed as broadcast to `outShape` (0 where broadcast).
func broadcastStrides(_ shape: [Int], to outShape: [Int]) -> [Int] {
    let r = outShape.count
    let st = stridesOf(shape)
    var out = [Int](repeating: 0, count: r)
    for i in 0..<shape.count {
        let o = i + (r - shape.count)
        out[o] = shape[i] == 1 && outShape[o] != 1 ? 0 : st[i]
    }
    return out
}

/// A strided gather plan: the output (row-major over `outShape`) as `outer` runs of `inner`
/// elements; run k starts at `offsets[k]` in the source and steps by `innerStride`.
struct StridedPlan {
    var inner: Int
    var innerStride: Int
    var offsets: [Int]

    init(outShape: [Int], srcStrides: [Int]) {
        let r = outShape.count
        inner = r == 0 ? 1 : outShape[r - 1]
        innerStride = r == 0 ? 0 : srcStrides[r - 1]
        let outer = r <= 1 ? 1 : product(outShape[0..<(r - 1)])
        offsets = [Int](repeating: 0, count: outer)
        if r <= 1 { return }
        var idx = [Int](repeating: 0, count: r - 1)
        var off = 0
        for k in 0..<outer {
            offsets[k] = off
            var d = r - 2
            while d >= 0 {
                idx[d] += 1
                off += srcStrides[d]
                if idx[d] < outShape[d] { break }
                off -= srcStrides[d] * outShape[d]
                idx[d] = 0
                d -= 1
            }
        }
    }

    /// Copies the strided source into a dense destination.
    func gather(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>) {
        var o = 0
        if innerStride == 1 {
            for base in offsets {
                (dst + o).update(from: src + base, count: inner)
                o += inner
            }
        } else {
            for base in offsets {
                var s = base
                for j in 0..<inner { dst[o + j] = src[s]; s += innerStride }
                o += inner
            }
        }
    }
}
