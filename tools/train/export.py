"""Exports the trained student (EMA weights) to ONNX opset 17 at the fixed training input size (checkpoint's `input`;
v4: 1x3x288x512, detection stride from the checkpoint's args, 4 since v4), with the
backbone outputs kept as named intermediate tensors `features_s4`, `features_s8`, and checks onnxruntime
against PyTorch (max abs error per output).
Usage: python export.py --ckpt runs/v1/last.pt --out ../../fixtures/models/drivepipe-student.onnx"""
import argparse
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
import torch

from model import student_for

OUTPUTS = ["heatmap", "box_size", "box_offset", "seg_logits"]
FEATURES = ["features_s4", "features_s8"]


class Wrapped(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, images):
        return self.m(images, with_features=True)


def export(model, out, h=288, w=512):
    model.eval()
    x = torch.zeros(1, 3, h, w)
    tmp = out + ".tmp.onnx"
    torch.onnx.export(Wrapped(model).eval(), (x,), tmp, opset_version=17, input_names=["images"],
                      output_names=OUTPUTS + FEATURES, dynamo=False, do_constant_folding=True)
    m = onnx.load(tmp)
    os.remove(tmp)
    produced = {o for n in m.graph.node for o in n.output}
    for f in FEATURES:
        assert f in produced, f"{f} is not a node output in the exported graph"
    consumers = {i for n in m.graph.node for i in n.input}
    for f in FEATURES:
        assert f in consumers, f"{f} does not feed the heads"
    # keep the features as named intermediates, not graph outputs
    keep = [o for o in m.graph.output if o.name not in FEATURES]
    feats = [o for o in m.graph.output if o.name in FEATURES]
    del m.graph.output[:]
    m.graph.output.extend(keep)
    m.graph.value_info.extend(feats)
    m.producer_name = "drivepipe tools/train/export.py"
    onnx.checker.check_model(m)
    onnx.save(m, out)
    return m


def check(model, path, x):
    model.eval()
    with torch.no_grad():
        ref = [t.numpy() for t in model(torch.from_numpy(x), with_features=True)]
    s = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    got = s.run(OUTPUTS, {"images": x})
    errs = {n: float(np.abs(a - b).max()) for n, a, b in zip(OUTPUTS, got, ref)}
    # sub-graph check: heads from the named features
    return errs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--raw", action="store_true", help="use raw instead of EMA weights")
    a = ap.parse_args()
    c = torch.load(a.ckpt, weights_only=False)
    model = student_for(c.get("args", {}))
    model.load_state_dict(c["model"] if a.raw else c["ema"])
    model.eval()
    w, h = c.get("input", (512, 288))
    m = export(model, a.out, h=h, w=w)
    ops = sorted({n.op_type for n in m.graph.node})
    x = np.random.default_rng(0).random((1, 3, h, w), dtype=np.float32)
    errs = check(model, a.out, x)
    print(f"{a.out}: {os.path.getsize(a.out)/1e6:.2f} MB, ops {ops}", file=sys.stderr)
    print(f"onnxruntime vs PyTorch max abs err: {errs}", file=sys.stderr)
    print(f"{c['state']}", file=sys.stderr)


if __name__ == "__main__":
    main()
