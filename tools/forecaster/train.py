#!/usr/bin/env python3
"""Train the GRU track forecaster on mined samples (tools/forecaster/mine.py), evaluate it against
the constant-velocity baseline on the held-out drive (challenge_video), export ONNX (opset 17, the
ONNX `GRU` op), write the engine-parity fixtures and the model card.

Model: input `states` [HISTORY=10, BATCH=16, FEATURES=8] (time-major, normalised, see common.py) →
GRU(hidden 48) → last hidden state → Linear → `residual` [BATCH, T=10, 2]. The forecast in metres is
cv + residual * OUTPUT_SCALE, where cv is the constant-velocity displacement v·t (computed outside
the model, in Swift and here alike). Fixed batch 16: our engine plans fixed shapes; callers pad.

Outputs: fixtures/models/forecaster.onnx, fixtures/models/forecaster.json (model card),
fixtures/models/forecaster_parity/{states,residual}.npy (onnxruntime reference on held-out samples).
Usage: python3 tools/forecaster/train.py [--epochs 150] [--hidden 48] [--seed 0]
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (FEATURE_SCALE, FEATURES, HERE, HISTORY, HORIZONS_S, OUTPUT_SCALE,  # noqa: E402
                    ROOT)

BATCH = 16
T = len(HORIZONS_S)
TRAIN_VIDEOS = ["project_video", "challenge"]
HELD_OUT = "challenge_video"
I1 = HORIZONS_S.index(min(HORIZONS_S, key=lambda h: abs(h - 1.0)))  # index of the 1 s horizon


class GRUForecaster(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.gru = nn.GRU(FEATURES, hidden)          # time-major: [HISTORY, B, FEATURES]
        self.head = nn.Linear(hidden, T * 2)

    def forward(self, states):
        _, h = self.gru(states)                      # h: [1, B, hidden]
        return self.head(h[0]).reshape(states.shape[1], T, 2)


class Exportable(nn.Module):
    """The same network with every shape fixed (batch BATCH), so the ONNX graph is just
    GRU → Reshape → Gemm → Reshape with constant shapes and a constant zero initial state."""

    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, states):
        hidden = self.m.gru.hidden_size
        h0 = torch.zeros(1, BATCH, hidden)
        _, h = self.m.gru(states, h0)
        return self.m.head(h.reshape(BATCH, hidden)).reshape(BATCH, T, 2)


def simplify(m):
    """Make the exported graph plain for a fixed-shape engine: the GRU's initial state is zeros, which
    is ONNX's default, so drop the `initial_h` input (and the Shape/Gather/Expand chain that built
    it); Constant nodes become initializers; dead nodes go. Result: GRU → Reshape → Gemm → Reshape."""
    from onnx import numpy_helper
    g = m.graph
    for n in g.node:
        if n.op_type == "GRU":
            ins = list(n.input)[:4]          # X, W, R, B (sequence_lens and initial_h omitted)
            del n.input[:]
            n.input.extend(ins)
    consts = {}
    for n in list(g.node):
        if n.op_type == "Constant":
            consts[n.output[0]] = numpy_helper.to_array(n.attribute[0].t)
            g.node.remove(n)
    needed = {o.name for o in g.output}
    keep = []
    for n in reversed(list(g.node)):
        if any(o in needed for o in n.output):
            keep.append(n)
            needed.update(i for i in n.input if i)
    for n in list(g.node):
        if n not in keep:
            g.node.remove(n)
    for name, arr in consts.items():
        if name in needed:
            g.initializer.append(numpy_helper.from_array(arr, name))
    used = {i for n in g.node for i in n.input}
    for init in list(g.initializer):
        if init.name not in used:
            g.initializer.remove(init)
    return m


def load(names):
    parts = [np.load(os.path.join(HERE, "cache", f"samples_{n}.npz")) for n in names]
    cat = lambda k: np.concatenate([p[k] for p in parts])
    # make track ids unique across videos
    tid = np.concatenate([p["track"] + 100000 * i for i, p in enumerate(parts)])
    return cat("x"), cat("cv"), cat("y"), cat("mask"), tid


def mirror(x, cv, y):
    """Left-right mirror: y, y - y_now, vy and the targets' y change sign (features 1, 3, 5)."""
    x = x.copy(); cv = cv.copy(); y = y.copy()
    x[..., [1, 3, 5]] *= -1; cv[..., 1] *= -1; y[..., 1] *= -1
    return x, cv, y


