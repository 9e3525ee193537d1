// Data-movement ops: Reshape, Flatten, Squeeze, Unsqueeze, Identity, Dropout, Cast,
// Transpose, Slice, Split, Concat, Expand, Gather, Shape, ConstantOfShape.
// Axes/shapes come from attributes (older opsets) or constant inputs (opset 13+).

/// A kernel that copies input 0 to output 0 (views are copies: cheap, and keeps the
/// memory plan free of aliasing).
private func copyOp(_ outShape: [Int], _ n: Int) -> CompiledOp {
    CompiledOp(outShapes: [outShape]) { ins, outs, _ in outs[0].update(from: ins[0], count: n) }
}

func compileReshape(_ ctx: OpContext) throws -> CompiledOp {
    try ctx.requireInputs(1)
    let xs = ctx.shape(0), n = product(xs)
    var out: [Int]
    switch ctx.node.op {
    case "Reshape":
        let spec = ctx.has(1) ? try ctx.const(1, "shape").intValues : (ctx.node.ints("shape") ?? [])
        let allowZero = ctx.node.int("allowzero", 0) != 0
        out = spec.enumerated().map { i, d in d == 0 && !allowZero ? (i < xs.count ? xs[i] : 0) : d }
        let known = out.filter { $0 != -1 }.reduce(1, *)
        let unknown = out.filter { $0 == -1 }.count
        if unknown == 1, known > 0 { out = out.map { $0 == -1 ? n / known : $0 } }
        guard unknown <= 1, product(out) == n, out.allSatisfy({ $0 >= 0 }) else {
            throw ctx.fail("a shape with \(n) elements", "\(spec) for input \(xs)")
        }
    case "Flatten":
        let axis = ctx.node.int("axis", 1)
        let a = axis < 0 ? axis + xs.count : axis
        guard a >= 0 && a <= xs.count else { throw ctx.fail("axis in [0, \(xs.count)]", "\(axis)") }
        out = [product(xs[..<a]), product(xs[a...])]
    case "Squeeze":
        var axes: [Int]
        if ctx.has(1) { axes = try ctx.const(1, "axes").intValues } else if let a = ctx.node.ints("axes") { axes = a } else {
            axes = xs.indices.filter { xs[$0] == 1 }
        }
        axes = try axes.map { try normAxis($0, xs.count, ctx) }
        for a in axes where xs[a] != 1 { throw ctx.fail("axis \(a) of size 1", "\(xs)") }
        out = xs.indices.filter { !axes.contains($0) }.map { xs[$0] }
    case "Unsqueeze":
        var axes: [Int]
        if ctx.has(1) { axes = try ctx.const(1, "axes").intValues } else if let a = ctx.node.ints("axes") { axes = a } else {
            throw ctx.fail("axes", "none")
        }
        let r = xs.count + axes.count
        axes = try axes.map { try normAxis($0, r, ctx) }.sorted()
        out = xs
        for a in axes { out.insert(1, at: a) }
    default:  // Identity, Dropout, Cast and friends
        out = xs
    }
    var op = copyOp(out, n)
    if let c = ctx.optionalConst(0), c.ints != nil, ctx.node.op != "Cast" || castsToInt(ctx.node) {
        op.constOutputs = [Const(shape: out, ints: c.intValues)]
    }
    if ctx.node.op == "Cast", let c = ctx.optionalConst(0) {
        op.constOutputs = [castsToInt(ctx.node) ? Const(shape: out, ints: c.floats.map { Int($0) })
                                                : Const(shape: out, floats: c.floats)]
    }
    return op
}

/// ONNX TensorProto data types that are integers or bool.
func castsToInt(_ node: Node) -> Bool { [2, 3, 4, 5, 6, 7, 9, 12, 13].contains(node.int("to", 1)) }

func compileTranspose(_ ctx: OpContext) throws -> CompiledOp {
    try ctx.requireInputs(1)
    let xs = ctx.shape(0)
    let perm = ctx.node.ints("perm") ?? Array((0..<xs.count).reversed())
    guard perm.sorted() == Array(0..<xs.count) else { throw ctx.fail("a permutation of 0..<\(xs.count)", "\(perm)") }
    let out = perm.map { xs[$0] }
    let st = stridesOf(xs)
    let plan = StridedPlan(outShape: out.isEmpty ? [1] : out, srcStrides: out.isEmpty ? [1] : perm.map { st[$0] })
    return CompiledOp(outShapes: [out]) { ins, outs, _ in plan.gather(ins[0], outs[0]) }
}

