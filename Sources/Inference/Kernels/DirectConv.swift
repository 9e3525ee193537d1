// DirectConv: convolution without im2col, through the C kernels of CKernels (AVX-512 or
// AVX2+FMA chosen at run time, scalar C elsewhere). The input of each group is copied once into
// a zero-padded, column-phase-split scratch (so the inner loops have no bounds checks and
// stride 2 reads contiguous vectors); weights are packed at load time as
// [ocBlock][c][kh*kw][ocb]; a register tile of ocb output channels x rw vectors of output
// pixels accumulates over c*kh*kw with broadcast FMAs; bias and the activation are applied
// in registers before the store. Twin: `convReference`.
//   x: [n, c, h, w]   weight: [m, c/group, kh, kw]   bias: [m]   y: [n, m, oh, ow]
// Work units (tile x output-channel block, or channel for depthwise) are fixed by the shape,
// and each unit's arithmetic does not depend on who runs it: 1 and 2 threads are bit-identical.

import CKernels
import Foundation

enum DirectConv {
    /// The instruction set used: the CPU's best, or lower when DRIVEPIPE_ISA (scalar, avx2,
    /// avx512) asks for it (A/B benchmarking, tests of the other paths).
    static let isa: Int32 = ck_selected_isa()

    /// DRIVEPIPE_DIRECT=0 turns the direct kernels off (A/B against im2col/Winograd + sgemm).
    static let enabled: Bool = ProcessInfo.processInfo.environment["DRIVEPIPE_DIRECT"] != "0"

    /// Multiply-adds (vector lanes counted) a parallel chunk must hold (DRIVEPIPE_MIN_WORK
    /// overrides it, for measuring). 4M with Dispatch threads, whose wake-up cost tens of
    /// microseconds; 256K since the worker pool (Yolo-Fastest: 96% of the multiply-adds in
    /// convs that two threads share, against 10% at 4M).
    static let minWork: Int = Int(ProcessInfo.processInfo.environment["DRIVEPIPE_MIN_WORK"] ?? "") ?? (256 << 10)

    /// Largest kh*kw the C kernels take (their tap table).
    static let maxTaps = 64

    /// A convolution compiled for the direct kernel: the C plan of one group, packed weights
    /// of every group, the fused activation.
    final class Plan: @unchecked Sendable {
        // Invariant: built at compile time, read-only while kernels run.
        let g: ConvGeometry
        let cp: ck_conv_plan
        let packed: FloatStore
        let packedPerGroup: Int
        let act: FusedActivation
        /// The input arrives already in `paddedInput` (its producer wrote it there): no copy.
        let inputPadded: Bool
        /// The padded input layout of the conv(s) reading the output, which this conv writes
        /// (nil: plain NCHW).
        let outputLayout: PaddedLayout?
        /// Scratch floats: one padded copy of a group's input (none for pointwise).
        var scratch: Int { cp.pointwise != 0 || inputPadded ? 0 : g.cg * cp.planeStride }

        init(g: ConvGeometry, cp: ck_conv_plan, packed: FloatStore, packedPerGroup: Int, act: FusedActivation,
             inputPadded: Bool = false, outputLayout: PaddedLayout? = nil) {
            self.g = g; self.cp = cp; self.packed = packed; self.packedPerGroup = packedPerGroup; self.act = act
            self.inputPadded = inputPadded; self.outputLayout = outputLayout
        }

        /// The padded layout this conv copies its input into, when a producer could write it
        /// there instead (one image, one group, a padded plan), else nil.
        var paddedInput: PaddedLayout? {
            guard g.n == 1, g.group == 1, cp.pointwise == 0 else { return nil }
            return PaddedLayout(cp)
        }

        /// The same conv reading its input already padded (`inputPadded`) and writing its output
        /// into `output` (nil: plain NCHW); nil when it cannot write there (see
        /// ck_conv_write_padded; a Sigmoid/Tanh applied after the C epilogue needs plain planes).
        func variant(inputPadded: Bool, output: PaddedLayout?) -> Plan? {
            if inputPadded && paddedInput == nil { return nil }
            var c = cp
            if let output {
                guard g.n == 1, g.group == 1, act.rest == .none else { return nil }
                if c.pointwise != 0 {
                    // output rows must stay rows: no one-long-row plan
                    c = DirectConv.cPlan(g, isa: cp.isa, ocb: Int(cp.ocb), rw: Int(cp.rw), channels: g.cg,
                                         outChannels: g.mg, longRow: false)
                }
                var q = output.consumerPlan
                guard ck_conv_write_padded(&c, &q) != 0 else { return nil }
            }
            return Plan(g: g, cp: c, packed: packed, packedPerGroup: packedPerGroup, act: act, inputPadded: inputPadded,
                        outputLayout: output)
        }
    }

