#!/usr/bin/env python3
"""Run Yolo-Fastest 1.1 (onnxruntime) over every frame of the 1280x720 Udacity videos and cache
vehicle detections: tools/forecaster/cache/<video>.npz with `frames` (int, per detection),
`boxes` (x1 y1 x2 y2 frame pixels), `scores`, `classes` (COCO id).

Decoding follows ../shared/models/teachers/yolo-fastest-1.1.json: sigmoid offsets, anchors,
score = sigmoid(obj) * sigmoid(cls), threshold 0.25, greedy per-class NMS at IoU 0.45.
Vehicles: COCO car(2), motorbike(3), bus(5), truck(7) (the same mapping as the perception stage).

Usage: python3 tools/forecaster/detect.py [--videos project_video challenge_video challenge]
"""
import argparse
import json
import os
import sys

import cv2
import numpy as np
import onnxruntime as ort

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SHARED = os.path.join(ROOT, "..", "shared")
VEHICLE_COCO = (2, 3, 5, 7)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


class YoloFastest:
    def __init__(self, threads=1):
        meta_path = os.path.join(SHARED, "models", "teachers", "yolo-fastest-1.1.json")
        self.meta = json.load(open(meta_path))
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        self.sess = ort.InferenceSession(os.path.join(SHARED, "models", "teachers", self.meta["onnx"]), so,
                                         providers=["CPUExecutionProvider"])

    def __call__(self, bgr, conf=0.25, nms_iou=0.45):
        H, W = bgr.shape[:2]
        blob = cv2.dnn.blobFromImage(bgr, 1 / 255.0, (320, 320), swapRB=True, crop=False)
        outs = self.sess.run([o["name"] for o in self.meta["outputs"]], {"images": blob})
        boxes, scores, classes = [], [], []
        for o, spec in zip(outs, self.meta["outputs"]):
            gh, gw = spec["grid"]
            p = o.reshape(3, 85, gh, gw)
            for a, (aw, ah) in enumerate(spec["anchors"]):
                obj = sigmoid(p[a, 4])
                ys, xs = np.nonzero(obj > conf)
                for y, x in zip(ys, xs):
                    cls = sigmoid(p[a, 5:, y, x]) * obj[y, x]
                    cx = (x + sigmoid(p[a, 0, y, x])) / gw * W
                    cy = (y + sigmoid(p[a, 1, y, x])) / gh * H
                    bw = np.exp(p[a, 2, y, x]) * aw / 320 * W
                    bh = np.exp(p[a, 3, y, x]) * ah / 320 * H
                    for c in np.nonzero(cls > conf)[0]:
                        boxes.append((cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2))
                        scores.append(cls[c])
                        classes.append(c)
        if not boxes:
            return np.zeros((0, 4)), np.zeros(0), np.zeros(0, int)
        boxes, scores, classes = np.array(boxes), np.array(scores), np.array(classes)
        keep = []
        for c in np.unique(classes):
            idx = np.nonzero(classes == c)[0]
            idx = idx[np.argsort(-scores[idx], kind="stable")]
            while idx.size:
                i = idx[0]
                keep.append(i)
                iou = box_iou(boxes[i], boxes[idx[1:]])
                idx = idx[1:][iou <= nms_iou]
        keep = np.array(sorted(keep))
        return boxes[keep], scores[keep], classes[keep]


def vehicle_detections(det, bgr, nms_iou=0.45):
    """Vehicle detections after mapping COCO car/motorbike/bus/truck to one class and a class-agnostic
    NMS among them (the same box often scores as both car and truck): (boxes [N,4], scores [N])."""
    b, s, c = det(bgr)
    keep = np.isin(c, VEHICLE_COCO)
    b, s = b[keep], s[keep]
    order = np.argsort(-s, kind="stable")
    out = []
    while order.size:
        i = order[0]
        out.append(i)
        order = order[1:][box_iou(b[i], b[order[1:]]) <= nms_iou] if order.size > 1 else order[1:]
    out = np.array(sorted(out), int)
    return b[out], s[out]


def box_iou(a, b):
    iw = np.clip(np.minimum(a[2], b[:, 2]) - np.maximum(a[0], b[:, 0]), 0, None)
    ih = np.clip(np.minimum(a[3], b[:, 3]) - np.maximum(a[1], b[:, 1]), 0, None)
    inter = iw * ih
    ua = (a[2] - a[0]) * (a[3] - a[1]) + (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1]) - inter
    return inter / np.maximum(ua, 1e-9)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--videos", nargs="+", default=["project_video", "challenge_video", "challenge"])
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    os.makedirs(os.path.join(HERE, "cache"), exist_ok=True)
    det = YoloFastest(args.threads)
    for name in args.videos:
        out = os.path.join(HERE, "cache", name + ".npz")
        if os.path.exists(out):
            print(f"{name}: cached", file=sys.stderr)
            continue
        cap = cv2.VideoCapture(os.path.join(SHARED, "data", "udacity", "videos", name + ".mp4"))
        fps = cap.get(cv2.CAP_PROP_FPS)
        F, B, S, C = [], [], [], []
        i = 0
        size = (0, 0)
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            size = frame.shape[:2]
            b, s, c = det(frame)
            m = np.isin(c, VEHICLE_COCO)
            F += [i] * int(m.sum()); B += list(b[m]); S += list(s[m]); C += list(c[m])
            i += 1
        np.savez(out, frames=np.array(F, int), boxes=np.array(B, np.float32).reshape(-1, 4),
                 scores=np.array(S, np.float32), classes=np.array(C, int), n_frames=i, fps=fps,
                 size=np.array(size))
        print(f"{name}: {i} frames, {len(F)} vehicle detections, fps {fps}", file=sys.stderr)


if __name__ == "__main__":
    main()
