// GraphOptimizer: load-time rewrites after shape inference and folding.
//   prune      keep only the nodes needed for the requested outputs from the given inputs
//   no-ops     drop Identity / Dropout / float Cast by renaming their consumers' inputs
//   BN fold    BatchNormalization into the preceding Conv / ConvTranspose (constant weights)
//   residual   Add(Conv(x), skip) with skip shaped like the conv output: the conv takes skip as
//              a fourth input and adds it before its activation (one pass less; ResNet blocks)
//   fusion     Relu, LeakyRelu, Clip, Sigmoid, Tanh, HardSigmoid, HardSwish and per-channel
//              PRelu into the producing Conv / ConvTranspose / Gemm
//   post-add   Add(act(Conv(x)), t) or Add(act(Conv(x)), Resize-nearest-2x(s)) (a feature
//              pyramid's merge): the conv adds t, or s read upsampled, after its activation
//              (input 4, attribute _postUp = 1 or 2): the Add's and the Resize's passes go
//   transpose  a Transpose of the last two axes read only by MatMul becomes its _transA / _transB
//   attention  MatMul -> Softmax (last axis) -> MatMul into one _Attention node that never stores
//              the scores whole (TwinLiteNet's position attention: 52 MB of them)

import Foundation

enum GraphOptimizer {
    /// Restricts the graph to computing `outputs` from `inputs` (shapes already known).
    static func prune(_ g: inout Graph, inputs: [String], outputs: [String]) throws {
        let inputSet = Set(inputs)
        var producer: [String: Int] = [:]
        for (i, n) in g.nodes.enumerated() { for o in n.outputs where !o.isEmpty { producer[o] = i } }
        var needed = Set<Int>()
        var stack = outputs
        var seen = Set<String>()
        while let v = stack.popLast() {
            if seen.contains(v) || inputSet.contains(v) || g.consts[v] != nil { continue }
            seen.insert(v)
            guard let p = producer[v] else {
                if g.inputs.contains(where: { $0.name == v }) { throw InferenceError.missingInput(name: v) }
                throw InferenceError.unknownTensor(name: v, known: Array(producer.keys).sorted())
            }
            needed.insert(p)
            stack += g.nodes[p].inputs.filter { !$0.isEmpty }
        }
        g.nodes = g.nodes.enumerated().filter { needed.contains($0.offset) }.map { $0.element }
        var newInputs: [(name: String, shape: [Int])] = []
        for name in inputs {
            guard let s = g.shapes[name] else {
                throw InferenceError.unknownTensor(name: name, known: Array(g.shapes.keys).sorted())
            }
            newInputs.append((name, s))
        }
        g.inputs = newInputs
        g.outputs = outputs
    }

    static func optimize(_ g: inout Graph) {
        dropNoOps(&g)
        foldBatchNorm(&g)
        fuseResidualAdd(&g)
        fuseActivations(&g)
        fusePostAdd(&g)
        foldTransposeIntoMatMul(&g)
        fuseAttention(&g)
    }

    /// DRIVEPIPE_FUSE_ATTENTION=0 leaves attention unfused (A/B).
    static let attentionEnabled: Bool = ProcessInfo.processInfo.environment["DRIVEPIPE_FUSE_ATTENTION"] != "0"

