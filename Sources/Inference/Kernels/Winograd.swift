// Winograd F(2x2, 3x3) convolution for stride-1, dilation-1, ungrouped 3x3 convs.
// Each 2x2 output tile costs 16 multiply-adds per (in, out) channel pair instead of 36 (2.25x
// fewer FLOPs), computed as 16 GEMMs [m, c] x [c, tiles] that OpenBLAS runs near peak.
//   weights  U[xi][m][c] = (G g G^T)[xi]            (transformed once at load)
//   input    V[xi][c][t] = (B^T d B)[xi]            d: the 4x4 input patch of tile t
//   GEMM     M[xi][m][t] = U[xi] * V[xi]
//   output   y[m][2x2 tile t] = A^T M[.][m][t] A  + bias, then the activation
// Tiles are processed in blocks (the parallel work units, fixed by the problem size, so the
// result is identical for any thread count); each worker owns V and M buffers for a block.

import CBLAS
import Foundation

enum Winograd {
    /// Extra floats between the 16 xi planes: plane strides that are multiples of 4 KiB put
    /// all 16 stores of a tile in one L1 set (conflict misses); 80 floats shift each plane.
    static let planePad = 80

    /// DRIVEPIPE_WINOGRAD=0 turns the Winograd path off (A/B benchmarking).
    static let enabled: Bool = ProcessInfo.processInfo.environment["DRIVEPIPE_WINOGRAD"] != "0"

    struct Plan {
        var g: ConvGeometry
        var tilesH: Int, tilesW: Int
        var blockTiles: Int          // tiles per block (multiple of 16)
        var perWorker: Int           // scratch floats per worker
        var workers: Int
        var scratch: Int { perWorker * workers }
    }

    /// A plan when the geometry suits Winograd (nil otherwise).
    static func plan(_ g: ConvGeometry, threads: Int = 2) -> Plan? {
        guard g.kh == 3, g.kw == 3, g.sh == 1, g.sw == 1, g.dh == 1, g.dw == 1, g.group == 1,
              g.c >= 4, g.m >= 4, g.oh >= 2, g.ow >= 2 else { return nil }
        let tilesH = (g.oh + 1) / 2, tilesW = (g.ow + 1) / 2
        let tiles = tilesH * tilesW
        // V block of about 256K floats (1 MiB), between 32 and 1024 tiles
        var bt = (256 * 1024) / (16 * g.c)
        bt = min(max(bt, 32), 1024)
        bt = min(bt, (tiles + 15) / 16 * 16)
        bt = (bt + 15) / 16 * 16
        let per = 16 * (g.c * bt + planePad) + 16 * (g.m * bt + planePad)
        return Plan(g: g, tilesH: tilesH, tilesW: tilesW, blockTiles: bt, perWorker: per, workers: max(1, threads))
    }

    /// U[xi][m][c] from weights [m][c][3][3].
    static func transformWeights(_ g: ConvGeometry, _ w: [Float]) -> FloatStore {
        let out = FloatStore(count: 16 * g.m * g.c)
        let mc = g.m * g.c
        for m in 0..<g.m {
            for c in 0..<g.c {
                let k = (m * g.c + c) * 9
                // G g: 4x3
                var t = [Float](repeating: 0, count: 12)
                for j in 0..<3 {
                    let g0 = w[k + j], g1 = w[k + 3 + j], g2 = w[k + 6 + j]
                    t[j] = g0
                    t[3 + j] = 0.5 * (g0 + g1 + g2)
                    t[6 + j] = 0.5 * (g0 - g1 + g2)
                    t[9 + j] = g2
                }
                // (G g) G^T: 4x4
                for i in 0..<4 {
                    let a = t[i * 3], b = t[i * 3 + 1], cc = t[i * 3 + 2]
                    let row = [a, 0.5 * (a + b + cc), 0.5 * (a - b + cc), cc]
                    for j in 0..<4 { out.p[(i * 4 + j) * mc + m * g.c + c] = row[j] }
                }
            }
        }
        return out
    }