    /// The C plan of one group of `g` with an ocb x rw register block.
    /// `longRow`: a pointwise plan runs over each plane as one long row (its output is then
    /// plain NCHW only).
    static func cPlan(_ g: ConvGeometry, isa: Int32, ocb: Int, rw: Int, channels c: Int, outChannels m: Int,
                      allowPointwise: Bool = true, longRow: Bool = true) -> ck_conv_plan {
        var p = ck_conv_plan()
        p.c = Int32(c); p.h = Int32(g.h); p.w = Int32(g.w)
        p.m = Int32(m); p.oh = Int32(g.oh); p.ow = Int32(g.ow)
        p.kh = Int32(g.kh); p.kw = Int32(g.kw); p.sh = Int32(g.sh); p.sw = Int32(g.sw)
        p.dh = Int32(g.dh); p.dw = Int32(g.dw)
        p.padTop = Int32(g.padTop); p.padLeft = Int32(g.padLeft)
        p.isa = isa; p.ocb = Int32(ocb); p.rw = Int32(rw)
        p.pointwise = allowPointwise ? 1 : 0
        ck_conv_plan_finish(&p)
        if p.pointwise != 0 && longRow {
            // a pointwise plane is one long row: vectors run across row ends
            p.h = 1; p.w = Int32(g.inPlane); p.oh = 1; p.ow = Int32(g.outPlane)
            p.yRow = 0; p.yPlane = 0
            ck_conv_plan_finish(&p)
        }
        // bands of tiles whose input share is about 256 KiB (half of L2 on the Zen 3 machines):
        // each output-channel block's weights stay in L1 across a band, the band's input in L2
        let inputBytes = 4 * c * p.planeStride
        p.bandTiles = Int32(max(1, min(Int(p.tiles), Int(p.tiles) * (256 * 1024) / max(1, inputBytes))))
        ck_conv_plan_finish(&p)
        return p
    }

    /// Register block (ocb, rw) for `mg` output channels over `slots` output vectors: the
    /// fewest computed (channel, vector) pairs, padding of the last channel block and the last
    /// tile included (ties to the larger ocb: fewer input reloads). AVX2 has 16 registers:
    /// 4 x 3 only.
    static func block(mg: Int, slots: Int, isa: Int32) -> (Int, Int) {
        if isa != Int32(CK_ISA_AVX512) { return (4, 3) }
        let options = [(8, 3), (6, 4), (4, 6)]
        func cost(_ o: (Int, Int)) -> Int { (mg + o.0 - 1) / o.0 * o.0 * ((slots + o.1 - 1) / o.1 * o.1) }
        return options.min { cost($0) < cost($1) || (cost($0) == cost($1) && $0.0 > $1.0) }!
    }

    /// Whether the direct kernel should run `g` rather than im2col/Winograd + sgemm
    /// (measured with `drivepipe bench --profile`, DRIVEPIPE_WINOGRAD=0 / DRIVEPIPE_DIRECT=0 for
    /// the other side). Winograd's 2.25x fewer multiplies pay for its transforms only where the
    /// direct kernel wastes vector lanes: at 96-131 channels the direct kernel was faster on
    /// full-width rows (conv net 96 ch 18x32: 0.61 vs 0.87 ms at 1 thread, 0.41 vs 0.46 at 2;
    /// TwinLiteNet's 131 ch 90x160: 60 vs 69 ms) and on small planes (128 ch 7x12), about even
    /// at 24-wide rows (a quarter of the lanes idle: student 96 ch 14x24, 0.59 vs 0.60 ms at 1
    /// thread, 0.29 vs 0.24 at 2), so Winograd keeps those. The choice depends on the shape
    /// and the instruction set only (never the thread count).
    static func suits(_ g: ConvGeometry, threads: Int) -> Bool {
        if Winograd.enabled, g.c >= 96, g.m >= 96, Winograd.plan(g, threads: threads) != nil {
            let lanes = Int(ck_isa_lanes(isa))
            let usedLanes = Double(g.ow) / Double((g.ow + lanes - 1) / lanes * lanes)
            if usedLanes <= 0.75 && g.oh * g.ow >= 256 { return false }
        }
        return true
    }

