// PaddedLayoutPlan: "the producer writes the consumer's padded layout". A direct conv with
// padding copies its input into a zero-bordered, column-phase-split scratch before it runs
// (DirectConv); when that input is made by another direct conv and read by nothing else, the
// producer's epilogue can store each pixel straight where the copy would have put it, and the
// copy goes (the student, with the 4096-pixel limit below: the stem into the 16->24 stride-2 conv,
// and the two 72x128 feature-pyramid merges into their 3x3 convs where those are direct convs, i.e.
// not on AVX-512, where the fused Winograd kernel takes them and reads plain NCHW).
// Decided once at load time, like MemoryPlan: a value gets the padded layout when
//   - a direct conv (one image, one group, no Sigmoid/Tanh after its C epilogue) makes it,
//   - it is not a graph output (callers get plain NCHW, also through run(reading:writing:)),
//   - every reader is a padded direct conv taking it as input 0 only, all wanting the same layout,
//   - its planes have at least `minPixels` pixels (default 4096: on the student's 36x64 and
//     smaller planes the copy saved 0.01-0.03 ms per layer and the producer lost as much or more
//     in the model, measured; at 72x128 and 144x256 the pair gained 0.05-0.1 ms).
// The value's arena slot is sized for the padded planes and shared by lifetime like any other
// (the producer zeroes the border before its kernel writes the interior: ck_conv_clear_border).
//   layout: xp[c][hp][sw][wph], channel planes planeStride floats apart; input
//   pixel (y, x) at (y + padTop, column x + padLeft: phase (x + padLeft) % sw, index (x + padLeft) / sw)

import CKernels
import Foundation

/// The padded input layout of one direct conv (the fields of its C plan that place the input).
struct PaddedLayout: Equatable {
    var c, h, w: Int                 // input channels, rows, columns (the interior)
    var hp, sw, wph: Int             // padded rows, column phases, columns per phase row
    var planeStride: Int             // floats per channel plane
    var padTop, padLeft: Int
    var isa: Int32

    init(_ p: ck_conv_plan) {
        c = Int(p.c); h = Int(p.h); w = Int(p.w)
        hp = Int(p.hp); sw = Int(p.sw); wph = Int(p.wph)
        planeStride = p.planeStride
        padTop = Int(p.padTop); padLeft = Int(p.padLeft)
        isa = p.isa
    }

    /// Floats of the whole padded tensor.
    var count: Int { c * planeStride }

    /// A C plan carrying just this layout (what ck_conv_write_padded reads of a consumer).
    var consumerPlan: ck_conv_plan {
        var p = ck_conv_plan()
        p.c = Int32(c); p.h = Int32(h); p.w = Int32(w)
        p.hp = Int32(hp); p.sw = Int32(sw); p.wph = Int32(wph)
        p.planeStride = planeStride
        p.padTop = Int32(padTop); p.padLeft = Int32(padLeft)
        p.isa = isa
        p.pointwise = 0
        return p
    }
}

/// What a compiled direct conv offers the plan: the layout it pads its input 0 into (nil: it
/// reads its input as it lies), and its kernel for a chosen combination of reading input 0
/// already padded and writing output 0 into a padded layout (nil when it cannot write there).
struct ConvLayoutHooks {
    var paddedInput: PaddedLayout?
    var kernel: (_ inputPadded: Bool, _ output: PaddedLayout?) -> Kernel?
}

enum PaddedLayoutPlan {
    /// The smallest plane (h * w) kept padded: 4096, or Int.max (off) when DRIVEPIPE_PADDED_LAYOUT=0
    /// (A/B: every conv pads its own input); DRIVEPIPE_PADDED_LAYOUT=all: every size.
    static let defaultMinPixels: Int = {
        switch ProcessInfo.processInfo.environment["DRIVEPIPE_PADDED_LAYOUT"] {
        case "0": return .max
        case "all": return 0
        default: return 4096
        }
    }()

    /// The values to keep in a padded layout: value name -> layout. `ops[i]` is `nodes[i]` compiled.
    static func plan(nodes: [Node], ops: [CompiledOp], outputs: Set<String>, minPixels: Int) -> [String: PaddedLayout] {
        if minPixels == .max { return [:] }
        var readers: [String: [(node: Int, slot: Int)]] = [:]
        for (i, n) in nodes.enumerated() {
            for (k, name) in n.inputs.enumerated() where !name.isEmpty { readers[name, default: []].append((i, k)) }
        }
        var chosen: [String: PaddedLayout] = [:]
        for (i, n) in nodes.enumerated() {
            guard let hooks = ops[i].layoutHooks, n.outputs.count == 1, let value = n.outputs.first, !value.isEmpty,
                  !outputs.contains(value), let rs = readers[value], !rs.isEmpty,
                  rs.allSatisfy({ $0.slot == 0 }), Set(rs.map(\.node)).count == rs.count,
                  let layout = ops[rs[0].node].layoutHooks?.paddedInput,
                  rs.allSatisfy({ ops[$0.node].layoutHooks?.paddedInput == layout }), layout.h * layout.w >= minPixels,
                  hooks.kernel(false, layout) != nil
            else { continue }
            chosen[value] = layout
        }
        return chosen
    }
}
