"""Evaluates an exported student ONNX model (onnxruntime only; no torch in this process, so the
timings are not skewed) and writes the metrics JSON (card.py then writes the model card from it).

  held-out drive challenge_video (cached teacher labels, passes p0 + p1 = every 2nd frame, 242 frames):
      drivable IoU and lane-line IoU vs TwinLiteNet (at 640x360), vehicle AP50 vs Yolo-Fastest boxes at
      teacher confidence 0.25 (all cached boxes), 0.4 (the training target threshold) and 0.5
  CamVid val (eval only): IoU of (drivable or lane line) vs CamVid Road (class 3), label 11 ignored,
      student and TwinLiteNet side by side (TwinLiteNet predictions cached in cache/camvid_twinlite.npz)
  CamVid test (since v10, eval only, never used to choose a model): the same on the 233 test frames
      (TwinLiteNet's masks cached in cache/camvid_twinlite_test.npz)
  KITTI object frames: vehicle (Car/Van/Truck) recall at IoU 0.5, student vs Yolo-Fastest
      also split by labelling pass: p0 (every 8th frame, 61) and p1 (the other 181), so a choice made on p0
      can be reported on p1 frames it never saw
  cost: MACs/FLOPs, parameters
  timing: our engine (`drivepipe bench`, release build) against onnxruntime at 1 and 2 threads, alternating
      rounds (tools/bench_ort.py); pause other jobs (SIGSTOP to their process groups) during a timing-only run
  teacher consistency: TwinLiteNet on mirrored, student-sized (576x320 and back) and 10%-zoomed held-out frames vs
      its own labels (a scale for the IoUs; part name teacher_flip)
  training fit: the same IoUs on training frames (pass q0), per drive
  --skip heldout kitti train_fit camvid camvid_test timing teacher_flip leaves parts out; --update keeps the other parts of --out

Usage: python evaluate.py --model ../../fixtures/models/drivepipe-student.onnx [--out metrics.json] [--skip ...]
       python evaluate.py --model M.onnx --out metrics.json --update --skip heldout kitti train_fit camvid camvid_test teacher_flip   (timing only)
"""
import argparse
import glob
import json
import os
import sys

import cv2
import numpy as np
import onnx

from common import CACHE, SHARED, TEACHERS, TwinLite, Yolo, centernet_decode, heldout_items, ort_session
from flops import macs as count_macs

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import bench_ort  # noqa: E402  (tools/bench_ort.py: drivepipe bench vs onnxruntime)

CAMVID = os.path.join(SHARED, "data", "camvid")
KITTI = os.path.join(SHARED, "data", "kitti-object")


class Student:
    def __init__(self, path, threads=2, score=0.05, top_k=100):
        self.s = ort_session(path, threads)
        shp = self.s.get_inputs()[0].shape
        self.h, self.w = shp[2], shp[3]
        self.score, self.top_k = score, top_k
        hm_w = self.s.get_outputs()[[o.name for o in self.s.get_outputs()].index("heatmap")].shape[3]
        self.stride = self.w // hm_w  # detection stride (8 up to v3, 4 since v4)

    def run(self, bgr):
        rgb = cv2.cvtColor(cv2.resize(bgr, (self.w, self.h), interpolation=cv2.INTER_LINEAR), cv2.COLOR_BGR2RGB)
        x = np.ascontiguousarray((rgb.astype(np.float32) / 255.0).transpose(2, 0, 1)[None])
        return self.s.run(["heatmap", "box_size", "box_offset", "seg_logits"], {"images": x})

    def predict(self, bgr, out_w=None, out_h=None):
        """-> boxes Nx6 in (out_w x out_h) pixels (default: frame), mask (out_h x out_w) via nearest."""
        fh, fw = bgr.shape[:2]
        out_w, out_h = out_w or fw, out_h or fh
        hm, size, off, seg = self.run(bgr)
        d = centernet_decode(hm[0], size[0], off[0], self.stride, self.score, self.top_k,
                             np.float32(self.w) / np.float32(out_w), np.float32(self.h) / np.float32(out_h), out_w, out_h)
        m = cv2.resize(seg[0].argmax(0).astype(np.uint8), (out_w, out_h), interpolation=cv2.INTER_NEAREST)
        return d, m