    /// A plan for `g` with constant weights [m, cg, kh, kw], or nil when the kernel does not
    /// apply (too many taps).
    static func plan(_ g: ConvGeometry, weights: [Float], act: Activation, isa: Int32 = isa,
                     block forced: (Int, Int)? = nil) -> Plan? {
        guard g.kh * g.kw <= maxTaps, weights.count == g.m * g.kSize else { return nil }
        let lanes = Int(ck_isa_lanes(isa))
        let slots = g.isPointwise ? (g.outPlane + lanes - 1) / lanes : g.oh * ((g.ow + lanes - 1) / lanes)
        let (ocb, rw) = forced ?? block(mg: g.mg, slots: slots, isa: isa)
        var cp = cPlan(g, isa: isa, ocb: ocb, rw: rw, channels: g.cg, outChannels: g.mg)
        let per = ck_conv_packed_count(&cp)
        let packed = FloatStore(count: per * g.group)
        weights.withUnsafeBufferPointer { w in
            for grp in 0..<g.group {
                ck_conv_pack_weights(&cp, w.baseAddress! + grp * g.mg * g.kSize, packed.p + grp * per)
            }
        }
        return Plan(g: g, cp: cp, packed: packed, packedPerGroup: per, act: FusedActivation(act))
    }

    /// y = act(conv(x) + bias + sum) + post; `sum` (shaped like y) is a fused residual Add,
    /// `post` ([n, m, oh / postUp, ow / postUp], read nearest-upsampled) a fused Add after the
    /// activation (see PostAdd); `scratch` holds `plan.scratch` floats.
    static func conv(_ p: Plan, _ x: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?, sum: UnsafePointer<Float>? = nil,
                     post: UnsafePointer<Float>? = nil, postUp: Int = 1,
                     _ y: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, threads: Int) {
        let g = p.g
        let cp = p.cp
        let units = Int(cp.tiles) * Int(cp.ocBlocks)
        // chunks of at least `minWork` multiply-adds (about 6 us at one core): a region on the
        // worker pool starts in about a microsecond
        let perUnit = max(1, Int(cp.ocb) * Int(cp.rw) * Int(ck_isa_lanes(cp.isa)) * g.kSize)
        let minUnits = max(1, minWork / perUnit)
        // padded rows per padding chunk (at least ~64 KiB): split by rows, so the thread that
        // pads the top rows (the caller: it claims pieces from the front) runs the top tiles
        let padRows = max(1, (1 << 14) / max(1, g.cg * Int(cp.sw) * Int(cp.wph)))
        for b in 0..<g.n {
            for grp in 0..<g.group {
                let xg = x + (b * g.c + grp * g.cg) * g.inPlane
                let yg = y + (b * g.m + grp * g.mg) * g.outPlane
                let wg = p.packed.p + grp * p.packedPerGroup
                let bg = bias.map { $0 + grp * g.mg }
                let sg = sum.map { $0 + (b * g.m + grp * g.mg) * g.outPlane }
                // the epilogue adds post after its activation; a Swift-side rest (sigmoid, tanh)
                // comes first, so then post is added after that
                let pg = post.map { $0 + (b * g.m + grp * g.mg) * (g.outPlane / (postUp * postUp)) }
                let act = p.act.c(channelOffset: grp * g.mg, post: p.act.rest == .none ? pg : nil, postUp: postUp, postW: g.ow)
                var xin = UnsafePointer(xg)
                if cp.pointwise == 0 && !p.inputPadded {
                    Parallel.chunks(Int(cp.hp), threads: threads, minChunk: padRows) { lo, hi in
                        var cpl = cp   // each worker passes its own copy's address
                        ck_conv_pad_rows(&cpl, xg, scratch, 0, Int32(g.cg), Int32(lo), Int32(hi))
                    }
                    xin = UnsafePointer(scratch)
                }
                if let layout = p.outputLayout {
                    // the border of the padded output (the interior comes from the kernel)
                    let q = layout.consumerPlan
                    Parallel.chunks(g.mg, threads: threads, minChunk: max(1, g.mg / 2)) { lo, hi in
                        var ql = q
                        ck_conv_clear_border(&ql, yg, Int32(lo), Int32(hi))
                    }
                }
                Parallel.chunks(units, threads: threads, minChunk: minUnits) { lo, hi in
                    var cpl = cp
                    ck_conv_run(&cpl, xin, wg, bg, sg, yg, act, lo, hi)
                }
                p.act.applyRest(yg, channels: g.mg, plane: g.outPlane, channelOffset: grp * g.mg, threads: threads)
                if p.act.rest != .none, let pg {
                    PostAdd.add(yg, pg, planes: g.mg, oh: g.oh, ow: g.ow, up: postUp, threads: threads)
                }
            }
        }
    }

