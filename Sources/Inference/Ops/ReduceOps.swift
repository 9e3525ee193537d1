// ReduceMax, ReduceMin, ReduceMean, ReduceSum: axes as attribute (before opset 18; ReduceSum
// before 13) or constant input, keepdims, noop_with_empty_axes.

func compileReduce(_ ctx: OpContext) throws -> CompiledOp {
    try ctx.requireInputs(1)
    let xs = ctx.shape(0)
    var axes: [Int]
    if ctx.has(1) { axes = try ctx.const(1, "axes").intValues } else { axes = ctx.node.ints("axes") ?? [] }
    let keep = ctx.node.int("keepdims", 1) != 0
    if axes.isEmpty {
        if ctx.node.int("noop_with_empty_axes", 0) != 0 {
            let n = product(xs)
            return CompiledOp(outShapes: [xs]) { ins, outs, _ in outs[0].update(from: ins[0], count: n) }
        }
        axes = Array(0..<xs.count)
    }
    let set = Set(try axes.map { try normAxis($0, xs.count, ctx) })
    let keptShape = xs.enumerated().map { set.contains($0.offset) ? 1 : $0.element }
    let outShape = keep ? keptShape : xs.enumerated().filter { !set.contains($0.offset) }.map { $0.element }
    let outCount = product(keptShape)
    let reduceCount = product(xs) / max(outCount, 1)
    // Iterate the input as (kept index, reduced index): kept axes in output order.
    let st = stridesOf(xs)
    let keptAxes = (0..<xs.count).filter { !set.contains($0) }
    let redAxes = (0..<xs.count).filter { set.contains($0) }
    let outPlan = StridedPlan(outShape: keptAxes.isEmpty ? [1] : keptAxes.map { xs[$0] },
                              srcStrides: keptAxes.isEmpty ? [0] : keptAxes.map { st[$0] })
    let redPlan = StridedPlan(outShape: redAxes.map { xs[$0] }, srcStrides: redAxes.map { st[$0] })
    // flat source offsets of each output element and of each reduced element
    var outOffsets = [Int](), redOffsets = [Int]()
    for base in outPlan.offsets { for j in 0..<outPlan.inner { outOffsets.append(base + j * outPlan.innerStride) } }
    for base in redPlan.offsets { for j in 0..<redPlan.inner { redOffsets.append(base + j * redPlan.innerStride) } }
    let op = ctx.node.op
    let threads = ctx.threads
    return CompiledOp(outShapes: [outShape], flops: product(xs)) { ins, outs, _ in
        Parallel.chunks(outCount, threads: threads, minChunk: 64) { lo, hi in
            for o in lo..<hi {
                let src = ins[0] + outOffsets[o]
                var acc: Float
                switch op {
                case "ReduceMax":
                    acc = -Float.infinity
                    for r in redOffsets { acc = max(acc, src[r]) }
                case "ReduceMin":
                    acc = Float.infinity
                    for r in redOffsets { acc = min(acc, src[r]) }
                default:
                    acc = 0
                    for r in redOffsets { acc += src[r] }
                    if op == "ReduceMean" { acc /= Float(reduceCount) }
                }
                outs[0][o] = acc
            }
        }
    }
}
