"""Caches TwinLiteNet's soft outputs (probabilities) for the training frames, for soft-label distillation (v5).

For every cached training chunk cache/labels/<pass>_<drive>_<first>.npz (the held-out drive is skipped: it is
never trained on), TwinLiteNet is run again on the cached 640x360 frames (exactly its input: the cache holds the
whole frame resized bilinearly to 640x360, as label.py fed it) and
cache/soft/<same name>.npz gets
  soft  N x 360 x 640 x 2 uint8: round(255 * softmax(da)[drivable]), round(255 * softmax(ll)[lane line])
(argmax of the hard labels = probability > 0.5). data.soft_targets turns them into 3-class targets.
Resumable (chunks already written are skipped). Usage: python soft_labels.py [--threads 1]
"""
import argparse
import glob
import os
import sys
import time

import numpy as np

from common import CACHE, VAL_DRIVE, TwinLite, to_nchw_rgb


def softmax1(x):
    """x 2xHxW logits -> probability of channel 1, HxW."""
    return 1.0 / (1.0 + np.exp(x[0] - x[1]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    out_dir = os.path.join(CACHE, "soft")
    os.makedirs(out_dir, exist_ok=True)
    tl = TwinLite(a.threads)
    for p in sorted(glob.glob(os.path.join(CACHE, "labels", "*_*.npz"))):
        name = os.path.basename(p)
        if name.endswith(".tmp.npz") or name.split("_", 1)[1].rsplit("_", 1)[0] == VAL_DRIVE:
            continue
        out = os.path.join(out_dir, name)
        if os.path.exists(out):
            continue
        t0 = time.time()
        z = np.load(p)
        frames, masks = z["frames"], z["masks"]
        soft = np.zeros(frames.shape[:3] + (2,), np.uint8)
        agree = 0
        for r, f in enumerate(frames):
            da, ll = tl.s.run(["da", "ll"], {"images": to_nchw_rgb(f, f.shape[1], f.shape[0])})
            pd, pl = softmax1(da[0]), softmax1(ll[0])
            soft[r, :, :, 0] = np.round(pd * 255); soft[r, :, :, 1] = np.round(pl * 255)
            hard = (pd > 0.5).astype(np.uint8); hard[pl > 0.5] = 2
            agree += (hard == masks[r]).mean()
        tmp = out[:-4] + ".tmp.npz"
        np.savez(tmp, soft=soft)
        os.replace(tmp, out)
        print(f"{out}: {len(frames)} frames, agreement with the cached hard labels {agree/len(frames):.5f}, {time.time()-t0:.0f}s",
              file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