    /// A depthwise plan (group == c == m): only geometry and the activation.
    static func depthwisePlan(_ g: ConvGeometry, act: Activation, isa: Int32 = isa) -> Plan? {
        guard g.isDepthwise, g.cg == 1, g.kh * g.kw <= maxTaps else { return nil }
        // the depthwise kernel pads every plane: no pointwise form
        let cp = cPlan(g, isa: isa, ocb: 1, rw: 1, channels: 1, outChannels: 1, allowPointwise: false)
        return Plan(g: g, cp: cp, packed: FloatStore(count: 0), packedPerGroup: 0, act: FusedActivation(act))
    }

    /// Scratch floats of a depthwise plan run on `threads` workers (one padded plane each).
    static func depthwiseScratch(_ p: Plan, threads: Int) -> Int {
        var cp = p.cp
        return ck_dw_scratch(&cp) * max(1, threads)
    }

    /// Depthwise y = act(conv(x) + bias + sum) + post; weights [c, 1, kh, kw] as given.
    static func depthwise(_ p: Plan, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?,
                          sum: UnsafePointer<Float>? = nil, post: UnsafePointer<Float>? = nil, postUp: Int = 1,
                          _ y: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, threads: Int) {
        let g = p.g
        let cp = p.cp
        var c = cp
        let per = ck_dw_scratch(&c)
        for b in 0..<g.n {
            let xb = x + b * g.c * g.inPlane, yb = y + b * g.m * g.outPlane
            let sb = sum.map { $0 + b * g.m * g.outPlane }
            let pb = post.map { $0 + b * g.m * (g.outPlane / (postUp * postUp)) }
            let act = p.act.c(channelOffset: 0, post: p.act.rest == .none ? pb : nil, postUp: postUp, postW: g.ow)
            let minChunk = max(1, minWork / 4 / max(1, g.outPlane * g.kh * g.kw))   // memory-bound: a quarter
            Parallel.tasks(g.c, threads: threads, minChunk: minChunk) { worker, lo, hi in
                var cpl = cp
                ck_dw_run(&cpl, xb, w, bias, sb, yb, act, scratch + worker * per, Int32(lo), Int32(hi))
            }
            p.act.applyRest(yb, channels: g.c, plane: g.outPlane, channelOffset: 0, threads: threads)
            if p.act.rest != .none, let pb {
                PostAdd.add(yb, pb, planes: g.c, oh: g.oh, ow: g.ow, up: postUp, threads: threads)
            }
        }
    }
}

/// An activation split into the part the C epilogue applies in registers and the rest
/// (sigmoid, tanh), applied afterwards in Swift per channel.
final class FusedActivation: @unchecked Sendable {
    // Invariant: built at compile time, read-only afterwards.
    let kind: Int32, a: Float, b: Float
    let slopes: FloatStore?
    let rest: Activation

    init(_ act: Activation) {
        var kind: Int32 = 0, a: Float = 0, b: Float = 0
        var slopes: FloatStore? = nil
        var rest = Activation.none
        switch act {
        case .none: break
        case .relu: kind = 1
        case let .leakyRelu(s): kind = 2; a = s
        case let .clip(lo, hi): kind = 3; a = lo; b = hi
        case let .prelu(s):
            kind = 4
            if s.count == 1 { a = s[0] } else { slopes = FloatStore(s) }
        case let .hardSigmoid(alpha, beta): kind = 5; a = alpha; b = beta
        case .hardSwish: kind = 6
        case .sigmoid, .tanh: rest = act
        }
        self.kind = kind; self.a = a; self.b = b; self.slopes = slopes; self.rest = rest
    }

    /// The C epilogue's activation for output channels starting at `channelOffset`, with an
    /// optional Add after it (`post`: see ck_act).
    func c(channelOffset: Int, post: UnsafePointer<Float>? = nil, postUp: Int = 1, postW: Int = 0) -> ck_act {
        ck_act(kind: kind, a: a, b: b, slopes: slopes.map { UnsafePointer($0.p + channelOffset) },
               post: post, postUp: Int32(postUp), postW: Int32(postW))
    }

    /// Applies the unfused part in place to y[channels][plane].
    func applyRest(_ y: UnsafeMutablePointer<Float>, channels: Int, plane: Int, channelOffset: Int, threads: Int) {
        if rest == .none { return }
        let act = rest
        Parallel.chunks(channels, threads: threads) { lo, hi in
            for ch in lo..<hi { act.apply(y + ch * plane, plane, channel: channelOffset + ch) }
        }
    }
}
