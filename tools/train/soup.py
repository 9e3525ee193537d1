"""Weight average ("soup", stochastic weight averaging) of a run's EMA snapshots from the second half of its schedule:
the snapshots with step >= half the final step, and the final EMA (last.pt). One model whose p0 score is less noisy
than any single snapshot's (v8: single snapshots' p0 AP50 moved 0.51-0.60 between neighbours). The runs this is used
on keep BatchNorm frozen (--init-onnx), so the averaged running statistics are the ones every snapshot shares.
Writes runs/<run>_swa/ema_step<final step>.pt (the snapshot format: export.py and snapshots.py take it).

Usage: python soup.py --run v9a
"""
import argparse
import glob
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", required=True)
    a = ap.parse_args()
    run = os.path.join(HERE, "runs", a.run)
    last = torch.load(os.path.join(run, "last.pt"), weights_only=False)
    final = last["state"]["step"]
    picks = [(final, "last.pt", last)]
    for p in sorted(glob.glob(os.path.join(run, "ema_step*.pt"))):
        c = torch.load(p, weights_only=False)
        if final / 2 <= c["state"]["step"] < final:
            picks.append((c["state"]["step"], os.path.basename(p), c))
    sd = {k: v.clone() for k, v in last["ema"].items()}
    for k, v in sd.items():
        if v.dtype.is_floating_point:
            v.copy_(torch.stack([c["ema"][k] for _, _, c in picks]).mean(0))
    out = os.path.join(HERE, "runs", a.run + "_swa")
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, f"ema_step{final:05d}.pt")
    torch.save({"ema": sd, "state": dict(last["state"]), "input": last["input"], "args": last["args"],
                "soup": sorted(n for _, n, _ in picks)}, path)
    print(f"{path}: mean of {len(picks)} EMA weights: {', '.join(sorted(n for _, n, _ in picks))}", file=sys.stderr)


if __name__ == "__main__":
    main()
