"""Counts multiply-accumulates of an ONNX model's Conv / ConvTranspose / MatMul / Gemm nodes
(static shapes via onnx shape inference). FLOPs are reported as 2 x MACs.
Usage: python flops.py model.onnx [...]"""
import sys

import numpy as np
import onnx
from onnx import shape_inference


def macs(path):
    m = shape_inference.infer_shapes(onnx.load(path))
    g = m.graph
    shapes = {}
    for v in list(g.value_info) + list(g.input) + list(g.output):
        shapes[v.name] = [d.dim_value for d in v.type.tensor_type.shape.dim]
    for t in g.initializer:
        shapes[t.name] = list(t.dims)
    total = 0
    for n in g.node:
        if n.op_type in ("Conv", "ConvTranspose"):
            w = shapes[n.input[1]]
            group = next((a.i for a in n.attribute if a.name == "group"), 1)
            if n.op_type == "Conv":
                total += int(np.prod(shapes[n.output[0]])) * int(np.prod(w[1:]))
            else:  # every input pixel scatters Cin x (Cout/group) x k x k
                total += int(np.prod(shapes[n.input[0]])) * int(np.prod(w[1:]))
        elif n.op_type in ("MatMul", "Gemm"):
            a, o = shapes.get(n.input[0]), shapes.get(n.output[0])
            if a and o:
                total += int(np.prod(o)) * a[-1]
    return total


if __name__ == "__main__":
    for p in sys.argv[1:]:
        x = macs(p)
        print(f"{p}: {x/1e6:.1f} M MACs = {2*x/1e9:.3f} GFLOPs")
