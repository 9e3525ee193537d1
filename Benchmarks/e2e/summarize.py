"""Summarises one benchmark run: frames/s, per-frame latency p50/p99 (from latency_ms), and the
pipeline's throughput as a fraction of onnxruntime's model-only throughput.
Usage: summarize.py OUT.ndjson START END ORT_MS_BEFORE ORT_MS_AFTER LABEL [ROUNDS.jsonl]
       summarize.py --medians ROUNDS.jsonl    (per label: medians over the recorded rounds)"""
import json
import statistics
import sys

if sys.argv[1] == "--medians":
    rows = [json.loads(l) for l in open(sys.argv[2])]
    for label in dict.fromkeys(r["label"] for r in rows):
        rs = [r for r in rows if r["label"] == label]
        med = lambda k: statistics.median(r[k] for r in rs)
        ratios = sorted(r["ratio"] for r in rs)
        print(f"[median of {len(rs)} rounds: {label}] {med('fps'):.1f} frames/s, latency p50 {med('p50'):.1f} ms "
              f"p99 {med('p99'):.1f} ms; onnxruntime {med('ort_ms'):.2f} ms = {1000 / med('ort_ms'):.1f} frames/s; "
              f"pipeline/onnxruntime {med('ratio'):.2f} (rounds: {', '.join(f'{x:.2f}' for x in ratios)})")
    sys.exit(0)

path, start, end, o1, o2, label = sys.argv[1:7]
recs = [json.loads(l) for l in open(path)]
lat = sorted(r["latency_ms"] for r in recs if "latency_ms" in r and r["type"] == "decision")
kinds = {k: sum(1 for r in recs if r["type"] == k) for k in ("decision", "error", "drop")}


def pct(p):
    return lat[min(len(lat) - 1, int(p * len(lat)))] if lat else float("nan")


line = f"[{label}] frames {len(recs)} ({kinds}) latency p50 {pct(0.5):.1f} ms p99 {pct(0.99):.1f} ms"
if label == "live":
    half = len(lat) // 2
    first = [r["latency_ms"] for r in recs[:len(recs) // 2] if "latency_ms" in r]
    second = [r["latency_ms"] for r in recs[len(recs) // 2:] if "latency_ms" in r]
    med = lambda v: sorted(v)[len(v) // 2] if v else float("nan")
    line += f"; median latency first half {med(first):.1f} ms, second half {med(second):.1f} ms"
else:
    wall = float(end) - float(start)
    fps = len(recs) / wall
    ort_ms = (float(o1) + float(o2)) / 2
    ort_fps = 1000 / ort_ms
    line += f"; {fps:.1f} frames/s; onnxruntime model alone {ort_ms:.1f} ms = {ort_fps:.1f} frames/s " \
            f"(before {float(o1):.1f}, after {float(o2):.1f}); pipeline/onnxruntime throughput {fps / ort_fps:.2f}"
    if len(sys.argv) > 7:
        with open(sys.argv[7], "a") as f:
            f.write(json.dumps({"label": label, "fps": fps, "ort_ms": ort_ms, "ratio": fps / ort_fps,
                                "p50": pct(0.5), "p99": pct(0.99)}) + "\n")
print(line)