    /// x: [n, c, h, w] -> y: [n, m, oh, ow] = act(conv + bias + sum); u from `transformWeights`;
    /// `sum` (shaped like y, optional) is a fused residual Add.
    static func conv(_ p: Plan, _ x: UnsafePointer<Float>, _ u: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?,
                     sum: UnsafePointer<Float>? = nil, _ y: UnsafeMutablePointer<Float>, _ act: Activation, scratch: UnsafeMutablePointer<Float>,
                     threads: Int) {
        let g = p.g
        let tiles = p.tilesH * p.tilesW
        let blocks = (tiles + p.blockTiles - 1) / p.blockTiles
        for b in 0..<g.n {
            let xb = x + b * g.c * g.inPlane
            let yb = y + b * g.m * g.outPlane
            let sb = sum.map { $0 + b * g.m * g.outPlane }
            let vs = g.c * p.blockTiles + planePad
            if blocks >= splitBlocks {
                // many blocks: each worker runs whole blocks in its own V and M buffers
                Parallel.tasks(blocks, threads: min(threads, p.workers)) { worker, lo, hi in
                    let v = scratch + worker * p.perWorker
                    let mo = v + 16 * vs
                    for blk in lo..<hi {
                        let t0 = blk * p.blockTiles
                        let nt = min(p.blockTiles, tiles - t0)
                        inputTransform(p, xb, v, t0: t0, nt: nt, channels: 0..<g.c)
                        gemms(p, u, v, mo, nt: nt, xis: 0..<16)
                        outputTransform(p, mo, bias, sb, yb, act, t0: t0, nt: nt, channels: 0..<g.m)
                    }
                }
            } else {
                // few blocks (small images): the threads share each block, in three steps
                // (input channels, the 16 GEMMs, output channels); every value is computed by
                // the same arithmetic as above, so the results do not depend on the split
                let v = scratch, mo = scratch + 16 * vs
                for blk in 0..<blocks {
                    let t0 = blk * p.blockTiles
                    let nt = min(p.blockTiles, tiles - t0)
                    Parallel.chunks(g.c, threads: threads) { lo, hi in
                        inputTransform(p, xb, v, t0: t0, nt: nt, channels: lo..<hi)
                    }
                    Parallel.chunks(16, threads: threads) { lo, hi in gemms(p, u, v, mo, nt: nt, xis: lo..<hi) }
                    Parallel.chunks(g.m, threads: threads) { lo, hi in
                        outputTransform(p, mo, bias, sb, yb, act, t0: t0, nt: nt, channels: lo..<hi)
                    }
                }
            }
        }
    }

    /// Blocks from which whole blocks are the parallel units (fewer: each block is split).
    static let splitBlocks = 8

