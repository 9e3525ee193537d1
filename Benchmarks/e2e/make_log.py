"""Makes a drive log of N frames by cycling the frames of an existing one (hard links, no copies).
Usage: make_log.py SRC_LOG DST_LOG N"""
import json
import os
import sys

src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
lines = [json.loads(l) for l in open(os.path.join(src, "log.jsonl")) if l.strip()]
meta, frames = lines[0], lines[1:]
os.makedirs(os.path.join(dst, "frames"), exist_ok=True)
t0, dt = frames[0]["t_ns"], 40_000_000
with open(os.path.join(dst, "log.jsonl"), "w") as out:
    out.write(json.dumps(meta) + "\n")
    for i in range(n):
        f = frames[i % len(frames)]
        name = f"frames/{i:06d}.jpg"
        target = os.path.join(dst, name)
        if not os.path.exists(target):
            os.link(os.path.join(src, f["file"]), target)
        out.write(json.dumps({"file": name, "t_ns": t0 + i * dt}) + "\n")