def iou_boxes(a, b):
    xx1 = np.maximum(a[:, None, 0], b[None, :, 0]); yy1 = np.maximum(a[:, None, 1], b[None, :, 1])
    xx2 = np.minimum(a[:, None, 2], b[None, :, 2]); yy2 = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.clip(xx2 - xx1, 0, None) * np.clip(yy2 - yy1, 0, None)
    aa = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1]); bb = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return inter / np.maximum(aa[:, None] + bb[None] - inter, 1e-9)


def average_precision(dets, gts, thr=0.5, ignored=None):
    """VOC all-point AP. dets: list per image of Nx5 [box, score]; gts: list per image of Mx4.
    ignored: optional list per image of Kx4 boxes that are neither required nor penalised (VOC "difficult"):
    a detection whose best match (IoU >= thr) among the unmatched required boxes fails but which overlaps
    an ignored box at IoU >= thr counts neither as true nor as false positive."""
    recs = []
    n_gt = sum(len(g) for g in gts)
    for k, (d, g) in enumerate(zip(dets, gts)):
        for j in range(len(d)):
            recs.append((d[j, 4], k, j))
    recs.sort(key=lambda r: -r[0])
    used = [np.zeros(len(g), bool) for g in gts]
    tp = np.zeros(len(recs)); fp = np.zeros(len(recs))
    for r, (s, k, j) in enumerate(recs):
        g = gts[k]
        box = dets[k][j:j + 1, :4]
        if len(g):
            ious = iou_boxes(box, g)[0]
            best = int(np.argmax(ious))
            if ious[best] >= thr and not used[k][best]:
                tp[r] = 1; used[k][best] = True
                continue
        if ignored is not None and len(ignored[k]) and iou_boxes(box, ignored[k])[0].max() >= thr:
            continue
        fp[r] = 1
    if n_gt == 0:
        return float("nan")
    tp, fp = np.cumsum(tp), np.cumsum(fp)
    rec = tp / n_gt; prec = tp / np.maximum(tp + fp, 1e-9)
    mrec = np.concatenate([[0], rec, [1]]); mpre = np.concatenate([[0], prec, [0]])
    for i in range(len(mpre) - 2, -1, -1):
        mpre[i] = max(mpre[i], mpre[i + 1])
    idx = np.nonzero(mrec[1:] != mrec[:-1])[0]
    return float(np.sum((mrec[idx + 1] - mrec[idx]) * mpre[idx + 1]))


def recall(dets, gts, thr=0.5):
    hit = tot = 0
    for d, g in zip(dets, gts):
        tot += len(g)
        if len(g) == 0 or len(d) == 0:
            continue
        ious = iou_boxes(g, d[:, :4])
        used = np.zeros(len(d), bool)
        for i in np.argsort(-ious.max(1)):
            j = np.argmax(np.where(used, -1, ious[i]))
            if ious[i, j] >= thr and not used[j]:
                used[j] = True; hit += 1
    return hit / max(tot, 1), hit, tot


TEACHER_CONF = (0.25, 0.4, 0.5)  # AP50 reported against teacher boxes at these confidence levels


class MaskIoU:
    """Drivable (1) and lane-line (2) IoU of predicted masks against label masks, pooled over all pixels of all
    frames added (only where `keep` is true, when given)."""
    def __init__(self):
        self.inter = {1: 0, 2: 0}; self.union = {1: 0, 2: 0}; self.frames = 0

    def add(self, m, t, keep=None):
        for c in (1, 2):
            i, u = (m == c) & (t == c), (m == c) | (t == c)
            if keep is not None:
                i, u = i & keep, u & keep
            self.inter[c] += int(i.sum()); self.union[c] += int(u.sum())
        self.frames += 1

    def merged(self, other):
        out = MaskIoU()
        for c in (1, 2):
            out.inter[c] = self.inter[c] + other.inter[c]; out.union[c] = self.union[c] + other.union[c]
        out.frames = self.frames + other.frames
        return out

    def scores(self):
        return {"frames": self.frames, "drivable_iou": self.inter[1] / max(self.union[1], 1),
                "lane_iou": self.inter[2] / max(self.union[2], 1)}


def _heldout_scores(items):
    """items: list of (student mask, teacher mask, student vehicle dets Nx5, teacher vehicle boxes Mx5)."""
    iou = MaskIoU()
    for m, t, _, _ in items:
        iou.add(m, t)
    dets = [d for _, _, d, _ in items]; gts = [g for _, _, _, g in items]
    ap = {}
    for c in TEACHER_CONF:
        req = [g[g[:, 4] >= c, :4] for g in gts]
        ign = [g[g[:, 4] < c, :4] for g in gts]
        ap[f"teacher_conf_{c:g}"] = {"ap50": average_precision(dets, req, ignored=ign),
                                     "teacher_boxes": int(sum(len(g) for g in req)),
                                     "ignored_boxes": int(sum(len(g) for g in ign))}
    return {**iou.scores(), "vehicle_ap50": ap[f"teacher_conf_{TEACHER_CONF[0]:g}"]["ap50"], "vehicle_gt_boxes": int(sum(len(g) for g in gts)),
            "vehicle_ap50_by_teacher_conf": ap}


