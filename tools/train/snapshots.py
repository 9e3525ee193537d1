"""Evaluates a run's EMA snapshots on the held-out drive's selection frames (p0) only, and picks the candidate by
the AP-first rule of v8 (experiments/v8/SELECTION_RULE.txt): the highest p0 vehicle AP50 at teacher conf >= 0.4
among the snapshots whose p0 drivable and lane IoU clear the floors (ties within 0.002: cheaper model, then higher
drivable IoU). Each snapshot is exported to runs/<run>/onnx/<snapshot>.onnx; results already in --out are kept, so a
rerun only evaluates new snapshots (run it while the trainings go on).

Usage: python snapshots.py --runs v8a v8b --out experiments/v8/snapshots_p0.json [--final]
  --final also evaluates each run's last.pt (its final EMA), once the run has finished.
"""
import argparse
import glob
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def evaluate_p0(onnx_path, threads, camvid=False):
    """p0 drivable / lane IoU, AP50@0.4 and GFLOPs (and CamVid val Road IoU with camvid=True, v10-v14)."""
    skip = ["kitti", "train_fit", "teacher_flip", "camvid_test", "timing"] + ([] if camvid else ["camvid"])
    out = subprocess.run([sys.executable, os.path.join(HERE, "evaluate.py"), "--model", onnx_path, "--threads", str(threads),
                          "--heldout-passes", "p0", "--skip", *skip], check=True, capture_output=True, text=True).stdout
    r = json.loads(out)
    p0 = r["heldout_challenge_video"]["by_pass"]["p0"]
    res = {"drivable_iou": p0["drivable_iou"], "lane_iou": p0["lane_iou"],
           "ap50_conf0.4": p0["vehicle_ap50_by_teacher_conf"]["teacher_conf_0.4"]["ap50"]}
    if camvid:
        res["camvid_val_road_iou"] = r["camvid_val"]["student_road_iou"]
    return {**res, "gflops": r["cost"]["gflops"]}


def candidate(results, floor_drivable, floor_lane):
    """The AP-first choice: (name, metrics) or None when no snapshot clears the floors."""
    ok = [(k, v) for k, v in results.items() if v["drivable_iou"] >= floor_drivable and v["lane_iou"] >= floor_lane]
    if not ok:
        return None
    best_ap = max(v["ap50_conf0.4"] for _, v in ok)
    tied = [(k, v) for k, v in ok if v["ap50_conf0.4"] >= best_ap - 0.002]
    return min(tied, key=lambda kv: (kv[1]["gflops"], -kv[1]["drivable_iou"]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", nargs="+", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--final", action="store_true", help="also each run's last.pt (final EMA)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--floor-drivable", type=float, default=0.6778)
    ap.add_argument("--floor-lane", type=float, default=0.2868)
    a = ap.parse_args()
    res = json.load(open(a.out)) if os.path.exists(a.out) else {}
    for run in a.runs:
        cks = sorted(glob.glob(os.path.join(HERE, "runs", run, "ema_step*.pt")))
        if a.final:
            cks.append(os.path.join(HERE, "runs", run, "last.pt"))
        for ck in cks:
            name = f"{run}_{os.path.basename(ck)[:-3].replace('ema_step', '')}"
            if name in res:
                continue
            os.makedirs(os.path.join(HERE, "runs", run, "onnx"), exist_ok=True)
            path = os.path.join(HERE, "runs", run, "onnx", name + ".onnx")
            subprocess.run([sys.executable, os.path.join(HERE, "export.py"), "--ckpt", ck, "--out", path], check=True,
                           capture_output=True)
            res[name] = evaluate_p0(path, a.threads)
            print(name, json.dumps(res[name]), file=sys.stderr, flush=True)
            open(a.out, "w").write(json.dumps(res, indent=1))
    c = candidate(res, a.floor_drivable, a.floor_lane)
    print(json.dumps({"candidate": c[0], **c[1]} if c else {"candidate": None}))


if __name__ == "__main__":
    main()
