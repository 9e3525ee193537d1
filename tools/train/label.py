"""Labels the Udacity drives with the teachers and caches frames + labels, in resumable chunks.

Work order is coarse-to-fine so that a partial run is already useful: pass 0 takes every 8th frame
of every drive (held-out drive first), pass 1 the frames at offset 4 (mod 8), pass 2 offsets 2 and 6
(training drives only after pass 0). Each chunk (<= 40 frames of one drive) becomes
tools/train/cache/labels/p<pass>_<drive>_<k>.npz with:
  frames  N x 360 x 640 x 3 uint8 BGR (whole frame, bilinear resize)
  masks   N x 360 x 640 uint8 (0 background, 1 drivable, 2 lane line; TwinLiteNet argmax, lane wins)
  boxes   M x 7 float32 [row, x1, y1, x2, y2, score, class] in 640x360 pixels
          (Yolo-Fastest, conf >= --yolo-conf, COCO mapped to student classes, per-class NMS 0.45)
  index   N source frame indices;  size  original (w, h)
Rerunning skips chunks already written. Usage: python label.py [--passes 3] [--yolo-conf 0.25]
"""
import argparse
import os
import sys
import time

import cv2
import numpy as np

from common import CACHE, CACHE_H, CACHE_W, TRAIN_DRIVES, VAL_DRIVE, TwinLite, Yolo, read_frames

FRAMES = {"project_video": 1260, "challenge_video": 484, "challenge": 251, "solidYellowLeft": 681, "solidWhiteRight": 221}
PASS_OFFSETS = [[0], [4], [2, 6]]
CHUNK = 40


def work_list(passes):
    for p in range(passes):
        drives = ([VAL_DRIVE] if p == 0 else []) + TRAIN_DRIVES
        for d in drives:
            idx = [i for i in range(FRAMES[d]) if i % 8 in PASS_OFFSETS[p]]
            for k in range(0, len(idx), CHUNK):
                yield p, d, k // CHUNK, idx[k:k + CHUNK]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--passes", type=int, default=3)
    ap.add_argument("--yolo-conf", type=float, default=0.25)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    out_dir = os.path.join(CACHE, "labels")
    os.makedirs(out_dir, exist_ok=True)
    tl, yo = TwinLite(a.threads), Yolo(a.threads)
    for p, d, k, idx in work_list(a.passes):
        out = os.path.join(out_dir, f"p{p}_{d}_{k:02d}.npz")
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
