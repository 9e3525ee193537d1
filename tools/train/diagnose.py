"""Vehicle-detection diagnosis of a student ONNX model on the held-out drive's p0 frames (selection frames only;
never p1), and the teacher's own label-noise floor on the same frames.

  student: AP at IoU 0.5 / 0.3 / 0.1 against the teacher's vehicle boxes (conf >= 0.4 required, 0.25-0.4 ignored,
      exactly evaluate.py's AP50@0.4), recall at score >= 0.05 / 0.1 / 0.2 / 0.3 per teacher-box height (640x360
      pixels), size/centre error of the matched boxes, and where the false positives at score >= 0.3 are
      (near a teacher box at IoU 0.1-0.5 = localisation, a second detection on a matched box = duplicate,
      elsewhere = background; by height); where the heatmap peaks are relative to the teacher's centre cells.
  teacher floor: Yolo-Fastest on the mirrored frame (boxes mirrored back), and on a central 90% crop (objects
      ~1.11x larger, boxes mapped back), each scored with the same AP50@0.4 against the teacher's own labels.

Usage: python diagnose.py --model ../../fixtures/models/drivepipe-student.onnx [--teacher] [--out diag.json]
"""
import argparse
import json

import numpy as np

from common import Yolo, heldout_items
from evaluate import Student, average_precision, iou_boxes

HBINS = [(0, 16), (16, 24), (24, 32), (32, 48), (48, 1e9)]  # teacher box height, 640x360 pixels


def p0_items():
    """(frame index, BGR frame, teacher vehicle boxes Mx5 at 640x360) of the p0 frames of the held-out drive."""
    return [(i, frame, b[b[:, 5] == 0][:, :5]) for _, i, frame, _, b in heldout_items(("p0",))]


def ap_at(dets, gts, thr, conf=0.4):
    req = [g[g[:, 4] >= conf, :4] for g in gts]
    ign = [g[g[:, 4] < conf, :4] for g in gts]
    return average_precision(dets, req, thr=thr, ignored=ign)


def hbin(h):
    for lo, hi in HBINS:
        if lo <= h < hi:
            return f"h{lo:g}-{hi:g}" if hi < 1e9 else f"h>={lo:g}"


