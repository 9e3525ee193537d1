"""Trains the student on the cached teacher labels with a budget of process CPU minutes (cosine LR over the
budget; CPU time, so the run tolerates being paused with SIGSTOP while others time things), optionally also bounded by
a wall-clock deadline (--deadline HH:MM UTC: progress = the larger of the two fractions, so the schedule always
completes by then). Checkpoints to tools/train/runs/<name>/last.pt every epoch (and every few minutes); rerunning
resumes. The budget can be changed while running by writing minutes into runs/<name>/budget_min.
Detection targets: teacher boxes scoring >= --pos-score; weaker teacher boxes are ignored regions.
EMA snapshots (runs/<name>/ema_stepNNNNN.pt) every --snapshot-min minutes.
Usage (own process group, 1 core):
  setsid nohup python train.py --name v4 --budget-min 70 --init runs/v3/ema_step03611.pt > runs/v4.log 2>&1 < /dev/null &
"""
import argparse
import copy
import os
import sys
import datetime
import time

import numpy as np
import torch
import torch.nn.functional as F

from common import RUNS, Yolo
from data import SEG_IGNORE, augment, load_chunks, make_targets, soft_targets
from model import SEG_HEAD, STRIDE, Student, student_for
from onnx_init import freeze_bn, load_onnx_weights

SEG_WEIGHTS = torch.tensor([1.0, 1.0, 4.0])  # lane lines are ~2% of pixels


def focal_loss(p, gt, ignore, pos_weight=None):
    """CenterNet focal loss; cells with ignore = 1 (inside uncertain teacher boxes) give no negative loss.
    pos_weight (N x H x W): weight of each positive (target centre) cell, e.g. > 1 for small boxes."""
    p = p.clamp(1e-4, 1 - 1e-4)
    pos = gt.eq(1).float()
    pw = pos if pos_weight is None else pos * pos_weight[:, None]
    pos_loss = (torch.log(p) * (1 - p) ** 2 * pw).sum()
    neg_loss = (torch.log(1 - p) * p ** 2 * (1 - gt) ** 4 * (1 - pos) * (1 - ignore)).sum()
    return -(pos_loss + neg_loss) / pos.sum().clamp(min=1)


def soft_cross_entropy(seg, soft_t, seg_t):
    """Cross-entropy against the teacher's class probabilities soft_t (N x 3 x H x W), each pixel weighted like the
    hard loss (SEG_WEIGHTS of its hard label); pixels labelled SEG_IGNORE (padding) left out."""
    valid = seg_t != SEG_IGNORE
    w = SEG_WEIGHTS[seg_t.clamp(max=2)] * valid
    ce = -(soft_t * F.log_softmax(seg, 1)).sum(1)
    return (ce * w).sum() / w.sum().clamp(min=1)


def losses(out, hm_t, wh_t, off_t, msk_t, ign_t, seg_t, pw_t=None, soft_t=None, soft_weight=0.0, wh_rel=0.0,
           anchor_t=None, anchor_weight=0.0):
    """CenterNet focal + 0.1 L1 size (+ wh_rel x relative size error |wh - t| / t, which weights small boxes up)
    + L1 offset (size and offset: mean over the regression cells weighted by msk_t: centre cells 1, v6's neighbour
    cells --reg-weight) + segmentation: weighted CE on the hard labels, mixed with soft_weight x CE on the teacher's
    probabilities when soft_t is given; then mixed with anchor_weight x CE on anchor_t (v14: a shipped student's own
    probabilities) when given."""
    hm, wh, off, seg = out
    n = msk_t.sum().clamp(min=1)
    l_hm = focal_loss(hm, hm_t, ign_t, pw_t)
    err = torch.abs(wh - wh_t) * msk_t[:, None]
    l_wh = err.sum() / n
    l_whr = (err / wh_t.clamp(min=1)).sum() / n
    l_off = (torch.abs(off - off_t) * msk_t[:, None]).sum() / n
    l_seg = F.cross_entropy(seg, seg_t, weight=SEG_WEIGHTS, ignore_index=SEG_IGNORE)
    if soft_t is not None and soft_weight > 0:
        l_seg = (1 - soft_weight) * l_seg + soft_weight * soft_cross_entropy(seg, soft_t, seg_t)
    if anchor_t is not None:
        l_seg = (1 - anchor_weight) * l_seg + anchor_weight * soft_cross_entropy(seg, anchor_t, seg_t)
    return (l_hm + 0.1 * l_wh + wh_rel * l_whr + l_off + l_seg,
            (l_hm.item(), l_wh.item(), l_off.item(), l_seg.item()))