    /// MatMul(q, k) -> Softmax over the last axis -> MatMul with v, all 3-D with one batch size, the
    /// scores read by nothing else: one `_Attention` node (Kernels/Attention.swift), which never
    /// stores the scores whole. Two forms: y = v S^T (the scores as the second operand, transposed:
    /// TwinLiteNet's position attention) and y = S v. Runs after foldTransposeIntoMatMul, whose
    /// `_transA` / `_transB` flags it carries over.
    static func fuseAttention(_ g: inout Graph) {
        guard attentionEnabled else { return }
        let outputs = Set(g.outputs)
        var changed = true
        while changed {
            changed = false
            let uses = consumers(g)
            for (si, sm) in g.nodes.enumerated() where sm.op == "Softmax" && sm.activation == .none {
                guard let e = sm.input(0), let scores = sm.outputs.first, let es = g.shapes[e], es.count == 3,
                      sm.int("axis", -1) == -1 || sm.int("axis", -1) == 2,
                      !outputs.contains(e), !outputs.contains(scores), uses[e] == 1, uses[scores] == 1,
                      let pi = g.nodes.firstIndex(where: { $0.outputs.first == e }), pi < si,
                      let ri = g.nodes.firstIndex(where: { $0.inputs.contains(scores) }), ri > si else { continue }
                let p = g.nodes[pi], r = g.nodes[ri]
                guard p.op == "MatMul", r.op == "MatMul", p.activation == .none, r.activation == .none,
                      let q = p.input(0), let k = p.input(1), r.inputs.count == 2 else { continue }
                let form: Int, v: String, transV: Int
                if r.inputs[1] == scores, r.int("_transB", 0) == 1, r.int("_transA", 0) == 0 {
                    form = AttentionShape.Form.valuesByScores.rawValue; v = r.inputs[0]; transV = 0
                } else if r.inputs[0] == scores, r.inputs[1] != scores, r.int("_transA", 0) == 0 {
                    form = AttentionShape.Form.scoresByValues.rawValue; v = r.inputs[1]; transV = r.int("_transB", 0)
                } else { continue }
                guard let qs = g.shapes[q], let ks = g.shapes[k], let vs = g.shapes[v],
                      [qs, ks, vs].allSatisfy({ $0.count == 3 && $0[0] == es[0] }) else { continue }
                let fused = Node(op: "_Attention", name: r.name, inputs: [q, k, v], outputs: r.outputs,
                                 attrs: ["_transQ": .int(p.int("_transA", 0)), "_transK": .int(p.int("_transB", 0)),
                                         "_transV": .int(transV), "_form": .int(form)])
                g.nodes[ri] = fused
                g.nodes.remove(at: si)
                g.nodes.remove(at: pi)
                changed = true
                break
            }
        }
    }

    /// Transpose swapping the last two axes, read only by MatMul: the MatMul reads the
    /// untransposed tensor with a transposed GEMM operand instead (saves a full copy).
    static func foldTransposeIntoMatMul(_ g: inout Graph) {
        let outputs = Set(g.outputs)
        var changed = true
        while changed {
            changed = false
            let uses = consumers(g)
            for (ti, t) in g.nodes.enumerated() where t.op == "Transpose" {
                guard let out = t.outputs.first, !outputs.contains(out), let src = t.input(0),
                      let rank = g.shapes[out]?.count, rank >= 2,
                      t.ints("perm") == Array(0..<(rank - 2)) + [rank - 1, rank - 2] else { continue }
                let readers = g.nodes.indices.filter { g.nodes[$0].inputs.contains(out) }
                guard !readers.isEmpty, readers.count == uses[out],
                      readers.allSatisfy({ g.nodes[$0].op == "MatMul" && g.nodes[$0].inputs.filter { $0 == out }.count == 1 }),
                      readers.allSatisfy({ r in
                          let slot = g.nodes[r].inputs.firstIndex(of: out)!
                          return g.nodes[r].int(slot == 0 ? "_transA" : "_transB", 0) == 0 && (g.shapes[src]?.count ?? 0) >= 2
                      }) else { continue }
                for r in readers {
                    let slot = g.nodes[r].inputs.firstIndex(of: out)!
                    g.nodes[r].inputs[slot] = src
                    g.nodes[r].attrs[slot == 0 ? "_transA" : "_transB"] = .int(1)
                }
                g.nodes.remove(at: ti)
                changed = true
                break
            }
        }
    }

    private static func consumers(_ g: Graph) -> [String: Int] {
        var c: [String: Int] = [:]
        for n in g.nodes { for i in n.inputs where !i.isEmpty { c[i, default: 0] += 1 } }
        return c
    }

    private static func rename(_ g: inout Graph, from old: String, to new: String) {
        for i in g.nodes.indices {
            g.nodes[i].inputs = g.nodes[i].inputs.map { $0 == old ? new : $0 }
        }
    }

