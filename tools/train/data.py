"""Training data: cached teacher-labelled frames (label.py) -> augmented crops + CenterNet/seg targets."""
import glob
import math
import os

import cv2
import numpy as np

from common import CACHE, VAL_DRIVE
from model import NUM_CLASSES, STRIDE

IN_W, IN_H = 512, 288  # deployed input size (v4; v3 was 384x224); scale 1 here = the deployed object scale


def load_chunks(drives_excluded=(VAL_DRIVE,), only=None, soft=False):
    """All cached chunks -> (frames list, masks list, boxes per frame list[, soft list]).
    soft=True also returns each frame's cached teacher probabilities (soft_labels.py: 360x640x2 uint8, None where
    a chunk has no soft file yet)."""
    frames, masks, boxes, softs = [], [], [], []
    for p in sorted(glob.glob(os.path.join(CACHE, "labels", "*_*.npz"))):
        name = os.path.basename(p)
        if name.endswith(".tmp.npz"):
            continue
        drive = name.split("_", 1)[1].rsplit("_", 1)[0]
        if drive in drives_excluded or (only is not None and drive not in only):
            continue
        z = np.load(p)
        f, m, b = z["frames"], z["masks"], z["boxes"]  # each z[...] access reads the array from disk: once only
        sp = os.path.join(CACHE, "soft", name)
        s = np.load(sp)["soft"] if soft and os.path.exists(sp) else None
        for r in range(len(f)):
            frames.append(f[r]); masks.append(m[r])
            boxes.append(b[b[:, 0] == r, 1:])
            softs.append(None if s is None else s[r])
    return (frames, masks, boxes, softs) if soft else (frames, masks, boxes)


def soft_targets(soft):
    """2xHxW float teacher probabilities (drivable, lane line) -> 3xHxW class probabilities (background, drivable,
    lane line), composed like the hard labels (lane wins): p_lane, (1 - p_lane) p_drivable, (1 - p_lane)(1 - p_drivable)."""
    pd, pl = soft[0], soft[1]
    return np.stack([(1 - pl) * (1 - pd), (1 - pl) * pd, pl]).astype(np.float32)


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


