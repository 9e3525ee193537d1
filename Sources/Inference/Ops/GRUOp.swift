// GRU (forward direction), ONNX gate order z, r, h; layout 0 (X: [seq, batch, in]) and
// layout 1 (X: [batch, seq, in]); linear_before_reset 0 and 1; optional B and initial_h.
// Outputs Y ([seq, 1, batch, hidden], layout 1: [batch, seq, 1, hidden]) and
// Y_h ([1, batch, hidden], layout 1: [batch, 1, hidden]).
//   z = sigmoid(x Wz^T + h Rz^T + Wbz + Rbz)
//   r = sigmoid(x Wr^T + h Rr^T + Wbr + Rbr)
//   lbr 0: n = tanh(x Wh^T + (r * h) Rh^T + Rbh + Wbh)
//   lbr 1: n = tanh(x Wh^T + r * (h Rh^T + Rbh) + Wbh)
//   h' = (1 - z) * n + z * h
// Rows whose whole input sequence is zero and that start from a zero state (the padding of a
// fixed-batch model, e.g. the track forecaster's 16 rows for a few tracks) all follow the same
// trajectory: the first such row is computed and its states are copied to the others, skipping
// their gate arithmetic. Rows are independent (each row's GEMM result depends only on its own
// row), so the other rows' results are bit-identical to computing every row.

import CBLAS
import Foundation

