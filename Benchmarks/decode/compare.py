#!/usr/bin/env python3
"""Alternate libjpeg-turbo and ImageIO decode runs on one JPEG; print per-round times and medians.

Three timings per round and scale, order alternating between rounds (the host is shared and noisy):
  tjbench        libjpeg-turbo's own benchmark (TurboJPEG tjDecompress2), wall time (frames/s)
  raw            raw_turbojpeg.c: the same tjDecompress2 loop, wall and process CPU time per decode
  swift          decode-bench: ImageIO.decodeImage (new image per decode), wall and CPU time
  swift-reuse    decode-bench --reuse: decodeImage(_:options:into:) reusing one image's storage
All decode to packed RGB with the ISLOW IDCT and fancy upsampling. The headline ratio is
swift CPU / raw CPU (CPU time is robust to other processes taking the cores); wall-time ratios
against tjbench are printed too.
Usage: compare.py DECODE_BENCH RAW_TURBOJPEG FILE ROUNDS SECONDS
"""
import re
import statistics
import subprocess
import sys

bench, raw, path, rounds, secs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
warm = "0.3"


def run(args):
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def tjbench(scale):
    out = run(["tjbench", path, "-rgb", "-nowrite", "-benchtime", str(secs), "-warmup", warm, "-scale", "1/%d" % scale])
    return 1000.0 / float(re.search(r"Decompress\s+--> Frame rate:\s+([0-9.]+)", out).group(1))


def times(out):
    return float(re.search(r"mean_ms=([0-9.]+)", out).group(1)), float(re.search(r"cpu_ms=([0-9.]+)", out).group(1))


def raw_tj(scale):
    return times(run([raw, path, str(scale), str(secs), warm]))


def swift(scale, reuse):
    return times(run([bench, path, "--scale", str(scale), "--seconds", str(secs), "--warmup", warm]
                     + (["--reuse"] if reuse else [])))


med = statistics.median
summary = []
for scale in (1, 2):
    rows = []
    for r in range(rounds):
        steps = [("tj", lambda: tjbench(scale)), ("raw", lambda: raw_tj(scale)),
                 ("swift", lambda: swift(scale, False)), ("reuse", lambda: swift(scale, True))]
        if r % 2:
            steps.reverse()
        got = {name: fn() for name, fn in steps}
        rows.append(got)
        print("scale 1/%d round %d: tjbench %.2f ms | raw %.2f ms cpu %.2f | swift %.2f ms cpu %.2f | reuse %.2f ms cpu %.2f"
              % (scale, r + 1, got["tj"], *got["raw"], *got["swift"], *got["reuse"]), file=sys.stderr)
    summary.append(
        "scale=1/%d tjbench_ms=%.2f raw_cpu_ms=%.3f swift_cpu_ms=%.3f swift_reuse_cpu_ms=%.3f "
        "cpu_ratio=%.3f cpu_ratio_reuse=%.3f wall_ratio_vs_tjbench=%.3f wall_ratio_reuse_vs_tjbench=%.3f" % (
            scale, med([g["tj"] for g in rows]), med([g["raw"][1] for g in rows]),
            med([g["swift"][1] for g in rows]), med([g["reuse"][1] for g in rows]),
            med([g["swift"][1] / g["raw"][1] for g in rows]), med([g["reuse"][1] / g["raw"][1] for g in rows]),
            med([g["swift"][0] / g["tj"] for g in rows]), med([g["reuse"][0] / g["tj"] for g in rows])))
print("file=%s rounds=%d seconds=%.1f (medians over rounds; ratios are per round, swift / libjpeg-turbo)"
      % (path, rounds, secs))
for line in summary:
    print(line)
