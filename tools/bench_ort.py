#!/usr/bin/env python3
"""Speed of `drivepipe bench` against onnxruntime on the same ONNX files, same thread count,
alternating in one run (this machine is shared and noisy: compare ratios, not absolute times).

    python3 tools/bench_ort.py [--threads 1 2] [--rounds 5] [--runs 10] [--baseline BIN] MODEL.onnx ...

onnxruntime runs in its own Python process (never alongside torch), intra_op_num_threads=N,
inter_op_num_threads=1, sequential execution, all graph optimisations on, random input, warm-up.
Prints one line per (model, threads): median ms of both and ratio = onnxruntime / drivepipe
(> 1 means drivepipe is faster). With --baseline, another drivepipe binary (an earlier build)
runs in the same rounds too, and "speedup" = baseline / drivepipe. Every other round runs the
engines in reverse order (the first process of a round was often the fastest on this host).
"""
import argparse
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

ORT_WORKER = r"""
import sys, time, numpy as np, onnxruntime as ort
model, threads, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
o = ort.SessionOptions()
o.intra_op_num_threads = threads
o.inter_op_num_threads = 1
o.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
o.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
s = ort.InferenceSession(model, o, providers=["CPUExecutionProvider"])
rng = np.random.default_rng(0)
feeds = {i.name: rng.random([d if isinstance(d, int) and d > 0 else 1 for d in i.shape], dtype=np.float32)
         for i in s.get_inputs()}
for _ in range(3):
    s.run(None, feeds)
t = []
for _ in range(runs):
    t0 = time.perf_counter(); s.run(None, feeds); t.append((time.perf_counter() - t0) * 1e3)
t.sort()
print(f"median_ms={t[len(t) // 2] if len(t) % 2 else (t[len(t) // 2 - 1] + t[len(t) // 2]) / 2:.4f}")
"""


def last_median(out):
    lines = [l for l in out.strip().splitlines() if l.startswith("median_ms=")]
    if not lines:
        raise RuntimeError(f"no median_ms line in output:\n{out}")
    return float(lines[-1].split("=")[1])


def ours(binary, model, threads, runs):
    r = subprocess.run(["nice", "-n", "0", binary, "bench", "--model", model, "--threads", str(threads),
                        "--runs", str(runs)], capture_output=True, text=True, check=True)
    return last_median(r.stdout)


def theirs(model, threads, runs):
    r = subprocess.run([sys.executable, "-c", ORT_WORKER, model, str(threads), str(runs)],
                       capture_output=True, text=True, check=True)
    return last_median(r.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("models", nargs="+")
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--rounds", type=int, default=5, help="alternating rounds (median of round medians)")
    ap.add_argument("--runs", type=int, default=10, help="timed runs per round per engine")
    ap.add_argument("--binary", default=None, help="drivepipe binary (default: release, else debug build)")
    ap.add_argument("--baseline", default=None, help="another drivepipe binary timed in the same rounds")
    a = ap.parse_args()
    binary = a.binary
    if binary is None:
        for cand in (".build/release/drivepipe", ".build/debug/drivepipe"):
            p = os.path.join(ROOT, cand)
            if os.path.exists(p):
                binary = p
                break
    if binary is None:
        sys.exit("build drivepipe first (swift build -c release)")
    print(f"# binary {binary}; {a.rounds} alternating rounds x {a.runs} runs; ratio = onnxruntime / drivepipe", flush=True)
    extra = f" {'baseline ms':>12} {'base ratio':>10} {'speedup':>7}" if a.baseline else ""
    print(f"{'model':<34} {'thr':>3} {'drivepipe ms':>13} {'onnxruntime ms':>15} {'ratio':>6}" + extra, flush=True)
    for model in a.models:
        for t in a.threads:
            us, them, ratios, base, bratios, speedups = [], [], [], [], [], []
            for k in range(a.rounds):
                # every other round in reverse order: on this host the first process of a round
                # was often the fastest, whichever it was
                order = ["ours", "theirs", "base"] if a.baseline else ["ours", "theirs"]
                if k % 2:
                    order.reverse()
                got = {}
                for who in order:
                    if who == "ours":
                        got[who] = ours(binary, model, t, a.runs)
                    elif who == "theirs":
                        got[who] = theirs(model, t, a.runs)
                    else:
                        got[who] = ours(a.baseline, model, t, a.runs)
                u, o = got["ours"], got["theirs"]
                us.append(u); them.append(o); ratios.append(o / u)
                if a.baseline:
                    b = got["base"]
                    base.append(b); bratios.append(o / b); speedups.append(b / u)
            line = (f"{os.path.basename(model):<34} {t:>3} {statistics.median(us):>13.2f} {statistics.median(them):>15.2f} "
                    f"{statistics.median(ratios):>6.2f}")
            if a.baseline:
                line += f" {statistics.median(base):>12.2f} {statistics.median(bratios):>10.2f} {statistics.median(speedups):>7.2f}"
            print(line, flush=True)


if __name__ == "__main__":
    main()
