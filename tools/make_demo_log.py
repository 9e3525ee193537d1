#!/usr/bin/env python3
"""Rebuild the bundled demo drive log fixtures/logs/udacity_project_clip from a short clip of
Udacity's project_video.mp4 (MIT licence, ../shared/data/udacity/videos).

Output (DrivePipe drive-log format, see README.md "Drive-log format"):
  <out>/log.jsonl      metadata line (camera intrinsics, mounting), then one line per frame
  <out>/frames/*.jpg   1280x720 JPEG frames
  <out>/ATTRIBUTION.md source, licence and what is (not) in the log

Capture times come from the frame index at the video's 25 fps (t_ns = index * 40 ms, counted
from the first frame of the video). The video has no vehicle signals, so the log carries none
("signals": "none"): nothing is made up.

Camera: fixtures/calibration/udacity_1280x720.json (from the chessboard photos; its
mount_height_m / pitch_rad too when it has them) when present, else a documented approximation
(fx = fy = 1150, cx = 640, cy = 360, no distortion, height 1.2 m, pitch 0 rad), stated in the
metadata note and ATTRIBUTION.md.

usage: tools/make_demo_log.py [--start 540] [--count 100] [--quality 50] [--out DIR]
"""
import argparse
import json
import os
import shutil
import sys

import cv2

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VIDEO = os.path.join(ROOT, "..", "shared", "data", "udacity", "videos", "project_video.mp4")
CALIB = os.path.join(ROOT, "fixtures", "calibration", "udacity_1280x720.json")
APPROX = {"name": "udacity_front", "width": 1280, "height": 720, "fx": 1150.0, "fy": 1150.0,
          "cx": 640.0, "cy": 360.0, "distortion": []}
MOUNT_HEIGHT_M = 1.2
PITCH_RAD = 0.0
LIMIT_BYTES = 6 * 1024 * 1024


def camera():
    if os.path.exists(CALIB):
        with open(CALIB) as f:
            c = json.load(f)
        cam = {k: c[k] for k in ("name", "width", "height", "fx", "fy", "cx", "cy")}
        cam["distortion"] = list(c.get("distortion", []))
        note = "intrinsics from fixtures/calibration/udacity_1280x720.json (chessboard calibration)"
        if "mount_height_m" in c and "pitch_rad" in c:
            cam["mount_height_m"] = c["mount_height_m"]
            cam["pitch_rad"] = c["pitch_rad"]
            note += " (its pitch comes from the lane vanishing point; its height is assumed and checked by the lane width it implies)"
        return cam, note
    return dict(APPROX), "intrinsics APPROXIMATED (fx=fy=1150, cx=640, cy=360, no distortion): calibration file absent"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--video", default=VIDEO)
    ap.add_argument("--start", type=int, default=540, help="first video frame (0-based)")
    ap.add_argument("--count", type=int, default=100, help="frames (at most 150)")
    ap.add_argument("--quality", type=int, default=50, help="JPEG quality")
    ap.add_argument("--out", default=os.path.join(ROOT, "fixtures", "logs", "udacity_project_clip"))
    a = ap.parse_args()
    if not 1 <= a.count <= 150:
        sys.exit("--count must be in 1..150")
    if not os.path.exists(a.video):
        sys.exit(f"video not found: {a.video}")

    cap = cv2.VideoCapture(a.video)
    fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
    cap.set(cv2.CAP_PROP_POS_FRAMES, a.start)
    if os.path.exists(a.out):
        shutil.rmtree(a.out)
    os.makedirs(os.path.join(a.out, "frames"))

    cam, cam_note = camera()
    mount_note = "mounting (mount_height_m, pitch_rad) from the calibration file"
    if "mount_height_m" not in cam:
        cam["mount_height_m"] = MOUNT_HEIGHT_M
        cam["pitch_rad"] = PITCH_RAD
        mount_note = "mount_height_m and pitch_rad approximated (1.2 m, 0 rad)"
    meta = {
        "type": "metadata", "version": 1, "camera": cam, "signals": "none",
        "note": f"Udacity project_video.mp4 (MIT) frames {a.start}..{a.start + a.count - 1} at {fps:g} fps; "
                f"{cam_note}; {mount_note}; no vehicle signals recorded",
        "attribution": "Udacity, CarND-Advanced-Lane-Lines project_video.mp4, MIT licence (see ATTRIBUTION.md)",
    }
    lines = [json.dumps(meta, separators=(",", ":"))]
    total = 0
    for i in range(a.count):
        ok, frame = cap.read()
        if not ok:
            sys.exit(f"video ended at frame {a.start + i}")
        if frame.shape[1] != 1280 or frame.shape[0] != 720:
            frame = cv2.resize(frame, (1280, 720), interpolation=cv2.INTER_AREA)
        name = f"frames/{i:06d}.jpg"
        ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, a.quality])
        assert ok
        with open(os.path.join(a.out, name), "wb") as f:
            f.write(buf.tobytes())
        total += len(buf)
        t_ns = round((a.start + i) * 1e9 / fps)
        lines.append(json.dumps({"file": name, "t_ns": t_ns}, separators=(",", ":")))
    with open(os.path.join(a.out, "log.jsonl"), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(a.out, "ATTRIBUTION.md"), "w") as f:
        f.write(f"""# Demo drive log: attribution and licence

Frames {a.start} to {a.start + a.count - 1} of `project_video.mp4` from Udacity's
Self-Driving Car Nanodegree project "Advanced Lane Finding"
(https://github.com/udacity/CarND-Advanced-Lane-Lines), re-encoded as 1280x720 JPEG
(quality {a.quality}) by `tools/make_demo_log.py`.

Licence: MIT License, Copyright (c) 2017 Udacity, Inc. Permission is hereby granted, free of
charge, to any person obtaining a copy of this software and associated documentation files,
to deal in the Software without restriction, subject to including the copyright notice and
this permission notice in all copies or substantial portions. THE SOFTWARE IS PROVIDED "AS IS",
WITHOUT WARRANTY OF ANY KIND.

What is in `log.jsonl`:
- capture times `t_ns`: the frame's position in the video at {fps:g} fps (not wall-clock time);
- camera: {cam_note};
- mounting: {mount_note};
- vehicle signals: none. The video has no speed/steering/yaw-rate recording, so the log has none
  (`"signals": "none"`); nothing in this log is synthetic.
""")
    total += os.path.getsize(os.path.join(a.out, "log.jsonl"))
    print(f"wrote {a.count} frames, {total / 1e6:.2f} MB to {a.out}", file=sys.stderr)
    if total > LIMIT_BYTES:
        sys.exit(f"demo log is {total} bytes, over the {LIMIT_BYTES} limit: lower --quality or --count")


if __name__ == "__main__":
    main()