def metrics(pred, y, mask):
    """ADE and FDE at 1 s (metres) over samples whose 1 s label exists; ADE at 2 s where labelled."""
    err = np.linalg.norm(pred - y, axis=-1)             # [S, T]
    m1 = mask[:, I1] > 0
    ade1 = float(err[m1, :I1 + 1].mean())
    fde1 = float(err[m1, I1].mean())
    m2 = mask[:, -1] > 0
    ade2 = float(err[m2].mean()) if m2.any() else float("nan")
    fde2 = float(err[m2, -1].mean()) if m2.any() else float("nan")
    return dict(ade_1s_m=ade1, fde_1s_m=fde1, ade_2s_m=ade2, fde_2s_m=fde2, samples_1s=int(m1.sum()),
                samples_2s=int(m2.sum()))


def predict(model, x, cv):
    with torch.no_grad():
        r = model(torch.from_numpy(x).permute(1, 0, 2).contiguous()).numpy()
    return cv + r * OUTPUT_SCALE


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=150)
    ap.add_argument("--hidden", type=int, default=48)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    np.random.seed(a.seed)
    torch.set_num_threads(1)

    x, cv, y, mask, tid = load(TRAIN_VIDEOS)
    # validation: a seeded random 20% of the training drives' tracks, for model selection only
    ids = np.unique(tid)
    val_ids = np.random.default_rng(a.seed).choice(ids, size=max(1, len(ids) // 5), replace=False)
    val = np.isin(tid, val_ids)
    xt, cvt, yt, mt = x[~val], cv[~val], y[~val], mask[~val]
    xm, cvm, ym = mirror(xt, cvt, yt)
    xt, cvt, yt, mt = (np.concatenate([xt, xm]), np.concatenate([cvt, cvm]), np.concatenate([yt, ym]),
                       np.concatenate([mt, mt]))
    xv, cvv, yv, mv = x[val], cv[val], y[val], mask[val]
    xh, cvh, yh, mh, _ = load([HELD_OUT])
    print(f"train {len(xt)} (mirrored), val {len(xv)}, held-out {len(xh)}", file=sys.stderr)

    model = GRUForecaster(a.hidden)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, a.epochs)
    X = torch.from_numpy(xt).permute(1, 0, 2).contiguous()
    CV, Y, M = torch.from_numpy(cvt), torch.from_numpy(yt), torch.from_numpy(mt)
    scale = torch.from_numpy(OUTPUT_SCALE)
    best, best_state = 1e9, None
    for ep in range(a.epochs):
        model.train()
        perm = torch.randperm(X.shape[1])
        for i in range(0, len(perm), 64):
            idx = perm[i:i + 64]
            pred = CV[idx] + model(X[:, idx]) * scale
            err = nn.functional.smooth_l1_loss(pred, Y[idx], reduction="none", beta=0.5).sum(-1)
            loss = (err * M[idx]).sum() / M[idx].sum().clamp(min=1)
            opt.zero_grad(); loss.backward(); opt.step()
        sched.step()
        model.eval()
        v = metrics(predict(model, xv, cvv), yv, mv)
        score = v["ade_1s_m"] + v["fde_1s_m"]
        if score < best:
            best, best_state, best_ep = score, {k: t.clone() for k, t in model.state_dict().items()}, ep
        if ep % 25 == 0 or ep == a.epochs - 1:
            print(f"epoch {ep}: loss {loss.item():.4f} val ADE@1s {v['ade_1s_m']:.3f} FDE@1s {v['fde_1s_m']:.3f}",
                  file=sys.stderr)
    model.load_state_dict(best_state)
    model.eval()

    res = {
        "gru": metrics(predict(model, xh, cvh), yh, mh),
        "constant_velocity": metrics(cvh, yh, mh),
        "validation_gru": metrics(predict(model, xv, cvv), yv, mv),
        "validation_constant_velocity": metrics(cvv, yv, mv),
    }
    g, c = res["gru"], res["constant_velocity"]
    res["improvement_ade_1s"] = 1 - g["ade_1s_m"] / c["ade_1s_m"]
    res["improvement_fde_1s"] = 1 - g["fde_1s_m"] / c["fde_1s_m"]
    print(json.dumps(res, indent=1), file=sys.stderr)

    # ---- export ----
    out_dir = os.path.join(ROOT, "fixtures", "models")
    os.makedirs(os.path.join(out_dir, "forecaster_parity"), exist_ok=True)
    onnx_path = os.path.join(out_dir, "forecaster.onnx")
    dummy = torch.zeros(HISTORY, BATCH, FEATURES)
    torch.onnx.export(Exportable(model).eval(), (dummy,), onnx_path, input_names=["states"], output_names=["residual"],
                      opset_version=17, dynamo=False)
    import onnx
    import onnxruntime as ort
    m = simplify(onnx.load(onnx_path))
    onnx.checker.check_model(m)
    onnx.save(m, onnx_path)
    ops = sorted({n.op_type for n in m.graph.node})
    sess = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
    # parity fixture: the first 16 held-out samples (one full batch)
    states = np.ascontiguousarray(xh[:BATCH].transpose(1, 0, 2)).astype(np.float32)
    ref = sess.run(["residual"], {"states": states})[0]
    with torch.no_grad():
        tr = model(torch.from_numpy(states)).numpy()
    torch_vs_ort = float(np.abs(ref - tr).max())
    np.save(os.path.join(out_dir, "forecaster_parity", "states.npy"), states)
    np.save(os.path.join(out_dir, "forecaster_parity", "residual.npy"), ref.astype(np.float32))
    n_params = sum(p.numel() for p in model.parameters())
    card = {
        "model": "DrivePipe GRU track forecaster",
        "onnx": "forecaster.onnx",
        "opset": 17,
        "ops": ops,
        "parameters": n_params,
        "input": {"name": "states", "shape": [HISTORY, BATCH, FEATURES], "layout": "time-major [history, batch, feature]",
                  "history": f"the track's last {HISTORY} states (Track.history, one per frame), oldest first; "
                             "shorter histories (>= 3) are left-padded by repeating the oldest state",
                  "features": ["x", "y", "x - x_now", "y - y_now", "vx", "vy", "box_w_px", "box_h_px"],
                  "feature_scale": FEATURE_SCALE.tolist(),
                  "units": "ground position (m) of the box bottom centre in the vehicle frame (x forward, y left), "
                           "velocity (m/s) relative to the ego vehicle, box size in 1280x720 frame pixels",
                  "batch": f"fixed {BATCH}: callers pad unused rows (e.g. with zeros) and ignore their outputs"},
        "output": {"name": "residual", "shape": [BATCH, T, 2],
                   "meaning": "forecast displacement from the current (filtered) position at each horizon, "
                              "(dx, dy) metres = (vx*t, vy*t) + residual * output_scale",
                   "output_scale": OUTPUT_SCALE.tolist(), "horizons_s": [round(h, 3) for h in HORIZONS_S]},
        "training": {
            "data": "tracks mined from the Udacity videos (MIT): Yolo-Fastest 1.1 vehicle detections on every frame, "
                    "the Python port of DrivePipe's tracker (tools/forecaster/common.py), box bottom centres projected "
                    "to the road with fixtures/calibration/udacity_1280x720.json; labels = the track's own later "
                    "measured ground points (interpolated over gaps <= 0.2 s)",
            "train_videos": TRAIN_VIDEOS, "held_out": HELD_OUT,
            "samples": {"train_mirrored": int(len(xt)), "validation": int(len(xv)), "held_out": int(len(xh))},
            "validation": "a seeded random 20% of the training drives' tracks; best epoch by ADE+FDE at 1 s",
            "augmentation": "left-right mirror", "epochs": a.epochs, "best_epoch": best_ep, "hidden": a.hidden,
            "seed": a.seed, "optimizer": "AdamW lr 3e-3 cosine, smooth L1 (beta 0.5) in metres, masked",
            "torch": torch.__version__, "export": "torch.onnx.export(dynamo=False, opset 17)",
        },
        "metrics_held_out": res,
        "torch_vs_onnxruntime_max_abs": torch_vs_ort,
        "command": "python3 tools/forecaster/detect.py && python3 tools/forecaster/mine.py && "
                   "python3 tools/forecaster/train.py",
    }
    with open(os.path.join(out_dir, "forecaster.json"), "w") as f:
        json.dump(card, f, indent=1)
    print(f"exported {onnx_path} ops={ops} params={n_params} torch-vs-ort {torch_vs_ort:.2e}", file=sys.stderr)


if __name__ == "__main__":
    main()
