#!/usr/bin/env python3
"""Evaluate the exported forecaster (fixtures/models/forecaster.onnx, onnxruntime, fixed batch 16
with padding: exactly how the Swift side runs it) against the constant-velocity baseline (and, for reference, a stationary one) on the
held-out drive (challenge_video), overall and by current range; writes the result into the model
card (key metrics_held_out_onnx) and prints it.

Usage: python3 tools/forecaster/evaluate.py
"""
import json
import os
import sys

import numpy as np
import onnxruntime as ort

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import HERE, OUTPUT_SCALE, ROOT  # noqa: E402
from train import BATCH, HELD_OUT, load, metrics  # noqa: E402


def main():
    model = os.path.join(ROOT, "fixtures", "models", "forecaster.onnx")
    card_path = os.path.join(ROOT, "fixtures", "models", "forecaster.json")
    sess = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
    x, cv, y, mask, _ = load([HELD_OUT])
    pred = np.zeros_like(cv)
    for i in range(0, len(x), BATCH):
        chunk = x[i:i + BATCH]
        pad = np.zeros((BATCH,) + x.shape[1:], np.float32)
        pad[:len(chunk)] = chunk
        r = sess.run(["residual"], {"states": np.ascontiguousarray(pad.transpose(1, 0, 2))})[0]
        pred[i:i + len(chunk)] = cv[i:i + len(chunk)] + r[:len(chunk)] * OUTPUT_SCALE
    rng = x[:, -1, 0] * 50.0  # current x (feature 0 is x / 50)
    out = {}
    for name, sel in [("all", rng >= -1e9), ("range_0_30m", rng < 30), ("range_30_60m", (rng >= 30) & (rng < 60)),
                      ("range_60m_plus", rng >= 60)]:
        if sel.sum() == 0 or (mask[sel, 4] > 0).sum() == 0:
            continue
        g, c = metrics(pred[sel], y[sel], mask[sel]), metrics(cv[sel], y[sel], mask[sel])
        z = metrics(np.zeros_like(cv[sel]), y[sel], mask[sel])
        out[name] = {"gru": g, "constant_velocity": c, "stationary": z,
                     "improvement_ade_1s": 1 - g["ade_1s_m"] / c["ade_1s_m"],
                     "improvement_fde_1s": 1 - g["fde_1s_m"] / c["fde_1s_m"]}
        print(f"{name:15s} n={g['samples_1s']:5d}  ADE@1s GRU {g['ade_1s_m']:.2f} CV {c['ade_1s_m']:.2f} "
              f"({100 * out[name]['improvement_ade_1s']:+.1f}%)  FDE@1s GRU {g['fde_1s_m']:.2f} CV {c['fde_1s_m']:.2f} "
              f"({100 * out[name]['improvement_fde_1s']:+.1f}%)  ADE@2s GRU {g['ade_2s_m']:.2f} CV {c['ade_2s_m']:.2f}  "
              f"[stationary ADE@1s {z['ade_1s_m']:.2f} FDE@1s {z['fde_1s_m']:.2f}]",
              file=sys.stderr)
    card = json.load(open(card_path))
    card["metrics_held_out_onnx"] = out
    with open(card_path, "w") as f:
        json.dump(card, f, indent=1)


if __name__ == "__main__":
    main()