@torch.no_grad()
def anchor_probs(anchor, x, size):
    """v14: the anchor model's segmentation probabilities (N x 3 x H x W) for the input x (N x 3 x H x W), run on x
    resized to size (W, H) and brought back to H x W (bilinear)."""
    xa = F.interpolate(x, size=(size[1], size[0]), mode="bilinear", align_corners=False)
    return F.softmax(F.interpolate(anchor(xa)[3], size=x.shape[2:], mode="bilinear", align_corners=False), 1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", default="v1")
    ap.add_argument("--budget-min", type=float, default=80)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--deadline", help="HH:MM UTC: the schedule ends by then at the latest (today, or tomorrow if past)")
    ap.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (smoke runs)")
    ap.add_argument("--det-stride", type=int, default=STRIDE)
    ap.add_argument("--ckpt-min", type=float, default=4)
    ap.add_argument("--in-w", type=int, default=512)
    ap.add_argument("--in-h", type=int, default=288)
    ap.add_argument("--crop-w", type=int, default=512)
    ap.add_argument("--crop-h", type=int, default=288)
    ap.add_argument("--pos-score", type=float, default=0.4,
                    help="teacher boxes scoring at least this are detection targets; weaker ones are ignored regions")
    ap.add_argument("--init", help="checkpoint to start from (tensors whose shapes match; EMA weights)")
    ap.add_argument("--init-onnx", help="shipped student ONNX to start from (BN folded, so it implies --frozen-bn; onnx_init.py)")
    ap.add_argument("--frozen-bn", action="store_true", help="BatchNorm layers in eval mode (fixed statistics)")
    ap.add_argument("--det4-blocks", type=int, default=0, help="residual blocks at stride 4 in the detection head (v7)")
    ap.add_argument("--seg-blocks", type=int, default=0, help="residual blocks at stride 8 in the segmentation head (v16)")
    ap.add_argument("--train-only", choices=["all", "seg"], default="all",
                    help="seg: only the segmentation head is trained, the rest frozen, so detection is unchanged (v16)")
    ap.add_argument("--ema-decay", type=float, default=0.998)
    ap.add_argument("--snapshot-min", type=float, default=15, help="keep an EMA snapshot every N minutes")
    ap.add_argument("--soft-weight", type=float, default=0.0,
                    help="segmentation: weight of the CE on TwinLiteNet's cached probabilities (soft_labels.py), 1 - it on the hard labels")
    ap.add_argument("--small-px", type=float, default=0, help="boxes under this many input pixels high get --small-weight")
    ap.add_argument("--small-weight", type=float, default=1.0, help="heatmap-loss weight of small boxes' centre cells")
    ap.add_argument("--wh-rel", type=float, default=0.0, help="weight of the relative box-size error term")
    ap.add_argument("--warmup", type=int, default=100, help="linear LR warm-up steps")
    ap.add_argument("--reg-radius", type=int, default=0,
                    help="also regress size/offset at the cells within this radius of each centre (v6: 1)")
    ap.add_argument("--reg-weight", type=float, default=0.5, help="loss weight of those neighbour cells (centre 1)")
    ap.add_argument("--full-p", type=float, default=0.3, help="share of samples that are the whole frame as deployed (v12)")
    ap.add_argument("--scale", type=float, nargs=2, default=(0.8, 1.6), help="zoom range of the other samples (v12)")
    ap.add_argument("--online-teacher", action="store_true",
                    help="v9: detection targets from Yolo-Fastest run on each augmented crop (before mirror and colour "
                         "jitter) instead of the cached boxes moved with the crop: the teacher's answer for the very image")
    ap.add_argument("--seg-anchor", help="v14: student ONNX whose own segmentation (run on each input resized to "
                    "--seg-anchor-size) is a soft target, to keep the segmentation while the input size changes")
    ap.add_argument("--seg-anchor-size", type=int, nargs=2, default=(512, 288), help="the anchor's input W H")
    ap.add_argument("--seg-anchor-weight", type=float, default=0.5,
                    help="segmentation loss = (1 - w) x the teacher terms + w x CE on the anchor's probabilities")
    a = ap.parse_args()
    a.frozen_bn = a.frozen_bn or bool(a.init_onnx)  # folded BN: batch statistics would undo the warm start
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    run = os.path.join(RUNS, a.name)
    os.makedirs(run, exist_ok=True)
    budget_file = os.path.join(run, "budget_min")
    if not os.path.exists(budget_file):
        open(budget_file, "w").write(str(a.budget_min))
    model = student_for(vars(a))
    if a.train_only == "seg":  # the backbone and the detection head keep their weights exactly
        for n, p in model.named_parameters():
            p.requires_grad_(n.split(".")[0] in SEG_HEAD)
    ema = copy.deepcopy(model).eval()
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=a.lr, weight_decay=1e-4)
    state = {"elapsed": 0.0, "epoch": 0, "step": 0, "wall_start": time.time()}
    ck = os.path.join(run, "last.pt")
    if os.path.exists(ck):
        c = torch.load(ck, weights_only=False)
        model.load_state_dict(c["model"]); ema.load_state_dict(c["ema"]); opt.load_state_dict(c["opt"])
        state = c["state"]
        print(f"resumed at epoch {state['epoch']} step {state['step']} elapsed {state['elapsed']/60:.1f} min", file=sys.stderr)
    elif a.init:
        src = torch.load(a.init, weights_only=False)["ema"]
        own = model.state_dict()
        take = {k: v for k, v in src.items() if k in own and own[k].shape == v.shape}
        model.load_state_dict(take, strict=False); ema.load_state_dict(model.state_dict())
        print(f"initialised {len(take)}/{len(own)} tensors from {a.init}", file=sys.stderr)
    elif a.init_onnx:
        n = len(load_onnx_weights(model, a.init_onnx))
        ema.load_state_dict(model.state_dict())
        print(f"initialised {n} convs (BN folded) from {a.init_onnx}", file=sys.stderr)

    def save():
        torch.save({"model": model.state_dict(), "ema": ema.state_dict(), "opt": opt.state_dict(), "state": state,
                    "input": (a.in_w, a.in_h), "args": vars(a)}, ck + ".tmp")
        os.replace(ck + ".tmp", ck)

    def snapshot():  # EMA weights only, to pick a checkpoint afterwards if the last one over-fits
        p = os.path.join(run, f"ema_step{state['step']:05d}.pt")
        torch.save({"ema": ema.state_dict(), "state": dict(state), "input": (a.in_w, a.in_h), "args": vars(a)}, p)

    rng = np.random.default_rng(1234 + state["step"])
    cpu0, done = time.process_time() - state["elapsed"], False  # elapsed = process CPU seconds
    deadline = None
    if a.deadline:
        hh, mm = map(int, a.deadline.split(":"))
        now = datetime.datetime.now(datetime.timezone.utc)
        d = now.replace(hour=hh, minute=mm, second=0, microsecond=0)
        if d < now - datetime.timedelta(hours=12):
            d += datetime.timedelta(days=1)
        deadline = d.timestamp()
    t_step0, step0 = time.time(), state["step"]
    last_ck = last_snap = time.time()
    frames, softs = [], []
    anchor = None
    if a.seg_anchor:  # frozen copy of a shipped student (v14)
        anchor = Student()
        load_onnx_weights(anchor, a.seg_anchor)
        anchor.eval().requires_grad_(False)
    relabel = None
    if a.online_teacher:  # one onnxruntime thread, run in turn with torch's
        teacher = Yolo(threads=1)
        relabel = lambda crop: teacher.detect(crop, conf=0.25).reshape(-1, 6)
    while not done:
        if len(frames) < 4 * a.batch or (a.soft_weight > 0 and any(s is None for s in softs)):
            # read once; re-read at each epoch while labelling or soft_labels.py is still running
            frames, masks, boxes, softs = load_chunks(soft=True)
            if a.soft_weight > 0:
                print(f"soft labels for {sum(s is not None for s in softs)}/{len(softs)} frames", file=sys.stderr, flush=True)
        n = len(frames)
        if n < 4 * a.batch:  # labelling still starting up
            time.sleep(20)
            continue
        perm = rng.permutation(n)
        print(f"epoch {state['epoch']}: {n} frames", file=sys.stderr, flush=True)
        model.train()
        if a.frozen_bn:
            freeze_bn(model)
        acc = []
        for k in range(0, n - a.batch + 1, a.batch):
            try:
                budget = float(open(budget_file).read()) * 60
            except (OSError, ValueError):
                budget = a.budget_min * 60
            state["elapsed"] = time.process_time() - cpu0
            prog = state["elapsed"] / budget
            if deadline is not None:
                prog = max(prog, (time.time() - state["wall_start"]) / max(deadline - state["wall_start"], 1))
            if prog >= 1 or (a.max_steps and state["step"] - step0 >= a.max_steps):
                done = True
                break
            warm = min(1.0, (state["step"] + 1) / a.warmup)
            lr = a.lr * warm * (0.02 + 0.98 * 0.5 * (1 + np.cos(np.pi * prog)))
            for g in opt.param_groups:
                g["lr"] = lr
            xs, hms, whs, offs, msks, igns, segs, pws, sts = [], [], [], [], [], [], [], [], []
            for i in perm[k:k + a.batch]:
                sf = softs[i] if a.soft_weight > 0 else None
                if a.soft_weight > 0 and sf is None:  # no cached probabilities: the hard label as 0/1 probabilities
                    sf = np.stack([(masks[i] == 1), (masks[i] == 2)], 2).astype(np.uint8) * 255
                r = augment(frames[i], masks[i], boxes[i], rng, crop=(a.crop_w, a.crop_h), in_size=(a.in_w, a.in_h), soft=sf,
                            relabel=relabel, full_p=a.full_p, scale=tuple(a.scale))
                x, m, b = r[:3]
                if sf is not None:
                    sts.append(soft_targets(r[3]))
                hm, wh, off, msk, ign, pw = make_targets(b, x.shape[2], x.shape[1], a.pos_score, a.det_stride,
                                                          a.small_px, a.small_weight, a.reg_radius, a.reg_weight)
                xs.append(x); hms.append(hm); whs.append(wh); offs.append(off); msks.append(msk); igns.append(ign); segs.append(m)
                pws.append(pw)
            T = lambda v: torch.from_numpy(np.stack(v))
            x = T(xs)
            out = model(x)
            loss, parts = losses(out, T(hms), T(whs), T(offs), T(msks), T(igns), T(segs).long(), T(pws),
                                 T(sts) if sts else None, a.soft_weight, a.wh_rel,
                                 anchor_probs(anchor, x, a.seg_anchor_size) if anchor else None, a.seg_anchor_weight)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 10.0)
            opt.step()
            d = min(a.ema_decay, (1 + state["step"]) / (10 + state["step"]))
            with torch.no_grad():
                for pe, pm in zip(ema.state_dict().values(), model.state_dict().values()):
                    if pe.dtype.is_floating_point:
                        pe.mul_(d).add_(pm.detach(), alpha=1 - d)
                    else:
                        pe.copy_(pm)
            state["step"] += 1
            acc.append(parts)
            if state["step"] % 10 == 0:
                mp = np.mean(acc[-10:], 0)
                print(f"step {state['step']} ep {state['epoch']} prog {prog:.3f} lr {lr:.2e} hm {mp[0]:.3f} wh {mp[1]:.3f} "
                      f"off {mp[2]:.3f} seg {mp[3]:.3f} cpu {state['elapsed']/60:.1f}m wall {(time.time()-state['wall_start'])/60:.1f}m "
                      f"{(state['step']-step0)/(time.time()-t_step0):.2f} steps/s", file=sys.stderr, flush=True)
            if time.time() - last_ck > a.ckpt_min * 60:
                save(); last_ck = time.time()
            if time.time() - last_snap > a.snapshot_min * 60:
                snapshot(); last_snap = time.time()
        if not done:
            state["epoch"] += 1
        save(); last_ck = time.time()
    snapshot()
    print("done", file=sys.stderr)


if __name__ == "__main__":
    main()
