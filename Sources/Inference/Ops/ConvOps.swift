// Conv and ConvTranspose compilers: geometry from attributes (opset 11+ conventions,
// auto_pad included), constant weights packed once, kernel chosen per geometry.

/// Pads and output size for one spatial axis under `auto_pad`.
private func convPads(_ autoPad: String, inSize: Int, k: Int, s: Int, d: Int,
                      explicit: (Int, Int)) -> (Int, Int, Int) {
    let ek = (k - 1) * d + 1
    switch autoPad {
    case "SAME_UPPER", "SAME_LOWER":
        let out = (inSize + s - 1) / s
        let total = max(0, (out - 1) * s + ek - inSize)
        let small = total / 2, big = total - small
        return autoPad == "SAME_UPPER" ? (small, big, out) : (big, small, out)
    case "VALID":
        return (0, 0, (inSize - ek) / s + 1)
    default:
        return (explicit.0, explicit.1, (inSize + explicit.0 + explicit.1 - ek) / s + 1)
    }
}

/// Reads the conv attributes into a geometry (x: [n, c, h, w] or [n, c, w]).
func convGeometry(_ ctx: OpContext, transposed: Bool) throws -> ConvGeometry {
    let xs = ctx.shape(0), ws = ctx.shape(1)
    guard xs.count == 4 || xs.count == 3 else { throw ctx.fail("4-D (or 3-D) input", "\(xs)") }
    guard ws.count == xs.count else { throw ctx.fail("weight of rank \(xs.count)", "\(ws)") }
    let is1D = xs.count == 3
    var g = ConvGeometry()
    g.n = xs[0]; g.c = xs[1]
    g.h = is1D ? 1 : xs[2]; g.w = xs[xs.count - 1]
    g.group = ctx.node.int("group", 1)
    guard g.group >= 1, g.c % g.group == 0 else { throw ctx.fail("channels divisible by group \(g.group)", "\(g.c)") }
    g.kh = is1D ? 1 : ws[2]; g.kw = ws[ws.count - 1]
    if let ks = ctx.node.ints("kernel_shape"), ks != Array(ws[2...]) {
        throw ctx.fail("kernel_shape \(Array(ws[2...]))", "\(ks)")
    }
    let strides = ctx.node.ints("strides") ?? [Int](repeating: 1, count: xs.count - 2)
    let dil = ctx.node.ints("dilations") ?? [Int](repeating: 1, count: xs.count - 2)
    let pads = ctx.node.ints("pads") ?? [Int](repeating: 0, count: 2 * (xs.count - 2))
    guard strides.count == xs.count - 2, dil.count == xs.count - 2, pads.count == 2 * (xs.count - 2),
          strides.allSatisfy({ $0 >= 1 }), dil.allSatisfy({ $0 >= 1 }) else {
        throw ctx.fail("strides/dilations/pads for \(xs.count - 2) spatial axes", "\(strides) \(dil) \(pads)")
    }
    if is1D {
        g.sh = 1; g.sw = strides[0]; g.dh = 1; g.dw = dil[0]
        g.padTop = 0; g.padBottom = 0; g.padLeft = pads[0]; g.padRight = pads[1]
    } else {
        g.sh = strides[0]; g.sw = strides[1]; g.dh = dil[0]; g.dw = dil[1]
        g.padTop = pads[0]; g.padLeft = pads[1]; g.padBottom = pads[2]; g.padRight = pads[3]
    }
    let autoPad = ctx.node.string("auto_pad", "NOTSET")
    if !transposed {
        guard ws[1] * g.group == g.c else { throw ctx.fail("weight in-channels \(g.c / g.group)", "\(ws[1])") }
        g.m = ws[0]
        guard g.m % g.group == 0 else { throw ctx.fail("out channels divisible by group", "\(g.m)") }
        let ph = convPads(autoPad, inSize: g.h, k: g.kh, s: g.sh, d: g.dh, explicit: (g.padTop, g.padBottom))
        let pw = convPads(autoPad, inSize: g.w, k: g.kw, s: g.sw, d: g.dw, explicit: (g.padLeft, g.padRight))
        if !is1D { (g.padTop, g.padBottom, g.oh) = ph } else { g.oh = 1 }
        (g.padLeft, g.padRight, g.ow) = pw
    } else {
        guard ws[0] == g.c else { throw ctx.fail("weight in-channels \(g.c)", "\(ws[0])") }
        g.m = ws[1] * g.group
        let outPad = ctx.node.ints("output_padding") ?? [Int](repeating: 0, count: xs.count - 2)
        let opH = is1D ? 0 : outPad[0], opW = outPad[outPad.count - 1]
        func full(_ i: Int, _ s: Int, _ k: Int, _ d: Int, _ op: Int) -> Int { s * (i - 1) + op + (k - 1) * d + 1 }
        if let os = ctx.node.ints("output_shape") {
            let th = is1D ? 1 : os[os.count - 2], tw = os[os.count - 1]
            func split(_ total: Int) -> (Int, Int) {
                let t = max(0, total)
                return autoPad == "SAME_UPPER" ? (t / 2, t - t / 2) : (t - t / 2, t / 2)
            }
            if !is1D { (g.padTop, g.padBottom) = split(full(g.h, g.sh, g.kh, g.dh, opH) - th); g.oh = th } else { g.oh = 1 }
            (g.padLeft, g.padRight) = split(full(g.w, g.sw, g.kw, g.dw, opW) - tw); g.ow = tw
        } else if autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER" {
            let th = g.h * g.sh, tw = g.w * g.sw
            func split(_ total: Int) -> (Int, Int) {
                let t = max(0, total)
                return autoPad == "SAME_UPPER" ? (t / 2, t - t / 2) : (t - t / 2, t / 2)
            }
            if !is1D { (g.padTop, g.padBottom) = split(full(g.h, g.sh, g.kh, g.dh, opH) - th); g.oh = th } else { g.oh = 1 }
            (g.padLeft, g.padRight) = split(full(g.w, g.sw, g.kw, g.dw, opW) - tw); g.ow = tw
        } else {
            g.oh = is1D ? 1 : full(g.h, g.sh, g.kh, g.dh, opH) - g.padTop - g.padBottom
            g.ow = full(g.w, g.sw, g.kw, g.dw, opW) - g.padLeft - g.padRight
        }
    }
    guard g.oh >= 1, g.ow >= 1 else { throw ctx.fail("positive output size", "\(g.oh)x\(g.ow)") }
    return g
}

