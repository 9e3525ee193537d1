#!/usr/bin/env python3
"""Mine forecasting samples from the cached Yolo-Fastest detections (tools/forecaster/detect.py):
run the tracker port over each video, record every confirmed track's filtered state per frame, and
build samples: the last HISTORY states → future ground displacements (relative to the current
position) at HORIZONS_S, labelled from the track's own later measured ground points (the projected
detection, interpolated between measured frames no more than 0.2 s apart); horizons without a label
are masked.

Output: tools/forecaster/cache/samples_<video>.npz with x [S, HISTORY, FEATURES], cv [S, T, 2]
(constant-velocity displacement), y [S, T, 2], mask [S, T], track [S], frame [S].
Usage: python3 tools/forecaster/mine.py [--videos ...]
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import HERE, HISTORY, HORIZONS_S, GroundCamera, Tracker, cv_forecast, features  # noqa: E402

VEHICLE = 0  # all vehicle COCO classes are one DrivePipe class


def mine(name, cam):
    d = np.load(os.path.join(HERE, "cache", name + ".npz"))
    fps, n = float(d["fps"]), int(d["n_frames"])
    by_frame = [[] for _ in range(n)]
    for f, b, s in zip(d["frames"], d["boxes"], d["scores"]):
        by_frame[f].append((tuple(map(float, b)), float(s)))
    tr = Tracker(cam)
    states = {}     # track id → {frame: state}
    measured = {}   # track id → {frame: measured ground}
    for f in range(n):
        boxes = [b for b, _ in by_frame[f]]
        scores = [s for _, s in by_frame[f]]
        matched = tr.update(boxes, [VEHICLE] * len(boxes), scores, f / fps)
        for t, g in matched:
            if t.status != "confirmed" or t.state() is None:
                continue
            states.setdefault(t.id, {})[f] = t.state()
            if g is not None:
                measured.setdefault(t.id, {})[f] = g
    X, CV, Y, M, TID, FR = [], [], [], [], [], []
    for tid, st in states.items():
        frames = sorted(st)
        meas = measured.get(tid, {})
        mf = np.array(sorted(meas))
        if len(mf) < 2:
            continue
        mg = np.array([meas[k] for k in mf])
        for k, f in enumerate(frames):
            hist = [st[g] for g in frames[max(0, k - HISTORY + 1):k + 1] if f - g < HISTORY + 3]
            if len(hist) < 3 or f not in meas:
                continue
            x0, y0 = meas[f]
            ys, mask = [], []
            for h in HORIZONS_S:
                tf = f + h * fps
                j = np.searchsorted(mf, tf)
                ok = 0 < j < len(mf) and (mf[j] - mf[j - 1]) <= 0.2 * fps + 1e-6
                if j < len(mf) and abs(mf[j] - tf) < 1e-6:
                    p, ok = mg[j], True
                elif ok:
                    a = (tf - mf[j - 1]) / (mf[j] - mf[j - 1])
                    p = (1 - a) * mg[j - 1] + a * mg[j]
                else:
                    p = (np.nan, np.nan)
                ys.append((p[0] - x0, p[1] - y0) if ok else (0.0, 0.0))
                mask.append(1.0 if ok else 0.0)
            if mask[4] == 0:       # need at least the 1 s label
                continue
            # the input's "current position" is the filtered state; the label is relative to the
            # measured point: shift it so both are relative to the filtered current position
            sx, sy = st[f][0], st[f][1]
            ys = [(dx + x0 - sx, dy + y0 - sy) for dx, dy in ys]
            X.append(features(hist)); CV.append(cv_forecast(st[f])); Y.append(ys); M.append(mask)
            TID.append(tid); FR.append(f)
    out = os.path.join(HERE, "cache", f"samples_{name}.npz")
    np.savez(out, x=np.array(X, np.float32), cv=np.array(CV, np.float32), y=np.array(Y, np.float32),
             mask=np.array(M, np.float32), track=np.array(TID), frame=np.array(FR), fps=fps)
    print(f"{name}: {len(states)} confirmed tracks, {len(X)} samples "
          f"(2 s label on {int(np.sum(np.array(M)[:, -1])) if M else 0})", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--videos", nargs="+", default=["project_video", "challenge_video", "challenge"])
    a = ap.parse_args()
    cam = GroundCamera()
    for v in a.videos:
        mine(v, cam)


if __name__ == "__main__":
    main()
