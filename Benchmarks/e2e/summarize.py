"""Summarises one benchmark run: frames/s, per-frame latency p50/p99 (from latency_ms), and the
pipeline's throughput as a fraction of onnxruntime's model-only throughput, two ways:
  wall:   frames / the daemon process's wall time (start-up, model loading, pipeline fill and drain
          included) against onnxruntime's median run (session creation and warm-up excluded);
  steady: the steady-state rate, (frames - 1) / (last line's emitted_ms - first line's), against
          onnxruntime's mean run (runs / total time). Like for like: both leave out one-off
          start-up and both pay for every slow frame or run on a noisy host.
Usage: summarize.py OUT.ndjson START END "ORT_MEDIAN ORT_MEAN" (before) "ORT_MEDIAN ORT_MEAN" (after) LABEL [ROUNDS.jsonl]
       summarize.py --medians ROUNDS.jsonl    (per label: medians over the recorded rounds)"""
import json
import statistics
import sys

if sys.argv[1] == "--medians":
    rows = [json.loads(l) for l in open(sys.argv[2])]
    for label in dict.fromkeys(r["label"] for r in rows):
        rs = [r for r in rows if r["label"] == label]
        med = lambda k: statistics.median(r[k] for r in rs)
        listed = lambda k: ", ".join(f"{x:.2f}" for x in sorted(r[k] for r in rs))
        print(f"[median of {len(rs)} rounds: {label}] {med('fps'):.1f} frames/s (steady state {med('fps_steady'):.1f}), "
              f"latency p50 {med('p50'):.1f} ms p99 {med('p99'):.1f} ms; onnxruntime median {med('ort_ms'):.2f} ms, "
              f"mean {med('ort_mean_ms'):.2f} ms; pipeline/onnxruntime wall {med('ratio'):.2f} (rounds: {listed('ratio')}), "
              f"steady {med('ratio_steady'):.2f} (rounds: {listed('ratio_steady')})")
    sys.exit(0)

path, start, end, o1, o2, label = sys.argv[1:7]
recs = [json.loads(l) for l in open(path)]
lat = sorted(r["latency_ms"] for r in recs if "latency_ms" in r and r["type"] == "decision")
kinds = {k: sum(1 for r in recs if r["type"] == k) for k in ("decision", "error", "drop")}


def pct(p):
    return lat[min(len(lat) - 1, int(p * len(lat)))] if lat else float("nan")


line = f"[{label}] frames {len(recs)} ({kinds}) latency p50 {pct(0.5):.1f} ms p99 {pct(0.99):.1f} ms"
if label == "live":
    first = [r["latency_ms"] for r in recs[:len(recs) // 2] if "latency_ms" in r]
    second = [r["latency_ms"] for r in recs[len(recs) // 2:] if "latency_ms" in r]
    med = lambda v: sorted(v)[len(v) // 2] if v else float("nan")
    line += f"; median latency first half {med(first):.1f} ms, second half {med(second):.1f} ms"
else:
    (med1, mean1), (med2, mean2) = map(float, o1.split()), map(float, o2.split())
    fps = len(recs) / (float(end) - float(start))
    emitted = [r["emitted_ms"] for r in recs if "emitted_ms" in r]
    fps_steady = (len(emitted) - 1) / ((emitted[-1] - emitted[0]) / 1000) if len(emitted) > 1 else float("nan")
    ort_ms, ort_mean_ms = (med1 + med2) / 2, (mean1 + mean2) / 2
    ratio, ratio_steady = fps * ort_ms / 1000, fps_steady * ort_mean_ms / 1000
    line += f"; {fps:.1f} frames/s wall, {fps_steady:.1f} steady; onnxruntime model alone median {ort_ms:.1f} ms " \
            f"(before {med1:.1f}, after {med2:.1f}), mean {ort_mean_ms:.1f} ms; pipeline/onnxruntime " \
            f"wall {ratio:.2f}, steady {ratio_steady:.2f}"
    if len(sys.argv) > 7:
        with open(sys.argv[7], "a") as f:
            f.write(json.dumps({"label": label, "fps": fps, "fps_steady": fps_steady, "ort_ms": ort_ms,
                                "ort_mean_ms": ort_mean_ms, "ratio": ratio, "ratio_steady": ratio_steady,
                                "p50": pct(0.5), "p99": pct(0.99)}) + "\n")
print(line)