func compileSlice(_ ctx: OpContext) throws -> CompiledOp {
    try ctx.requireInputs(1)
    let xs = ctx.shape(0)
    var starts: [Int], ends: [Int], axes: [Int], steps: [Int]
    if ctx.has(1) {
        starts = try ctx.const(1, "starts").intValues
        ends = try ctx.const(2, "ends").intValues
        axes = ctx.has(3) ? try ctx.const(3, "axes").intValues : Array(0..<starts.count)
        steps = ctx.has(4) ? try ctx.const(4, "steps").intValues : [Int](repeating: 1, count: starts.count)
    } else {
        starts = ctx.node.ints("starts") ?? []
        ends = ctx.node.ints("ends") ?? []
        axes = ctx.node.ints("axes") ?? Array(0..<starts.count)
        steps = [Int](repeating: 1, count: starts.count)
    }
    guard starts.count == ends.count, axes.count == starts.count, steps.count == starts.count else {
        throw ctx.fail("starts/ends/axes/steps of equal length", "\(starts.count)/\(ends.count)/\(axes.count)/\(steps.count)")
    }
    var begin = [Int](repeating: 0, count: xs.count), step = [Int](repeating: 1, count: xs.count)
    var out = xs
    for i in 0..<axes.count {
        let a = try normAxis(axes[i], xs.count, ctx)
        let d = xs[a], s = steps[i]
        guard s != 0 else { throw ctx.fail("non-zero step", "0") }
        func clampIndex(_ v: Int, _ lo: Int, _ hi: Int) -> Int {
            let w = v < 0 ? (v < Int.min / 2 ? Int.min / 2 : v) + d : v
            return min(max(w, lo), hi)
        }
        let st: Int, en: Int
        if s > 0 {
            st = clampIndex(starts[i], 0, d); en = clampIndex(ends[i], 0, d)
        } else {
            st = clampIndex(starts[i], -1, d - 1); en = clampIndex(ends[i], -1, d - 1)
        }
        let len = s > 0 ? max(0, (en - st + s - 1) / s) : max(0, (st - en + (-s) - 1) / (-s))
        begin[a] = st; step[a] = s; out[a] = len
    }
    let st = stridesOf(xs)
    let base = (0..<xs.count).reduce(0) { $0 + begin[$1] * st[$1] }
    let srcStrides = (0..<xs.count).map { st[$0] * step[$0] }
    let n = product(out)
    let plan = StridedPlan(outShape: out.isEmpty ? [1] : out, srcStrides: out.isEmpty ? [1] : srcStrides)
    var op = CompiledOp(outShapes: [out]) { ins, outs, _ in if n > 0 { plan.gather(ins[0] + base, outs[0]) } }
    if let c = ctx.optionalConst(0), let ints = c.ints, n > 0 {
        var buf = [Float](repeating: 0, count: n)
        let src = ints.map { Float($0) }
        src.withUnsafeBufferPointer { s in buf.withUnsafeMutableBufferPointer { plan.gather(s.baseAddress! + base, $0.baseAddress!) } }
        op.constOutputs = [Const(shape: out, ints: buf.map { Int($0) })]
    }
    return op
}

func compileConcat(_ ctx: OpContext) throws -> CompiledOp {
    let shapes = ctx.inShapes.enumerated().filter { ctx.has($0.offset) }.map { $0.element }
    guard let first = shapes.first else { throw ctx.fail("at least one input", "none") }
    let axis = try normAxis(ctx.node.int("axis", 0), first.count, ctx)
    var out = first
    out[axis] = 0
    for s in shapes {
        guard s.count == first.count, (0..<s.count).allSatisfy({ $0 == axis || s[$0] == first[$0] }) else {
            throw ctx.fail("shapes matching \(first) except axis \(axis)", "\(s)")
        }
        out[axis] += s[axis]
    }
    let outer = product(first[..<axis]), inner = product(first[(axis + 1)...])
    let sizes = shapes.map { $0[axis] * inner }
    let rowOut = out[axis] * inner
    let idx = ctx.inShapes.indices.filter { ctx.has($0) }
    let threads = ctx.threads
    var op = CompiledOp(outShapes: [out]) { ins, outs, _ in
        Parallel.chunks(outer, threads: threads, minChunk: 4) { lo, hi in
            for o in lo..<hi {
                var off = o * rowOut
                for (j, i) in idx.enumerated() {
                    (outs[0] + off).update(from: ins[i] + o * sizes[j], count: sizes[j])
                    off += sizes[j]
                }
            }
        }
    }
    let cs = idx.map { ctx.optionalConst($0) }
    if cs.allSatisfy({ $0?.ints != nil }) {
        var vals: [Int] = []
        for o in 0..<outer { for (j, c) in cs.enumerated() { vals += c!.ints![(o * sizes[j])..<((o + 1) * sizes[j])] } }
        op.constOutputs = [Const(shape: out, ints: vals)]
    }
    return op
}

