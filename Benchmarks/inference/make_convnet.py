#!/usr/bin/env python3
"""Writes a representative ~0.9 GFLOP conv net for benchmarking (not committed: regenerate):
a ResNet-ish stack at 512x288 input: stem 3x3 s2 (3->12), one residual block of two 3x3 convs (BN + ReLU) per stage
(12 @ 256x144, 24 @ 128x72, 48 @ 64x36, 96 @ 32x18, 3x3 s2 convs between), 1x1 head.

    python3 Benchmarks/inference/make_convnet.py [out.onnx]   (default /tmp/convnet_512x288.onnx)
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(1)
nodes, inits = [], []
uid = [0]


def name(p):
    uid[0] += 1
    return f"{p}{uid[0]}"


def conv(x, cin, cout, k=3, s=1, relu=True, bn=True):
    w = name("w")
    inits.append(numpy_helper.from_array((rng.standard_normal((cout, cin, k, k)) * (2 / (cin * k * k)) ** 0.5).astype(np.float32), w))
    y = name("conv")
    nodes.append(helper.make_node("Conv", [x, w], [y], pads=[k // 2] * 4, strides=[s, s]))
    if bn:
        ps = [name("bn") for _ in range(4)]
        vals = [rng.random(cout) + 0.5, rng.standard_normal(cout) * 0.1, rng.standard_normal(cout) * 0.1, rng.random(cout) + 0.5]
        for p, v in zip(ps, vals):
            inits.append(numpy_helper.from_array(v.astype(np.float32), p))
        z = name("bnout")
        nodes.append(helper.make_node("BatchNormalization", [y] + ps, [z]))
        y = z
    if relu:
        z = name("relu")
        nodes.append(helper.make_node("Relu", [y], [z]))
        y = z
    return y


def block(x, c):
    y = conv(x, c, c)
    y = conv(y, c, c, relu=False)
    z = name("add")
    nodes.append(helper.make_node("Add", [x, y], [z]))
    r = name("relu")
    nodes.append(helper.make_node("Relu", [z], [r]))
    return r


x = conv("images", 3, 12, s=2)
c = 12
for cout in [12, 24, 48, 96]:
    if cout != c:
        x = conv(x, c, cout, s=2)
        c = cout
    x = block(x, c)
y = conv(x, c, 32, k=1, relu=False, bn=False)
nodes.append(helper.make_node("Identity", [y], ["out"]))
g = helper.make_graph(nodes, "convnet", [helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, 288, 512])],
                      [helper.make_tensor_value_info("out", TensorProto.FLOAT, None)], inits)
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/convnet_512x288.onnx"
onnx.save(m, out)
print(out)