func compileGRU(_ ctx: OpContext) throws -> CompiledOp {
    try ctx.requireInputs(3)
    let xs = ctx.shape(0), ws = ctx.shape(1), rs = ctx.shape(2)
    guard xs.count == 3, ws.count == 3, rs.count == 3 else { throw ctx.fail("3-D X, W, R", "\(xs), \(ws), \(rs)") }
    let direction = ctx.node.string("direction", "forward")
    guard direction == "forward" else { throw ctx.unsupported("direction '\(direction)' (forward only)") }
    if let acts = ctx.node.attrs["activations"], case let .string(s) = acts, s != "Sigmoid" {
        throw ctx.unsupported("activations other than Sigmoid, Tanh")
    }
    if ctx.node.attrs["clip"] != nil { throw ctx.unsupported("clip") }
    if ctx.has(4) { throw ctx.unsupported("sequence_lens (all sequences run full length)") }
    let layout = ctx.node.int("layout", 0)
    let lbr = ctx.node.int("linear_before_reset", 0) != 0
    let seq = layout == 0 ? xs[0] : xs[1], batch = layout == 0 ? xs[1] : xs[0], inSize = xs[2]
    let hid = rs[2]
    guard ws == [1, 3 * hid, inSize], rs == [1, 3 * hid, hid] else {
        throw ctx.fail("W [1, \(3 * hid), \(inSize)] and R [1, \(3 * hid), \(hid)]", "\(ws), \(rs)")
    }
    if let hs = ctx.node.ints("hidden_size").map({ $0[0] }), hs != hid { throw ctx.fail("hidden_size \(hid)", "\(hs)") }
    let hasB = ctx.has(3), hasH0 = ctx.has(5)
    if hasB && ctx.shape(3) != [1, 6 * hid] { throw ctx.fail("B [1, \(6 * hid)]", "\(ctx.shape(3))") }
    let h0Shape = layout == 0 ? [1, batch, hid] : [batch, 1, hid]
    if hasH0 && ctx.shape(5) != h0Shape { throw ctx.fail("initial_h \(h0Shape)", "\(ctx.shape(5))") }
    let yShape = layout == 0 ? [seq, 1, batch, hid] : [batch, seq, 1, hid]
    let g3 = 3 * hid
    // scratch: xw [seq*batch, 3h] (input projections), hr [batch, 3h], h [batch, hid],
    // then per row the index of the zero row it copies (-1: computed), stored as Float
    let scratch = seq * batch * g3 + batch * g3 + batch * hid + batch
    let flops = 2 * seq * batch * g3 * (inSize + hid)
    let wantY = ctx.node.outputs.count > 0 && !ctx.node.outputs[0].isEmpty
    return CompiledOp(outShapes: [yShape, h0Shape], scratchCount: scratch, flops: flops) { ins, outs, s in
        let x = ins[0], w = ins[1], r = ins[2]
        let xw = s, hr = s + seq * batch * g3, h = hr + batch * g3, copyOf = h + batch * hid
        // Zero rows: all-zero input over the sequence and a zero initial state.
        var firstZero = -1
        for b in 0..<batch {
            var zero = true
            for t in 0..<seq where zero {
                let xr = x + (layout == 0 ? (t * batch + b) : (b * seq + t)) * inSize
                for k in 0..<inSize where xr[k] != 0 { zero = false; break }
            }
            if zero && hasH0 { let h0 = ins[5] + b * hid; for k in 0..<hid where h0[k] != 0 { zero = false; break } }
            copyOf[b] = -1
            if zero { if firstZero < 0 { firstZero = b } else { copyOf[b] = Float(firstZero) } }
        }
        // x rows in (t, b) order: layout 0 rows are already so; layout 1 rows are (b, t)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(seq * batch), Int32(g3), Int32(inSize), 1,
                    x, Int32(inSize), w, Int32(inSize), 0, xw, Int32(g3))
        if hasH0 {
            h.update(from: ins[5], count: batch * hid)  // same [batch, hid] order in both layouts
        } else {
            h.update(repeating: 0, count: batch * hid)
        }
        let bias: UnsafePointer<Float>? = hasB ? ins[3] : nil
        for t in 0..<seq {
            // hr = h R^T  ([batch, 3h])
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(batch), Int32(g3), Int32(hid), 1,
                        h, Int32(hid), r, Int32(hid), 0, hr, Int32(g3))
            for b in 0..<batch {
                let hb = h + b * hid
                if copyOf[b] >= 0 {   // a zero row after the first: its state is that row's (computed above)
                    hb.update(from: h + Int(copyOf[b]) * hid, count: hid)
                    if wantY {
                        outs[0].advanced(by: (layout == 0 ? (t * batch + b) : (b * seq + t)) * hid).update(from: hb, count: hid)
                    }
                    continue
                }
                let xrow = xw + (layout == 0 ? (t * batch + b) : (b * seq + t)) * g3
                let hrow = hr + b * g3
                // z and r gates
                for j in 0..<hid {
                    var zv = xrow[j] + hrow[j], rv = xrow[hid + j] + hrow[hid + j]
                    if let bias { zv += bias[j] + bias[g3 + j]; rv += bias[hid + j] + bias[g3 + hid + j] }
                    hrow[j] = logistic(zv)          // z stored over hrow's z block
                    xrow[hid + j] = logistic(rv)    // r stored over xrow's r block
                }
                if !lbr {
                    // n needs (r * h) Rh^T: computed row by row
                    for j in 0..<hid {
                        var acc: Float = 0
                        let rRow = r + (2 * hid + j) * hid
                        for k in 0..<hid { acc += xrow[hid + k] * hb[k] * rRow[k] }
                        var nv = xrow[2 * hid + j] + acc
                        if let bias { nv += bias[2 * hid + j] + bias[g3 + 2 * hid + j] }
                        xrow[2 * hid + j] = Foundation.tanh(nv)
                    }
                } else {
                    for j in 0..<hid {
                        var rh = hrow[2 * hid + j]
                        var nv = xrow[2 * hid + j]
                        if let bias { rh += bias[g3 + 2 * hid + j]; nv += bias[2 * hid + j] }
                        xrow[2 * hid + j] = Foundation.tanh(nv + xrow[hid + j] * rh)
                    }
                }
                for j in 0..<hid {
                    let z = hrow[j]
                    hb[j] = (1 - z) * xrow[2 * hid + j] + z * hb[j]
                }
                if wantY {
                    let yrow = outs[0] + (layout == 0 ? (t * batch + b) : (b * seq + t)) * hid
                    yrow.update(from: hb, count: hid)
                }
            }
        }
        outs[1].update(from: h, count: batch * hid)
    }
}
