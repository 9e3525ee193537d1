"""Labels the Udacity drives with the teachers and caches frames + labels, in resumable chunks.

Work order is coarse-to-fine so that a partial run is already useful (TwinLiteNet costs seconds a
frame on a loaded machine): p0 = every 8th frame of the held-out drive, then for the training drives
q0 = frames i % 16 == 0, q1 = i % 16 == 8, q2 = i % 8 == 4, q3 = i % 8 in (2, 6) (so every 2nd frame in all), then p1 = every 2nd frame of the held-out drive,
then q4 = the odd frames of the training drives (added for v5: every frame of the training drives in all);
frames already in
any cached chunk are skipped. Each chunk (<= 40 frames of one drive) becomes
tools/train/cache/labels/<pass>_<drive>_<first frame>.npz with:
  frames  N x 360 x 640 x 3 uint8 BGR (whole frame, bilinear resize)
  masks   N x 360 x 640 uint8 (0 background, 1 drivable, 2 lane line; TwinLiteNet argmax, lane wins)
  boxes   M x 7 float32 [row, x1, y1, x2, y2, score, class] in 640x360 pixels
          (Yolo-Fastest, conf >= --yolo-conf, COCO mapped to student classes, per-class NMS 0.45)
  index   N source frame indices;  size  original (w, h)
Rerunning skips chunks already written. Usage: python label.py [--passes 6] [--yolo-conf 0.25] [--threads 2]
"""
import argparse
import glob
import os
import sys
import time

import cv2
import numpy as np

from common import CACHE, CACHE_H, CACHE_W, TRAIN_DRIVES, VAL_DRIVE, TwinLite, Yolo, read_frames

FRAMES = {"project_video": 1260, "challenge_video": 484, "challenge": 251, "solidYellowLeft": 681, "solidWhiteRight": 221}
PASSES = [("p0", [VAL_DRIVE], lambda i: i % 8 == 0)] + [
    (name, ["challenge", "solidYellowLeft", "solidWhiteRight", "project_video"], f) for name, f in [
        ("q0", lambda i: i % 16 == 0), ("q1", lambda i: i % 16 == 8), ("q2", lambda i: i % 8 == 4),
        ("q3", lambda i: i % 8 in (2, 6))]] + [
    ("p1", [VAL_DRIVE], lambda i: i % 2 == 0),
    ("q4", ["challenge", "solidYellowLeft", "solidWhiteRight", "project_video"], lambda i: i % 2 == 1)]
CHUNK = 40


def labelled(out_dir, drive):
    done = set()
    for p in glob.glob(os.path.join(out_dir, f"*_{drive}_*.npz")):
        if not p.endswith(".tmp.npz") and os.path.basename(p).split("_", 1)[1].rsplit("_", 1)[0] == drive:
            done |= set(int(i) for i in np.load(p)["index"])
    return done


def work_list(out_dir, passes):
    for name, drives, f in PASSES[:passes]:
        for d in drives:
            done = labelled(out_dir, d)
            idx = [i for i in range(FRAMES[d]) if f(i) and i not in done]
            for k in range(0, len(idx), CHUNK):
                yield name, d, idx[k:k + CHUNK]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--passes", type=int, default=len(PASSES))
    ap.add_argument("--yolo-conf", type=float, default=0.25)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    out_dir = os.path.join(CACHE, "labels")
    os.makedirs(out_dir, exist_ok=True)
    tl, yo = TwinLite(a.threads), Yolo(a.threads)
    for p, d, idx in work_list(out_dir, a.passes):
        out = os.path.join(out_dir, f"{p}_{d}_{idx[0]:04d}.npz")
        if os.path.exists(out):
            continue
        t0 = time.time()
        frames, masks, boxes, index = [], [], [], []
        size = None
        for i, f in read_frames(d, wanted=set(idx)):
            size = (f.shape[1], f.shape[0])
            r = len(frames)
            frames.append(cv2.resize(f, (CACHE_W, CACHE_H), interpolation=cv2.INTER_LINEAR))
            masks.append(tl.mask(f)); index.append(i)
            sx, sy = CACHE_W / f.shape[1], CACHE_H / f.shape[0]
            for x1, y1, x2, y2, s, c in yo.detect(f, conf=a.yolo_conf):
                boxes.append([r, x1 * sx, y1 * sy, x2 * sx, y2 * sy, s, c])
        tmp = out[:-4] + ".tmp.npz"
        np.savez(tmp, frames=np.stack(frames), masks=np.stack(masks), boxes=np.array(boxes, np.float32).reshape(-1, 7),
                 index=np.array(index), size=np.array(size))
        os.replace(tmp, out)
        print(f"{out}: {len(frames)} frames, {len(boxes)} boxes, {time.time()-t0:.0f}s", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