def make_targets(boxes, w, h, pos_score=0.0, stride=STRIDE, small_px=0, small_weight=1.0, reg_radius=0, reg_weight=0.5):
    """boxes Nx6 [x1,y1,x2,y2,score,cls] in input pixels -> heatmap (C,h/s,w/s), wh (2,..), off (2,..), mask (..),
    ignore (C,h/s,w/s), pos_weight (h/s,w/s), s = stride. Boxes scoring >= pos_score are targets; weaker teacher boxes (uncertain: the teacher
    itself is unsure) are not targets, and their cells (the box, in its class channel) are ignored by the
    heatmap loss instead of being pushed to 0. pos_weight: weight of a target's centre cell in the heatmap loss,
    small_weight for boxes under small_px input pixels high (far vehicles, v5), else 1.
    reg_radius r > 0 (v6): size and offset are also regressed at the cells within r (Chebyshev) of each centre cell,
    with weight reg_weight in msk (centre cells 1) and the offset measured from that cell (so it spans -r..r+1), so a
    heatmap peak one cell off the teacher's centre (the common case for boxes under 16 px high) still decodes the
    teacher's box. A cell near several centres takes the nearest one; centre cells are never taken over."""
    H, W = h // stride, w // stride
    hm = np.zeros((NUM_CLASSES, H, W), np.float32)
    wh = np.zeros((2, H, W), np.float32)
    off = np.zeros((2, H, W), np.float32)
    msk = np.zeros((H, W), np.float32)
    ign = np.zeros((NUM_CLASSES, H, W), np.float32)
    pw = np.ones((H, W), np.float32)
    dist = np.full((H, W), np.inf, np.float32)  # distance of a regression cell to its box centre (0: a centre cell)
    for x1, y1, x2, y2, s, c in boxes:
        if s < pos_score:
            ign[int(c), max(0, int(y1 // stride)):int(math.ceil(y2 / stride)), max(0, int(x1 // stride)):int(math.ceil(x2 / stride))] = 1
    for x1, y1, x2, y2, s, c in boxes:
        if s < pos_score:
            continue
        bw, bh = (x2 - x1) / stride, (y2 - y1) / stride
        cx, cy = (x1 + x2) / 2 / stride, (y1 + y2) / 2 / stride
        ix, iy = int(cx), int(cy)
        if not (0 <= ix < W and 0 <= iy < H):
            continue
        rad = max(0, int(gaussian_radius(math.ceil(bh), math.ceil(bw))))
        draw_gaussian(hm[int(c)], ix, iy, rad)
        wh[:, iy, ix] = (bw, bh)
        off[:, iy, ix] = (cx - ix, cy - iy)
        msk[iy, ix] = 1
        dist[iy, ix] = 0
        for ny in range(max(0, iy - reg_radius), min(H, iy + reg_radius + 1)):
            for nx in range(max(0, ix - reg_radius), min(W, ix + reg_radius + 1)):
                dd = math.hypot(cx - nx - 0.5, cy - ny - 0.5)
                if (nx, ny) == (ix, iy) or dist[ny, nx] <= dd:
                    continue
                wh[:, ny, nx] = (bw, bh)
                off[:, ny, nx] = (cx - nx, cy - ny)
                msk[ny, nx] = reg_weight
                dist[ny, nx] = dd
        if y2 - y1 < small_px:
            pw[iy, ix] = small_weight
    ign[hm > 0] = 0  # a real target's neighbourhood is never ignored
    return hm, wh, off, msk, ign, pw


SEG_IGNORE = 255  # mask value of padded pixels (zoom-out): no segmentation loss there


def _boxes_to(boxes, fx, fy, dx, dy, cw, ch):
    """Boxes scaled by (fx, fy), shifted by (dx, dy), clipped to cw x ch. A box that is cut to less than 40%
    of its area (or under 2 px) stays as an ignored region (score 0: no target, no negative loss) instead of
    vanishing, so a half-visible car is not taught as background."""
    b = boxes.copy()
    if not len(b):
        return b
    b[:, [0, 2]] = b[:, [0, 2]] * fx + dx
    b[:, [1, 3]] = b[:, [1, 3]] * fy + dy
    area = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    b[:, [0, 2]] = b[:, [0, 2]].clip(0, cw)
    b[:, [1, 3]] = b[:, [1, 3]].clip(0, ch)
    w, h = b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]
    inside = (w > 0) & (h > 0)
    cut = (w * h < 0.4 * np.maximum(area, 1e-6)) | (w < 2) | (h < 2)
    b[cut, 4] = 0.0
    return b[inside]


def _photometric(img, rng):
    """img HxWx3 float32 RGB 0..255 -> same, jittered: per-channel gain, brightness/contrast, saturation,
    gamma, cast shadows (darkened random quadrilaterals), blur, sensor noise, rare grayscale."""
    h, w = img.shape[:2]
    if rng.random() < 0.8:  # saturation
        g = img.mean(2, keepdims=True)
        img = g + (img - g) * rng.uniform(0.5, 1.5)
    if rng.random() < 0.05:
        img = np.repeat(img.mean(2, keepdims=True), 3, 2)
    gain = rng.uniform(0.65, 1.35) * rng.uniform(0.9, 1.1, size=3).astype(np.float32)
    mean = img.mean()
    img = (img - mean) * rng.uniform(0.7, 1.3) + mean  # contrast
    img = img * gain + rng.uniform(-30, 30)
    if rng.random() < 0.4:  # cast shadows: 1-3 dark quadrilaterals (overpasses, trees, barriers)
        shade = np.ones((h, w), np.float32)
        for _ in range(rng.integers(1, 4)):
            cx, cy = rng.uniform(0, w), rng.uniform(h * 0.3, h)
            rx, ry = rng.uniform(0.1, 0.6) * w, rng.uniform(0.05, 0.4) * h
            pts = np.stack([cx + rng.uniform(-rx, rx, 4), cy + rng.uniform(-ry, ry, 4)], 1).astype(np.int32)
            cv2.fillConvexPoly(shade, cv2.convexHull(pts), float(rng.uniform(0.35, 0.8)))
        if rng.random() < 0.5:
            shade = cv2.GaussianBlur(shade, (0, 0), rng.uniform(2, 8))
        img = img * shade[:, :, None]
    img = np.clip(img, 0, 255)
    if rng.random() < 0.5:
        img = 255.0 * (img / 255.0) ** rng.uniform(0.7, 1.4)
    if rng.random() < 0.15:
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.5, 1.3))
    if rng.random() < 0.2:
        img = img + rng.normal(0, rng.uniform(2, 7), img.shape).astype(np.float32)
    return img