    /// M[xi] = U[xi] * V[xi] for the given xi planes of one block of `nt` tiles.
    @inline(__always)
    static func gemms(_ p: Plan, _ u: UnsafePointer<Float>, _ v: UnsafePointer<Float>, _ mo: UnsafeMutablePointer<Float>,
                      nt: Int, xis: Range<Int>) {
        let g = p.g
        let vs = g.c * p.blockTiles + planePad, ms = g.m * p.blockTiles + planePad
        for xi in xis {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(g.m), Int32(nt), Int32(g.c), 1,
                        u + xi * g.m * g.c, Int32(g.c), v + xi * vs, Int32(p.blockTiles),
                        0, mo + xi * ms, Int32(p.blockTiles))
        }
    }

    /// V[xi][c][j] for tiles t0..<t0+nt (row stride blockTiles), input channels `channels`.
    @inline(__always)
    static func inputTransform(_ p: Plan, _ x: UnsafePointer<Float>, _ v: UnsafeMutablePointer<Float>, t0: Int, nt: Int,
                               channels: Range<Int>) {
        let g = p.g
        let ld = p.blockTiles
        let xs = g.c * ld + planePad   // stride between xi planes
        for c in channels {
            let src = x + c * g.inPlane
            let dst = v + c * ld
            var j = 0
            while j < nt {
                let t = t0 + j
                let ty = t / p.tilesW
                let tx0 = t % p.tilesW
                let run = min(nt - j, p.tilesW - tx0)   // tiles left in this tile row
                let iy0 = ty * 2 - g.padTop
                let rowsInside = iy0 >= 0 && iy0 + 3 < g.h
                for k in 0..<run {
                    let tx = tx0 + k
                    let ix0 = tx * 2 - g.padLeft
                    var d00: Float = 0, d01: Float = 0, d02: Float = 0, d03: Float = 0
                    var d10: Float = 0, d11: Float = 0, d12: Float = 0, d13: Float = 0
                    var d20: Float = 0, d21: Float = 0, d22: Float = 0, d23: Float = 0
                    var d30: Float = 0, d31: Float = 0, d32: Float = 0, d33: Float = 0
                    if rowsInside && ix0 >= 0 && ix0 + 3 < g.w {
                        let r0 = src + iy0 * g.w + ix0, r1 = r0 + g.w, r2 = r1 + g.w, r3 = r2 + g.w
                        d00 = r0[0]; d01 = r0[1]; d02 = r0[2]; d03 = r0[3]
                        d10 = r1[0]; d11 = r1[1]; d12 = r1[2]; d13 = r1[3]
                        d20 = r2[0]; d21 = r2[1]; d22 = r2[2]; d23 = r2[3]
                        d30 = r3[0]; d31 = r3[1]; d32 = r3[2]; d33 = r3[3]
                    } else {
                        @inline(__always) func at(_ r: Int, _ q: Int) -> Float {
                            let iy = iy0 + r, ix = ix0 + q
                            return (iy >= 0 && iy < g.h && ix >= 0 && ix < g.w) ? src[iy * g.w + ix] : 0
                        }
                        d00 = at(0, 0); d01 = at(0, 1); d02 = at(0, 2); d03 = at(0, 3)
                        d10 = at(1, 0); d11 = at(1, 1); d12 = at(1, 2); d13 = at(1, 3)
                        d20 = at(2, 0); d21 = at(2, 1); d22 = at(2, 2); d23 = at(2, 3)
                        d30 = at(3, 0); d31 = at(3, 1); d32 = at(3, 2); d33 = at(3, 3)
                    }
                    // rows: B^T d
                    let a00 = d00 - d20, a01 = d01 - d21, a02 = d02 - d22, a03 = d03 - d23
                    let a10 = d10 + d20, a11 = d11 + d21, a12 = d12 + d22, a13 = d13 + d23
                    let a20 = d20 - d10, a21 = d21 - d11, a22 = d22 - d12, a23 = d23 - d13
                    let a30 = d10 - d30, a31 = d11 - d31, a32 = d12 - d32, a33 = d13 - d33
                    // columns: (B^T d) B, stored at xi = 4 * row + col
                    let o = dst + j + k
                    o[0] = a00 - a02; o[xs] = a01 + a02; o[2 * xs] = a02 - a01; o[3 * xs] = a01 - a03
                    o[4 * xs] = a10 - a12; o[5 * xs] = a11 + a12; o[6 * xs] = a12 - a11; o[7 * xs] = a11 - a13
                    o[8 * xs] = a20 - a22; o[9 * xs] = a21 + a22; o[10 * xs] = a22 - a21; o[11 * xs] = a21 - a23
                    o[12 * xs] = a30 - a32; o[13 * xs] = a31 + a32; o[14 * xs] = a32 - a31; o[15 * xs] = a31 - a33
                }
                j += run
            }
        }
    }

    /// y tiles from M[xi][m][j]: A^T M A, + bias (+ sum), activation, output channels `channels`.
    @inline(__always)
    static func outputTransform(_ p: Plan, _ mo: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?,
                                _ sum: UnsafePointer<Float>?, _ y: UnsafeMutablePointer<Float>, _ act: Activation, t0: Int, nt: Int, channels: Range<Int>) {
        let g = p.g
        let ld = p.blockTiles
        let xs = g.m * ld + planePad
        for m in channels {
            let src = mo + m * ld
            let dst = y + m * g.outPlane
            let b0: Float = bias?[m] ?? 0
            for j in 0..<nt {
                let t = t0 + j
                let ty = t / p.tilesW, tx = t % p.tilesW
                let q = src + j
                let m00 = q[0], m01 = q[xs], m02 = q[2 * xs], m03 = q[3 * xs]
                let m10 = q[4 * xs], m11 = q[5 * xs], m12 = q[6 * xs], m13 = q[7 * xs]
                let m20 = q[8 * xs], m21 = q[9 * xs], m22 = q[10 * xs], m23 = q[11 * xs]
                let m30 = q[12 * xs], m31 = q[13 * xs], m32 = q[14 * xs], m33 = q[15 * xs]
                // M A per row
                let s00 = m00 + m01 + m02, s01 = m01 - m02 - m03
                let s10 = m10 + m11 + m12, s11 = m11 - m12 - m13
                let s20 = m20 + m21 + m22, s21 = m21 - m22 - m23
                let s30 = m30 + m31 + m32, s31 = m31 - m32 - m33
                // A^T (M A)
                let y00 = s00 + s10 + s20 + b0, y01 = s01 + s11 + s21 + b0
                let y10 = s10 - s20 - s30 + b0, y11 = s11 - s21 - s31 + b0
                let oy = ty * 2, ox = tx * 2
                let row0 = dst + oy * g.ow + ox
                let two = ox + 1 < g.ow, twoRows = oy + 1 < g.oh
                if let sum {
                    // the residual is added before the activation, as the unfused Add would
                    let s0 = sum + m * g.outPlane + oy * g.ow + ox, s1 = s0 + g.ow
                    row0[0] = act.single(y00 + s0[0], channel: m)
                    if two { row0[1] = act.single(y01 + s0[1], channel: m) }
                    if twoRows {
                        let row1 = row0 + g.ow
                        row1[0] = act.single(y10 + s1[0], channel: m)
                        if two { row1[1] = act.single(y11 + s1[1], channel: m) }
                    }
                    continue
                }
                row0[0] = act.single(y00, channel: m)
                if two { row0[1] = act.single(y01, channel: m) }
                if twoRows {
                    let row1 = row0 + g.ow
                    row1[0] = act.single(y10, channel: m)
                    if two { row1[1] = act.single(y11, channel: m) }
                }
            }
        }
    }
}

extension Activation {
    /// One value through the activation (the same arithmetic as `apply`).
    @inline(__always)
    func single(_ v: Float, channel: Int) -> Float {
        switch self {
        case .none: return v
        case .relu: return max(v, 0)
        case let .leakyRelu(a): return v < 0 ? v * a : v
        case let .clip(lo, hi): return min(max(v, lo), hi)
        case .sigmoid: return logistic(v)
        case .tanh: return reference(v, channel: channel)
        case let .hardSigmoid(a, b): return min(max(a * v + b, 0), 1)
        case .hardSwish: return v * min(max(v / 6 + 0.5, 0), 1)
        case let .prelu(s): let a = s.count == 1 ? s[0] : s[channel]; return v < 0 ? v * a : v
        }
    }
}
