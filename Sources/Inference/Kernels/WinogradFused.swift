// WinogradFused: 3x3 stride-1 convolutions through the fused AVX-512 Winograd F(2x2, 3x3)
// kernel of CKernels (ck_wino.h): input transform of a ~96 KiB band of tiles (padding by masked loads),
// broadcast-FMA products, output transform, bias, an optional residual and the activation (ReLU, PRelu or
// LeakyRelu) in one pass, no sgemm. 2.25x fewer
// multiply-adds than the direct kernel; the transforms and the idle lanes of a short tile row
// cost back part of it, so a cost model (in `suits`) picks it only where it predicts a gain.
// Measured against the direct kernel on the student's shapes (1 core, hot, C harness, ms):
// 48 ch 36x64 0.252 vs 0.408, 96 ch 18x32 0.220 vs 0.403, 24 ch 72x128 0.336 vs 0.414,
// 32 ch 72x128 0.523 vs 0.722; 128 ch 9x16 (8 tiles a row) 0.25 vs 0.188, left to the direct kernel.
// Results differ from the direct sum by float rounding (max 4e-6 absolute on unit-scale data).
//   x: [n, c, h, w]   weight: [m, c, 3, 3]   bias: [m]   sum, y: [n, m, oh, ow]
//   act: none, ReLU, or a negative slope per output channel [m] (PRelu; LeakyRelu)
// Twin: `convReference`. Work units are bands of tiles, fixed by the shape: 1 and 2 threads
// give identical results.

import CKernels
import Foundation

enum WinogradFused {
    /// DRIVEPIPE_WINO_FUSED=0 turns it off (A/B against the direct kernel).
    static let enabled: Bool = ProcessInfo.processInfo.environment["DRIVEPIPE_WINO_FUSED"] != "0"

    final class Plan: @unchecked Sendable {
        // Invariant: built at compile time, read-only while kernels run.
        let g: ConvGeometry
        let cp: ck_wino_plan
        let packed: FloatStore
        let act: FusedActivation   // none, relu, leaky relu or prelu (`takes`): all of it in the kernel
        let perWorker: Int     // floats of one worker's band scratch
        let workers: Int
        var scratch: Int { perWorker * workers }

        init(g: ConvGeometry, cp: ck_wino_plan, packed: FloatStore, act: Activation, threads: Int) {
            self.g = g; self.cp = cp; self.packed = packed; self.act = FusedActivation(act)
            var c = cp
            perWorker = (ck_wino_scratch_count(&c) + 15) / 16 * 16
            workers = max(1, threads)
        }
    }

    /// Whether `g` takes the fused Winograd kernel on this CPU: 3x3, stride 1, dilation 1, one
    /// group, pads of at most 1 (same-size or valid), at least 16 input and output channels,
    /// AVX-512, no activation, ReLU, LeakyRelu or PRelu with one slope or one per output channel, and a predicted gain of 10% or more: vector multiply-adds
    /// per channel pair, 9 oh ceil(ow / 16) for the direct kernel against 16 x 1.4 (the
    /// transforms, measured) x the 16-tile vectors (tiles counted over all tile rows: since
    /// session 10 a vector runs on across row ends). It fitted the measured ratios when vectors
    /// stopped at row ends (36x64 0.62, 18x32 0.55, 72x128 0.72-0.81, 9x16 1.29); with vectors
    /// across rows the 576x320 input's 20x36, 40x72 and 10x18 planes and the 512x288 input's 9x16
    /// one gain too (student, 1 core: 48 ch 40x72 0.34 -> 0.26 ms, 96 ch 20x36 0.41 -> 0.25,
    /// 128 ch 9x16 0.157 -> 0.117 against the direct kernel).
    /// `anyWidth`: skip the cost rule (tests of the kernel on narrow planes).
    static func suits(_ g: ConvGeometry, act: Activation, isa: Int32 = DirectConv.isa, anyWidth: Bool = false) -> Bool {
        guard enabled, isa == Int32(CK_ISA_AVX512), g.kh == 3, g.kw == 3, g.sh == 1, g.sw == 1, g.dh == 1, g.dw == 1,
              g.group == 1, g.c >= 16, g.m >= 16, takes(act, m: g.m),
              [g.padTop, g.padLeft, g.padBottom, g.padRight].allSatisfy({ $0 >= 0 && $0 <= 1 }),
              g.oh == g.h + g.padTop + g.padBottom - 2, g.ow == g.w + g.padLeft + g.padRight - 2 else { return false }
        if anyWidth { return true }
        let direct = 9.0 * Double(g.oh) * Double((g.ow + 15) / 16)
        let fused = 16.0 * 1.4 * Double(((g.oh + 1) / 2 * ((g.ow + 1) / 2) + 15) / 16)
        return fused <= 0.9 * direct
    }

    /// The activations the kernel applies itself.
    static func takes(_ act: Activation, m: Int) -> Bool {
        switch act {
        case .none, .relu, .leakyRelu: return true
        case let .prelu(s): return s.count == 1 || s.count == m
        default: return false
        }
    }

    /// A plan for `g` with constant weights [m, c, 3, 3] (nil when it does not suit).
    static func plan(_ g: ConvGeometry, weights: [Float], act: Activation, threads: Int, anyWidth: Bool = false) -> Plan? {
        guard suits(g, act: act, anyWidth: anyWidth), weights.count == g.m * g.c * 9 else { return nil }
        var cp = ck_wino_plan()
        cp.c = Int32(g.c); cp.h = Int32(g.h); cp.w = Int32(g.w); cp.m = Int32(g.m)
        cp.oh = Int32(g.oh); cp.ow = Int32(g.ow); cp.padTop = Int32(g.padTop); cp.padLeft = Int32(g.padLeft)
        guard ck_wino_plan_finish(&cp) != 0 else { return nil }
        let packed = FloatStore(count: ck_wino_packed_count(&cp))
        weights.withUnsafeBufferPointer { ck_wino_pack(&cp, $0.baseAddress!, packed.p) }
        return Plan(g: g, cp: cp, packed: packed, act: act, threads: threads)
    }

    /// y = act(conv(x) + bias + sum); `sum` (shaped like y, may be y) is a fused residual Add;
    /// `scratch` holds `plan.scratch` floats.
    static func conv(_ p: Plan, _ x: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?, sum: UnsafePointer<Float>? = nil,
                     _ y: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, threads: Int) {
        let g = p.g
        let cp = p.cp
        for b in 0..<g.n {
            let xb = x + b * g.c * g.inPlane, yb = y + b * g.m * g.outPlane, sb = sum.map { $0 + b * g.m * g.outPlane }
            Parallel.tasks(Int(cp.bands), threads: min(threads, p.workers)) { worker, lo, hi in
                var c = cp, act = p.act.c(channelOffset: 0)
                ck_wino_run(&c, xb, p.packed.p, bias, sb, &act, yb, scratch + worker * p.perWorker, Int32(lo), Int32(hi))
            }
        }
    }
}
