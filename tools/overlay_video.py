"""Turns the annotated frames of `drivepipe run --overlay-dir DIR` into a video.
Usage: python tools/overlay_video.py DIR OUT.mp4 [--fps 25]
Needs opencv-python-headless (pip)."""
import argparse
import glob
import os
import sys

import cv2


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("out")
    ap.add_argument("--fps", type=float, default=25.0)
    a = ap.parse_args()
    files = sorted(glob.glob(os.path.join(a.dir, "*.jpg")))
    if not files:
        sys.exit(f"no overlay frames (*.jpg) in {a.dir}")
    first = cv2.imread(files[0])
    h, w = first.shape[:2]
    video = cv2.VideoWriter(a.out, cv2.VideoWriter_fourcc(*"mp4v"), a.fps, (w, h))
    for f in files:
        img = cv2.imread(f)
        if img is None:
            continue
        if img.shape[:2] != (h, w):
            img = cv2.resize(img, (w, h))
        video.write(img)
    video.release()
    print(f"{a.out}: {len(files)} frames, {w}x{h} at {a.fps} fps")


if __name__ == "__main__":
    main()