    static func dropNoOps(_ g: inout Graph) {
        let outputs = Set(g.outputs)
        var kept: [Node] = []
        var renames: [(String, String)] = []
        for n in g.nodes {
            let isNoOp = n.op == "Identity" || n.op == "Dropout" || (n.op == "Cast" && !castsToInt(n))
            if isNoOp, let out = n.outputs.first, !outputs.contains(out), let src = n.input(0),
               n.outputs.dropFirst().allSatisfy({ $0.isEmpty }) {
                renames.append((out, src))
                continue
            }
            kept.append(n)
        }
        g.nodes = kept
        for (old, new) in renames { rename(&g, from: old, to: resolve(new, renames)) }
    }

    private static func resolve(_ name: String, _ renames: [(String, String)]) -> String {
        var n = name
        var guardCount = 0
        while let r = renames.first(where: { $0.0 == n }), guardCount < renames.count { n = r.1; guardCount += 1 }
        return n
    }

    static func foldBatchNorm(_ g: inout Graph) {
        let outputs = Set(g.outputs)
        var uses = consumers(g)
        var i = 0
        while i < g.nodes.count {
            let bn = g.nodes[i]
            defer { i += 1 }
            guard bn.op == "BatchNormalization", let x = bn.input(0),
                  let pi = g.nodes.firstIndex(where: { $0.outputs.first == x }),
                  ["Conv", "ConvTranspose"].contains(g.nodes[pi].op), g.nodes[pi].activation == .none,
                  uses[x] == 1, !outputs.contains(x),
                  let wName = g.nodes[pi].input(1), let w = g.consts[wName], w.shape.count >= 3,
                  bn.inputs.count >= 5, let gamma = g.consts[bn.inputs[1]], let beta = g.consts[bn.inputs[2]],
                  let mean = g.consts[bn.inputs[3]], let variance = g.consts[bn.inputs[4]]
            else { continue }
            let conv = g.nodes[pi]
            let transposed = conv.op == "ConvTranspose"
            let group = conv.int("group", 1)
            let m = transposed ? w.shape[1] * group : w.shape[0]
            guard gamma.count == m, beta.count == m, mean.count == m, variance.count == m else { continue }
            let eps = bn.float("epsilon", 1e-5)
            var scale = [Float](repeating: 0, count: m), shift = scale
            for c in 0..<m {
                scale[c] = gamma.floats[c] / (variance.floats[c] + eps).squareRoot()
                shift[c] = beta.floats[c] - mean.floats[c] * scale[c]
            }
            var nw = w.floats
            let per = w.count / w.shape[0] / (transposed ? w.shape[1] : 1)
            if !transposed {
                for c in 0..<m { for k in 0..<per { nw[c * per + k] *= scale[c] } }
            } else {
                // weight [cin, m/group, k...]: output channel = group(cin) * mg + j
                let cin = w.shape[0], mg = w.shape[1], cg = cin / group
                for ic in 0..<cin {
                    for j in 0..<mg {
                        let oc = (ic / cg) * mg + j
                        for k in 0..<per { nw[(ic * mg + j) * per + k] *= scale[oc] }
                    }
                }
            }
            var nb = shift
            if let bName = conv.input(2), let b = g.consts[bName], b.count == m {
                for c in 0..<m { nb[c] = b.floats[c] * scale[c] + shift[c] }
            }
            let wNew = conv.name + "::bn_folded_weight", bNew = conv.name + "::bn_folded_bias"
            g.consts[wNew] = Const(shape: w.shape, floats: nw)
            g.consts[bNew] = Const(shape: [m], floats: nb)
            var fused = conv
            fused.inputs = [conv.inputs[0], wNew, bNew]
            fused.outputs = [bn.outputs[0]]
            g.nodes[pi] = fused
            g.nodes.remove(at: i)
            i -= 1
            uses = consumers(g)
        }
    }

    /// The index of the Conv before node `i` whose single output `x` is read only by an Add with
    /// the distinct operand `other`, and is not a graph output: what both Add fusions start from.
    private static func soleConvProducer(_ g: Graph, of x: String, addedTo other: String, before i: Int,
                                         uses: [String: Int], outputs: Set<String>) -> Int? {
        guard !x.isEmpty, !other.isEmpty, x != other, uses[x] == 1, !outputs.contains(x),
              let pi = g.nodes.firstIndex(where: { $0.outputs.first == x }), pi < i,
              g.nodes[pi].op == "Conv", g.nodes[pi].outputs.count == 1 else { return nil }
        return pi
    }

