"""Paired A/B of two drivepipe builds on a noisy host: replays the same log with both binaries
back to back, N times, swapping the order every pair, and prints each build's median frame rate
and the median of the per-pair ratios B/A (what to quote when the host's speed drifts within
seconds; run.sh's rounds are too few for a difference of a few percent).
Usage: ab_pairs.py BIN_A BIN_B LOG PIPELINE.yaml CPUS N
  e.g. ab_pairs.py /tmp/a/drivepipe .build/release/drivepipe /tmp/log300 /tmp/p1.yaml 0 12
  (LOG from make_log.py; PIPELINE as run.sh writes them: absolute model paths, the thread budget)"""
import os
import statistics
import subprocess
import sys
import time

a, b, log, cfg, cpus, n = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6])
frames = sum(1 for _ in open(os.path.join(log, "log.jsonl"))) - 1


def run(binary):
    t = time.perf_counter()
    subprocess.run(["taskset", "-c", cpus, binary, "run", log, "--pipeline", cfg, "--no-stats"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return frames / (time.perf_counter() - t)


ra, rb, ratios = [], [], []
for i in range(n):
    if i % 2 == 0:
        fa = run(a)
        fb = run(b)
    else:
        fb = run(b)
        fa = run(a)
    ra.append(fa)
    rb.append(fb)
    ratios.append(fb / fa)
q = statistics.quantiles(ratios, n=4) if n >= 2 else [ratios[0]] * 3
print(f"cpus {cpus}: A median {statistics.median(ra):.1f} frames/s, B median {statistics.median(rb):.1f} frames/s, "
      f"B/A per pair median {statistics.median(ratios):.3f} (quartiles {q[0]:.3f}-{q[2]:.3f}, {n} pairs)")
