#!/usr/bin/env python3
"""Generates single-op (and small multi-op) ONNX test models with onnx.helper, random
inputs, and onnxruntime reference outputs, under fixtures/onnx/<case>/:

    model.onnx           the model
    input_<name>.npy     one file per graph input (float32)
    output_<name>.npy    onnxruntime's output (float32, intra_op_num_threads=1)

Run from the repository root:  python3 tools/onnx_fixtures/generate.py
Deterministic (fixed seed per case). Keep tensors tiny: the whole folder stays well under 3 MB.
"""
import os
import shutil
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "fixtures", "onnx")
CASES = []


def case(name):
    def deco(fn):
        CASES.append((name, fn))
        return fn
    return deco


def rng(name):
    return np.random.default_rng(abs(hash(name)) % (2**32) if False else sum(map(ord, name)) * 7919)


def model(nodes, inputs, outputs, inits=(), opset=17):
    """inputs: [(name, shape)], outputs: [name], inits: [(name, ndarray)]"""
    g = helper.make_graph(
        nodes, "g",
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in inputs],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in outputs],
        [numpy_helper.from_array(np.asarray(v), n) for n, v in inits],
    )
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    return m


def f32(r, *shape, scale=1.0):
    return (r.standard_normal(shape) * scale).astype(np.float32)


def i64(*v):
    return np.array(v, dtype=np.int64)


# ---------------------------------------------------------------- convolution
def conv_case(name, x_shape, w_shape, bias=True, **attrs):
    @case(name)
    def _(r):
        inits = [("W", f32(r, *w_shape, scale=0.5))]
        ins = ["X", "W"]
        if bias:
            inits.append(("B", f32(r, w_shape[0])))
            ins.append("B")
        n = helper.make_node("Conv", ins, ["Y"], **attrs)
        return model([n], [("X", x_shape)], ["Y"], inits), {"X": f32(r, *x_shape)}


