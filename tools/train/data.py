"""Training data: cached teacher-labelled frames (label.py) -> augmented crops + CenterNet/seg targets."""
import glob
import math
import os

import cv2
import numpy as np

from common import CACHE, VAL_DRIVE
from model import NUM_CLASSES, STRIDE

IN_W, IN_H = 384, 224  # deployed input size; scale 1 here = the deployed object scale


def load_chunks(drives_excluded=(VAL_DRIVE,), only=None):
    """All cached chunks -> (frames list, masks list, boxes per frame list)."""
    frames, masks, boxes = [], [], []
    for p in sorted(glob.glob(os.path.join(CACHE, "labels", "*_*.npz"))):
        name = os.path.basename(p)
        if name.endswith(".tmp.npz"):
            continue
        drive = name.split("_", 1)[1].rsplit("_", 1)[0]
        if drive in drives_excluded or (only is not None and drive not in only):
            continue
        z = np.load(p)
        f, m, b = z["frames"], z["masks"], z["boxes"]  # each z[...] access reads the array from disk: once only
        for r in range(len(f)):
            frames.append(f[r]); masks.append(m[r])
            boxes.append(b[b[:, 0] == r, 1:])
    return frames, masks, boxes


def gaussian_radius(h, w, min_overlap=0.7):
    """CenterNet's radius so that a box shifted by it still has IoU >= min_overlap."""
    a1, b1, c1 = 1, h + w, w * h * (1 - min_overlap) / (1 + min_overlap)
    r1 = (b1 + math.sqrt(b1 ** 2 - 4 * a1 * c1)) / 2
    a2, b2, c2 = 4, 2 * (h + w), (1 - min_overlap) * w * h
    r2 = (b2 + math.sqrt(b2 ** 2 - 4 * a2 * c2)) / 2
    a3, b3, c3 = 4 * min_overlap, -2 * min_overlap * (h + w), (min_overlap - 1) * w * h
    r3 = (b3 + math.sqrt(b3 ** 2 - 4 * a3 * c3)) / 2
    return min(r1, r2, r3)


def draw_gaussian(hm, cx, cy, radius):
    d = 2 * radius + 1
    sigma = d / 6
    y, x = np.ogrid[-radius:radius + 1, -radius:radius + 1]
    g = np.exp(-(x * x + y * y) / (2 * sigma * sigma))
    H, W = hm.shape
    l, r = min(cx, radius), min(W - cx, radius + 1)
    t, b = min(cy, radius), min(H - cy, radius + 1)
    np.maximum(hm[cy - t:cy + b, cx - l:cx + r], g[radius - t:radius + b, radius - l:radius + r],
               out=hm[cy - t:cy + b, cx - l:cx + r])


def make_targets(boxes, w, h, pos_score=0.0):
    """boxes Nx6 [x1,y1,x2,y2,score,cls] in input pixels -> heatmap (C,h/8,w/8), wh (2,..), off (2,..), mask (..),
    ignore (C,h/8,w/8). Boxes scoring >= pos_score are targets; weaker teacher boxes (uncertain: the teacher
    itself is unsure) are not targets, and their cells (the box, in its class channel) are ignored by the
    heatmap loss instead of being pushed to 0."""
    H, W = h // STRIDE, w // STRIDE
    hm = np.zeros((NUM_CLASSES, H, W), np.float32)
    wh = np.zeros((2, H, W), np.float32)
    off = np.zeros((2, H, W), np.float32)
    msk = np.zeros((H, W), np.float32)
    ign = np.zeros((NUM_CLASSES, H, W), np.float32)
    for x1, y1, x2, y2, s, c in boxes:
        if s < pos_score:
            ign[int(c), max(0, int(y1 // STRIDE)):int(math.ceil(y2 / STRIDE)), max(0, int(x1 // STRIDE)):int(math.ceil(x2 / STRIDE))] = 1
    for x1, y1, x2, y2, s, c in boxes:
        if s < pos_score:
            continue
        bw, bh = (x2 - x1) / STRIDE, (y2 - y1) / STRIDE
        cx, cy = (x1 + x2) / 2 / STRIDE, (y1 + y2) / 2 / STRIDE
        ix, iy = int(cx), int(cy)
        if not (0 <= ix < W and 0 <= iy < H):
            continue
        rad = max(0, int(gaussian_radius(math.ceil(bh), math.ceil(bw))))
        draw_gaussian(hm[int(c)], ix, iy, rad)
        wh[:, iy, ix] = (bw, bh)
        off[:, iy, ix] = (cx - ix, cy - iy)
        msk[iy, ix] = 1
    ign[hm > 0] = 0  # a real target's neighbourhood is never ignored
    return hm, wh, off, msk, ign


def augment(frame, mask, boxes, rng, crop=(IN_W, IN_H), scale=(1.0, 1.5), full_p=0.35, in_size=(IN_W, IN_H)):
    """Random zoom (relative to the deployed input size in_size: scale 1 = the whole frame as deployed; with
    probability full_p exactly that), random crop, h-flip (mask and boxes mirrored: the classes have no
    left/right meaning), brightness/contrast, per-channel gain.
    frame: 360x640x3 BGR uint8, mask 360x640, boxes Nx6 in 640x360 px. Returns RGB float CHW, mask, boxes."""
    cw, ch = crop
    s = 1.0 if rng.random() < full_p else rng.uniform(*scale)
    sw, sh = max(cw, int(round(in_size[0] * s))), max(ch, int(round(in_size[1] * s)))
    img = cv2.resize(frame, (sw, sh), interpolation=cv2.INTER_LINEAR if s < 1.6 else cv2.INTER_AREA)
    m = cv2.resize(mask, (sw, sh), interpolation=cv2.INTER_NEAREST)
    x0, y0 = rng.integers(0, sw - cw + 1), rng.integers(0, sh - ch + 1)
    img, m = img[y0:y0 + ch, x0:x0 + cw], m[y0:y0 + ch, x0:x0 + cw]
    b = boxes.copy()
    if len(b):
        fx, fy = sw / frame.shape[1], sh / frame.shape[0]
        b[:, [0, 2]] = b[:, [0, 2]] * fx - x0
        b[:, [1, 3]] = b[:, [1, 3]] * fy - y0
        area = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
        b[:, [0, 2]] = b[:, [0, 2]].clip(0, cw)
        b[:, [1, 3]] = b[:, [1, 3]].clip(0, ch)
        carea = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
        keep = (carea >= 0.4 * np.maximum(area, 1e-6)) & (b[:, 2] - b[:, 0] >= 2) & (b[:, 3] - b[:, 1] >= 2)
        b = b[keep]
    if rng.random() < 0.5:
        img, m = img[:, ::-1], m[:, ::-1]
        if len(b):
            b[:, [0, 2]] = cw - b[:, [2, 0]]
    img = img[:, :, ::-1].astype(np.float32)  # RGB
    gain = rng.uniform(0.7, 1.3) * rng.uniform(0.92, 1.08, size=3).astype(np.float32)
    img = img * gain + rng.uniform(-25, 25)
    img = np.clip(img, 0, 255) / 255.0
    return np.ascontiguousarray(img.transpose(2, 0, 1)), np.ascontiguousarray(m), b