/// Copies a constant into an owned, never-freed-while-used buffer.
final class FloatStore: @unchecked Sendable {
    // Invariant: written only at compile time, read-only while kernels run.
    let p: UnsafeMutablePointer<Float>
    let count: Int
    init(_ values: [Float]) {
        count = values.count
        p = .allocate(capacity: max(1, count))
        if count > 0 { values.withUnsafeBufferPointer { p.initialize(from: $0.baseAddress!, count: count) } }
    }
    init(count: Int) {
        self.count = count
        p = .allocate(capacity: max(1, count))
        p.initialize(repeating: 0, count: max(1, count))
    }
    deinit { p.deallocate() }
}

/// Selects the convolution algorithm (the reference twin is used only by tests).
enum ConvAlgorithm: Sendable { case auto, reference }

func compileConv(_ ctx: OpContext, algorithm: ConvAlgorithm = .auto) throws -> CompiledOp {
    try ctx.requireInputs(2)
    let g = try convGeometry(ctx, transposed: false)
    let outShape = ctx.shape(0).count == 3 ? [g.n, g.m, g.ow] : [g.n, g.m, g.oh, g.ow]
    let act = ctx.node.activation
    let hasBias = ctx.has(2)
    if hasBias && ctx.shape(2) != [g.m] { throw ctx.fail("bias [\(g.m)]", "\(ctx.shape(2))") }
    // input 3 (set by GraphOptimizer.fuseResidualAdd): a tensor shaped like the output, added
    // before the activation
    let hasSum = ctx.has(3)
    if hasSum && ctx.shape(3) != outShape { throw ctx.fail("residual \(outShape)", "\(ctx.shape(3))") }
    // input 4 (set by GraphOptimizer.fusePostAdd): added after the activation, read
    // nearest-upsampled by _postUp (1 or 2)
    let hasPost = ctx.has(4)
    let postUp = ctx.node.int("_postUp", 1)
    if hasPost {
        let expected = outShape.count == 4 && (postUp == 1 || postUp == 2) && g.oh % postUp == 0 && g.ow % postUp == 0
            ? [g.n, g.m, g.oh / postUp, g.ow / postUp] : outShape
        guard postUp == 1 || outShape.count == 4, ctx.shape(4) == expected else {
            throw ctx.fail("post-activation addend \(expected)", "\(ctx.shape(4)) (up \(postUp))")
        }
    }
    // Constant weights are used in place (the session keeps them alive); runtime weights too.
    let threads = ctx.threads
    if g.isDepthwise && g.cg == 1, algorithm == .auto, DirectConv.enabled, let dp = DirectConv.depthwisePlan(g, act: act) {
        let scratch = DirectConv.depthwiseScratch(dp, threads: threads)
        return CompiledOp(outShapes: [outShape], scratchCount: scratch, flops: g.flops) { ins, outs, scratch in
            DirectConv.depthwise(dp, ins[0], ins[1], hasBias ? ins[2] : nil, sum: hasSum ? ins[3] : nil,
                                 post: hasPost ? ins[4] : nil, postUp: postUp, outs[0], scratch: scratch, threads: threads)
        }
    }
    if algorithm == .auto, !hasPost, let wc = ctx.optionalConst(1),
       let wp = WinogradFused.plan(g, weights: wc.floats, act: act, threads: threads) {
        return CompiledOp(outShapes: [outShape], scratchCount: wp.scratch, flops: g.flops) { ins, outs, scratch in
            WinogradFused.conv(wp, ins[0], hasBias ? ins[2] : nil, sum: hasSum ? ins[3] : nil, outs[0], scratch: scratch,
                               threads: threads)
        }
    }
    if !g.isDepthwise || g.cg != 1, algorithm == .auto, DirectConv.enabled, let wc = ctx.optionalConst(1),
       DirectConv.suits(g, threads: threads), let dp = DirectConv.plan(g, weights: wc.floats, act: act) {
        func kernel(_ dp: DirectConv.Plan) -> Kernel {
            { ins, outs, scratch in
                DirectConv.conv(dp, ins[0], hasBias ? ins[2] : nil, sum: hasSum ? ins[3] : nil,
                                post: hasPost ? ins[4] : nil, postUp: postUp, outs[0], scratch: scratch, threads: threads)
            }
        }
        var op = CompiledOp(outShapes: [outShape], scratchCount: dp.scratch, flops: g.flops, kernel: kernel(dp))
        op.layoutHooks = ConvLayoutHooks(paddedInput: dp.paddedInput) { inputPadded, output in
            dp.variant(inputPadded: inputPadded, output: output).map { kernel($0) }
        }
        return op
    }
    if !(g.isDepthwise && g.cg == 1), algorithm == .auto, Winograd.enabled, let wc = ctx.optionalConst(1),
       let wino = Winograd.plan(g, threads: threads) {
        let packed = Winograd.transformWeights(g, wc.floats)
        return CompiledOp(outShapes: [outShape], scratchCount: wino.scratch, flops: g.flops) { ins, outs, scratch in
            Winograd.conv(wino, ins[0], packed.p, hasBias ? ins[2] : nil, sum: hasSum ? ins[3] : nil, outs[0], act,
                          scratch: scratch, threads: threads)
            if hasPost { PostAdd.add(outs[0], ins[4], planes: g.n * g.m, oh: g.oh, ow: g.ow, up: postUp, threads: threads) }
        }
    }
    // the other kernels apply the activation themselves: with a residual, add it afterwards
    var op = try compileConvUnfused(ctx, g, outShape: outShape, act: hasSum ? .none : act, algorithm: algorithm)
    if hasSum {
        let inner = op.kernel
        let count = product(outShape), plane = g.outPlane, m = g.m
        op.kernel = { ins, outs, scratch in
            inner(ins, outs, scratch)
            let y = outs[0], s = ins[3]
            for i in 0..<count { y[i] += s[i] }
            if act != .none { for ch in 0..<(count / plane) { act.apply(y + ch * plane, plane, channel: ch % m) } }
        }
    }
    if hasPost {
        let inner = op.kernel
        let planes = g.n * g.m, oh = outShape.count == 4 ? g.oh : 1, ow = g.ow
        op.kernel = { ins, outs, scratch in
            inner(ins, outs, scratch)
            PostAdd.add(outs[0], ins[4], planes: planes, oh: oh, ow: ow, up: postUp, threads: threads)
        }
    }
    return op
}

