"""Linear weight interpolation between the shipped v5 student and a fine-tuned run (WiSE-FT, v10):
theta = (1 - alpha) * v5 + alpha * run, tensor by tensor. v5 is rebuilt from its ONNX (onnx_init.py: BatchNorm folded
into the conv, BN a pure shift); the runs started from it with BN frozen, so their running statistics are v5's and
only the trained weights differ. Writes runs/<run>_a<alpha x 100>/ema_step<step>.pt (the snapshot format: export.py
and snapshots.py take it).

Usage: python interp.py --run v9a_swa --alpha 0.25 0.5 0.75 1.0 --base V5.onnx
"""
import argparse
import glob
import os
import sys

import torch

from model import student_for
from onnx_init import load_onnx_weights

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", required=True)
    ap.add_argument("--alpha", type=float, nargs="+", required=True)
    ap.add_argument("--base", required=True, help="the ONNX the run started from (v10: v5's, git show aa30a09^:fixtures/models/drivepipe-student.onnx)")
    a = ap.parse_args()
    (path,) = glob.glob(os.path.join(HERE, "runs", a.run, "ema_step*.pt"))
    ft = torch.load(path, weights_only=False)
    base = student_for(ft["args"])  # blocks the base ONNX lacks (v16 --seg-blocks) keep their identity start
    load_onnx_weights(base, a.base)
    b = base.state_dict()
    assert b.keys() == ft["ema"].keys()
    for al in a.alpha:
        sd = {k: ((1 - al) * b[k] + al * v) if v.dtype.is_floating_point else v.clone() for k, v in ft["ema"].items()}
        out = os.path.join(HERE, "runs", f"{a.run}_a{round(al * 100):03d}")
        os.makedirs(out, exist_ok=True)
        p = os.path.join(out, os.path.basename(path))
        torch.save({**ft, "ema": sd, "interpolation": {"base": os.path.basename(a.base), "run": a.run, "alpha": al}}, p)
        print(f"{p}: alpha {al}", file=sys.stderr)


if __name__ == "__main__":
    main()
