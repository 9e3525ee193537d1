#!/usr/bin/env python3
"""Yolo-Fastest vehicle detections on the bundled demo log's frames, committed as a small fixture
for the tracker's real-frame test: Tests/TrackingTests/Fixtures/udacity_clip_detections.json
({"frames": [{"file", "t_ns", "detections": [[x1, y1, x2, y2, score], ...]}, ...]}).

Usage: python3 tools/forecaster/clip_fixture.py [--log fixtures/logs/udacity_project_clip]
"""
import argparse
import json
import os
import sys

import cv2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import ROOT  # noqa: E402
from detect import YoloFastest, vehicle_detections  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--log", default=os.path.join(ROOT, "fixtures", "logs", "udacity_project_clip"))
    ap.add_argument("--out", default=os.path.join(ROOT, "Tests", "TrackingTests", "Fixtures",
                                                  "udacity_clip_detections.json"))
    a = ap.parse_args()
    det = YoloFastest(1)
    lines = [json.loads(l) for l in open(os.path.join(a.log, "log.jsonl"))]
    frames = []
    for l in lines[1:]:
        img = cv2.imread(os.path.join(a.log, l["file"]))
        b, s = vehicle_detections(det, img)
        frames.append({"file": l["file"], "t_ns": l["t_ns"],
                       "detections": [[round(float(v), 2) for v in bb] + [round(float(sc), 4)]
                                      for bb, sc in zip(b, s)]})
    with open(a.out, "w") as f:
        json.dump({"source": os.path.relpath(a.log, ROOT), "detector": "Yolo-Fastest 1.1 (onnxruntime), vehicles "
                   "(COCO car, motorbike, bus, truck), score >= 0.25, per-class NMS 0.45, then class-agnostic NMS 0.45 among vehicles", "frames": frames}, f)
    n = sum(len(f["detections"]) for f in frames)
    print(f"{len(frames)} frames, {n} detections -> {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