    /// Add(conv, skip) or Add(skip, conv) -> Conv(x, w, b, skip) at the Add's place (after both
    /// producers). The conv must not have an activation yet, and its output must be read only
    /// by that Add; skip must have exactly the output's shape (no broadcasting). The sum is
    /// rounded as before: (conv + bias) + skip.
    static func fuseResidualAdd(_ g: inout Graph) {
        let outputs = Set(g.outputs)
        var uses = consumers(g)
        var i = 0
        while i < g.nodes.count {
            let add = g.nodes[i]
            defer { i += 1 }
            guard add.op == "Add", add.inputs.count == 2, add.outputs.count == 1 else { continue }
            var found: (conv: Int, skip: String)?
            for k in 0..<2 {
                let x = add.inputs[k], skip = add.inputs[1 - k]
                guard let pi = soleConvProducer(g, of: x, addedTo: skip, before: i, uses: uses, outputs: outputs),
                      g.nodes[pi].activation == .none, g.nodes[pi].inputs.count <= 3,
                      let xs = g.shapes[x], let ss = g.shapes[skip] ?? g.consts[skip]?.shape, xs == ss
                else { continue }
                found = (pi, skip)
                break
            }
            guard let (pi, skip) = found else { continue }
            var fused = g.nodes[pi]
            while fused.inputs.count < 3 { fused.inputs.append("") }
            fused.inputs.append(skip)
            fused.outputs = add.outputs
            g.nodes[i] = fused
            g.nodes.remove(at: pi)
            i -= 1
            uses = consumers(g)
        }
    }

    /// Add(conv, t) -> Conv(x, w, b, sum, t) with _postUp 1, or Add(conv, Resize(s)) -> Conv(x,
    /// w, b, sum, s) with _postUp 2 when the Resize is a nearest upsampling by exactly 2 along H
    /// and W (its own index rounding gives in = out / 2) read by that Add only. Runs after the
    /// activation fusion: the conv adds after its activation, y = act(conv + b + sum) + t,
    /// rounded as the Add did. The conv's output must be read only by the Add; it moves to the
    /// Add's place (after the producers of t or s). 4-D outputs only.
    static func fusePostAdd(_ g: inout Graph) {
        let outputs = Set(g.outputs)
        var uses = consumers(g)
        var i = 0
        while i < g.nodes.count {
            let add = g.nodes[i]
            defer { i += 1 }
            guard add.op == "Add", add.inputs.count == 2, add.outputs.count == 1 else { continue }
            var found: (conv: Int, source: String, up: Int, resize: Int?)?
            for k in 0..<2 {
                let x = add.inputs[k], other = add.inputs[1 - k]
                guard let pi = soleConvProducer(g, of: x, addedTo: other, before: i, uses: uses, outputs: outputs),
                      g.nodes[pi].inputs.count <= 4,
                      let xs = g.shapes[x], xs.count == 4, g.consts[other] == nil, let os = g.shapes[other]
                else { continue }
                // an upsampling Resize read only here is folded too; any other same-shaped addend as it is
                if let ri = g.nodes.firstIndex(where: { $0.outputs.first == other }), ri < i, uses[other] == 1,
                   !outputs.contains(other), let s = nearestUpsample2(g, g.nodes[ri]), g.shapes[s] == [xs[0], xs[1], xs[2] / 2, xs[3] / 2],
                   xs[2] % 2 == 0, xs[3] % 2 == 0 {
                    found = (pi, s, 2, ri)
                    break
                }
                if os == xs {
                    found = (pi, other, 1, nil)
                    break
                }
            }
            guard let (pi, source, up, ri) = found else { continue }
            var fused = g.nodes[pi]
            while fused.inputs.count < 4 { fused.inputs.append("") }
            fused.inputs.append(source)
            fused.attrs["_postUp"] = .int(up)
            fused.outputs = add.outputs
            g.nodes[i] = fused
            for r in [pi, ri].compactMap({ $0 }).sorted(by: >) { g.nodes.remove(at: r) }
            i -= 1 + (ri == nil ? 0 : 1)
            uses = consumers(g)
        }
    }