def heldout(st, passes=("p0", "p1")):
    """Every cached frame of the held-out drive (passes p0 + p1: every 2nd frame), and each pass alone.
    passes=("p0",): the selection frames only (choosing snapshots without ever running the report frames p1)."""
    items = {k: [] for k in passes}
    for pas, _, frame, mask, b in heldout_items(passes):
        d, m = st.predict(frame, 640, 360)
        items[pas].append((m, mask, d[d[:, 5] == 0][:, :5], b[b[:, 5] == 0][:, :5]))
    res = _heldout_scores([x for v in items.values() for x in v])
    res["by_pass"] = {k: _heldout_scores(v) for k, v in items.items()}
    res["definition"] = ("IoU pooled over all pixels of all frames at 640x360 (student mask nearest-upsampled from its input "
                         "resolution) vs TwinLiteNet argmax labels; AP50: student vehicle detections (score >= 0.05, top 100) "
                         "vs Yolo-Fastest vehicle boxes with confidence >= c (teacher boxes 0.25 <= conf < c are ignored: "
                         "a detection on one counts neither as hit nor as false alarm); by_pass: p0 = every 8th frame (61), "
                         "p1 = the other 181")
    return res


def _mirrored(tl, frame):
    m = tl.mask(frame[:, ::-1].copy())[:, ::-1]
    return m, np.ones(m.shape, bool)


def _at_student_size(tl, frame, w=576, h=320):
    """The frame squeezed to the student's input size and back: the detail the student never sees."""
    small = cv2.resize(frame, (w, h), interpolation=cv2.INTER_AREA)
    m = tl.mask(cv2.resize(small, (frame.shape[1], frame.shape[0]), interpolation=cv2.INTER_LINEAR))
    return m, np.ones(m.shape, bool)


def _zoomed(tl, frame, z=0.9):
    """The central z crop enlarged to the whole input (objects 1/z larger), its mask shrunk back in place;
    compared only inside the crop. Returns masks at the teacher's 640x360."""
    H, W = frame.shape[:2]
    m = tl.mask(cv2.resize(frame[int(H * (1 - z) / 2):int(H * (1 + z) / 2), int(W * (1 - z) / 2):int(W * (1 + z) / 2)],
                           (W, H), interpolation=cv2.INTER_LINEAR))
    h, w = m.shape
    ch, cw = int(round(h * z)), int(round(w * z)); y0, x0 = (h - ch) // 2, (w - cw) // 2
    out = np.zeros((h, w), m.dtype); inside = np.zeros((h, w), bool)
    out[y0:y0 + ch, x0:x0 + cw] = cv2.resize(m, (cw, ch), interpolation=cv2.INTER_NEAREST); inside[y0:y0 + ch, x0:x0 + cw] = True
    return out, inside


TEACHER_VARIANTS = {
    "teacher_flip_consistency": (_mirrored, "TwinLiteNet on the mirrored frame, mirrored back, vs TwinLiteNet on the frame (the labels)"),
    "teacher_student_size_consistency": (_at_student_size, "TwinLiteNet on the frame resized to the student's 576x320 and back "
                                         "to 640x360 (INTER_AREA down, bilinear up) vs TwinLiteNet on the frame (the labels)"),
    "teacher_zoom_consistency": (_zoomed, "TwinLiteNet on the central 90% of the frame enlarged to 640x360, its mask shrunk back "
                                 "into place, vs TwinLiteNet on the frame (the labels), inside that central 90% only"),
}


def teacher_consistency(variant, threads=2):
    """How well TwinLiteNet agrees with itself when its input changes in a way that should not change the
    answer (a mirror, the student's input resolution, a 10% zoom): a scale for the student's IoU against
    the teacher's labels. IoU pooled over the held-out frames (p0 + p1) at 640x360."""
    fn, definition = TEACHER_VARIANTS[variant]
    tl = TwinLite(threads)
    iou = MaskIoU()
    for _, _, frame, t, _ in heldout_items():
        m, keep = fn(tl, frame)
        iou.add(m, t, keep)
    return {**iou.scores(), "definition": definition}