/// Conv through the reference twin, the old depthwise loop or im2col + sgemm.
private func compileConvUnfused(_ ctx: OpContext, _ g: ConvGeometry, outShape: [Int], act: Activation,
                                algorithm: ConvAlgorithm) throws -> CompiledOp {
    let hasBias = ctx.has(2)
    let threads = ctx.threads
    if algorithm == .reference {
        return CompiledOp(outShapes: [outShape], flops: g.flops) { ins, outs, _ in
            convReference(g, ins[0], ins[1], hasBias ? ins[2] : nil, outs[0], act)
        }
    }
    if g.isDepthwise && g.cg == 1 {
        return CompiledOp(outShapes: [outShape], flops: g.flops) { ins, outs, _ in
            convDepthwise(g, ins[0], ins[1], hasBias ? ins[2] : nil, outs[0], act, threads: threads)
        }
    }
    return CompiledOp(outShapes: [outShape], scratchCount: convScratch(g, threads: threads), flops: g.flops) { ins, outs, scratch in
        convGemm(g, ins[0], ins[1], hasBias ? ins[2] : nil, outs[0], act, col: scratch, threads: threads)
    }
}

func compileConvTranspose(_ ctx: OpContext, algorithm: ConvAlgorithm = .auto) throws -> CompiledOp {
    try ctx.requireInputs(2)
    let g = try convGeometry(ctx, transposed: true)
    let outShape = ctx.shape(0).count == 3 ? [g.n, g.m, g.ow] : [g.n, g.m, g.oh, g.ow]
    let act = ctx.node.activation
    let hasBias = ctx.has(2)
    if hasBias && ctx.shape(2) != [g.m] { throw ctx.fail("bias [\(g.m)]", "\(ctx.shape(2))") }
    let threads = ctx.threads
    let flops = 2 * g.n * g.c * g.mg * g.kh * g.kw * g.inPlane
    if algorithm == .reference {
        return CompiledOp(outShapes: [outShape], flops: flops) { ins, outs, _ in
            convTransposeReference(g, ins[0], ins[1], hasBias ? ins[2] : nil, outs[0], act)
        }
    }
    return CompiledOp(outShapes: [outShape], scratchCount: convTransposeScratch(g), flops: flops) { ins, outs, scratch in
        convTransposeGemm(g, ins[0], ins[1], hasBias ? ins[2] : nil, outs[0], act, col: scratch, threads: threads)
    }
}