def student_diag(dets, gts):
    res = {"ap": {f"iou_{t:g}": round(ap_at(dets, gts, t), 4) for t in (0.5, 0.3, 0.1)}}
    req = [g[g[:, 4] >= 0.4] for g in gts]
    # recall per height bin and score threshold (greedy, best IoU first, like evaluate.recall)
    rec = {}
    for s_thr in (0.05, 0.1, 0.2, 0.3):
        for iou_thr in (0.5, 0.3):
            hits, tot = {}, {}
            for d, g in zip(dets, req):
                d = d[d[:, 4] >= s_thr]
                used = np.zeros(len(d), bool)
                ious = iou_boxes(g[:, :4], d[:, :4]) if len(d) and len(g) else np.zeros((len(g), 0))
                order = np.argsort(-ious.max(1)) if ious.shape[1] else range(len(g))
                for i in order:
                    k = hbin(g[i, 3] - g[i, 1])
                    tot[k] = tot.get(k, 0) + 1
                    if ious.shape[1]:
                        j = int(np.argmax(np.where(used, -1, ious[i])))
                        if ious[i, j] >= iou_thr and not used[j]:
                            used[j] = True; hits[k] = hits.get(k, 0) + 1
            rec[f"score_{s_thr:g}_iou_{iou_thr:g}"] = {k: f"{hits.get(k, 0)}/{tot[k]}" for k in sorted(tot)}
            rec[f"score_{s_thr:g}_iou_{iou_thr:g}"]["all"] = round(sum(hits.values()) / max(sum(tot.values()), 1), 4)
    res["recall"] = rec
    # matched boxes (best student box at IoU >= 0.3, score >= 0.05): size ratio and centre error, per height bin
    errs = {}
    for d, g in zip(dets, req):
        if not len(d) or not len(g):
            continue
        ious = iou_boxes(g[:, :4], d[:, :4])
        for i in range(len(g)):
            j = int(np.argmax(ious[i]))
            if ious[i, j] < 0.3:
                continue
            gw, gh = g[i, 2] - g[i, 0], g[i, 3] - g[i, 1]
            dw, dh = d[j, 2] - d[j, 0], d[j, 3] - d[j, 1]
            dc = np.hypot((d[j, 0] + d[j, 2] - g[i, 0] - g[i, 2]) / 2, (d[j, 1] + d[j, 3] - g[i, 1] - g[i, 3]) / 2)
            errs.setdefault(hbin(gh), []).append((dw / gw, dh / gh, dc / gh, ious[i, j]))
    res["matched_iou03"] = {k: {"n": len(v), "median_w_ratio": round(float(np.median([e[0] for e in v])), 3),
                                "median_h_ratio": round(float(np.median([e[1] for e in v])), 3),
                                "median_centre_err_over_h": round(float(np.median([e[2] for e in v])), 3),
                                "median_iou": round(float(np.median([e[3] for e in v])), 3),
                                "share_iou_below_0.5": round(float(np.mean([e[3] < 0.5 for e in v])), 3)}
                            for k, v in sorted(errs.items())}
    # false positives at score >= 0.3
    fp = {"localisation": 0, "duplicate": 0, "ignored_box": 0, "background": 0, "tp": 0}
    fp_h = {}
    for d, g in zip(dets, gts):
        d = d[d[:, 4] >= 0.3]
        d = d[np.argsort(-d[:, 4])]
        r, ig = g[g[:, 4] >= 0.4, :4], g[g[:, 4] < 0.4, :4]
        used = np.zeros(len(r), bool)
        for j in range(len(d)):
            b = d[j:j + 1, :4]
            ir = iou_boxes(b, r)[0] if len(r) else np.zeros(0)
            if len(ir):
                k = int(np.argmax(ir))
                if ir[k] >= 0.5 and not used[k]:
                    used[k] = True; fp["tp"] += 1; continue
                if ir[k] >= 0.5:
                    kind = "duplicate"
                elif ir.max() >= 0.1:
                    kind = "localisation"
                else:
                    kind = None
            else:
                kind = None
            if kind is None:
                kind = "ignored_box" if len(ig) and iou_boxes(b, ig)[0].max() >= 0.1 else "background"
            fp[kind] += 1
            hk = hbin(b[0, 3] - b[0, 1])
            fp_h.setdefault(kind, {}); fp_h[kind][hk] = fp_h[kind].get(hk, 0) + 1
    res["detections_score_0.3"] = fp
    res["non_tp_by_det_height"] = fp_h
    res["teacher_boxes_by_height"] = {}
    for g in req:
        for b in g:
            k = hbin(b[3] - b[1]); res["teacher_boxes_by_height"][k] = res["teacher_boxes_by_height"].get(k, 0) + 1
    res["ap50_by_height"] = {}
    for lo, hi in HBINS:  # AP50 with only this height bin required; other required boxes ignored
        rq = [g[(g[:, 4] >= 0.4) & (g[:, 3] - g[:, 1] >= lo) & (g[:, 3] - g[:, 1] < hi), :4] for g in gts]
        ig = [g[~((g[:, 4] >= 0.4) & (g[:, 3] - g[:, 1] >= lo) & (g[:, 3] - g[:, 1] < hi)), :4] for g in gts]
        k = f"h{lo:g}-{hi:g}" if hi < 1e9 else f"h>={lo:g}"
        res["ap50_by_height"][k] = round(average_precision(dets, rq, ignored=ig), 4)
    return res