def training_fit(st):
    """How closely the student matches the teacher on frames it was trained on (pass q0: every 16th frame of each
    training drive, the cached 640x360 frames), per drive and pooled: the fit the held-out IoU is to be read against."""
    per = {}
    for p in sorted(glob.glob(os.path.join(CACHE, "labels", "q0_*.npz"))):
        z = np.load(p)
        iou = per.setdefault(os.path.basename(p)[3:-9], MaskIoU())   # q0_<drive>_<first frame>.npz
        for frame, t in zip(z["frames"], z["masks"]):
            iou.add(st.predict(frame, 640, 360)[1], t)
    total = MaskIoU()
    for v in per.values():
        total = total.merged(v)
    return {**total.scores(), "by_drive": {k: v.scores() for k, v in per.items()},
            "definition": "training frames (pass q0: every 16th frame of the four training drives, cached at 640x360) vs "
                          "TwinLiteNet's labels, IoU pooled as on the held-out drive"}


def camvid(st, threads, split="val"):
    """split "val" (101 frames; takes part in choosing since v10) or "test" (233 frames; reported, never used to choose)."""
    files = sorted(glob.glob(os.path.join(CAMVID, split, "*.jpg")))
    cache = os.path.join(CACHE, "camvid_twinlite.npz" if split == "val" else f"camvid_twinlite_{split}.npz")
    teacher = dict(np.load(cache)) if os.path.exists(cache) else {}
    tl = None
    res = {"student": [0, 0], "twinlitenet": [0, 0]}
    for f in files:
        name = os.path.basename(f)[:-4]
        img = cv2.imread(f)
        gt = cv2.imread(os.path.join(CAMVID, split + "annot", name + ".png"), cv2.IMREAD_UNCHANGED)
        valid = gt != 11
        road = gt == 3
        if name not in teacher:
            tl = tl or TwinLite(threads)
            teacher[name] = tl.mask(img)
        tm = cv2.resize(teacher[name], (gt.shape[1], gt.shape[0]), interpolation=cv2.INTER_NEAREST)
        _, sm = st.predict(img, gt.shape[1], gt.shape[0])
        for k, m in (("student", sm), ("twinlitenet", tm)):
            pred = m > 0  # drivable or lane line
            res[k][0] += int((pred & road & valid).sum()); res[k][1] += int(((pred | road) & valid).sum())
    np.savez(cache + ".tmp.npz", **teacher); os.replace(cache + ".tmp.npz", cache)
    return {"frames": len(files), "definition": "pred = drivable or lane line (whole frame stretched), GT = CamVid Road (3), label 11 ignored",
            "student_road_iou": res["student"][0] / max(res["student"][1], 1),
            "twinlitenet_road_iou": res["twinlitenet"][0] / max(res["twinlitenet"][1], 1)}


def cache_camvid_teacher(threads=1):
    """Fills cache/camvid_twinlite.npz (TwinLiteNet masks of CamVid val at 640x360), saving every 10 frames."""
    cache = os.path.join(CACHE, "camvid_twinlite.npz")
    teacher = dict(np.load(cache)) if os.path.exists(cache) else {}
    tl = TwinLite(threads)
    for k, f in enumerate(sorted(glob.glob(os.path.join(CAMVID, "val", "*.jpg")))):
        name = os.path.basename(f)[:-4]
        if name not in teacher:
            teacher[name] = tl.mask(cv2.imread(f))
            if len(teacher) % 10 == 0:
                np.savez(cache + ".tmp.npz", **teacher); os.replace(cache + ".tmp.npz", cache)
    np.savez(cache + ".tmp.npz", **teacher); os.replace(cache + ".tmp.npz", cache)


def kitti(st, threads):
    yo = Yolo(threads)
    sd, td, gts = [], [], []
    for f in sorted(glob.glob(os.path.join(KITTI, "image_2", "*.png"))):
        img = cv2.imread(f)
        g = []
        for line in open(os.path.join(KITTI, "label_2", os.path.basename(f)[:-4] + ".txt")):
            p = line.split()
            if p[0] in ("Car", "Van", "Truck"):
                g.append([float(v) for v in p[4:8]])
        gts.append(np.array(g, np.float32).reshape(-1, 4))
        d, _ = st.predict(img)
        sd.append(d[(d[:, 5] == 0) & (d[:, 4] >= 0.3)])
        t = yo.detect(img)
        td.append(t[t[:, 5] == 0])
    rs, rt = recall(sd, gts), recall(td, gts)
    return {"frames": len(gts), "gt_vehicles": rs[2], "definition": "Car/Van/Truck, IoU >= 0.5, student score >= 0.3, Yolo-Fastest conf 0.25",
            "student_recall": rs[0], "yolo_fastest_recall": rt[0]}