def augment(frame, mask, boxes, rng, crop=(IN_W, IN_H), scale=(0.8, 1.6), full_p=0.3, in_size=(IN_W, IN_H),
            focus_p=0.5, soft=None, relabel=None):
    """Random zoom relative to the deployed input size in_size (scale 1 = the whole frame as deployed; with
    probability full_p exactly that; below 1 the frame is pasted into a padded canvas whose pixels are ignored by
    the segmentation loss), random crop (with probability focus_p centred near a random teacher box, so the crop
    keeps objects), h-flip (mask and boxes mirrored: the classes have no left/right meaning), photometric jitter.
    frame: 360x640x3 BGR uint8, mask 360x640, boxes Nx6 in 640x360 px, soft None or 360x640x2 uint8 teacher
    probabilities (moved with the mask, bilinear). relabel None, or a function BGR uint8 crop -> boxes Nx6 in crop
    pixels (v9: the teacher run on the very crop the student sees, before mirror and photometric jitter, instead of
    the cached boxes moved with it). Returns RGB float CHW 0..1, mask, boxes (and with soft: 2xHxW float
    probabilities 0..1; padded pixels are ignored through the mask)."""
    cw, ch = crop
    s = 1.0 if rng.random() < full_p else rng.uniform(*scale)
    sw, sh = int(round(in_size[0] * s)), int(round(in_size[1] * s))
    img = cv2.resize(frame, (sw, sh), interpolation=cv2.INTER_LINEAR if s < 1.6 else cv2.INTER_AREA)
    m = cv2.resize(mask, (sw, sh), interpolation=cv2.INTER_NEAREST)
    sm = None if soft is None else cv2.resize(soft, (sw, sh), interpolation=cv2.INTER_LINEAR)
    fx, fy = sw / frame.shape[1], sh / frame.shape[0]
    if sw < cw or sh < ch:  # zoom out: paste into a canvas (grey), padded mask ignored
        px, py = rng.integers(0, max(cw - sw, 0) + 1), rng.integers(0, max(ch - sh, 0) + 1)
        can = np.full((max(ch, sh), max(cw, sw), 3), 114, np.uint8)
        cm = np.full((max(ch, sh), max(cw, sw)), SEG_IGNORE, np.uint8)
        can[py:py + sh, px:px + sw] = img
        cm[py:py + sh, px:px + sw] = m
        if sm is not None:
            cs = np.zeros((max(ch, sh), max(cw, sw), 2), np.uint8)
            cs[py:py + sh, px:px + sw] = sm
            sm = cs
        img, m, ox, oy = can, cm, px, py
        sh, sw = img.shape[:2]
    else:
        ox = oy = 0
    if len(boxes) and rng.random() < focus_p:
        k = rng.integers(len(boxes))
        bx = (boxes[k, 0] + boxes[k, 2]) / 2 * fx + ox
        by = (boxes[k, 1] + boxes[k, 3]) / 2 * fy + oy
        x0 = int(np.clip(bx - rng.uniform(0.15, 0.85) * cw, 0, sw - cw))
        y0 = int(np.clip(by - rng.uniform(0.15, 0.85) * ch, 0, sh - ch))
    else:
        x0, y0 = int(rng.integers(0, sw - cw + 1)), int(rng.integers(0, sh - ch + 1))
    img, m = img[y0:y0 + ch, x0:x0 + cw], m[y0:y0 + ch, x0:x0 + cw]
    if sm is not None:
        sm = sm[y0:y0 + ch, x0:x0 + cw]
    b = _boxes_to(boxes, fx, fy, ox - x0, oy - y0, cw, ch) if relabel is None else relabel(np.ascontiguousarray(img))
    if rng.random() < 0.5:
        img, m = img[:, ::-1], m[:, ::-1]
        if sm is not None:
            sm = sm[:, ::-1]
        if len(b):
            b[:, [0, 2]] = cw - b[:, [2, 0]]
    img = _photometric(img[:, :, ::-1].astype(np.float32), rng)  # RGB
    img = np.clip(img, 0, 255) / 255.0
    x = np.ascontiguousarray(img.transpose(2, 0, 1), dtype=np.float32)
    if soft is None:
        return x, np.ascontiguousarray(m), b
    return x, np.ascontiguousarray(m), b, np.ascontiguousarray(sm.transpose(2, 0, 1), dtype=np.float32) / 255.0
