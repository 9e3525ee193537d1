"""The v11-v16 model choice in one command: for each finished run, its weight average (soup.py) mixed with the ONNX
it started from (interp.py) at each alpha, exported and evaluated on the held-out selection frames p0 and on CamVid
val only; then the rule. Results already in --out are kept. The p1 veto is run by hand (evaluate.py on the candidate).
  --pick ap (v11-v14, experiments/v14/SELECTION_RULE.txt): eligible if p0 drivable and lane IoU and CamVid val clear
      the floors; candidate = highest p0 AP50@0.4 (ties within 0.002: higher CamVid val); a switch if that beats --switch.
  --pick drivable (v16, experiments/v16/SELECTION_RULE.txt; detection frozen): models whose p0 AP50@0.4 is more than
      0.002 from --same-ap are excluded; eligible if p0 lane and CamVid val clear the floors; candidate = highest p0
      drivable IoU (ties within 0.002: fewer GFLOPs); a switch if its drivable IoU reaches --switch.

Usage: python candidates.py --runs v14a v14b --base V10.onnx --alpha 0.5 1.0 --out experiments/v14/models_p0_camvid.json
  (V10.onnx: the model the runs started from, `git show f18f5c1:fixtures/models/drivepipe-student.onnx > V10.onnx`)
  python candidates.py --runs v16a v16b --base V14A.onnx --out experiments/v16/models_p0_camvid.json --pick drivable
      --same-ap 0.6841 --floor-drivable 0 --floor-lane 0.2984 --floor-camvid 0.7786 --switch 0.6905
"""
import argparse
import glob
import json
import os
import subprocess
import sys

from snapshots import evaluate_p0

HERE = os.path.dirname(os.path.abspath(__file__))


def py(*args):
    return subprocess.run([sys.executable, *args], check=True, capture_output=True, text=True, cwd=HERE).stdout


def choose(results, drivable, lane, camvid, switch, pick="ap", same_ap=None):
    """(candidate name or None, whether it clears the switch threshold); see the module doc for the two orders."""
    ok = {k: v for k, v in results.items()
          if v["drivable_iou"] >= drivable and v["lane_iou"] >= lane and v["camvid_val_road_iou"] >= camvid
          and (same_ap is None or abs(v["ap50_conf0.4"] - same_ap) <= 0.002)}
    if not ok:
        return None, False
    if pick == "drivable":
        best = max(v["drivable_iou"] for v in ok.values())
        name = min((k for k, v in ok.items() if v["drivable_iou"] >= best - 0.002), key=lambda k: ok[k]["gflops"])
        return name, ok[name]["drivable_iou"] >= switch
    best = max(v["ap50_conf0.4"] for v in ok.values())
    name = max((k for k, v in ok.items() if v["ap50_conf0.4"] >= best - 0.002), key=lambda k: ok[k]["camvid_val_road_iou"])
    return name, ok[name]["ap50_conf0.4"] > switch


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", nargs="+", required=True)
    ap.add_argument("--base", required=True, help="the ONNX the runs started from")
    ap.add_argument("--alpha", type=float, nargs="+", default=[0.5, 1.0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--floor-drivable", type=float, default=0.6882)
    ap.add_argument("--floor-lane", type=float, default=0.2940)
    ap.add_argument("--floor-camvid", type=float, default=0.7919)
    ap.add_argument("--switch", type=float, default=0.6022, help="p0 AP50@0.4 to beat (--pick ap) or drivable IoU to reach")
    ap.add_argument("--pick", choices=["ap", "drivable"], default="ap")
    ap.add_argument("--same-ap", type=float, help="--pick drivable: the start model's p0 AP50@0.4 (detection frozen)")
    a = ap.parse_args()
    base = os.path.abspath(a.base)
    res = json.load(open(a.out)) if os.path.exists(a.out) else {}
    for run in a.runs:
        todo = [al for al in a.alpha if f"{run}_swa_a{round(al * 100):03d}" not in res]
        if not todo:
            continue
        py("soup.py", "--run", run)
        py("interp.py", "--run", run + "_swa", "--alpha", *map(str, todo), "--base", base)
        for al in todo:
            name = f"{run}_swa_a{round(al * 100):03d}"
            (ck,) = glob.glob(os.path.join(HERE, "runs", name, "ema_step*.pt"))
            path = os.path.join(HERE, "runs", name, name + ".onnx")
            py("export.py", "--ckpt", ck, "--out", path)
            res[name] = evaluate_p0(path, a.threads, camvid=True)
            print(name, json.dumps(res[name]), file=sys.stderr, flush=True)
            open(a.out, "w").write(json.dumps(res, indent=1))
    name, switch = choose(res, a.floor_drivable, a.floor_lane, a.floor_camvid, a.switch, a.pick, a.same_ap)
    print(json.dumps({"candidate": name, "switch": switch, **(res[name] if name else {})}))


if __name__ == "__main__":
    main()