def timing(path, threads=(1, 2), rounds=5, runs=20, binary=None):
    """Median ms of our engine (drivepipe bench, release build if present) and onnxruntime, alternating rounds."""
    import statistics
    binary = binary or next((p for p in (os.path.join(bench_ort.ROOT, c) for c in (".build/release/drivepipe", ".build/debug/drivepipe"))
                             if os.path.exists(p)), None)
    res = {"binary": os.path.relpath(binary, bench_ort.ROOT) if binary else None,
           "note": f"median of {rounds} alternating rounds x {runs} runs (tools/bench_ort.py), other jobs paused; ratio = onnxruntime / ours"}
    for t in threads:
        us, them = [], []
        for _ in range(rounds):
            if binary:
                us.append(bench_ort.ours(binary, path, t, runs))
            them.append(bench_ort.theirs(path, t, runs))
        r = {"onnxruntime_ms": statistics.median(them)}
        if us:
            r["drivepipe_ms"] = statistics.median(us)
            r["ratio"] = statistics.median([o / u for o, u in zip(them, us)])
        res[f"threads_{t}"] = r
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model")
    ap.add_argument("--cache-camvid-teacher", action="store_true", help="only cache TwinLiteNet's CamVid val masks")
    ap.add_argument("--out")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--skip", nargs="*", default=[])
    ap.add_argument("--heldout-passes", nargs="*", default=["p0", "p1"], help="p0 alone: selection frames only")
    ap.add_argument("--update", action="store_true", help="start from the existing --out JSON (replace only the parts run)")
    ap.add_argument("--binary", help="drivepipe binary for the timing (default: .build/release, else .build/debug)")
    a = ap.parse_args()
    if a.cache_camvid_teacher:
        return cache_camvid_teacher(1)
    st = Student(a.model, a.threads)
    m = onnx.load(a.model)
    res = json.load(open(a.out)) if a.update and a.out and os.path.exists(a.out) else {}
    res["model"] = os.path.basename(a.model)
    mac = count_macs(a.model)
    t_mac = count_macs(os.path.join(TEACHERS, "twinlitenet.onnx")) + count_macs(os.path.join(TEACHERS, "yolo-fastest-1.1.onnx"))
    res["cost"] = {"macs": mac, "gflops": 2 * mac / 1e9, "params": int(sum(np.prod(t.dims) for t in m.graph.initializer)),
                   "teachers_gflops": 2 * t_mac / 1e9, "cheaper_than_teachers_x": t_mac / mac,
                   "file_mb": os.path.getsize(a.model) / 1e6}
    print(json.dumps(res), file=sys.stderr, flush=True)
    if "heldout" not in a.skip:
        res["heldout_challenge_video"] = heldout(st, tuple(a.heldout_passes)); print(json.dumps(res["heldout_challenge_video"]), file=sys.stderr, flush=True)
    if "kitti" not in a.skip:
        res["kitti"] = kitti(st, a.threads); print(json.dumps(res["kitti"]), file=sys.stderr, flush=True)
    if "teacher_flip" not in a.skip:
        for k in TEACHER_VARIANTS:
            res[k] = teacher_consistency(k, a.threads); print(k, json.dumps(res[k]), file=sys.stderr, flush=True)
    if "train_fit" not in a.skip:
        res["training_fit"] = training_fit(st); print(json.dumps(res["training_fit"]), file=sys.stderr, flush=True)
    if "camvid" not in a.skip:
        res["camvid_val"] = camvid(st, a.threads); print(json.dumps(res["camvid_val"]), file=sys.stderr, flush=True)
    if "camvid_test" not in a.skip:
        res["camvid_test"] = camvid(st, a.threads, "test"); print(json.dumps(res["camvid_test"]), file=sys.stderr, flush=True)
    if "timing" not in a.skip:
        res.pop("onnxruntime_ms", None)
        res["timing"] = timing(a.model, binary=a.binary); print(json.dumps(res["timing"]), file=sys.stderr, flush=True)
    out = json.dumps(res, indent=1)
    print(out)
    if a.out:
        open(a.out, "w").write(out)


if __name__ == "__main__":
    main()