for k in range(1, 8):
    conv_case(f"conv_k{k}", [1, 3, 11, 12], [4, 3, k, k], pads=[k // 2] * 4)
conv_case("conv_stride2", [1, 4, 13, 14], [6, 4, 3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
conv_case("conv_stride2_k5", [1, 3, 17, 16], [5, 3, 5, 5], strides=[2, 2], pads=[2, 2, 2, 2])
conv_case("conv_dilation2", [1, 3, 15, 15], [4, 3, 3, 3], dilations=[2, 2], pads=[2, 2, 2, 2])
conv_case("conv_dilation4_nopad", [1, 2, 16, 17], [3, 2, 3, 3], dilations=[4, 4])
conv_case("conv_asym_pads", [1, 3, 9, 10], [4, 3, 3, 2], pads=[0, 1, 2, 0])
conv_case("conv_nobias", [1, 3, 8, 8], [5, 3, 3, 3], bias=False, pads=[1, 1, 1, 1])
conv_case("conv_group2", [1, 4, 9, 9], [6, 2, 3, 3], group=2, pads=[1, 1, 1, 1])
conv_case("conv_depthwise", [1, 8, 10, 11], [8, 1, 3, 3], group=8, pads=[1, 1, 1, 1])
conv_case("conv_depthwise_s2_k5", [1, 6, 13, 12], [6, 1, 5, 5], group=6, strides=[2, 2], pads=[2, 2, 2, 2])
conv_case("conv_depthwise_dil2", [1, 4, 12, 12], [4, 1, 3, 3], group=4, dilations=[2, 2], pads=[2, 2, 2, 2])
conv_case("conv_1x1", [1, 16, 7, 9], [8, 16, 1, 1])
conv_case("conv_1x1_stride2", [1, 8, 8, 9], [4, 8, 1, 1], strides=[2, 2])
conv_case("conv_same_upper", [1, 3, 10, 11], [4, 3, 4, 4], auto_pad="SAME_UPPER", strides=[2, 2])
conv_case("conv_batch2", [2, 3, 6, 7], [4, 3, 3, 3], pads=[1, 1, 1, 1])
conv_case("conv_1d", [1, 3, 20], [4, 3, 5], pads=[2, 2], strides=[2])
conv_case("conv_winograd", [1, 8, 13, 14], [6, 8, 3, 3], pads=[1, 1, 1, 1])
conv_case("conv_winograd_odd_asym", [1, 5, 9, 11], [7, 5, 3, 3], pads=[0, 1, 1, 0])
conv_case("conv_winograd_nopad_batch2", [2, 6, 8, 7], [4, 6, 3, 3])
conv_case("conv_rect_kernel", [1, 3, 9, 12], [4, 3, 1, 7], pads=[0, 3, 0, 3])


def convT_case(name, x_shape, w_shape, bias=True, **attrs):
    @case(name)
    def _(r):
        inits = [("W", f32(r, *w_shape, scale=0.5))]
        ins = ["X", "W"]
        if bias:
            inits.append(("B", f32(r, w_shape[1] * attrs.get("group", 1))))
            ins.append("B")
        n = helper.make_node("ConvTranspose", ins, ["Y"], **attrs)
        return model([n], [("X", x_shape)], ["Y"], inits), {"X": f32(r, *x_shape)}


convT_case("convT_k2s2", [1, 4, 5, 6], [4, 3, 2, 2], strides=[2, 2])
convT_case("convT_k3s2_pad_outpad", [1, 3, 5, 5], [3, 4, 3, 3], strides=[2, 2], pads=[1, 1, 1, 1], output_padding=[1, 1])
convT_case("convT_k4s2p1", [1, 2, 4, 5], [2, 3, 4, 4], strides=[2, 2], pads=[1, 1, 1, 1], bias=False)
convT_case("convT_group2", [1, 4, 4, 4], [4, 2, 3, 3], group=2, strides=[1, 1])
convT_case("convT_dilation2", [1, 2, 5, 5], [2, 2, 3, 3], dilations=[2, 2])


# ---------------------------------------------------------------- fusions (multi-node)
@case("fuse_conv_bn_relu")
def _(r):
    C = 5
    nodes = [helper.make_node("Conv", ["X", "W", "B"], ["c"], pads=[1, 1, 1, 1]),
             helper.make_node("BatchNormalization", ["c", "g", "b", "m", "v"], ["bn"], epsilon=1e-3),
             helper.make_node("Relu", ["bn"], ["Y"])]
    inits = [("W", f32(r, C, 3, 3, 3)), ("B", f32(r, C)), ("g", f32(r, C)), ("b", f32(r, C)),
             ("m", f32(r, C)), ("v", (r.random(C) + 0.5).astype(np.float32))]
    return model(nodes, [("X", [1, 3, 8, 8])], ["Y"], inits), {"X": f32(r, 1, 3, 8, 8)}


@case("fuse_convT_bn_prelu")
def _(r):
    C = 4
    nodes = [helper.make_node("ConvTranspose", ["X", "W"], ["c"], strides=[2, 2]),
             helper.make_node("BatchNormalization", ["c", "g", "b", "m", "v"], ["bn"]),
             helper.make_node("PRelu", ["bn", "s"], ["Y"])]
    inits = [("W", f32(r, 3, C, 2, 2)), ("g", f32(r, C)), ("b", f32(r, C)), ("m", f32(r, C)),
             ("v", (r.random(C) + 0.5).astype(np.float32)), ("s", f32(r, C, 1, 1))]
    return model(nodes, [("X", [1, 3, 5, 6])], ["Y"], inits), {"X": f32(r, 1, 3, 5, 6)}


@case("fuse_conv_add_relu")
def _(r):
    # residual block tail: Relu(Conv(X) + X), folded into one conv with a fused Add
    nodes = [helper.make_node("Conv", ["X", "W", "B"], ["c"], pads=[1, 1, 1, 1]),
             helper.make_node("Add", ["c", "X"], ["s"]),
             helper.make_node("Relu", ["s"], ["Y"])]
    inits = [("W", f32(r, 6, 6, 3, 3, scale=0.3)), ("B", f32(r, 6))]
    return model(nodes, [("X", [1, 6, 9, 21])], ["Y"], inits), {"X": f32(r, 1, 6, 9, 21)}


@case("fuse_dwconv_add")
def _(r):
    # skip first, depthwise conv second, no activation
    nodes = [helper.make_node("Conv", ["X", "W"], ["c"], pads=[1, 1, 1, 1], group=5),
             helper.make_node("Add", ["S", "c"], ["Y"])]
    inits = [("W", f32(r, 5, 1, 3, 3))]
    return model(nodes, [("X", [1, 5, 7, 19]), ("S", [1, 5, 7, 19])], ["Y"], inits), \
        {"X": f32(r, 1, 5, 7, 19), "S": f32(r, 1, 5, 7, 19)}


@case("fuse_conv1x1_add_sigmoid")
def _(r):
    # pointwise conv (plane not a multiple of the vector width) + Add + Sigmoid (unfused in C)
    nodes = [helper.make_node("Conv", ["X", "W", "B"], ["c"]),
             helper.make_node("Add", ["c", "S"], ["s"]),
             helper.make_node("Sigmoid", ["s"], ["Y"])]
    inits = [("W", f32(r, 10, 4, 1, 1)), ("B", f32(r, 10))]
    return model(nodes, [("X", [1, 4, 5, 7]), ("S", [1, 10, 5, 7])], ["Y"], inits), \
        {"X": f32(r, 1, 4, 5, 7), "S": f32(r, 1, 10, 5, 7)}


def fpn_merge(r, conv_attrs, k, C, M, H, W, act="Relu", resize_attrs=None, lateral_first=True, scales=True):
    """A feature pyramid's merge: Add(act(Conv(X)), Resize-nearest-2x(S)), S at half size."""
    resize_attrs = resize_attrs or {"mode": "nearest", "coordinate_transformation_mode": "asymmetric",
                                    "nearest_mode": "floor"}
    up_inputs = ["S", "", "scales"] if scales else ["S", "", "", "sizes"]
    nodes = [helper.make_node("Conv", ["X", "W", "B"], ["c"], **conv_attrs),
             helper.make_node(act, ["c"], ["a"]),
             helper.make_node("Resize", up_inputs, ["u"], **resize_attrs),
             helper.make_node("Add", ["a", "u"] if lateral_first else ["u", "a"], ["Y"])]
    inits = [("W", f32(r, M, C, k, k, scale=0.4)), ("B", f32(r, M))]
    inits += [("scales", np.array([1, 1, 2, 2], np.float32))] if scales else [("sizes", i64(1, M, H, W))]
    return model(nodes, [("X", [1, C, H, W]), ("S", [1, M, H // 2, W // 2])], ["Y"], inits), \
        {"X": f32(r, 1, C, H, W), "S": f32(r, 1, M, H // 2, W // 2)}


@case("fuse_conv1x1_relu_add_up2")
def _(r):
    # pointwise lateral conv, rows of 18 (vectors cross row ends in the pointwise kernel)
    return fpn_merge(r, {}, 1, 6, 5, 10, 18)


@case("fuse_conv3x3_relu_add_up2")
def _(r):
    # 3x3 conv, Resize given by sizes, the upsampled input first in the Add
    return fpn_merge(r, {"pads": [1, 1, 1, 1]}, 3, 4, 7, 8, 38, lateral_first=False, scales=False)


@case("fuse_conv_sigmoid_add_up2_halfpixel")
def _(r):
    # half_pixel + round_prefer_floor also reads in[o / 2]; sigmoid is applied outside the C epilogue
    return fpn_merge(r, {"pads": [1, 1, 1, 1]}, 3, 3, 4, 6, 20, act="Sigmoid",
                     resize_attrs={"mode": "nearest", "coordinate_transformation_mode": "half_pixel"})


@case("conv_relu_add_up2_ceil")
def _(r):
    # asymmetric + ceil reads in[(o + 1) / 2], not in[o / 2]: the Resize stays a separate op
    return fpn_merge(r, {}, 1, 3, 4, 6, 10,
                     resize_attrs={"mode": "nearest", "coordinate_transformation_mode": "asymmetric",
                                   "nearest_mode": "ceil"})


@case("fuse_conv_relu_add_same")
def _(r):
    # Add after the activation, addend of the output's shape
    nodes = [helper.make_node("Conv", ["X", "W", "B"], ["c"], pads=[1, 1, 1, 1], strides=[2, 2]),
             helper.make_node("Relu", ["c"], ["a"]),
             helper.make_node("Add", ["S", "a"], ["Y"])]
    inits = [("W", f32(r, 6, 3, 3, 3, scale=0.4)), ("B", f32(r, 6))]
    return model(nodes, [("X", [1, 3, 11, 35]), ("S", [1, 6, 6, 18])], ["Y"], inits), \
        {"X": f32(r, 1, 3, 11, 35), "S": f32(r, 1, 6, 6, 18)}


# ------------------------------------------- conv -> padded conv chains (PaddedLayoutPlan)
def conv_relu(name_in, name_out, w, b, **attrs):
    return [helper.make_node("Conv", [name_in, w, b], [name_out + "_c"], **attrs),
            helper.make_node("Relu", [name_out + "_c"], [name_out])]


@case("padded_chain_s1_s2")
def _(r):
    # 3x3 s1 -> 3x3 s2 -> 3x3 s1 -> 5x5 s2 pad 2 (even left pad: other phase parity): each conv
    # writes the next one's padded input; 13 and 10 channels, rows of 37, 19 and 10
    nodes = conv_relu("X", "a", "W1", "B1", pads=[1, 1, 1, 1]) + \
        conv_relu("a", "b", "W2", "B2", pads=[1, 1, 1, 1], strides=[2, 2]) + \
        conv_relu("b", "c", "W3", "B3", pads=[1, 1, 1, 1]) + \
        [helper.make_node("Conv", ["c", "W4", "B4"], ["Y"], pads=[2, 2, 2, 2], strides=[2, 2])]
    inits = [("W1", f32(r, 13, 3, 3, 3, scale=0.4)), ("B1", f32(r, 13, scale=0.1)),
             ("W2", f32(r, 10, 13, 3, 3, scale=0.2)), ("B2", f32(r, 10, scale=0.1)),
             ("W3", f32(r, 7, 10, 3, 3, scale=0.2)), ("B3", f32(r, 7, scale=0.1)),
             ("W4", f32(r, 5, 7, 5, 5, scale=0.1)), ("B4", f32(r, 5, scale=0.1))]
    return model(nodes, [("X", [1, 3, 19, 37])], ["Y"], inits), {"X": f32(r, 1, 3, 19, 37)}


@case("padded_fallbacks")
def _(r):
    # a: read by a padded 3x3 conv and by an Add -> stays plain; b: read by two padded 3x3 convs
    # with the same layout -> padded; c: read by a 3x3 conv and a 1x1 conv -> plain; d: a graph
    # output that a 3x3 conv also reads -> plain
    nodes = conv_relu("X", "a", "W1", "B1", pads=[1, 1, 1, 1]) + \
        conv_relu("a", "b", "W2", "B2", pads=[1, 1, 1, 1]) + \
        [helper.make_node("Add", ["a", "X2"], ["e"])] + \
        conv_relu("b", "c", "W3", "B3", pads=[1, 1, 1, 1], strides=[2, 2]) + \
        conv_relu("b", "c2", "W3b", "B3", pads=[1, 1, 1, 1], strides=[2, 2]) + \
        [helper.make_node("Add", ["c", "c2"], ["cc"])] + \
        conv_relu("c", "d", "W4", "B4", pads=[1, 1, 1, 1]) + \
        [helper.make_node("Conv", ["c", "W5", "B5"], ["f"])] + \
        [helper.make_node("Conv", ["d", "W6", "B6"], ["Y"], pads=[1, 1, 1, 1])]
    inits = [("W1", f32(r, 6, 3, 3, 3, scale=0.4)), ("B1", f32(r, 6, scale=0.1)),
             ("W2", f32(r, 9, 6, 3, 3, scale=0.3)), ("B2", f32(r, 9, scale=0.1)),
             ("W3", f32(r, 5, 9, 3, 3, scale=0.2)), ("W3b", f32(r, 5, 9, 3, 3, scale=0.2)),
             ("B3", f32(r, 5, scale=0.1)),
             ("W4", f32(r, 4, 5, 3, 3, scale=0.3)), ("B4", f32(r, 4, scale=0.1)),
             ("W5", f32(r, 3, 5, 1, 1, scale=0.3)), ("B5", f32(r, 3, scale=0.1)),
             ("W6", f32(r, 2, 4, 3, 3, scale=0.3)), ("B6", f32(r, 2, scale=0.1))]
    return model(nodes, [("X", [1, 3, 12, 21]), ("X2", [1, 6, 12, 21])], ["Y", "e", "cc", "f", "d"], inits), \
        {"X": f32(r, 1, 3, 12, 21), "X2": f32(r, 1, 6, 12, 21)}


@case("padded_fpn_merge")
def _(r):
    # a feature pyramid's merge (1x1 lateral conv + Relu + Add of an upsampled map, folded into
    # the conv) writing the padded input of the 3x3 conv after it, rows of 34
    nodes = conv_relu("X", "l", "W1", "B1") + \
        [helper.make_node("Resize", ["S", "", "scales"], ["u"], mode="nearest",
                          coordinate_transformation_mode="asymmetric", nearest_mode="floor"),
         helper.make_node("Add", ["l", "u"], ["m"])] + \
        conv_relu("m", "Y", "W2", "B2", pads=[1, 1, 1, 1])
    inits = [("W1", f32(r, 11, 6, 1, 1, scale=0.4)), ("B1", f32(r, 11, scale=0.1)),
             ("W2", f32(r, 8, 11, 3, 3, scale=0.2)), ("B2", f32(r, 8, scale=0.1)),
             ("scales", np.array([1, 1, 2, 2], np.float32))]
    return model(nodes, [("X", [1, 6, 10, 34]), ("S", [1, 11, 5, 17])], ["Y"], inits), \
        {"X": f32(r, 1, 6, 10, 34), "S": f32(r, 1, 11, 5, 17)}


for act, attrs, extra in [("LeakyRelu", {"alpha": 0.1}, []), ("Sigmoid", {}, []), ("HardSwish", {}, []),
                          ("Clip", {}, ["lo", "hi"]), ("Tanh", {}, []), ("HardSigmoid", {"alpha": 0.3, "beta": 0.4}, [])]:
    def _mk(act=act, attrs=attrs, extra=extra):
        @case(f"fuse_conv_{act.lower()}")
        def _(r):
            nodes = [helper.make_node("Conv", ["X", "W", "B"], ["c"], pads=[1, 1, 1, 1], group=2),
                     helper.make_node(act, ["c"] + extra, ["Y"], **attrs)]
            inits = [("W", f32(r, 4, 2, 3, 3)), ("B", f32(r, 4))]
            if extra:
                inits += [("lo", np.array(-0.5, np.float32)), ("hi", np.array(1.5, np.float32))]
            return model(nodes, [("X", [1, 4, 7, 7])], ["Y"], inits), {"X": f32(r, 1, 4, 7, 7)}
    _mk()


@case("fuse_gemm_relu")
def _(r):
    nodes = [helper.make_node("Gemm", ["X", "W", "B"], ["g"], transB=1),
             helper.make_node("Relu", ["g"], ["Y"])]
    return model(nodes, [("X", [3, 10])], ["Y"], [("W", f32(r, 6, 10)), ("B", f32(r, 6))]), {"X": f32(r, 3, 10)}


@case("fuse_attention_values_by_scores")
def _(r):
    # TwinLiteNet's position attention (SAGAN-style), small: q, k [1, d, N], v [1, c, N];
    # y = v softmax(q^T k)^T, with the exporter's Transposes; N not a multiple of the engine's block rows
    n, d, c = 150, 4, 6
    nodes = [helper.make_node("Transpose", ["Q"], ["qt"], perm=[0, 2, 1]),
             helper.make_node("MatMul", ["qt", "K"], ["e"]),
             helper.make_node("Softmax", ["e"], ["s"], axis=-1),
             helper.make_node("Transpose", ["s"], ["st"], perm=[0, 2, 1]),
             helper.make_node("MatMul", ["V", "st"], ["Y"])]
    return (model(nodes, [("Q", [1, d, n]), ("K", [1, d, n]), ("V", [1, c, n])], ["Y"]),
            {"Q": f32(r, 1, d, n), "K": f32(r, 1, d, n), "V": f32(r, 1, c, n)})


@case("fuse_attention_scores_by_values")
def _(r):
    # transformer-style: y = softmax(q k^T) v, two batches, 70 queries over 90 keys
    b, n, m, d, c = 2, 70, 90, 8, 5
    nodes = [helper.make_node("Transpose", ["K"], ["kt"], perm=[0, 2, 1]),
             helper.make_node("MatMul", ["Q", "kt"], ["e"]),
             helper.make_node("Softmax", ["e"], ["s"], axis=2),
             helper.make_node("MatMul", ["s", "V"], ["Y"])]
    return (model(nodes, [("Q", [b, n, d]), ("K", [b, m, d]), ("V", [b, m, c])], ["Y"]),
            {"Q": f32(r, b, n, d), "K": f32(r, b, m, d), "V": f32(r, b, m, c)})


@case("dropout_identity_chain")
def _(r):
    nodes = [helper.make_node("Identity", ["X"], ["a"]),
             helper.make_node("Dropout", ["a"], ["b"]),
             helper.make_node("Relu", ["b"], ["c"]),
             helper.make_node("Identity", ["c"], ["Y"])]
    return model(nodes, [("X", [2, 5])], ["Y"]), {"X": f32(r, 2, 5)}


@case("shape_chain_reshape")
def _(r):
    # Shape -> Gather -> Unsqueeze -> Concat -> Reshape (what exporters emit for x.view(n, -1))
    nodes = [helper.make_node("Shape", ["X"], ["s"]),
             helper.make_node("Gather", ["s", "zero"], ["n"], axis=0),
             helper.make_node("Unsqueeze", ["n", "ax0"], ["n1"]),
             helper.make_node("Concat", ["n1", "minus1"], ["shape"], axis=0),
             helper.make_node("Reshape", ["X", "shape"], ["Y"])]
    inits = [("zero", np.array(0, np.int64)), ("ax0", i64(0)), ("minus1", i64(-1))]
    return model(nodes, [("X", [2, 3, 4, 5])], ["Y"], inits), {"X": f32(r, 2, 3, 4, 5)}


@case("constant_node_add")
def _(r):
    c = numpy_helper.from_array(f32(r, 1, 3, 1, 1), "cv")
    nodes = [helper.make_node("Constant", [], ["c"], value=c),
             helper.make_node("Add", ["X", "c"], ["Y"])]
    return model(nodes, [("X", [1, 3, 4, 4])], ["Y"]), {"X": f32(r, 1, 3, 4, 4)}


# ---------------------------------------------------------------- elementwise
def unary_case(name, op, shape=(2, 3, 4, 5), scale=2.0, extra_inits=(), opset=17, **attrs):
    @case(name)
    def _(r):
        inits = list(extra_inits)
        n = helper.make_node(op, ["X"] + [k for k, _ in inits], ["Y"], **attrs)
        return model([n], [("X", list(shape))], ["Y"], inits, opset), {"X": f32(r, *shape, scale=scale)}


unary_case("relu", "Relu")
unary_case("leakyrelu", "LeakyRelu", alpha=0.2)
unary_case("sigmoid", "Sigmoid", scale=5)
unary_case("tanh", "Tanh")
unary_case("hardsigmoid", "HardSigmoid", scale=5, alpha=0.25, beta=0.6)
unary_case("hardswish", "HardSwish", scale=5)
unary_case("clip_inputs", "Clip", extra_inits=[("lo", np.array(-0.3, np.float32)), ("hi", np.array(0.7, np.float32))])
unary_case("clip_opset6_attrs", "Clip", opset=6, min=-0.2, max=0.4)
unary_case("softmax_last", "Softmax", scale=3)
unary_case("softmax_axis1", "Softmax", axis=1, scale=3)
unary_case("prelu_channel", "PRelu", extra_inits=[("s", np.array([[[0.1]], [[0.2]], [[-0.3]]], np.float32))])
unary_case("prelu_full", "PRelu", shape=(2, 3), extra_inits=[("s", np.array([[0.1, 0.5, 2.0], [0.3, -1, 0.0]], np.float32))])
unary_case("batchnorm_unfused", "BatchNormalization", shape=(2, 3, 4, 5), epsilon=1e-3,
           extra_inits=[("g", np.array([1.0, 0.5, -2], np.float32)), ("b", np.array([0.1, 0.2, 0.3], np.float32)),
                        ("m", np.array([0.0, -1, 1], np.float32)), ("v", np.array([1.0, 2, 0.5], np.float32))])


def binary_case(name, op, a_shape, b_shape, b_const=False):
    @case(name)
    def _(r):
        n = helper.make_node(op, ["A", "B"], ["Y"])
        a = f32(r, *a_shape)
        b = f32(r, *b_shape)
        if op == "Div":
            b = (np.abs(b) + 0.5).astype(np.float32)
        if b_const:
            return model([n], [("A", list(a_shape))], ["Y"], [("B", b)]), {"A": a}
        return model([n], [("A", list(a_shape)), ("B", list(b_shape))], ["Y"]), {"A": a, "B": b}


binary_case("add_same", "Add", (2, 3, 4, 5), (2, 3, 4, 5))
binary_case("add_channel", "Add", (1, 3, 4, 5), (1, 3, 1, 1), b_const=True)
binary_case("sub_bcast_left", "Sub", (3, 1, 5), (2, 3, 4, 5))
binary_case("mul_scalar", "Mul", (2, 3, 4), (), b_const=True)
binary_case("mul_lastdim", "Mul", (2, 3, 4), (4,))
binary_case("div_bcast_both", "Div", (2, 1, 4), (1, 3, 1))


# ---------------------------------------------------------------- pooling
def pool_case(name, op, shape, **attrs):
    @case(name)
    def _(r):
        n = helper.make_node(op, ["X"], ["Y"], **attrs)
        return model([n], [("X", list(shape))], ["Y"]), {"X": f32(r, *shape)}


pool_case("maxpool_k3s2p1", "MaxPool", (1, 3, 11, 12), kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
pool_case("maxpool_k2s2", "MaxPool", (1, 2, 8, 9), kernel_shape=[2, 2], strides=[2, 2])
pool_case("maxpool_ceil", "MaxPool", (1, 2, 9, 10), kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1)
pool_case("maxpool_k9s1_same", "MaxPool", (1, 2, 10, 10), kernel_shape=[9, 9], pads=[4, 4, 4, 4])
pool_case("maxpool_dilation2", "MaxPool", (1, 2, 10, 10), kernel_shape=[3, 3], dilations=[2, 2])
pool_case("avgpool_include_pad", "AveragePool", (1, 3, 11, 12), kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], count_include_pad=1)
pool_case("avgpool_exclude_pad", "AveragePool", (1, 3, 11, 12), kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], count_include_pad=0)
pool_case("avgpool_ceil_include_pad", "AveragePool", (1, 2, 10, 10), kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], ceil_mode=1, count_include_pad=1)
pool_case("avgpool_k2s2", "AveragePool", (1, 2, 8, 8), kernel_shape=[2, 2], strides=[2, 2])
pool_case("avgpool_same_upper", "AveragePool", (1, 2, 7, 9), kernel_shape=[3, 3], strides=[2, 2], auto_pad="SAME_UPPER")
pool_case("globalavgpool", "GlobalAveragePool", (2, 3, 5, 6))
pool_case("globalmaxpool", "GlobalMaxPool", (2, 3, 5, 6))


# ---------------------------------------------------------------- resize
def resize_case(name, shape, scales=None, sizes=None, opset=17, **attrs):
    @case(name)
    def _(r):
        inits = [("roi", np.array([], np.float32))]
        ins = ["X", "roi"]
        if scales is not None:
            inits.append(("scales", np.array(scales, np.float32)))
            ins.append("scales")
        else:
            inits.append(("sizes", np.array(sizes, np.int64)))
            ins += ["", "sizes"]
        n = helper.make_node("Resize", ins, ["Y"], **attrs)
        return model([n], [("X", list(shape))], ["Y"], inits, opset), {"X": f32(r, *shape)}


resize_case("resize_nearest_asym_floor_x2", (1, 2, 4, 5), scales=[1, 1, 2, 2], mode="nearest",
            coordinate_transformation_mode="asymmetric", nearest_mode="floor")
resize_case("resize_nearest_halfpixel_sizes", (1, 2, 5, 7), sizes=[1, 2, 8, 11], mode="nearest")
resize_case("resize_nearest_align_ceil", (1, 2, 4, 4), sizes=[1, 2, 7, 9], mode="nearest",
            coordinate_transformation_mode="align_corners", nearest_mode="ceil")
resize_case("resize_nearest_down", (1, 2, 9, 10), scales=[1, 1, 0.5, 0.5], mode="nearest")
resize_case("resize_linear_halfpixel_x2", (1, 3, 4, 5), scales=[1, 1, 2, 2], mode="linear")
resize_case("resize_linear_align_corners", (1, 2, 5, 4), sizes=[1, 2, 9, 10], mode="linear",
            coordinate_transformation_mode="align_corners")
resize_case("resize_linear_asymmetric", (1, 2, 4, 6), scales=[1, 1, 1.5, 2.5], mode="linear",
            coordinate_transformation_mode="asymmetric")
resize_case("resize_linear_pytorch_half", (1, 2, 6, 6), sizes=[1, 2, 3, 1], mode="linear",
            coordinate_transformation_mode="pytorch_half_pixel")
resize_case("resize_linear_down", (1, 2, 8, 10), scales=[1, 1, 0.5, 0.4], mode="linear")


@case("upsample_opset9_nearest")
def _(r):
    n = helper.make_node("Upsample", ["X", "scales"], ["Y"], mode="nearest")
    return (model([n], [("X", [1, 2, 3, 4])], ["Y"], [("scales", np.array([1, 1, 2, 3], np.float32))], 9),
            {"X": f32(r, 1, 2, 3, 4)})


# ---------------------------------------------------------------- matmul / gemm
@case("matmul_2d")
def _(r):
    n = helper.make_node("MatMul", ["A", "B"], ["Y"])
    return model([n], [("A", [5, 7]), ("B", [7, 3])], ["Y"]), {"A": f32(r, 5, 7), "B": f32(r, 7, 3)}


@case("matmul_batched_bcast")
def _(r):
    n = helper.make_node("MatMul", ["A", "B"], ["Y"])
    return model([n], [("A", [2, 3, 4, 6]), ("B", [3, 6, 5])], ["Y"]), {"A": f32(r, 2, 3, 4, 6), "B": f32(r, 3, 6, 5)}


@case("matmul_const_weight")
def _(r):
    n = helper.make_node("MatMul", ["A", "W"], ["Y"])
    return model([n], [("A", [1, 4, 8])], ["Y"], [("W", f32(r, 8, 3))]), {"A": f32(r, 1, 4, 8)}


@case("matmul_transposed_operands")
def _(r):
    # Transpose(last two axes) -> MatMul, both sides (the engine folds them into the GEMM)
    nodes = [helper.make_node("Transpose", ["A"], ["At"], perm=[0, 2, 1]),
             helper.make_node("Transpose", ["B"], ["Bt"], perm=[0, 2, 1]),
             helper.make_node("MatMul", ["At", "Bt"], ["Y"])]
    return (model(nodes, [("A", [2, 5, 3]), ("B", [2, 1200, 5])], ["Y"]),
            {"A": f32(r, 2, 5, 3), "B": f32(r, 2, 1200, 5)})


@case("gemm_transA_alpha_beta")
def _(r):
    n = helper.make_node("Gemm", ["A", "B", "C"], ["Y"], transA=1, alpha=0.5, beta=2.0)
    return (model([n], [("A", [6, 4])], ["Y"], [("B", f32(r, 6, 5)), ("C", f32(r, 1, 5))]), {"A": f32(r, 6, 4)})


@case("gemm_transB_noC")
def _(r):
    n = helper.make_node("Gemm", ["A", "B"], ["Y"], transB=1)
    return model([n], [("A", [3, 8])], ["Y"], [("B", f32(r, 4, 8))]), {"A": f32(r, 3, 8)}


# ---------------------------------------------------------------- shape ops
def simple(name, nodes_fn, in_shape, inits=(), opset=17):
    @case(name)
    def _(r):
        return model(nodes_fn(), [("X", list(in_shape))], ["Y"], list(inits), opset), {"X": f32(r, *in_shape)}


simple("reshape_neg1_zero", lambda: [helper.make_node("Reshape", ["X", "s"], ["Y"])], (2, 3, 4), [("s", i64(0, -1))])
simple("flatten_axis2", lambda: [helper.make_node("Flatten", ["X"], ["Y"], axis=2)], (2, 3, 4, 5))
simple("transpose_0231", lambda: [helper.make_node("Transpose", ["X"], ["Y"], perm=[0, 2, 3, 1])], (2, 3, 4, 5))
simple("transpose_default", lambda: [helper.make_node("Transpose", ["X"], ["Y"])], (2, 3, 4))
simple("squeeze_axes_input", lambda: [helper.make_node("Squeeze", ["X", "a"], ["Y"])], (1, 3, 1, 5), [("a", i64(0, -2))])
simple("squeeze_opset11_attr", lambda: [helper.make_node("Squeeze", ["X"], ["Y"], axes=[2])], (2, 3, 1, 5), opset=11)
simple("unsqueeze_axes_input", lambda: [helper.make_node("Unsqueeze", ["X", "a"], ["Y"])], (3, 5), [("a", i64(0, 3))])
simple("unsqueeze_opset11_attr", lambda: [helper.make_node("Unsqueeze", ["X"], ["Y"], axes=[1])], (3, 5), opset=11)
simple("slice_steps_neg", lambda: [helper.make_node("Slice", ["X", "st", "en", "ax", "sp"], ["Y"])], (4, 6, 7),
       [("st", i64(1, -1)), ("en", i64(6, 0)), ("ax", i64(1, 2)), ("sp", i64(2, -2))])
simple("slice_int_max", lambda: [helper.make_node("Slice", ["X", "st", "en", "ax"], ["Y"])], (3, 8),
       [("st", i64(2)), ("en", i64(9223372036854775807)), ("ax", i64(1))])
simple("concat_axis1", lambda: [helper.make_node("Relu", ["X"], ["r"]), helper.make_node("Concat", ["X", "r", "X"], ["Y"], axis=1)], (2, 3, 4))
simple("expand_bcast", lambda: [helper.make_node("Expand", ["X", "s"], ["Y"])], (3, 1), [("s", i64(2, 3, 4))])
simple("gather_axis1", lambda: [helper.make_node("Gather", ["X", "i"], ["Y"], axis=1)], (2, 5, 3), [("i", i64(4, 0, -1))])
simple("reducemax_last_keep", lambda: [helper.make_node("ReduceMax", ["X"], ["Y"], axes=[-1], keepdims=1)], (2, 3, 4))
simple("reducemax_all", lambda: [helper.make_node("ReduceMax", ["X"], ["Y"], keepdims=0)], (2, 3, 4))
simple("reducemean_attr_axes", lambda: [helper.make_node("ReduceMean", ["X"], ["Y"], axes=[1, 3], keepdims=0)], (2, 3, 4, 5))
simple("reducemean_axes_input_opset18", lambda: [helper.make_node("ReduceMean", ["X", "a"], ["Y"])], (2, 3, 4, 5),
       [("a", i64(2, 3))], opset=18)
simple("identity", lambda: [helper.make_node("Identity", ["X"], ["Y"])], (2, 3))


@case("split_input_sizes")
def _(r):
    n = helper.make_node("Split", ["X", "s"], ["Y0", "Y1", "Y2"], axis=1)
    return model([n], [("X", [2, 7, 3])], ["Y0", "Y1", "Y2"], [("s", i64(1, 4, 2))]), {"X": f32(r, 2, 7, 3)}


@case("split_equal_opset11")
def _(r):
    n = helper.make_node("Split", ["X"], ["Y0", "Y1"], axis=-1)
    return model([n], [("X", [2, 3, 8])], ["Y0", "Y1"], opset=11), {"X": f32(r, 2, 3, 8)}


@case("split_num_outputs_opset18")
def _(r):
    n = helper.make_node("Split", ["X"], ["Y0", "Y1", "Y2"], axis=0, num_outputs=3)
    return model([n], [("X", [7, 2])], ["Y0", "Y1", "Y2"], opset=18), {"X": f32(r, 7, 2)}


# ---------------------------------------------------------------- GRU
def gru_case(name, layout, lbr, with_h0, seq=5, batch=2, inp=4, hid=3, with_b=True, outs=("Y", "Y_h")):
    @case(name)
    def _(r):
        inits = [("W", f32(r, 1, 3 * hid, inp, scale=0.5)), ("R", f32(r, 1, 3 * hid, hid, scale=0.5))]
        ins = ["X", "W", "R"]
        if with_b:
            inits.append(("B", f32(r, 1, 6 * hid, scale=0.5)))
            ins.append("B")
        else:
            ins.append("")
        graph_inputs = [("X", [seq, batch, inp] if layout == 0 else [batch, seq, inp])]
        feeds = {"X": f32(r, *graph_inputs[0][1])}
        if with_h0:
            ins += ["", "H0"]
            hshape = [1, batch, hid] if layout == 0 else [batch, 1, hid]
            graph_inputs.append(("H0", hshape))
            feeds["H0"] = f32(r, *hshape)
        node_outs = [o if o in outs else "" for o in ("Y", "Y_h")]
        n = helper.make_node("GRU", ins, node_outs, hidden_size=hid, layout=layout, linear_before_reset=lbr)
        return model([n], graph_inputs, list(outs), inits), feeds


gru_case("gru_layout0_lbr0", 0, 0, False)
gru_case("gru_layout0_lbr1_h0", 0, 1, True)
gru_case("gru_layout1_lbr0_h0", 1, 0, True)
gru_case("gru_layout1_lbr1", 1, 1, False)
gru_case("gru_noB_only_Yh", 0, 1, True, with_b=False, outs=("Y_h",))
gru_case("gru_batch1_long", 1, 0, True, seq=12, batch=1, inp=6, hid=8)


def ort_session(m):
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    return ort.InferenceSession(m.SerializeToString(), opts, providers=["CPUExecutionProvider"])


def run_ort(m, feeds):
    """onnxruntime outputs. onnxruntime rejects batch-first recurrent ops (GRU layout=1): those
    run as the equivalent layout-0 model on transposed inputs, outputs transposed back."""
    gru = [n for n in m.graph.node if n.op_type == "GRU"]
    if gru and any(a.name == "layout" and a.i == 1 for a in gru[0].attribute):
        m0 = onnx.ModelProto()
        m0.CopyFrom(m)
        for a in m0.graph.node[0].attribute:
            if a.name == "layout":
                a.i = 0
        for vi in m0.graph.input:
            d = vi.type.tensor_type.shape.dim
            d0, d1 = d[0].dim_value, d[1].dim_value
            d[0].dim_value, d[1].dim_value = d1, d0
        f0 = {k: np.ascontiguousarray(np.swapaxes(v, 0, 1)) for k, v in feeds.items()}
        sess = ort_session(m0)
        outs = sess.run(None, f0)
        names = [o.name for o in sess.get_outputs()]
        fixed = []
        for name, v in zip(names, outs):
            if name == "Y":  # [seq, 1, batch, h] -> [batch, seq, 1, h]
                fixed.append(np.transpose(v, (2, 0, 1, 3)))
            else:  # [1, batch, h] -> [batch, 1, h]
                fixed.append(np.swapaxes(v, 0, 1))
        return names, fixed
    sess = ort_session(m)
    return [o.name for o in sess.get_outputs()], sess.run(None, feeds)


def main():
    only = set(sys.argv[1:])
    os.makedirs(ROOT, exist_ok=True)
    total = 0
    for name, fn in CASES:
        if only and name not in only:
            continue
        r = np.random.default_rng(sum(map(ord, name)) * 7919)
        m, feeds = fn(r)
        # (no checker: outputs are declared without shapes on purpose)
        d = os.path.join(ROOT, name)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        onnx.save(m, os.path.join(d, "model.onnx"))
        names, outs = run_ort(m, feeds)
        for k, v in feeds.items():
            np.save(os.path.join(d, f"input_{k}.npy"), v.astype(np.float32))
        for name, v in zip(names, outs):
            np.save(os.path.join(d, f"output_{name}.npy"), np.asarray(v, np.float32))
        total += sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d))
    print(f"{len(CASES)} cases, {total / 1e6:.2f} MB in {os.path.normpath(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