    /// The input of a Resize that upsamples a 4-D tensor by exactly 2 along H and W with
    /// nearest rounding that reads in[o / 2] (e.g. asymmetric + floor), else nil.
    private static func nearestUpsample2(_ g: Graph, _ r: Node) -> String? {
        guard r.op == "Resize", r.string("mode", "nearest") == "nearest", r.outputs.count == 1,
              let src = r.input(0), let out = r.outputs.first,
              let xs = g.shapes[src], let ys = g.shapes[out], xs.count == 4, ys.count == 4,
              ys[0] == xs[0], ys[1] == xs[1], ys[2] == 2 * xs[2], ys[3] == 2 * xs[3], r.ints("axes") == nil
        else { return nil }
        // the scales the op uses: the scales input, else sizes / input (both 2 here)
        var scaleH: Float = 2, scaleW: Float = 2
        if r.inputs.count > 2, !r.inputs[2].isEmpty {
            guard let sc = g.consts[r.inputs[2]] else { return nil }
            if sc.count > 0 {
                guard sc.count == 4, sc.floats[0] == 1, sc.floats[1] == 1 else { return nil }
                scaleH = sc.floats[2]; scaleW = sc.floats[3]
            } else if !(r.inputs.count > 3 && !r.inputs[3].isEmpty && g.consts[r.inputs[3]] != nil) {
                return nil
            }
        } else if !(r.inputs.count > 3 && !r.inputs[3].isEmpty && g.consts[r.inputs[3]] != nil) {
            return nil
        }
        let coord = r.string("coordinate_transformation_mode", "half_pixel")
        let nearest = r.string("nearest_mode", "round_prefer_floor")
        guard ["half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric", "tf_half_pixel_for_nn"].contains(coord)
        else { return nil }
        for (scale, inSize, outSize) in [(scaleH, xs[2], ys[2]), (scaleW, xs[3], ys[3])] {
            let idx = resizeNearestIndices(coordMode: coord, nearestMode: nearest, scale: scale, inSize: inSize, outSize: outSize)
            guard idx == (0..<outSize).map({ $0 / 2 }) else { return nil }
        }
        return src
    }

    static func fuseActivations(_ g: inout Graph) {
        let outputs = Set(g.outputs)
        var uses = consumers(g)
        var i = 0
        while i < g.nodes.count {
            let a = g.nodes[i]
            defer { i += 1 }
            guard let x = a.input(0), let pi = g.nodes.firstIndex(where: { $0.outputs.first == x }),
                  ["Conv", "ConvTranspose", "Gemm"].contains(g.nodes[pi].op), g.nodes[pi].activation == .none,
                  uses[x] == 1, !outputs.contains(x)
            else { continue }
            var act: Activation?
            if a.op == "PRelu" {
                guard let sName = a.input(1), let s = g.consts[sName], let shape = g.shapes[x] else { continue }
                // per-channel (axis 1) or scalar slopes only
                guard shape.count >= 2, broadcastShapes(s.shape, shape) == shape else { continue }
                let st = broadcastStrides(s.shape, to: shape)
                if s.count == 1 {
                    act = .prelu([s.floats[0]])
                } else if s.count == shape[1], st.enumerated().allSatisfy({ $0.offset == 1 || $0.element == 0 }) {
                    act = .prelu(s.floats)
                }
            } else if ["Relu", "LeakyRelu", "Sigmoid", "Tanh", "HardSigmoid", "HardSwish", "Clip"].contains(a.op) {
                var cs: [Const?] = [], present: [Bool] = []
                for n in a.inputs { cs.append(n.isEmpty ? nil : g.consts[n]); present.append(!n.isEmpty) }
                let ctx = OpContext(node: a, inShapes: [], consts: cs, present: present, threads: 1)
                act = (try? activationFor(a, ctx)) ?? nil
            }
            guard let act else { continue }
            g.nodes[pi].activation = act
            g.nodes[pi].outputs[0] = a.outputs[0]
            g.nodes.remove(at: i)
            i -= 1
            uses = consumers(g)
        }
    }
}