func compileSplit(_ ctx: OpContext) throws -> CompiledOp {
    try ctx.requireInputs(1)
    let xs = ctx.shape(0)
    let axis = try normAxis(ctx.node.int("axis", 0), xs.count, ctx)
    let k = ctx.node.outputs.count
    var parts: [Int]
    if ctx.has(1) { parts = try ctx.const(1, "split").intValues } else if let s = ctx.node.ints("split") { parts = s } else {
        let d = xs[axis]
        let chunk = (d + k - 1) / k
        parts = (0..<k).map { min(chunk, max(0, d - $0 * chunk)) }
    }
    guard parts.count == k, parts.reduce(0, +) == xs[axis] else {
        throw ctx.fail("\(k) parts summing to \(xs[axis])", "\(parts)")
    }
    let outer = product(xs[..<axis]), inner = product(xs[(axis + 1)...])
    let rowIn = xs[axis] * inner
    let outShapes = parts.map { p -> [Int] in var s = xs; s[axis] = p; return s }
    return CompiledOp(outShapes: outShapes) { ins, outs, _ in
        for o in 0..<outer {
            var off = o * rowIn
            for j in 0..<k {
                let sz = parts[j] * inner
                (outs[j] + o * sz).update(from: ins[0] + off, count: sz)
                off += sz
            }
        }
    }
}

func compileExpand(_ ctx: OpContext) throws -> CompiledOp {
    try ctx.requireInputs(2)
    let xs = ctx.shape(0)
    let target = try ctx.const(1, "shape").intValues
    guard let out = broadcastShapes(xs, target) else { throw ctx.fail("shape broadcastable with \(xs)", "\(target)") }
    let o = out.isEmpty ? [1] : out
    let plan = StridedPlan(outShape: o, srcStrides: broadcastStrides(xs.isEmpty ? [1] : xs, to: o))
    var op = CompiledOp(outShapes: [out]) { ins, outs, _ in plan.gather(ins[0], outs[0]) }
    if let c = ctx.optionalConst(0), c.ints != nil {
        var buf = [Float](repeating: 0, count: product(o))
        c.floats.withUnsafeBufferPointer { s in buf.withUnsafeMutableBufferPointer { plan.gather(s.baseAddress!, $0.baseAddress!) } }
        op.constOutputs = [Const(shape: out, ints: buf.map { Int($0) })]
    }
    return op
}

func compileGather(_ ctx: OpContext) throws -> CompiledOp {
    try ctx.requireInputs(2)
    let xs = ctx.shape(0)
    let axis = try normAxis(ctx.node.int("axis", 0), xs.count, ctx)
    let idxConst = try ctx.const(1, "indices")
    let d = xs[axis]
    let indices = try idxConst.intValues.map { i -> Int in
        let j = i < 0 ? i + d : i
        guard j >= 0 && j < d else { throw ctx.fail("indices in [-\(d), \(d))", "\(i)") }
        return j
    }
    let out = Array(xs[..<axis]) + idxConst.shape + Array(xs[(axis + 1)...])
    let outer = product(xs[..<axis]), inner = product(xs[(axis + 1)...])
    var op = CompiledOp(outShapes: [out]) { ins, outs, _ in
        var o = 0
        for a in 0..<outer {
            for i in indices {
                (outs[0] + o).update(from: ins[0] + (a * d + i) * inner, count: inner)
                o += inner
            }
        }
    }
    if let c = ctx.optionalConst(0), let ints = c.ints {
        var vals: [Int] = []
        for a in 0..<outer { for i in indices { vals += ints[((a * d + i) * inner)..<((a * d + i + 1) * inner)] } }
        op.constOutputs = [Const(shape: out, ints: vals)]
    }
    return op
}

/// Shape: always a load-time constant (input shapes are fixed).
func compileShape(_ ctx: OpContext) throws -> CompiledOp {
    let xs = ctx.shape(0)
    let r = xs.count
    var start = ctx.node.int("start", 0), end = ctx.node.int("end", r)
    if start < 0 { start += r }
    if end < 0 { end += r }
    start = min(max(start, 0), r); end = min(max(end, start), r)
    let vals = Array(xs[start..<end])
    var op = CompiledOp(outShapes: [[vals.count]]) { _, _, _ in }
    op.constOutputs = [Const(shape: [vals.count], ints: vals)]
    return op
}

func compileConstantOfShape(_ ctx: OpContext) throws -> CompiledOp {
    let shape = try ctx.const(0, "shape").intValues
    var value = Const(shape: [1], floats: [0])
    if case let .tensor(t)? = ctx.node.attrs["value"] { value = t }
    let n = product(shape)
    var op = CompiledOp(outShapes: [shape]) { _, _, _ in }
    op.constOutputs = [value.ints != nil ? Const(shape: shape, ints: [Int](repeating: value.intValues.first ?? 0, count: n))
                                         : Const(shape: shape, floats: [Float](repeating: value.floats.first ?? 0, count: n))]
    return op
}
