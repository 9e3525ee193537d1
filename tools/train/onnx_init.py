"""Warm start from a shipped student ONNX (the training checkpoints are not committed, the ONNX is).

The export folds each BatchNorm into its conv (weight and bias), so the folded conv weight goes into the conv and
the BatchNorm after it becomes a pure shift: weight 1, bias = the folded bias, running mean 0, running variance
1 - eps (so that eval-mode BN is exactly x + bias). Such a network trains with its BN layers in eval mode (freeze_bn: affine layers, no batch
statistics; train.py --init-onnx sets it), or batch statistics would replace the folded normalisation.
Conv nodes are named by their module path (`/m/s8/s8.0/s8.0.0/Conv` -> module `s8.0.0`; inside a residual block the
exporter restarts the path: `/m/seg8_res/seg8_res.0/body/body.0/body.0.0/Conv` -> `seg8_res.0.body.0.0`).
Usage: load_onnx_weights(model, "fixtures/models/drivepipe-student.onnx") -> names of modules initialised.
Check: python onnx_init.py [MODEL.onnx [SEG_BLOCKS]] (the rebuilt network against onnxruntime)."""
import numpy as np
import onnx
import torch
import torch.nn as nn
from onnx import numpy_helper


def module_name(node_name):
    """The module path of an exported Conv node (see the module doc): the scopes after the wrapper's `m`, where each one
    either extends the previous (`s8` -> `s8.0`) or starts a path inside the previous module (`body` in a ResBlock)."""
    base, last = "", None
    for c in node_name.strip("/").split("/")[1:-1]:
        if last is not None and not c.startswith(last + "."):
            base += last + "."
        last = c
    return base + last


def load_onnx_weights(model, path):
    g = onnx.load(path).graph
    init = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    mods = dict(model.named_modules())
    done = []
    for n in g.node:
        if n.op_type != "Conv":
            continue
        name = module_name(n.name)
        assert name in mods, f"{path}: {name} is not in this network (built with other --seg-blocks / --det4-blocks?)"
        conv = mods[name]
        w, b = init[n.input[1]].copy(), init[n.input[2]].copy()
        assert tuple(conv.weight.shape) == w.shape, (name, conv.weight.shape, w.shape)
        with torch.no_grad():
            conv.weight.copy_(torch.from_numpy(w))
            if conv.bias is not None:
                conv.bias.copy_(torch.from_numpy(b))
            else:  # the folded BatchNorm is the next module of the same Sequential
                parent, idx = name.rsplit(".", 1)
                bn = mods[f"{parent}.{int(idx) + 1}"]
                assert isinstance(bn, nn.BatchNorm2d), name
                bn.weight.fill_(1.0); bn.bias.copy_(torch.from_numpy(b))
                bn.running_mean.zero_(); bn.running_var.fill_(1.0 - bn.eps)
        done.append(name)
    return done


def freeze_bn(model):
    """BatchNorm layers in eval mode (running statistics fixed; weight and bias still trained)."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.eval()


if __name__ == "__main__":  # check: the rebuilt network reproduces onnxruntime on a random input
    import sys
    from export import check
    from model import Student
    path = sys.argv[1] if len(sys.argv) > 1 else "../../fixtures/models/drivepipe-student.onnx"
    m = Student(seg_blocks=int(sys.argv[2]) if len(sys.argv) > 2 else 0)
    print(f"{len(load_onnx_weights(m, path))} convs initialised")
    shape = [d.dim_value for d in onnx.load(path).graph.input[0].type.tensor_type.shape.dim]
    x = np.random.default_rng(0).random(shape, dtype=np.float32)
    print("onnxruntime vs PyTorch max abs err:", check(m, path, x))
