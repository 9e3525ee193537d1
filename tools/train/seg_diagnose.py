"""Drivable-area diagnosis of a student ONNX model on the held-out drive (p0 selection frames by default): where its
drivable mask parts from the teacher's (TwinLiteNet argmax labels, 640x360, as evaluate.py scores it).

  pooled IoU, student/teacher area ratio, precision and recall of the drivable class;
  the union's pixels by kind: both, student only (split by where: the bottom strip y >= 330 (hood), left of the
      teacher's road in that row, right of it, between its parts or in rows it has none), teacher only
      (student says background / lane line);
  IoU by 60-frame stretch of the drive; optionally an overlay of some frames (green both, red student only,
      blue teacher only) next to the frame.

Usage: python seg_diagnose.py --model ../../fixtures/models/drivepipe-student.onnx [--passes p0] [--overlay F.png]
"""
import argparse
import json
import os

import cv2
import numpy as np

from common import heldout_items
from evaluate import Student

HOOD_Y = 330  # rows at and below this (of 360) show the car's own hood in the held-out drive


def where_extra(s, t):
    """s, t: HxW bool student / teacher drivable. Counts of student-only pixels by place (see the module doc)."""
    extra = s & ~t
    h, w = t.shape
    xs = np.arange(w)[None, :]
    has = t.any(1, keepdims=True)
    lo = np.where(has, np.argmax(t, 1)[:, None], w)                 # teacher's leftmost drivable x per row
    hi = np.where(has, w - 1 - np.argmax(t[:, ::-1], 1)[:, None], -1)  # rightmost
    hood = np.zeros_like(t)
    hood[HOOD_Y:] = True
    left, right = extra & ~hood & (xs < lo), extra & ~hood & (xs > hi)
    return {"hood": int((extra & hood).sum()), "left_of_road": int(left.sum()), "right_of_road": int(right.sum()),
            "between_or_no_road_row": int((extra & ~hood & ~left & ~right).sum())}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--passes", nargs="+", default=["p0"])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--overlay", help="PNG: three frames (the 1st, 21st and 41st scored) with their masks compared")
    a = ap.parse_args()
    st = Student(a.model, threads=a.threads)
    tot = {"inter": 0, "union": 0, "student": 0, "teacher": 0, "teacher_only_as_bg": 0, "teacher_only_as_lane": 0}
    places = {"hood": 0, "left_of_road": 0, "right_of_road": 0, "between_or_no_road_row": 0}
    stretch, tiles, seen = {}, [], 0
    for _, i, frame, mask, _ in heldout_items(a.passes):
        _, m = st.predict(frame, 640, 360)
        s, t = m == 1, mask == 1
        inter, union = int((s & t).sum()), int((s | t).sum())
        for k, v in (("inter", inter), ("union", union), ("student", int(s.sum())), ("teacher", int(t.sum())),
                     ("teacher_only_as_bg", int((t & (m == 0)).sum())), ("teacher_only_as_lane", int((t & (m == 2)).sum()))):
            tot[k] += v
        for k, v in where_extra(s, t).items():
            places[k] += v
        b = stretch.setdefault(i // 60 * 60, [0, 0])
        b[0] += inter; b[1] += union
        if a.overlay and seen % 20 == 0 and len(tiles) < 3:
            f = cv2.resize(frame, (640, 360), interpolation=cv2.INTER_AREA)
            o = f.astype(np.float32)
            for sel, col in (((s & t), (0, 255, 0)), ((s & ~t), (0, 0, 255)), ((~s & t), (255, 0, 0))):
                o[sel] = 0.5 * o[sel] + 0.5 * np.array(col, np.float32)
            tiles.append(np.hstack([f, o.astype(np.uint8)]))
        seen += 1
    u = max(tot["union"], 1)
    res = {"model": os.path.basename(a.model), "passes": a.passes, "frames": seen,
           "drivable_iou": tot["inter"] / u, "area_ratio_student_over_teacher": tot["student"] / max(tot["teacher"], 1),
           "precision": tot["inter"] / max(tot["student"], 1), "recall": tot["inter"] / max(tot["teacher"], 1),
           "share_of_union": {"both": tot["inter"] / u, **{f"student_only_{k}": v / u for k, v in places.items()},
                              "teacher_only_student_background": tot["teacher_only_as_bg"] / u,
                              "teacher_only_student_lane": tot["teacher_only_as_lane"] / u},
           "iou_by_60_frames": {str(k): v[0] / max(v[1], 1) for k, v in sorted(stretch.items())}}
    print(json.dumps(res, indent=1))
    if a.overlay and tiles:
        cv2.imwrite(a.overlay, np.vstack(tiles))


if __name__ == "__main__":
    main()