def peak_diag(st, items):
    """Per teacher-box height: the box the model regresses at the teacher's centre cell (IoU >= 0.5 share), the
    heatmap there, and the Chebyshev distance (cells) from that cell to the nearest heatmap peak (3x3 max, > 0.05)."""
    S = st.stride
    sx, sy = st.w / 640, st.h / 360
    rows = []
    for _, f, g in items:
        hm, size, off, _ = st.run(f)
        hm, size, off = hm[0], size[0], off[0]
        H, W = hm.shape[1:]
        p = np.pad(hm[0], 1, constant_values=-np.inf)
        pooled = np.max(np.stack([p[dy:dy + H, dx:dx + W] for dy in range(3) for dx in range(3)]), 0)
        ys, xs = np.nonzero((hm[0] == pooled) & (hm[0] > 0.05))
        for b in g[g[:, 4] >= 0.4]:
            ix, iy = int((b[0] + b[2]) / 2 * sx / S), int((b[1] + b[3]) / 2 * sy / S)
            px, py = (ix + off[0, iy, ix]) * S / sx, (iy + off[1, iy, ix]) * S / sy
            w, h = max(size[0, iy, ix], 0) * S / sx, max(size[1, iy, ix], 0) * S / sy
            iou = iou_boxes(np.array([[px - w / 2, py - h / 2, px + w / 2, py + h / 2]]), b[None, :4])[0, 0]
            dist = int(min(np.maximum(abs(xs - ix), abs(ys - iy)).min(), 3)) if len(xs) else 3
            rows.append((hbin(b[3] - b[1]), iou, hm[0, iy, ix], dist))
    out = {}
    for k in sorted({r[0] for r in rows}):
        v = [r for r in rows if r[0] == k]
        out[k] = {"n": len(v), "centre_cell_box_iou_ge_0.5": round(float(np.mean([r[1] >= 0.5 for r in v])), 3),
                  "centre_cell_heatmap_median": round(float(np.median([r[2] for r in v])), 3),
                  "nearest_peak_cells_0_1_2_ge3": [sum(r[3] == d for r in v) for d in range(4)]}
    return out


def teacher_floor(items, threads=1):
    yo = Yolo(threads)
    flip, crop = [], []
    for _, f, _ in items:
        H, W = f.shape[:2]
        sx, sy = 640 / W, 360 / H
        d = yo.detect(f[:, ::-1].copy(), conf=0.05)
        d = d[d[:, 5] == 0]
        b = d[:, :5].copy()
        b[:, [0, 2]] = W - d[:, [2, 0]]
        b[:, [0, 2]] *= sx; b[:, [1, 3]] *= sy
        flip.append(b)
        m = 0.05  # central 90% crop
        x0, y0, x1, y1 = int(W * m), int(H * m), int(W * (1 - m)), int(H * (1 - m))
        d = yo.detect(f[y0:y1, x0:x1].copy(), conf=0.05)
        d = d[d[:, 5] == 0]
        b = d[:, :5].copy()
        b[:, [0, 2]] = (b[:, [0, 2]] + x0) * sx; b[:, [1, 3]] = (b[:, [1, 3]] + y0) * sy
        crop.append(b)
    gts = [g for _, _, g in items]
    out = {}
    for k, dets in (("mirror", flip), ("crop90", crop)):
        out[k] = {"ap50_04": round(ap_at(dets, gts, 0.5), 4), "ap30_04": round(ap_at(dets, gts, 0.3), 4),
                  "ap50_by_height": {}}
        for lo, hi in HBINS:
            rq = [g[(g[:, 4] >= 0.4) & (g[:, 3] - g[:, 1] >= lo) & (g[:, 3] - g[:, 1] < hi), :4] for g in gts]
            ig = [g[~((g[:, 4] >= 0.4) & (g[:, 3] - g[:, 1] >= lo) & (g[:, 3] - g[:, 1] < hi)), :4] for g in gts]
            kk = f"h{lo:g}-{hi:g}" if hi < 1e9 else f"h>={lo:g}"
            out[k]["ap50_by_height"][kk] = round(average_precision(dets, rq, ignored=ig), 4)
    out["definition"] = ("Yolo-Fastest (conf >= 0.05) on the mirrored frame (boxes mirrored back) / on the central 90% "
                         "crop (boxes mapped back), AP50 against its own labels at conf >= 0.4 (0.25-0.4 ignored), p0 frames")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--teacher", action="store_true")
    ap.add_argument("--out")
    a = ap.parse_args()
    items = p0_items()
    st = Student(a.model, 1)
    dets = []
    for _, f, _ in items:
        d, _ = st.predict(f, 640, 360)
        dets.append(d[d[:, 5] == 0][:, :5])
    res = {"frames": len(items), "student": student_diag(dets, [g for _, _, g in items]), "peaks": peak_diag(st, items)}
    if a.teacher:
        res["teacher_floor"] = teacher_floor(items)
    s = json.dumps(res, indent=1)
    print(s)
    if a.out:
        open(a.out, "w").write(s)


if __name__ == "__main__":
    main()
